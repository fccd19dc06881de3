"""`python -m bot demo` driven as a person would: through its standard input and output."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo


PROJECT = Path(__file__).resolve().parents[2]
SAMPLE_POLICY = PROJECT / "bot" / "sample_policy"


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under the folder (hidden ones too) with a hash of its content."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def publishable_date() -> str:
    """A date the demo accepts for a new version: today in Almaty (the demo runs on the real
    clock), and after the sample policy's 2026-01-01."""
    today = datetime.now(ZoneInfo("Asia/Almaty")).date()
    return max(today, date(2026, 1, 2)).isoformat()


def number_free(text: str) -> str:
    """Claim numbers carry the year of the demo's real clock: make them year-independent."""
    return re.sub(r"\b20\d\d-(\d{4})\b", r"YYYY-\1", text)


def run_demo(script: list[str], *args: str, cwd: Path = PROJECT, **extra_env: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    for name in ("BOT_TOKEN", "ADMIN_CHAT_ID", "TELEGRAM_API_URL", "DATABASE_URL", "POLICY_DIR"):
        env.pop(name, None)  # the demo needs none of them
    env.update(extra_env)
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "demo", *args],
        input="\n".join(script) + "\n",
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=90,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr, completed.stderr
    return number_free(completed.stdout)


def test_demo_customer_journey_in_russian() -> None:
    out = run_demo(["/start", ":2", ":2", "/policy", ":2", "/ads", ":1", "/mydata", ":1", ":quit"])
    assert "[1] Қазақша   [2] ✓ Русский" in out  # buttons numbered, preselected from language_code
    assert "Согласие на сбор и обработку персональных данных" in out
    assert "Спасибо, ваше согласие записано." in out
    # :2 on the table of contents opens section 1 (button 1 is the preamble), page 1 of 1.
    assert "1. ТЕРМИНЫ И ОПРЕДЕЛЕНИЯ · редакция от 01.01.2026 · стр. 1 из 1" in out
    assert "Готово: реклама включена" in out
    assert "[file my-data-700001.json" in out
    assert out.rstrip().endswith("Demo finished.")


def test_demo_in_kazakh_and_operators_chat() -> None:
    out = run_demo(["/start", ":1", ":2", "/consent", ":ops", "hello", ":me", ":sticker"], "--language", "kk")
    assert "Рақмет, келісіміңіз тіркелді." in out
    assert "Тарих: 1 жазба" in out
    assert "== operators' chat (you are the operator) ==" in out
    assert "Бұл хабарламаны түсінбедім" in out  # the sticker, answered in Kazakh
    assert "Demo finished." in out  # end of input ends the demo


def test_demo_claim_round_trip_in_russian() -> None:
    out = run_demo([
        "/start", ":2", ":2",                       # Russian, accept
        "/claim", ":1", "Прошу удалить мой номер <срочно> & навсегда", ":1", ":1",  # claim, text, continue, confirm
        ":ops", "/claims",
        ":reply Здравствуйте!",                    # a reply to the /claims list: not a claim, the bot says so
        ":reply #1 Здравствуйте! Номер удалён.",   # a reply to the claim's card: a preview with the choice
        ":1",                                       # send as the final answer
        ":me", "/myclaims",
    ])
    assert "✅ Обращение зарегистрировано" in out or "№ YYYY-0001" in out
    assert "Прошу удалить мой номер <срочно> & навсегда" in out  # shown to operators verbatim, escaped in HTML
    assert "№ YYYY-0001 · Письменная претензия" in out           # /claims in the operators' chat
    assert "не относится ни к одному обращению" in out
    assert "Отправлено заявителю как окончательный ответ" in out
    assert "Здравствуйте! Номер удалён." in out.split(":me")[-1]   # the customer received the reply
    assert "ответ" in out.split("> /myclaims")[-1].lower()


def test_demo_claim_round_trip_in_kazakh_with_reminders_and_broadcast() -> None:
    out = run_demo([
        "/start", ":1", ":2",
        "/claim", ":1", "Деректерімді түзетуді сұраймын", ":1", ":1",
        ":advance 23",                              # 7 days before the 30-day due date
        ":ops",
        ":reply #1 Сәлеметсіз бе! Түзеттік.",      # to the card (a reply to the reminder would be a note)
        ":1",
        ":me",
        ":ops", "Плановые работы 1 марта", ":reply /broadcast all", ":1",
    ], "--language", "kk")
    assert "№ YYYY-0001" in out and "Өтініш тіркелді" in out
    operators = out.split("== operators' chat (you are the operator) ==")[1]
    assert "Деректерімді түзетуді сұраймын" in operators
    assert "⏰ № YYYY-0001" in operators and "осталось 7 дней" in operators  # the reminder after the clock moved
    customer = out.split("== your chat with the bot (you are the customer) ==")[-1]
    assert "Сәлеметсіз бе! Түзеттік." in customer
    assert "№ YYYY-0001 өтініш бойынша" in customer  # labelled with the number, in Kazakh
    # The operators' chat speaks OPERATOR_LANGUAGE (Russian by default), whatever the operator's app language.
    assert "1 получатель" in out.split(":reply /broadcast all")[-1]


def test_demo_publishing_never_writes_into_the_repository(tmp_path: Path) -> None:
    before = tree_digest(SAMPLE_POLICY)
    ru = (SAMPLE_POLICY / "2026-01-01" / "ru.md").read_text(encoding="utf-8")
    upload = tmp_path / "ru.md"
    upload.write_text(ru + "\n11. ХРАНЕНИЕ В ОБЛАКЕ\nДанные хранятся в облаке.\n", encoding="utf-8")
    version = publishable_date()
    out = run_demo([
        "/start", ":2", ":2",
        ":ops", f":file {upload}", f"/publish_policy {version}", ":1",
        ":me", "/policy",
    ])
    assert "Файл ru.md принят: 11 разделов" in out  # the real file from disk, as a document
    assert "Новый раздел: 11. ХРАНЕНИЕ В ОБЛАКЕ" in out  # the customer got the notice
    customer = out.split("> /policy")[-1]
    day = date.fromisoformat(version)
    assert f"{day:%d.%m.%Y}" in customer
    assert tree_digest(SAMPLE_POLICY) == before  # nothing written into the repository


def test_demo_shows_the_policy_of_policy_dir_from_the_option_the_environment_and_env_file(tmp_path: Path) -> None:
    own = tmp_path / "own-policies" / "2026-02-01"
    own.mkdir(parents=True)
    (own / "ru.md").write_text("ПОЛИТИКА ДЕМО-МАГАЗИНА\n1. ОБЩЕЕ\n1.1. Текст.\n", encoding="utf-8")
    folder = own.parent
    before = tree_digest(folder)
    script = ["/start", ":2", ":2", "/policy"]
    assert "ПОЛИТИКА ДЕМО-МАГАЗИНА" in run_demo(script, "--policy-dir", str(folder))
    assert "ПОЛИТИКА ДЕМО-МАГАЗИНА" in run_demo(script, POLICY_DIR=str(folder))
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    (workdir / ".env").write_text(f"BOT_TOKEN=1:ignored-by-the-demo\nPOLICY_DIR={folder}\n", encoding="utf-8")
    assert "ПОЛИТИКА ДЕМО-МАГАЗИНА" in run_demo(script, cwd=workdir)
    assert tree_digest(folder) == before

"""`python -m bot demo` driven as a person would: through its standard input and output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def run_demo(script: list[str], *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    for name in ("BOT_TOKEN", "ADMIN_CHAT_ID", "TELEGRAM_API_URL", "DATABASE_URL"):
        env.pop(name, None)  # the demo needs none of them
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "demo", *args],
        input="\n".join(script) + "\n",
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env=env,
        timeout=90,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr, completed.stderr
    return completed.stdout


def test_demo_customer_journey_in_russian() -> None:
    out = run_demo(["/start", ":2", ":2", "/policy", ":2", "/ads", ":1", "/mydata", ":1", ":quit"])
    assert "[1] Қазақша   [2] ✓ Русский" in out  # buttons numbered, preselected from language_code
    assert "Согласие на сбор и обработку персональных данных" in out
    assert "Спасибо, ваше согласие записано." in out
    assert "1. ОБЩИЕ ПОЛОЖЕНИЯ" in out or "1. " in out
    assert "Готово: реклама включена" in out
    assert "[file my-data-700001.json" in out
    assert out.rstrip().endswith("Demo finished.")


def test_demo_in_kazakh_and_operators_chat() -> None:
    out = run_demo(["/start", ":1", ":2", "/consent", ":ops", "hello", ":me", ":sticker"], "--language", "kk")
    assert "Рахмет, келісіміңіз тіркелді." in out
    assert "Тарих: 1 жазба" in out
    assert "== operators' chat (you are the operator) ==" in out
    assert "Бұл хабарламаны түсінбедім" in out  # the sticker, answered in Kazakh
    assert "Demo finished." in out  # end of input ends the demo

"""/policy: every section readable, long ones paged, nothing lost, the file downloadable."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from bot.app import create_app
from bot.clock import ManualClock
from bot.config import SAMPLE_POLICY_DIR, Settings
from tests.e2e.conftest import START, Harness

TELEGRAM_LIMIT = 4096


def normalized_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


async def read_whole_policy(harness: Harness, user: int) -> tuple[list[str], int]:
    """Open every section from the table of contents and page through it; returns the lines read."""
    [toc] = await harness.send(user, "/policy")
    section_buttons = [text for row in toc.buttons() for text, _ in row][:-1]  # the last one downloads
    seen: list[str] = []
    pages = 0
    for label in section_buttons:
        await harness.send(user, "/policy")
        await harness.press(user, label)
        while True:
            message = harness.server.last_bot_message(user)
            assert len(message.text or "") <= TELEGRAM_LIMIT
            body = (message.text or "").split("\n\n", 1)[1]  # drop the page header
            seen += normalized_lines(body)
            pages += 1
            try:
                await harness.press(user, "Далее ▶️")
            except AssertionError:
                break
    return seen, pages


async def test_reading_every_section_shows_every_line_in_order(harness: Harness) -> None:
    user = harness.user(201)
    await harness.onboard(user)
    seen, pages = await read_whole_policy(harness, user)
    document, _ = harness.app.policies.current.document("ru")
    expected = [line for section in document.sections for line in normalized_lines(section.text)]
    assert seen == expected
    assert pages >= len(document.sections)


async def test_long_sections_are_paged_within_telegram_limits(
    make_settings: Callable[..., Settings], stand_in, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """A real-world-size policy with a 9,000-character section: paged, every line kept."""
    folder = tmp_path / "policies" / "2026-02-01"
    folder.mkdir(parents=True)
    long_items = "\n".join(f"3.{i}. " + "Оператор обрабатывает данные аккуратно и бережно. " * 6 for i in range(1, 31))
    text = (
        "ПОЛИТИКА КОНФИДЕНЦИАЛЬНОСТИ\nВступительный абзац <с угловыми скобками> & амперсандом.\n"
        "1. ОБЩИЕ ПОЛОЖЕНИЯ\n1.1. Первый пункт.\n2. ТЕРМИНЫ\n2.1. Второй пункт.\n"
        f"3. ОБРАБОТКА\n{long_items}\n4. КОНТАКТЫ\n4.1. Пишите нам.\nMade on\nTilda\n"
    )
    (folder / "ru.md").write_text(text, encoding="utf-8")
    app = await create_app(make_settings(policy_dir=tmp_path / "policies"), clock=ManualClock(START))
    harness = Harness(app, stand_in)
    await harness.start()
    try:
        user = harness.user(202)
        await harness.onboard(user)
        seen, pages = await read_whole_policy(harness, user)
        assert pages > 5  # the long section needed several pages
        expected = normalized_lines(text)[1:-2]  # without the title and the site's footer
        assert seen == expected
        assert "<с угловыми скобками> & амперсандом" in " ".join(seen)  # escaped, shown verbatim
    finally:
        await harness.stop()


async def test_download_and_fallback_language(
    make_settings: Callable[..., Settings], stand_in, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(SAMPLE_POLICY_DIR, policies)
    newer = policies / "2026-03-01"
    newer.mkdir()
    shutil.copy(SAMPLE_POLICY_DIR / "2026-01-01" / "ru.md", newer / "ru.md")  # only Russian
    app = await create_app(make_settings(policy_dir=policies), clock=ManualClock(START))
    harness = Harness(app, stand_in)
    await harness.start()
    try:
        user = harness.user(203, language_code="kk")
        await harness.onboard(user, language="kk")
        [toc] = await harness.send(user, "/policy")
        assert "01.03.2026" in (toc.text or "")
        assert "қазақ тілінде жоқ" in (toc.text or "")  # the note, in the user's language
        [file_message] = await harness.press(user, "Толық мәтінді жүктеу")
        assert file_message.document is not None
        name, content = file_message.document
        assert name == "policy-2026-03-01-ru.txt"
        assert content.decode("utf-8") == app.policies.current.documents["ru"].text
    finally:
        await harness.stop()


async def test_forged_and_stale_policy_buttons_are_answered_politely(harness: Harness) -> None:
    user = harness.user(204)
    await harness.onboard(user)
    [toc] = await harness.send(user, "/policy")
    for data in ("pol:s:1999-01-01:ru:0:0", "pol:s:2026-01-01:ru:999:0", "pol:s:2026-01-01:ru:0:999", "pol:zz", "garbage"):
        await harness.press_data(user, toc.message_id, data)
        answer = harness.server.answered_callbacks[-1]
        assert answer.get("text") == "Эта кнопка устарела. Откройте нужный раздел из меню заново."

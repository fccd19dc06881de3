"""A request type added the way README says (a registry line + its name and button in kk and ru)
works end to end: offered in /claim and /mydata, filed, its card names it, its term sets the due
date, /stats counts it. The type, its registry and its locale entries live in this test only: the
app takes the registry and the locales folder as arguments (dispatcher data `request_types`)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.app import create_app
from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import LOCALES_DIR
from bot.request_types import CALENDAR, REQUEST_TYPES, RequestType
from stand_in import TelegramStandIn
from storage import claims as store
from tests.e2e.conftest import ADMIN_CHAT_ID, START, Harness

# A test-only type: no statute behind it, a term no built-in type has (14 calendar days).
PORTABILITY = RequestType("portability", "test only", 14, CALENDAR, in_mydata=True)
LOCALE_ENTRIES = {
    "ru": "claim-type-portability = Запрос на перенос данных\nclaim-type-button-portability = 📦 Перенести мои данные\n",
    "kk": "claim-type-portability = Деректерді көшіру туралы сұрау\nclaim-type-button-portability = 📦 Деректерімді көшіру\n",
}


@pytest.fixture
def locales_with_portability(tmp_path: Path) -> Path:
    """The project's locales plus one file per language with the new type's two entries."""
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, folder)
    for language, text in LOCALE_ENTRIES.items():
        (folder / language / "portability.ftl").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
async def h(
    make_settings: Callable[..., Settings], stand_in: TelegramStandIn, locales_with_portability: Path,
) -> AsyncIterator[Harness]:
    app = await create_app(
        make_settings(scheduler_autostart=False), clock=ManualClock(START),
        request_types=REQUEST_TYPES.plus(PORTABILITY), locales_dir=locales_with_portability,
    )
    harness = Harness(app, stand_in)
    await harness.start()
    yield harness
    await harness.stop()


def button_texts(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [text for row in message.buttons() for text, _ in row]


async def test_a_type_added_in_the_registry_is_offered_filed_carded_timed_and_counted(h: Harness) -> None:
    user = h.user(1001)
    await h.onboard(user)

    # Offered: in /mydata's requests and in /claim's list, after the built-in types.
    mydata = (await h.send(user, "/mydata"))[-1]
    assert "📦 Перенести мои данные" in button_texts(mydata)
    choose = (await h.send(user, "/claim"))[-1]
    types = button_texts(choose)
    assert types.index("📦 Перенести мои данные") == types.index("🗑 Уничтожить данные") + 1

    # Filed, with its own term: registered 02.03.2026, 14 calendar days → due 16.03.2026.
    await h.press(user, "Перенести мои данные")  # the list of types becomes the prompt (edited in place)
    prompt = h.last_text(user)
    assert "Запрос на перенос данных" in prompt and "14 календарных дней" in prompt
    await h.send(user, "Передайте мои данные в другой сервис")
    await h.press(user, "Продолжить")
    receipt = (await h.press(user, "Подтвердить"))[-1].text or ""
    assert "№ 2026-0001" in receipt and "Запрос на перенос данных" in receipt and "16.03.2026" in receipt
    claim = await store.get_by_number(h.app.db, "2026-0001")
    assert claim is not None and (claim.type, claim.days, claim.days_kind, claim.due_date) == ("portability", 14, "calendar", "2026-03-16")

    # The operators' card names it and shows its due date.
    card = next(m.text or "" for m in h.server.bot_messages(ADMIN_CHAT_ID) if "№ 2026-0001" in (m.text or ""))
    assert "Запрос на перенос данных" in card and "16.03.2026" in card

    # /stats counts it by type, after the built-in types.
    stats = (await h.send(777, "/stats", chat_id=ADMIN_CHAT_ID))[-1].text or ""
    assert "Запрос на перенос данных: 1" in stats and "Запрос на уничтожение данных: 0" in stats
    assert stats.index("Запрос на уничтожение данных: 0") < stats.index("Запрос на перенос данных: 1")


async def test_the_added_type_speaks_kazakh_too(h: Harness) -> None:
    user = h.user(1002, language_code="kk")
    await h.onboard(user, language="kk")
    choose = (await h.send(user, "/claim"))[-1]
    assert "📦 Деректерімді көшіру" in button_texts(choose)
    await h.press(user, "Деректерімді көшіру")
    prompt = h.last_text(user)
    assert "Деректерді көшіру туралы сұрау" in prompt and "14 күнтізбелік күн" in prompt


async def test_a_type_the_registry_does_not_know_is_refused_and_nothing_is_filed(harness: Harness) -> None:
    """The project's own registry has no 'portability': its button (forged, or left from a
    deployment that had the type) gets a polite answer, and no claim is written."""
    h = harness
    user = h.user(1003)
    await h.onboard(user)
    choose = (await h.send(user, "/claim"))[-1]
    assert "📦 Перенести мои данные" not in button_texts(choose)
    await h.press_data(user, choose.message_id, "clt:portability")
    assert h.server.answered_callbacks[-1].get("text") == "Эта кнопка устарела. Откройте нужный раздел из меню заново."
    assert await h.app.db.fetch_value("SELECT COUNT(*) FROM claims") == 0


async def test_a_type_without_its_locale_entries_stops_the_bot_at_start_naming_them(
    make_settings: Callable[..., Settings], stand_in: TelegramStandIn,
) -> None:
    """The registry line alone is not enough: the bot does not start, and says which keys are missing."""
    app = await create_app(make_settings(scheduler_autostart=False), clock=ManualClock(START),
                           request_types=REQUEST_TYPES.plus(PORTABILITY))  # the project's locales: no portability
    try:
        with pytest.raises(RuntimeError, match="kk: claim-type-portability, ru: claim-type-portability, kk: claim-type-button-portability"):
            await Harness(app, stand_in).start()
    finally:
        await app.shutdown()  # what start-up opened before the check refused, and the database

"""The operators' outbox end to end: one claim's trouble never holds back another's, nothing is
given up silently, and delivery comes back quickly after an outage (time from the ManualClock)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest

from bot.app import create_app
from bot.clock import ManualClock
from bot.config import Settings
from stand_in import TelegramStandIn
from tests.e2e.conftest import ADMIN_CHAT_ID, START, Harness

NEW_ADMIN_CHAT_ID = -1001000000777


@pytest.fixture
async def h(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> AsyncIterator[Harness]:
    """The loop is off: each test runs the scheduler itself, at times of its injected clock."""
    app = await create_app(make_settings(scheduler_autostart=False), clock=ManualClock(START))
    harness = Harness(app, stand_in)
    await harness.start()
    yield harness
    await harness.stop()


async def run_once(h: Harness) -> int:
    return await h.app.dispatcher["scheduler"].run_once()


def admin_texts(h: Harness, chat_id: int = ADMIN_CHAT_ID) -> list[str]:
    return [m.text or m.caption or "" for m in h.server.bot_messages(chat_id)]


def has_card(h: Harness, number: str, chat_id: int = ADMIN_CHAT_ID) -> bool:
    return any(f"№ {number}" in t and "🆕" in t for t in admin_texts(h, chat_id))


async def file_claim(h: Harness, user_id: int, text: str, *, photo: bool = False, delete_photo: bool = False) -> str:
    await h.send(user_id, "/claim")
    await h.press(user_id, "Письменная претензия")
    await h.send(user_id, text)
    if photo:
        await h.send(user_id, photo=True)
        if delete_photo:  # the customer deletes the photo from the chat before confirming
            sent = [m for m in h.server.messages(user_id) if not m.from_bot and m.photo][-1]
            h.server.user_deletes(user_id, sent.message_id)
    await h.press(user_id, "Продолжить")
    replies = await h.press(user_id, "Подтвердить")
    return replies[-1].text or ""


async def customer(h: Harness, user_id: int) -> int:
    h.user(user_id)
    await h.onboard(user_id)
    return user_id


async def test_a_deleted_attachment_becomes_a_line_and_does_not_delay_another_customers_card(h: Harness) -> None:
    first, second = await customer(h, 3001), await customer(h, 3002)
    await file_claim(h, first, "Фото чека приложено", photo=True, delete_photo=True)
    await file_claim(h, second, "Другая претензия")
    # No clock moved, no retry waited for: both cards are there, and the missing photo is a line.
    texts = admin_texts(h)
    assert has_card(h, "2026-0001") and "Фото чека приложено" in texts
    assert any("№ 2026-0001" in t and "больше недоступно" in t for t in texts)
    assert has_card(h, "2026-0002") and "Другая претензия" in texts
    assert await h.app.db.fetch_value("SELECT COUNT(*) FROM outbox WHERE state != 'delivered'") == 0


async def test_a_row_failing_with_403_does_not_block_other_claims_and_is_announced_when_given_up(h: Harness) -> None:
    first, second = await customer(h, 3011), await customer(h, 3012)
    h.server.fail_next("copyMessage", error_code=403, times=100, chat_id=ADMIN_CHAT_ID)
    await file_claim(h, first, "Претензия с фото", photo=True)
    assert has_card(h, "2026-0001") and "Претензия с фото" in admin_texts(h)
    await file_claim(h, second, "Вторая претензия")
    assert has_card(h, "2026-0002") and "Вторая претензия" in admin_texts(h)  # at once, not after the 403 row
    for _ in range(10):
        h.clock.advance(timedelta(minutes=1))
        await run_once(h)
    notices = [t for t in admin_texts(h) if "не доставлено" in t]
    assert len(notices) == 1
    assert "№ 2026-0001" in notices[0] and "вложение" in notices[0] and "Forbidden" in notices[0]
    assert "/claim 2026-0001" in notices[0]


async def test_a_parked_message_is_announced_in_the_admin_chat_and_the_claim_goes_on(h: Harness) -> None:
    user = await customer(h, 3021)
    h.server.fail_next("sendMessage", error_code=400, description="Bad Request: message is too long", times=5,
                       chat_id=ADMIN_CHAT_ID)
    await file_claim(h, user, "Текст обращения")
    assert not has_card(h, "2026-0001")
    for _ in range(10):
        h.clock.advance(timedelta(minutes=1))
        await run_once(h)
    notices = [t for t in admin_texts(h) if "не доставлено" in t]
    assert len(notices) == 1, admin_texts(h)
    notice = notices[0]
    assert "№ 2026-0001" in notice and "карточка обращения" in notice and "message is too long" in notice
    assert "/claim 2026-0001" in notice
    assert "Текст обращения" in admin_texts(h)  # the rest of the claim went on
    history = await h.send(777, "/claim 2026-0001", chat_id=ADMIN_CHAT_ID)  # where the notice says to look
    assert "Текст обращения" in "\n".join(m.text or "" for m in history)


async def test_an_announcement_that_cannot_be_delivered_is_not_announced_again(h: Harness) -> None:
    user = await customer(h, 3031)
    h.server.fail_next("sendMessage", error_code=400, description="Bad Request: can't parse entities", times=10_000,
                       chat_id=ADMIN_CHAT_ID)
    await file_claim(h, user, "Текст")
    for _ in range(60):
        h.clock.advance(timedelta(minutes=1))
        await run_once(h)
    rows = await h.app.db.fetch_all("SELECT state FROM outbox")
    # The card and the text were parked, each announced once; the announcements were parked too.
    assert [r[0] for r in rows].count("dead") == 4 and len(rows) == 4


async def test_delivery_resumes_within_a_minute_after_a_25_minute_outage(h: Harness) -> None:
    first, second = await customer(h, 3041), await customer(h, 3042)
    h.server.fail_next("sendMessage", error_code=502, chat_id=ADMIN_CHAT_ID)  # the outage begins with this card
    await file_claim(h, first, "Первая претензия")
    h.server.outage()  # every request fails now
    for _ in range(25 * 3):
        h.clock.advance(timedelta(seconds=20))
        await run_once(h)
    assert not has_card(h, "2026-0001")
    h.server.end_outage()
    ended = h.clock.now()
    while not has_card(h, "2026-0001") and h.clock.now() - ended < timedelta(minutes=10):
        h.clock.advance(timedelta(seconds=5))
        await run_once(h)
    assert has_card(h, "2026-0001") and "Первая претензия" in admin_texts(h)
    assert h.clock.now() - ended <= timedelta(minutes=1)
    # A claim filed right after the outage goes out at once, behind nothing.
    await file_claim(h, second, "Вторая претензия")
    assert has_card(h, "2026-0002")


async def test_a_forum_without_topic_rights_gets_plain_cards_and_one_warning(h: Harness) -> None:
    h.server.add_group(ADMIN_CHAT_ID, title="Operators", is_forum=True, bot_can_manage_topics=False)
    await h.restart()
    first, second = await customer(h, 3051), await customer(h, 3052)
    await file_claim(h, first, "Первая")
    await file_claim(h, second, "Вторая")
    await run_once(h)
    assert has_card(h, "2026-0001") and has_card(h, "2026-0002")
    assert h.server.topics(ADMIN_CHAT_ID) == {}
    warnings = [t for t in admin_texts(h) if "Управление темами" in t]
    assert len(warnings) == 1
    # Replying to the plain card still reaches the claim (the card is linked to it).
    history = await h.send(777, "/claim 2026-0002", chat_id=ADMIN_CHAT_ID)
    assert "Вторая" in "\n".join(m.text or "" for m in history)


async def test_a_migrated_admin_chat_is_reported_with_the_fix_and_nothing_is_lost(
    h: Harness, make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture,
) -> None:
    user = await customer(h, 3061)
    h.server.migrate_group(ADMIN_CHAT_ID, NEW_ADMIN_CHAT_ID)
    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        await h.restart()  # the start-up check finds out
    assert any(f"ADMIN_CHAT_ID={NEW_ADMIN_CHAT_ID}" in r.getMessage() and r.levelno >= logging.ERROR
               for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        h.clock.advance(timedelta(minutes=11))
        await file_claim(h, user, "Претензия после переезда чата")
        for _ in range(20):
            h.clock.advance(timedelta(minutes=1))
            await run_once(h)
    assert any(f"set ADMIN_CHAT_ID={NEW_ADMIN_CHAT_ID}" in r.getMessage() for r in caplog.records)
    assert await h.app.db.fetch_value("SELECT COUNT(*) FROM outbox WHERE state = 'dead'") == 0
    # The operators follow the advice: the waiting card reaches the new chat.
    await h.restart(make_settings(scheduler_autostart=False, admin_chat_id=NEW_ADMIN_CHAT_ID))
    await run_once(h)
    assert has_card(h, "2026-0001", NEW_ADMIN_CHAT_ID)


async def test_a_bot_removed_from_the_admin_chat_is_reported_and_delivery_resumes_when_it_is_back(
    h: Harness, caplog: pytest.LogCaptureFixture,
) -> None:
    user = await customer(h, 3071)
    h.server.remove_bot(ADMIN_CHAT_ID)
    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        await h.restart()
    assert any(f"ADMIN_CHAT_ID={ADMIN_CHAT_ID}" in r.getMessage() and "add the bot" in r.getMessage()
               for r in caplog.records)
    await file_claim(h, user, "Претензия")
    for _ in range(60):  # an hour without the bot in the chat: nothing is given up
        h.clock.advance(timedelta(minutes=1))
        await run_once(h)
    assert await h.app.db.fetch_value("SELECT COUNT(*) FROM outbox WHERE state = 'dead'") == 0
    h.server.add_group(ADMIN_CHAT_ID, title="Operators")  # added back
    back = h.clock.now()
    while not has_card(h, "2026-0001") and h.clock.now() - back < timedelta(minutes=10):
        h.clock.advance(timedelta(seconds=5))
        await run_once(h)
    assert has_card(h, "2026-0001") and h.clock.now() - back <= timedelta(minutes=1)

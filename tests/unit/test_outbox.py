"""The outbox's storage rules and the scheduler's sorting of errors, on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage

from bot import scheduler
from storage import outbox
from storage.db import Database, to_iso

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
CHAT = -100123
METHOD = SendMessage(chat_id=CHAT, text="x")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "o.sqlite3")
    await database.execute(
        "INSERT INTO users (id, first_name, created_at, updated_at) VALUES (1, 'A', ?, ?)", (to_iso(NOW), to_iso(NOW))
    )
    for claim_id in (1, 2):
        await database.execute(
            "INSERT INTO claims (id, number, year, seq, user_id, type, text, language, registered_at, days, days_kind, "
            "due_date, updated_at) VALUES (?, ?, 2026, ?, 1, 'claim', 't', 'ru', ?, 30, 'calendar', '2026-04-01', ?)",
            (claim_id, f"2026-000{claim_id}", claim_id, to_iso(NOW), to_iso(NOW)),
        )
    yield database
    await database.close()


async def put(db: Database, claim_id: int | None, text: str, *, ordered: bool = True) -> int:
    return await outbox.enqueue(db, chat_id=CHAT, kind="message", payload={"text": text}, now=NOW, claim_id=claim_id,
                                ordered=ordered)


async def test_a_failing_row_holds_back_only_its_own_claim(db: Database) -> None:
    a1, a2 = await put(db, 1, "a1"), await put(db, 1, "a2")
    b1, free = await put(db, 2, "b1"), await put(db, None, "no claim")
    taken = await outbox.claim_due(db, NOW)
    assert [r.id for r in taken] == [a1, a2, b1, free]
    await outbox.mark_failed(db, a1, "x", NOW + timedelta(minutes=1), failure=outbox.MESSAGE)
    for row in (a2, b1, free):
        await outbox.release(db, row)
    # Claim 1 waits behind its first row; claim 2 and the row without a claim do not.
    assert [r.id for r in await outbox.claim_due(db, NOW)] == [b1, free]
    later = [r.id for r in await outbox.claim_due(db, NOW + timedelta(minutes=1))]
    assert later == [a1, a2]


async def test_a_parked_row_lets_its_claim_go_on_and_an_unordered_notice_never_waits(db: Database) -> None:
    a1, a2 = await put(db, 1, "a1"), await put(db, 1, "a2")
    await outbox.claim_due(db, NOW)
    await outbox.mark_failed(db, a1, "x", NOW + timedelta(hours=1), failure=outbox.MESSAGE)
    await outbox.release(db, a2)
    notice = await put(db, 1, "about claim 1", ordered=False)
    assert [r.id for r in await outbox.claim_due(db, NOW)] == [notice]
    await outbox.mark_dead(db, a1, "refused", NOW)
    assert [r.id for r in await outbox.claim_due(db, NOW)] == [a2]


async def test_a_success_clears_only_the_back_off_that_waited_for_the_chat(db: Database) -> None:
    down, refused = await put(db, 1, "down"), await put(db, 2, "refused")
    await outbox.claim_due(db, NOW)
    await outbox.mark_failed(db, down, "502", NOW + timedelta(minutes=5), failure=outbox.TRANSIENT)
    await outbox.mark_failed(db, refused, "400", NOW + timedelta(minutes=5), failure=outbox.MESSAGE)
    assert await outbox.chats_waiting_on_backoff(db, NOW) == [CHAT]
    probe = await outbox.claim_probe(db, CHAT, NOW)
    assert probe is not None and probe.id == down
    await outbox.release(db, down)
    assert await outbox.clear_backoff(db, CHAT, NOW) == 1
    assert [r.id for r in await outbox.claim_due(db, NOW)] == [down]


def test_back_off_doubles_and_is_capped_at_a_few_minutes() -> None:
    assert scheduler.backoff(0) == timedelta(seconds=10)
    assert scheduler.backoff(3) == timedelta(seconds=80)
    assert scheduler.backoff(50) == scheduler.MAX_BACKOFF <= timedelta(minutes=5)


def test_a_persons_lost_chat_is_about_the_message_not_the_operators_chat() -> None:
    kicked = TelegramForbiddenError(METHOD, "Forbidden: user is deactivated; chat not found")
    assert scheduler.classify(kicked, group=False).kind == outbox.MESSAGE
    assert scheduler.classify(kicked, group=True).kind == outbox.CHAT


@pytest.mark.parametrize(
    ("error", "copying", "kind"),
    [
        (TelegramRetryAfter(METHOD, "Too Many Requests", 7), False, scheduler.RATE),
        (TelegramServerError(METHOD, "Bad Gateway"), False, outbox.TRANSIENT),
        (TelegramNetworkError(METHOD, "timeout"), False, outbox.TRANSIENT),
        (TelegramMigrateToChat(METHOD, "Bad Request: group chat was upgraded to a supergroup chat", -1009), False, outbox.CHAT),
        (TelegramForbiddenError(METHOD, "Forbidden: bot was kicked from the supergroup chat"), False, outbox.CHAT),
        (TelegramBadRequest(METHOD, "Bad Request: chat not found"), True, outbox.CHAT),
        (TelegramBadRequest(METHOD, "Bad Request: message to copy not found"), True, scheduler.UNAVAILABLE),
        (TelegramBadRequest(METHOD, "Bad Request: can't parse entities"), False, outbox.MESSAGE),
        (TelegramForbiddenError(METHOD, "Forbidden: bot was blocked by the user"), False, outbox.MESSAGE),
        (KeyError("text"), False, outbox.MESSAGE),
    ],
)
def test_errors_are_sorted_by_what_they_say_about_the_message(error: BaseException, copying: bool, kind: str) -> None:
    failure = scheduler.classify(error, copying=copying)
    assert failure.kind == kind
    if isinstance(error, TelegramMigrateToChat):
        assert failure.migrate_to == -1009

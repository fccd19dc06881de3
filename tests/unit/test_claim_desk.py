"""The desk's transitions on a real SQLite file: optimistic concurrency, close reasons, drafts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import claim_desk as desk
from bot.claims import Draft as ClaimDraft
from bot.claims import register
from bot.clock import ManualClock
from bot.config import Settings
from bot.deadlines import WorkingCalendar
from bot.operators import OperatorDirectory
from storage import claims as store
from storage import users
from storage.db import Database

NOW = datetime(2026, 3, 2, 4, tzinfo=UTC)
SETTINGS = Settings(_env_file=None, bot_token="1:abcdefghij", admin_chat_id=-100)  # type: ignore[call-arg]
ANNA, BORIS = desk.Operator(1, "Anna"), desk.Operator(2, "Boris")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "desk.sqlite3")
    yield database
    await database.close()


async def new_claim(db: Database) -> store.Claim:
    user = await users.touch_customer(db, user_id=1001, first_name="A", last_name=None, username=None,
                                      telegram_language="ru", now=NOW)
    return await register(db, SETTINGS, WorkingCalendar.from_files(None), lambda key, **_: key, user, "ru",
                          ClaimDraft(type="claim", text="text", attachments=[]), NOW)


async def test_the_second_of_two_operators_acting_on_the_same_version_loses(db: Database) -> None:
    claim = await new_claim(db)
    first = await desk.take(db, claim.id, claim.version, ANNA, NOW)
    second = await desk.take(db, claim.id, claim.version, BORIS, NOW)
    assert first.ok and first.claim is not None and first.claim.taken_by == ANNA.id
    # Boris is told what stands in his way: Anna took it (not merely "the card changed").
    assert not second.ok and second.why == "not_allowed" and second.claim is not None and second.claim.taken_by == ANNA.id
    # Without a version (a command), a claim somebody took is not taken over silently.
    third = await desk.take(db, claim.id, None, BORIS, NOW)
    assert not third.ok and third.why == "not_allowed"
    # An action still possible, pressed on a card that changed meanwhile, is not carried out.
    stale_close = await desk.close(db, claim.id, claim.version, BORIS, NOW, "withdrawn")
    assert not stale_close.ok and stale_close.why == "lost"
    assert (await store.get(db, claim.id)).status == "in_progress"  # type: ignore[union-attr]


async def test_close_needs_a_final_answer_or_a_reason(db: Database) -> None:
    claim = await new_claim(db)
    assert (await desk.close(db, claim.id, None, ANNA, NOW)).why == "needs_reason"
    assert (await desk.close(db, claim.id, None, ANNA, NOW, "other", "   ")).why == "needs_reason"
    closed = await desk.close(db, claim.id, None, ANNA, NOW, "withdrawn")
    assert closed.ok and closed.claim is not None and closed.claim.close_kind == "withdrawn"
    reopened = await desk.reopen(db, claim.id, None, BORIS, NOW)
    assert reopened.ok and reopened.claim is not None and reopened.claim.status == "in_progress"
    assert [e.event for e in await store.events(db, claim.id)] == ["closed", "reopened"]


async def test_a_draft_is_sent_once_and_interim_leaves_the_claim_unanswered(db: Database) -> None:
    claim = await new_claim(db)
    sent: list[list[int]] = []

    async def deliver(_: store.Claim, ids: list[int], choice: str) -> int:
        sent.append(ids)
        return 100 + len(sent)

    async def draft(message_id: int) -> store.Draft:
        await store.link_message(db, -100, 1, claim.id, "card")
        received = await desk.receive(db, desk.Incoming(-100, message_id, "text", "hi", None, 1, True, None), ANNA, NOW)
        assert received.outcome == "draft" and received.draft is not None
        return received.draft

    interim = await draft(10)
    assert (await desk.decide(db, interim.id, desk.INTERIM, ANNA, NOW, deliver)).ok
    assert (await store.get(db, claim.id)).status == "registered"  # type: ignore[union-attr]
    final = await draft(11)
    assert (await desk.decide(db, final.id, desk.FINAL, ANNA, NOW, deliver)).ok
    again = await desk.decide(db, final.id, desk.FINAL, BORIS, NOW, deliver)
    assert not again.ok and again.why == "lost" and again.draft is not None and again.draft.state == "final"
    assert sent == [[10], [11]]
    answered = await store.get(db, claim.id)
    assert answered is not None and answered.status == "answered" and answered.first_reply_by == ANNA.id

    async def refused(_: store.Claim, ids: list[int], choice: str) -> int:
        raise desk.Undelivered("blocked")

    blocked = await draft(12)
    result = await desk.decide(db, blocked.id, desk.FINAL, ANNA, NOW, refused)
    assert result.why == "blocked" and (await store.get_draft(db, blocked.id)).state == "pending"  # type: ignore[union-attr]


async def test_operator_directory_caches_and_narrows() -> None:
    clock = ManualClock(NOW)
    loads: list[int] = []
    admins = {1, 2}

    async def load() -> list[int]:
        loads.append(1)
        return sorted(admins)

    directory = OperatorDirectory(clock)
    assert await directory.is_operator(1, load) and not await directory.is_operator(3, load)
    assert len(loads) == 1  # a miss right after a read does not read again
    admins.add(3)
    clock.advance(timedelta(seconds=31))
    assert await directory.is_operator(3, load) and len(loads) == 2
    narrowed = OperatorDirectory(clock, allowed=[2])
    assert not await narrowed.is_operator(1, load) and await narrowed.is_operator(2, load)

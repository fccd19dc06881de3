"""The daily retention job, and the one narrow path by which content can leave a claim."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.retention import RetentionJob
from storage import audit, claims, consents, fsm, outbox, redaction, users
from storage.db import Database

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


def settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, bot_token="123:ABCDEFGHIJ", admin_chat_id=-100, **overrides)  # type: ignore[call-arg, arg-type]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.sqlite3")
    yield database
    await database.close()


async def writes(db: Database, user_id: int) -> users.User:
    """The person writes to the bot (what the middleware records on every private update)."""
    return await users.touch_customer(db, user_id=user_id, first_name="Айгүл", last_name="Серік",
                                      username=f"u{user_id}", telegram_language="kk", now=NOW)


async def person(db: Database, user_id: int, *, consent: bool) -> None:
    """A person who wrote to the bot; with consent, names stored from their next message on."""
    await writes(db, user_id)
    if consent:
        await consents.record_decision(db, user_id=user_id, policy_version="2026-01-01", language="kk",
                                       decision="given", notice_text="N", now=NOW)
        await writes(db, user_id)


async def claim(db: Database, user_id: int, seq: int, text: str, *, closed_at: datetime | None) -> int:
    async with db.transaction() as tx:
        claim_id = await claims.insert_claim(
            tx, number=f"2026-{seq:04d}", year=2026, seq=seq, user_id=user_id, type="claim", text=text, language="kk",
            now=NOW, days=30, days_kind="calendar", due_date="2026-04-01",
        )
        await claims.insert_attachment(tx, claim_id=claim_id, followup_id=None, kind="photo", chat_id=user_id,
                                       message_id=5, file_id=f"FILE-{seq}", file_name=None, now=NOW)
        await outbox.enqueue(tx, chat_id=-100, claim_id=claim_id, kind="message", payload={"text": text}, now=NOW)
    stored = await claims.get(db, claim_id)
    assert stored is not None
    await claims.record_reply(db, stored, operator_id=9, kind="text", text=f"answer {seq}", admin_message_id=1,
                              user_message_id=2, now=NOW)
    if closed_at is not None:
        stored = await claims.get(db, claim_id)
        assert stored is not None
        await claims.set_status(db, stored, status="closed", operator_id=9, now=closed_at, event="claim_closed",
                                resolution="done")
    return claim_id


async def test_closed_claims_are_redacted_after_the_retention_period_and_a_second_run_changes_nothing(db: Database) -> None:
    clock = ManualClock(NOW)
    job = RetentionJob(settings(), db, clock)
    await person(db, 1, consent=True)
    old = await claim(db, 1, 1, "old text", closed_at=NOW)
    recent = await claim(db, 1, 2, "recent text", closed_at=NOW + timedelta(days=400))
    still_open = await claim(db, 1, 3, "open text", closed_at=None)

    clock.set(NOW + timedelta(days=1094))
    assert (await job.run_once()).claims == 0
    assert (await claims.get(db, old)).text == "old text"  # type: ignore[union-attr]

    clock.set(NOW + timedelta(days=1096))  # three years (1095 days) after the first was closed
    assert (await job.run_once()).claims == 1
    redacted = await claims.get(db, old)
    assert redacted is not None and redacted.text == "" and redacted.number == "2026-0001" and redacted.status == "closed"
    assert [r.text for r in await claims.replies(db, old)] == [None]
    assert [a.file_id for a in await claims.attachments(db, old)] == [""]
    assert (await claims.get(db, recent)).text == "recent text"  # type: ignore[union-attr]
    assert (await claims.get(db, still_open)).text == "open text"  # type: ignore[union-attr]
    for file in db.path.parent.glob(db.path.name + "*"):  # no old copy left in free space or the log
        assert b"old text" not in file.read_bytes() and b"FILE-1" not in file.read_bytes(), file.name
    events = [e for e in await audit.entries_for_user(db, 1) if e.event == "claim_content_redacted"]
    assert [e.details["claim"] for e in events] == ["2026-0001"] and events[0].actor == "system"

    second = await job.run_once()
    assert (second.claims, second.outbox, second.drafts, second.names) == (0, 0, 0, 0)
    assert len([e for e in await audit.entries_for_user(db, 1) if e.event == "claim_content_redacted"]) == 1


async def test_delivered_outbox_payloads_are_purged_after_a_few_days_pending_ones_never(db: Database) -> None:
    clock = ManualClock(NOW)
    job = RetentionJob(settings(outbox_retention_days=7), db, clock)
    delivered = await outbox.enqueue(db, chat_id=-100, kind="message", payload={"text": "Айгүл Серік, ИИН 900101300123"}, now=NOW)
    await outbox.mark_delivered(db, delivered, 10, NOW)
    pending = await outbox.enqueue(db, chat_id=-100, kind="message", payload={"text": "not sent yet"}, now=NOW)

    clock.set(NOW + timedelta(days=6))
    assert (await job.run_once()).outbox == 0
    clock.set(NOW + timedelta(days=8))
    assert (await job.run_once()).outbox == 1
    payloads = {r[0]: r[1] for r in await db.fetch_all("SELECT id, payload FROM outbox")}
    assert payloads == {delivered: "{}", pending: '{"text": "not sent yet"}'}
    assert (await job.run_once()).outbox == 0


async def test_drafts_expire_after_a_day_and_leave_the_state_cache(db: Database) -> None:
    clock = ManualClock(NOW)
    forgotten: list[str] = []
    job = RetentionJob(settings(), db, clock, forget_drafts=forgotten.extend)
    await fsm.write_row(db, "1:5:5:::default", None, fsm.dump_data({"text": "half-written claim"}), NOW)
    await fsm.write_row(db, "1:6:6:::default", None, fsm.dump_data({"text": "fresh"}), NOW + timedelta(hours=20))

    clock.set(NOW + timedelta(hours=25))
    assert (await job.run_once()).drafts == 1
    assert forgotten == ["1:5:5:::default"]
    assert await fsm.get_row(db, "1:5:5:::default") is None
    assert await fsm.get_row(db, "1:6:6:::default") is not None


async def test_telegram_names_are_kept_only_while_needed(db: Database) -> None:
    clock = ManualClock(NOW)
    job = RetentionJob(settings(), db, clock)
    await person(db, 1, consent=True)      # consent in force: keep
    await person(db, 2, consent=True)      # consent withdrawn since the last message: forget
    await consents.record_decision(db, user_id=2, policy_version="2026-01-01", language="kk",
                                   decision="withdrawn", notice_text="N", now=NOW)
    await person(db, 3, consent=False)     # an open claim: keep
    await claim(db, 3, 1, "text", closed_at=None)
    await writes(db, 3)
    stored = {u: (await users.get_user(db, u)).username for u in (1, 2, 3)}  # type: ignore[union-attr]
    assert stored == {1: "u1", 2: "u2", 3: "u3"}

    assert (await job.run_once()).names == 1
    names = {u: (await users.get_user(db, u)).username for u in (1, 2, 3)}  # type: ignore[union-attr]
    assert names == {1: "u1", 2: None, 3: "u3"}
    assert (await users.get_user(db, 2)).first_name == ""  # type: ignore[union-attr]
    assert (await job.run_once()).names == 0


async def test_touch_customer_stores_names_only_while_needed(db: Database) -> None:
    async def touch(user_id: int) -> users.User:
        return await users.touch_customer(db, user_id=user_id, first_name="Айгүл", last_name=None, username="aigul",
                                          telegram_language="kk", now=NOW)

    seen = await touch(7)
    assert seen.username == "aigul"  # this update still sees them
    assert (await users.get_user(db, 7)).username is None  # type: ignore[union-attr]
    await consents.record_decision(db, user_id=7, policy_version="2026-01-01", language="kk", decision="given",
                                   notice_text="N", now=NOW)
    await touch(7)
    assert (await users.get_user(db, 7)).username == "aigul"  # type: ignore[union-attr]
    await consents.record_decision(db, user_id=7, policy_version="2026-01-01", language="kk", decision="withdrawn",
                                   notice_text="N", now=NOW)
    await touch(7)
    assert (await users.get_user(db, 7)).username is None  # type: ignore[union-attr]


async def test_claim_content_changes_only_by_one_redaction(db: Database) -> None:
    await person(db, 1, consent=False)
    claim_id = await claim(db, 1, 1, "the text", closed_at=None)
    stamp = NOW.isoformat()
    forbidden = [
        ("UPDATE claims SET text = 'rewritten' WHERE id = ?", (claim_id,)),
        ("UPDATE claims SET text = 'rewritten', redacted_at = ? WHERE id = ?", (stamp, claim_id)),
        ("UPDATE claims SET redacted_at = ? WHERE id = ?", (stamp, claim_id)),  # a stamp without emptying
        ("UPDATE claims SET number = '2026-9999' WHERE id = ?", (claim_id,)),
        ("UPDATE claim_replies SET text = 'other' WHERE claim_id = ?", (claim_id,)),
        ("UPDATE claim_attachments SET file_id = 'OTHER' WHERE claim_id = ?", (claim_id,)),
        ("DELETE FROM claim_replies WHERE claim_id = ?", (claim_id,)),
        ("DELETE FROM claims WHERE id = ?", (claim_id,)),
    ]
    for sql, params in forbidden:
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute(sql, params)
    async with db.transaction() as tx:
        assert (await redaction.redact_claim(tx, claim_id, NOW)).claims == 1
    # Once redacted, nothing fills it in again or moves the stamp.
    for sql, params in [
        ("UPDATE claims SET text = 'back' WHERE id = ?", (claim_id,)),
        ("UPDATE claims SET redacted_at = NULL WHERE id = ?", (claim_id,)),
        ("UPDATE claims SET text = '', redacted_at = ? WHERE id = ?", ("2030-01-01", claim_id)),
        ("UPDATE claim_replies SET text = 'back', redacted_at = NULL WHERE claim_id = ?", (claim_id,)),
    ]:
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute(sql, params)
    # Status changes, which are not content, go on as before.
    stored = await claims.get(db, claim_id)
    assert stored is not None
    assert await claims.set_status(db, stored, status="closed", operator_id=9, now=NOW, event="claim_closed", resolution="done")

"""Batched broadcast bookkeeping: many recipients per transaction, claims only of pending rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from storage import broadcasts, users
from storage.broadcasts import Delivery
from storage.db import Database

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def running_broadcast(db: Database, ids: list[int]) -> int:
    for user_id in ids:
        await users.touch_customer(db, user_id=user_id, first_name="U", last_name=None, username=None,
                                   telegram_language="ru", now=NOW)
    broadcast_id = await broadcasts.create_draft(db, kind="all", created_by=1, locale="ru", now=NOW,
                                                 source_chat_id=-100, source_message_id=5)
    assert await broadcasts.start(db, broadcast_id, actor="operator:1", now=NOW) is not None
    return broadcast_id


async def test_step_many_claims_pending_in_order_and_records_deliveries(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "b.sqlite3")
    try:
        bid = await running_broadcast(db, [1, 2, 3, 4, 5])
        assert await broadcasts.step_many(db, bid, claim=[3, 1, 2]) == [3, 1, 2]
        # Already claimed rows are not claimed again; unknown ones are ignored.
        assert await broadcasts.step_many(db, bid, claim=[1, 4, 99]) == [4]
        done = [
            Delivery(3, "sent", 1, None, 77, NOW),
            Delivery(1, "unreachable", 1, "TelegramForbiddenError: blocked"),
            Delivery(2, "failed", 3, "TelegramServerError: 502"),
        ]
        assert await broadcasts.step_many(db, bid, done=done, claim=[5]) == [5]
        states = await broadcasts.recipient_states(db, bid)
        assert states == {1: "unreachable", 2: "failed", 3: "sent", 4: "sending", 5: "sending"}
        row = await db.fetch_one(
            "SELECT attempts, message_id, sent_at FROM broadcast_recipients WHERE broadcast_id = ? AND user_id = 3", (bid,)
        )
        assert (row["attempts"], row["message_id"], row["sent_at"] is not None) == (1, 77, True)
        # After a crash only the claimed rows (4, 5) are in doubt.
        assert await broadcasts.recover_in_flight(db, bid) == 2
    finally:
        await db.close()


async def test_step_many_claims_nothing_once_cancelled_but_still_records(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "c.sqlite3")
    try:
        bid = await running_broadcast(db, [1, 2, 3])
        assert await broadcasts.step_many(db, bid, claim=[1]) == [1]
        assert await broadcasts.cancel(db, bid, actor="operator:1", now=NOW)
        result = await broadcasts.step_many(db, bid, done=[Delivery(1, "sent", 1, None, 9, NOW)], claim=[2, 3])
        assert result is None
        assert await broadcasts.recipient_states(db, bid) == {1: "sent", 2: "pending", 3: "pending"}
    finally:
        await db.close()


async def test_in_flight_rows_are_resent_for_legal_notices_and_counted_as_possible_duplicates(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        bid = await running_broadcast(db, [1, 2, 3])
        assert await broadcasts.step_many(db, bid, claim=[1, 2]) == [1, 2]
        # A crash: 1 and 2 were in flight. A legal notice sends them again.
        assert await broadcasts.recover_in_flight(db, bid, resend=True) == 2
        assert await broadcasts.recipient_states(db, bid) == {1: "pending", 2: "pending", 3: "pending"}
        assert await broadcasts.possible_duplicates(db, bid) == 0  # not sent again yet
        assert await broadcasts.step_many(db, bid, claim=[1, 2, 3]) == [1, 2, 3]
        await broadcasts.step_many(db, bid, done=[Delivery(u, "sent", 1, None, 10 + u, NOW) for u in (1, 2, 3)])
        assert await broadcasts.possible_duplicates(db, bid) == 2
        # Anything else is never sent twice: in-flight rows become uncertain.
        other = await running_broadcast(db, [])
        assert await broadcasts.step_many(db, other, claim=[1]) == [1]
        assert await broadcasts.recover_in_flight(db, other) == 1
        assert (await broadcasts.recipient_states(db, other))[1] == "uncertain"
    finally:
        await db.close()


async def test_a_broadcast_is_not_done_while_a_recipient_is_owed(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "e.sqlite3")
    try:
        bid = await running_broadcast(db, [1, 2])
        await broadcasts.step_many(db, bid, claim=[1, 2])
        await broadcasts.step_many(db, bid, done=[Delivery(1, "sent", 1, None, 5, NOW),
                                                  Delivery(2, "pending", 1, "TelegramServerError: Bad Gateway")])
        assert await broadcasts.owed(db, bid) == 1
        assert await broadcasts.finish(db, bid, now=NOW) is False
        assert await broadcasts.state_of(db, bid) == "running"
        await broadcasts.step_many(db, bid, claim=[2])
        await broadcasts.step_many(db, bid, done=[Delivery(2, "sent", 1, None, 6, NOW)])
        assert await broadcasts.finish(db, bid, now=NOW) is True
    finally:
        await db.close()


async def test_retrying_failed_recipients_reopens_only_them_and_is_audited(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "f.sqlite3")
    try:
        bid = await running_broadcast(db, [1, 2, 3])
        await broadcasts.step_many(db, bid, claim=[1, 2, 3])
        await broadcasts.step_many(db, bid, done=[Delivery(1, "sent", 1, None, 5, NOW),
                                                  Delivery(2, "failed", 1, "TelegramBadRequest: x"),
                                                  Delivery(3, "unreachable", 1, "TelegramForbiddenError: blocked")])
        retry = dict(actor="operator:7", now=NOW, progress_chat_id=-100, progress_message_id=9)
        assert await broadcasts.retry_failed(db, bid, **retry) is None  # still running: not finished
        assert await broadcasts.finish(db, bid, now=NOW)
        assert await broadcasts.retry_failed(db, bid, **retry) == 1
        assert await broadcasts.recipient_states(db, bid) == {1: "sent", 2: "pending", 3: "unreachable"}
        assert await broadcasts.state_of(db, bid) == "running"
        row = await db.fetch_one("SELECT actor, details FROM audit_log WHERE event = 'broadcast_failed_retried'")
        assert row is not None and row["actor"] == "operator:7" and '"recipients": 1' in row["details"]
        assert await broadcasts.retry_failed(db, bid, **retry) is None  # running again
    finally:
        await db.close()

"""The outbox: messages for the operators, written with the event, delivered and retried later.

A row is written in the same transaction as what it reports (a claim, a follow-up, a withdrawal),
so nothing is registered but unseen. Delivery takes rows (state 'sending' with a lease) in a
transaction before sending, so two delivery runs never send the same row.

Order is kept only where it matters: rows with the same `order_key` (one claim's card, text,
attachments, follow-ups) go out in id order; other rows never wait for them. A row's `failure`
says what its last failed attempt was about:
- 'transient'  Telegram or the network was down (5xx, timeouts): the message itself is fine;
- 'chat'       the chat cannot be written to (bot removed, chat migrated): the message is fine;
- 'message'    Telegram refused this message (e.g. 400 on its text); counted in `refusals`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage.db import Database, Executor, to_iso

TRANSIENT = "transient"
CHAT = "chat"
MESSAGE = "message"
FAILURES = (TRANSIENT, CHAT, MESSAGE)
# Failures that say nothing against the message itself: a success to the chat ends them.
_WAITING_ON_CHAT = f"failure IN ('{TRANSIENT}', '{CHAT}')"
_COLUMNS = "id, chat_id, claim_id, order_key, kind, payload, attempts, refusals, failure, created_at"
# A row may go when no earlier row of its claim is still owed (pending or being sent).
_HEAD_OF_ITS_KEY = (
    "NOT EXISTS (SELECT 1 FROM outbox e WHERE e.order_key = o.order_key AND e.id < o.id "
    "AND e.state IN ('pending', 'sending'))"
)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    chat_id: int
    claim_id: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int
    refusals: int = 0
    failure: str | None = None
    created_at: str = ""
    order_key: str | None = None


def _row(r: Any) -> OutboxRow:
    return OutboxRow(r["id"], r["chat_id"], r["claim_id"], r["kind"], json.loads(r["payload"]), r["attempts"],
                     r["refusals"], r["failure"], r["created_at"], r["order_key"])


def order_key_for(claim_id: int | None) -> str | None:
    return None if claim_id is None else f"claim:{claim_id}"


async def enqueue(
    db: Executor, *, chat_id: int, kind: str, payload: dict[str, Any], now: datetime, claim_id: int | None = None,
    ordered: bool = True,
) -> int:
    """Queue a message. Rows of one claim keep their order unless `ordered` is False (a notice
    about the claim that must not wait behind the claim's own messages)."""
    return await db.execute(
        "INSERT INTO outbox (chat_id, claim_id, order_key, kind, payload, next_attempt_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (chat_id, claim_id, order_key_for(claim_id) if ordered else None, kind,
         json.dumps(payload, ensure_ascii=False), to_iso(now), to_iso(now)),
    )


async def claim_due(
    db: Database, now: datetime, *, paused_chats: tuple[int, ...] | list[int] = (),
    lease: timedelta = timedelta(minutes=5), limit: int = 50,
) -> list[OutboxRow]:
    """Take due rows for sending, oldest first: only the first owed row of each claim (and its
    due successors), any row without a claim; none to a chat in `paused_chats` (429)."""
    stamp = to_iso(now)
    async with db.transaction() as tx:
        rows = await tx.fetch_all(
            f"SELECT {_COLUMNS} FROM outbox o "
            "WHERE ((o.state = 'pending' AND o.next_attempt_at <= :now) OR (o.state = 'sending' AND o.lease_until <= :now)) "
            "AND o.chat_id NOT IN (SELECT value FROM json_each(:paused)) "
            "AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.order_key = o.order_key AND e.id < o.id AND "
            "((e.state = 'pending' AND e.next_attempt_at > :now) OR (e.state = 'sending' AND e.lease_until > :now))) "
            "ORDER BY o.id LIMIT :limit",
            {"now": stamp, "limit": limit, "paused": json.dumps(list(paused_chats))},
        )
        if rows:
            await tx.executemany(
                "UPDATE outbox SET state = 'sending', lease_until = ? WHERE id = ?",
                [(to_iso(now + lease), r["id"]) for r in rows],
            )
    return [_row(r) for r in rows]


async def chats_waiting_on_backoff(db: Executor, now: datetime) -> list[int]:
    """Chats with rows that wait only because the chat or Telegram failed (not yet due again)."""
    rows = await db.fetch_all(
        f"SELECT DISTINCT chat_id FROM outbox WHERE state = 'pending' AND next_attempt_at > ? AND {_WAITING_ON_CHAT}",
        (to_iso(now),),
    )
    return [int(r[0]) for r in rows]


async def claim_probe(db: Database, chat_id: int, now: datetime, *, lease: timedelta = timedelta(minutes=5)) -> OutboxRow | None:
    """Take one row of a chat in back-off before its time, to learn whether the chat is back."""
    async with db.transaction() as tx:
        row = await tx.fetch_one(
            f"SELECT {_COLUMNS} FROM outbox o WHERE o.chat_id = ? AND o.state = 'pending' AND o.{_WAITING_ON_CHAT} "
            f"AND {_HEAD_OF_ITS_KEY} ORDER BY o.next_attempt_at, o.id LIMIT 1",
            (chat_id,),
        )
        if row is not None:
            await tx.execute(
                "UPDATE outbox SET state = 'sending', lease_until = ? WHERE id = ?", (to_iso(now + lease), row["id"])
            )
    return None if row is None else _row(row)


async def clear_backoff(db: Executor, chat_id: int, now: datetime) -> int:
    """A message reached the chat: rows that waited because of the chat or Telegram go now."""
    return await db.execute(
        f"UPDATE outbox SET next_attempt_at = ? WHERE chat_id = ? AND state = 'pending' AND next_attempt_at > ? "
        f"AND {_WAITING_ON_CHAT}",
        (to_iso(now), chat_id, to_iso(now)),
    )


async def mark_delivered(
    db: Executor, row_id: int, telegram_message_id: int | None, now: datetime, *, note: str | None = None,
) -> None:
    """Sent. `note` records how, when it was not as written (an attachment replaced by a line)."""
    await db.execute(
        "UPDATE outbox SET state = 'delivered', telegram_message_id = ?, delivered_at = ?, lease_until = NULL, "
        "attempts = attempts + 1, last_error = COALESCE(?, last_error) WHERE id = ?",
        (telegram_message_id, to_iso(now), None if note is None else note[:200], row_id),
    )


async def mark_failed(
    db: Executor, row_id: int, error: str, next_attempt_at: datetime, *, failure: str = TRANSIENT,
) -> None:
    if failure not in FAILURES:
        raise ValueError(f"unknown failure kind {failure!r}")
    await db.execute(
        "UPDATE outbox SET state = 'pending', attempts = attempts + 1, last_error = ?, next_attempt_at = ?, "
        "lease_until = NULL, failure = ?, refusals = refusals + (CASE WHEN ? = 'message' THEN 1 ELSE 0 END) "
        "WHERE id = ?",
        (error[:200], to_iso(next_attempt_at), failure, failure, row_id),
    )


async def mark_dead(db: Executor, row_id: int, error: str, now: datetime) -> None:
    """Telegram refuses this message for good: park it so the claim's later messages go on."""
    await db.execute(
        "UPDATE outbox SET state = 'dead', attempts = attempts + 1, refusals = refusals + 1, failure = 'message', "
        "last_error = ?, lease_until = NULL, delivered_at = ? WHERE id = ?",
        (error[:500], to_iso(now), row_id),
    )


async def release(db: Executor, row_id: int) -> None:
    """Put a taken row back untouched (an earlier row of its claim failed: keep the order)."""
    await db.execute("UPDATE outbox SET state = 'pending', lease_until = NULL WHERE id = ? AND state = 'sending'", (row_id,))


async def release_all_sending(db: Executor) -> int:
    """At start-up nobody else is sending: rows left 'sending' by a stopped process go back."""
    return await db.execute("UPDATE outbox SET state = 'pending', lease_until = NULL WHERE state = 'sending'")


async def retarget_group_rows(db: Executor, admin_chat_id: int) -> int:
    """Rows owed to a group that is no longer ADMIN_CHAT_ID (the operators moved to a new chat,
    e.g. after a migration to a supergroup) go to the current one: only the admin chat is a group."""
    return await db.execute(
        "UPDATE outbox SET chat_id = ?, next_attempt_at = MIN(next_attempt_at, created_at) "
        "WHERE state IN ('pending', 'sending') AND chat_id < 0 AND chat_id != ?",
        (admin_chat_id, admin_chat_id),
    )


async def has_delivered(db: Executor, claim_id: int) -> bool:
    """Whether any message of the claim already reached the operators (as written or replaced)."""
    return await db.fetch_value(
        "SELECT 1 FROM outbox WHERE claim_id = ? AND state = 'delivered' LIMIT 1", (claim_id,)
    ) is not None


async def pending_count(db: Executor) -> int:
    return int(await db.fetch_value("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')") or 0)


async def get_row_state(db: Executor, row_id: int) -> tuple[str, int, str | None]:
    row = await db.fetch_one("SELECT state, attempts, next_attempt_at FROM outbox WHERE id = ?", (row_id,))
    assert row is not None
    return row["state"], row["attempts"], row["next_attempt_at"]

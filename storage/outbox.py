"""The outbox: messages for the operators, written with the event, delivered and retried later.

A row is written in the same transaction as what it reports (a claim, a follow-up, a withdrawal),
so nothing is registered but unseen. Delivery claims rows (state 'sending' with a lease) in a
transaction before sending, so two delivery runs never send the same row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage.db import Database, Executor, to_iso


@dataclass(frozen=True)
class OutboxRow:
    id: int
    chat_id: int
    claim_id: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int


async def enqueue(
    db: Executor, *, chat_id: int, kind: str, payload: dict[str, Any], now: datetime, claim_id: int | None = None
) -> int:
    return await db.execute(
        "INSERT INTO outbox (chat_id, claim_id, kind, payload, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (chat_id, claim_id, kind, json.dumps(payload, ensure_ascii=False), to_iso(now), to_iso(now)),
    )


async def claim_due(db: Database, now: datetime, *, lease: timedelta = timedelta(minutes=5), limit: int = 50) -> list[OutboxRow]:
    """Take due rows for sending, in order; a chat waiting on an earlier row's retry waits whole."""
    stamp = to_iso(now)
    async with db.transaction() as tx:
        rows = await tx.fetch_all(
            "SELECT id, chat_id, claim_id, kind, payload, attempts FROM outbox o "
            "WHERE ((o.state = 'pending' AND o.next_attempt_at <= :now) OR (o.state = 'sending' AND o.lease_until <= :now)) "
            "AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.chat_id = o.chat_id AND e.id < o.id AND "
            "((e.state = 'pending' AND e.next_attempt_at > :now) OR (e.state = 'sending' AND e.lease_until > :now))) "
            "ORDER BY o.id LIMIT :limit",
            {"now": stamp, "limit": limit},
        )
        if rows:
            await tx.executemany(
                "UPDATE outbox SET state = 'sending', lease_until = ? WHERE id = ?",
                [(to_iso(now + lease), r["id"]) for r in rows],
            )
    return [OutboxRow(r["id"], r["chat_id"], r["claim_id"], r["kind"], json.loads(r["payload"]), r["attempts"]) for r in rows]


async def mark_delivered(db: Executor, row_id: int, telegram_message_id: int | None, now: datetime) -> None:
    await db.execute(
        "UPDATE outbox SET state = 'delivered', telegram_message_id = ?, delivered_at = ?, lease_until = NULL, "
        "attempts = attempts + 1 WHERE id = ?",
        (telegram_message_id, to_iso(now), row_id),
    )


async def mark_failed(db: Executor, row_id: int, error: str, next_attempt_at: datetime) -> None:
    await db.execute(
        "UPDATE outbox SET state = 'pending', attempts = attempts + 1, last_error = ?, next_attempt_at = ?, "
        "lease_until = NULL WHERE id = ?",
        (error[:200], to_iso(next_attempt_at), row_id),
    )


async def mark_dead(db: Executor, row_id: int, error: str, now: datetime) -> None:
    """Telegram refuses this message for good: park it so later messages to the chat go on."""
    await db.execute(
        "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, lease_until = NULL, "
        "delivered_at = ? WHERE id = ?",
        (error[:500], to_iso(now), row_id),
    )


async def release(db: Executor, row_id: int) -> None:
    """Put a taken row back untouched (an earlier row of its chat failed: keep the order)."""
    await db.execute("UPDATE outbox SET state = 'pending', lease_until = NULL WHERE id = ? AND state = 'sending'", (row_id,))


async def release_all_sending(db: Executor) -> int:
    """At start-up nobody else is sending: rows left 'sending' by a stopped process go back."""
    return await db.execute("UPDATE outbox SET state = 'pending', lease_until = NULL WHERE state = 'sending'")


async def pending_count(db: Executor) -> int:
    return int(await db.fetch_value("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')") or 0)


async def get_row_state(db: Executor, row_id: int) -> tuple[str, int, str | None]:
    row = await db.fetch_one("SELECT state, attempts, next_attempt_at FROM outbox WHERE id = ?", (row_id,))
    assert row is not None
    return row["state"], row["attempts"], row["next_attempt_at"]

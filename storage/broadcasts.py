"""Broadcasts and their recipients: every recipient's delivery state lives here.

A broadcast is a 'draft' until an operator confirms it; confirming snapshots the audience into
broadcast_recipients (one INSERT ... SELECT, nothing loaded into memory) and makes it 'running'.
The broadcaster streams pending recipients in pages (keyset by user id) and records each one's
state; 'sending' is committed before the API call, so a crash leaves at most the messages in
flight in doubt: sent again for legal notices (`interrupted` counts it), 'uncertain' otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage import audit
from storage.db import Database, Executor, to_iso

KINDS = ("all", "policy", "incident", "ads")
RECIPIENT_STATES = ("pending", "sending", "sent", "uncertain", "unreachable", "failed", "skipped")


@dataclass(frozen=True)
class Broadcast:
    id: int
    kind: str
    state: str
    source_chat_id: int | None
    source_message_id: int | None
    target_ids: tuple[int, ...] | None
    policy_version: str | None
    paid: bool
    created_by: int
    locale: str
    progress_chat_id: int | None
    progress_message_id: int | None
    total: int
    created_at: str
    started_at: str | None
    finished_at: str | None


_COLUMNS = (
    "id, kind, state, source_chat_id, source_message_id, target_ids, policy_version, paid, created_by, "
    "locale, progress_chat_id, progress_message_id, total, created_at, started_at, finished_at"
)


def _broadcast(row) -> Broadcast:  # type: ignore[no-untyped-def]
    values = {key: row[key] for key in row.keys()}
    values["paid"] = bool(values["paid"])
    values["target_ids"] = tuple(json.loads(values["target_ids"])) if values["target_ids"] else None
    return Broadcast(**values)


@dataclass(frozen=True)
class Recipient:
    """A pending recipient with what sending needs to know about the user now."""

    user_id: int
    language: str | None
    telegram_language: str | None
    reachable: bool
    ads_opt_in: bool
    attempts: int = 0           # API calls made for this recipient so far (earlier passes included)
    blocked: bool = False       # processing blocked on the person's request (Law 94-V; bot/erasure.py)


@dataclass(frozen=True)
class Delivery:
    """The outcome of one recipient."""

    user_id: int
    state: str                  # sent / unreachable / failed / skipped; pending: try again later
    attempts: int = 0
    error: str | None = None    # error class and Telegram's description; never message text
    message_id: int | None = None
    at: datetime | None = None


# ------------------------------------------------------------------------- audiences

def _audience_sql(kind: str) -> str:
    """SELECT of user ids for an audience; parameter 1 is the JSON target list (or NULL)."""
    base = "SELECT u.id FROM users u WHERE u.reachable = 1 AND (?1 IS NULL OR u.id IN (SELECT value FROM json_each(?1)))"
    if kind in ("all", "ads"):  # blocked processing: only the legally required notices (policy, incident) go out
        base += " AND u.blocked_at IS NULL"
    if kind == "ads":
        base += (
            " AND u.ads_opt_in = 1 AND (SELECT c.decision FROM consent_records c WHERE c.user_id = u.id "
            "ORDER BY c.id DESC LIMIT 1) = 'given'"
        )
    return base


def _targets(target_ids: Sequence[int] | None) -> str | None:
    return json.dumps(sorted(set(target_ids))) if target_ids else None


async def audience_count(db: Executor, kind: str, target_ids: Sequence[int] | None = None) -> int:
    if kind not in KINDS:
        raise ValueError(f"unknown broadcast kind {kind!r}")
    return int(await db.background.fetch_value(f"SELECT count(*) FROM ({_audience_sql(kind)})", (_targets(target_ids),)) or 0)


async def known_user_ids(db: Executor, user_ids: Sequence[int]) -> set[int]:
    rows = await db.background.fetch_all(
        "SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(list(user_ids)),)
    )
    return {row["id"] for row in rows}


# ------------------------------------------------------------------------- lifecycle

async def create_draft(
    db: Database,
    *,
    kind: str,
    created_by: int,
    locale: str,
    now: datetime,
    source_chat_id: int | None = None,
    source_message_id: int | None = None,
    target_ids: Sequence[int] | None = None,
    policy_version: str | None = None,
    paid: bool = False,
) -> int:
    if kind not in KINDS:
        raise ValueError(f"unknown broadcast kind {kind!r}")
    return await db.execute(
        "INSERT INTO broadcasts (kind, state, source_chat_id, source_message_id, target_ids, policy_version, paid, "
        "created_by, locale, created_at) VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, source_chat_id, source_message_id, _targets(target_ids), policy_version, int(paid), created_by,
         locale, to_iso(now)),
    )


async def set_audience(db: Database, broadcast_id: int, kind: str) -> bool:
    if kind not in KINDS:
        raise ValueError(f"unknown broadcast kind {kind!r}")
    return bool(await db.execute(
        "UPDATE broadcasts SET kind = ? WHERE id = ? AND state = 'draft'", (kind, broadcast_id)
    ))


async def get(db: Executor, broadcast_id: int) -> Broadcast | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,))
    return None if row is None else _broadcast(row)


async def start(db: Database, broadcast_id: int, *, actor: str, now: datetime) -> Broadcast | None:
    """Confirm a draft: snapshot its audience and make it running. None if it was not a draft."""
    async with db.transaction() as tx:
        row = await tx.fetch_one(f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,))
        if row is None or row["state"] != "draft":
            return None
        draft = _broadcast(row)
        await tx.execute("UPDATE broadcasts SET state = 'running', started_at = ? WHERE id = ?", (to_iso(now), broadcast_id))
        await _snapshot_audience(tx, draft.id, kind=draft.kind, target_ids=draft.target_ids, paid=draft.paid,
                                 policy_version=draft.policy_version, actor=actor, now=now)
        row = await tx.fetch_one(f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,))
    return _broadcast(row)


async def _snapshot_audience(
    tx: Executor, broadcast_id: int, *, kind: str, target_ids: Sequence[int] | None, paid: bool,
    policy_version: str | None, actor: str, now: datetime,
) -> int:
    """The audience as it is now becomes the broadcast's recipients; records the start. Returns their number."""
    # The whole audience in one statement (100,000 rows and more): in the worker thread.
    await tx.background.execute(
        f"INSERT INTO broadcast_recipients (broadcast_id, user_id) SELECT ?2, id FROM ({_audience_sql(kind)})",
        (_targets(target_ids), broadcast_id),
    )
    total = int(await tx.background.fetch_value(
        "SELECT count(*) FROM broadcast_recipients WHERE broadcast_id = ?", (broadcast_id,)
    ) or 0)
    await tx.execute("UPDATE broadcasts SET total = ? WHERE id = ?", (total, broadcast_id))
    await audit.record(
        tx, at=now, actor=actor, event="broadcast_started", subject_user_id=None,
        details={"broadcast_id": broadcast_id, "kind": kind, "recipients": total, "paid": paid,
                 "policy_version": policy_version},
    )
    return total


async def discard(db: Database, broadcast_id: int) -> bool:
    return bool(await db.execute(
        "UPDATE broadcasts SET state = 'discarded' WHERE id = ? AND state = 'draft'", (broadcast_id,)
    ))


async def set_progress_message(db: Database, broadcast_id: int, chat_id: int, message_id: int) -> None:
    await db.execute(
        "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
        (chat_id, message_id, broadcast_id),
    )


async def cancel(db: Database, broadcast_id: int, *, actor: str, now: datetime) -> bool:
    """Stop a running broadcast; recipients not reached stay 'pending'. False if it was not running."""
    async with db.transaction() as tx:
        return await cancel_in(tx, broadcast_id, actor=actor, now=now)


async def finish(db: Database, broadcast_id: int, *, now: datetime) -> bool:
    """Mark a running broadcast done; refused (False) while a recipient is still owed a send."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            "UPDATE broadcasts SET state = 'done', finished_at = ? WHERE id = ? AND state = 'running' "
            "AND NOT EXISTS (SELECT 1 FROM broadcast_recipients WHERE broadcast_id = ?3 AND state IN ('pending', 'sending'))",
            (to_iso(now), broadcast_id, broadcast_id),
        )
        if changed:
            counts = await _counts(tx, broadcast_id)
            await audit.record(
                tx, at=now, actor=audit.SYSTEM, event="broadcast_finished", subject_user_id=None,
                details={"broadcast_id": broadcast_id, **counts},
            )
    return bool(changed)


async def running(db: Executor) -> list[Broadcast]:
    rows = await db.fetch_all(f"SELECT {_COLUMNS} FROM broadcasts WHERE state = 'running' ORDER BY id")
    return [_broadcast(row) for row in rows]


async def state_of(db: Executor, broadcast_id: int) -> str | None:
    return await db.fetch_value("SELECT state FROM broadcasts WHERE id = ?", (broadcast_id,))


async def recent(db: Executor, limit: int = 10) -> list[Broadcast]:
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM broadcasts WHERE state != 'draft' AND state != 'discarded' "
        f"ORDER BY id DESC LIMIT {int(limit)}"
    )
    return [_broadcast(row) for row in rows]


# ------------------------------------------------------------------------- recipients

async def recover_in_flight(db: Database, broadcast_id: int, *, resend: bool = False) -> int:
    """After a crash or stop: a row left in 'sending' may or may not have been delivered.

    resend=False (at most once): it becomes 'uncertain' and is not sent again.
    resend=True (at least once, legal notices): it becomes 'pending' again and is sent again;
    `interrupted` remembers that the copy may now arrive twice.
    """
    state = "pending" if resend else "uncertain"
    return await db.background.execute(
        f"UPDATE broadcast_recipients SET state = '{state}', interrupted = interrupted + 1, "
        "last_error = 'interrupted while sending' WHERE broadcast_id = ? AND state = 'sending'",
        (broadcast_id,),
    )


async def pending_page(db: Executor, broadcast_id: int, *, after_user_id: int, limit: int) -> list[Recipient]:
    rows = await db.fetch_all(
        "SELECT r.user_id, u.language, u.telegram_language, u.reachable, u.ads_opt_in, r.attempts, "
        "u.blocked_at IS NOT NULL AS blocked "
        "FROM broadcast_recipients r JOIN users u ON u.id = r.user_id "
        "WHERE r.broadcast_id = ? AND r.state = 'pending' AND r.user_id > ? ORDER BY r.user_id LIMIT ?",
        (broadcast_id, after_user_id, limit),
    )
    return [
        Recipient(r["user_id"], r["language"], r["telegram_language"], bool(r["reachable"]), bool(r["ads_opt_in"]),
                  r["attempts"], bool(r["blocked"]))
        for r in rows
    ]


_RECORD_SQL = (
    "UPDATE broadcast_recipients SET state = ?, attempts = attempts + ?, last_error = ?, sent_at = ?, "
    "message_id = ? WHERE broadcast_id = ? AND user_id = ?"
)


async def _record(tx: Executor, broadcast_id: int, delivery: Delivery) -> None:
    await tx.execute(
        _RECORD_SQL,
        (delivery.state, delivery.attempts, delivery.error, to_iso(delivery.at) if delivery.at else None,
         delivery.message_id, broadcast_id, delivery.user_id),
    )


async def step_many(
    db: Database, broadcast_id: int, *, done: Sequence[Delivery] = (), claim: Sequence[int] = ()
) -> list[int] | None:
    """In one transaction: record finished deliveries and mark many next recipients 'sending'.

    The batched form of `step` (one commit for many recipients, one statement per kind of
    work): returns the user ids actually claimed (those still pending), in the order asked, or
    None (claiming nothing) if the broadcast is no longer running. Deliveries are recorded
    either way. A claim is durable before the API call; the caller claims only as many as it
    sends at once, so after a crash at most those are 'uncertain'.
    """
    async with db.transaction() as tx:
        if done:
            await tx.executemany(_RECORD_SQL, [
                (d.state, d.attempts, d.error, to_iso(d.at) if d.at else None, d.message_id, broadcast_id, d.user_id)
                for d in done
            ])  # fmt: skip
        if not claim:
            return []
        if await tx.fetch_value("SELECT state FROM broadcasts WHERE id = ?", (broadcast_id,)) != "running":
            return None
        rows = await tx.fetch_all(
            "UPDATE broadcast_recipients SET state = 'sending' WHERE broadcast_id = ? AND state = 'pending' "
            "AND user_id IN (SELECT value FROM json_each(?)) RETURNING user_id",
            (broadcast_id, json.dumps(list(claim))),
        )
    claimed = {row["user_id"] for row in rows}
    return [user_id for user_id in claim if user_id in claimed]


async def _counts(db: Executor, broadcast_id: int) -> dict[str, int]:
    rows = await db.background.fetch_all(
        "SELECT state, count(*) AS n FROM broadcast_recipients WHERE broadcast_id = ? GROUP BY state",
        (broadcast_id,),
    )
    counts = dict.fromkeys(RECIPIENT_STATES, 0)
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


async def counts(db: Executor, broadcast_id: int) -> dict[str, int]:
    """Recipients per state (every state present, zero if none)."""
    return await _counts(db, broadcast_id)


async def recipient_states(db: Executor, broadcast_id: int) -> dict[int, str]:
    """user id → state (for reports and tests; a whole broadcast, so only for small ones)."""
    rows = await db.background.fetch_all(
        "SELECT user_id, state FROM broadcast_recipients WHERE broadcast_id = ?", (broadcast_id,)
    )
    return {row["user_id"]: row["state"] for row in rows}


async def failure_reasons(db: Executor, broadcast_id: int, limit: int = 5) -> list[tuple[str, int]]:
    rows = await db.background.fetch_all(
        "SELECT last_error, count(*) AS n FROM broadcast_recipients WHERE broadcast_id = ? AND state = 'failed' "
        f"GROUP BY last_error ORDER BY n DESC LIMIT {int(limit)}",
        (broadcast_id,),
    )
    return [(row["last_error"] or "?", row["n"]) for row in rows]


# ------------------------------------------------------------------------- inside a caller's transaction
# For a service that creates a broadcast together with something else (a policy publication and its
# notice, bot/publishing.py): the same steps as create_draft + start, on the caller's transaction.

async def create_running_in(
    tx: Executor,
    *,
    kind: str,
    created_by: int,
    locale: str,
    now: datetime,
    actor: str,
    policy_version: str | None = None,
    paid: bool = False,
    progress_chat_id: int | None = None,
) -> int:
    """Insert a confirmed broadcast and snapshot its audience; returns its id."""
    if kind not in KINDS:
        raise ValueError(f"unknown broadcast kind {kind!r}")
    broadcast_id = await tx.execute(
        "INSERT INTO broadcasts (kind, state, policy_version, paid, created_by, locale, progress_chat_id, created_at, "
        "started_at) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?)",
        (kind, policy_version, int(paid), created_by, locale, progress_chat_id, to_iso(now), to_iso(now)),
    )
    await _snapshot_audience(tx, broadcast_id, kind=kind, target_ids=None, paid=paid,
                             policy_version=policy_version, actor=actor, now=now)
    return broadcast_id


async def cancel_in(tx: Executor, broadcast_id: int, *, actor: str, now: datetime) -> bool:
    """Stop a running broadcast in the caller's transaction. False if it was not running."""
    changed = await tx.execute(
        "UPDATE broadcasts SET state = 'cancelled', finished_at = ? WHERE id = ? AND state = 'running'",
        (to_iso(now), broadcast_id),
    )
    if changed:
        await audit.record(
            tx, at=now, actor=actor, event="broadcast_cancelled", subject_user_id=None,
            details={"broadcast_id": broadcast_id},
        )
    return bool(changed)
# ------------------------------------------------------------------------- delivery guarantees

async def possible_duplicates(db: Executor, broadcast_id: int) -> int:
    """Recipients sent again after an interrupted send (legal notices): they may have it twice."""
    return int(await db.background.fetch_value(
        "SELECT count(*) FROM broadcast_recipients WHERE broadcast_id = ? AND state = 'sent' AND interrupted > 0",
        (broadcast_id,),
    ) or 0)


async def owed(db: Executor, broadcast_id: int) -> int:
    """Recipients still to be sent (pending, or claimed and not yet recorded)."""
    return int(await db.fetch_value(
        "SELECT count(*) FROM broadcast_recipients WHERE broadcast_id = ? AND state IN ('pending', 'sending')",
        (broadcast_id,),
    ) or 0)


async def retry_failed(
    db: Database, broadcast_id: int, *, actor: str, now: datetime, progress_chat_id: int, progress_message_id: int
) -> int | None:
    """An operator retries the recipients of a finished broadcast whose send failed.

    In one transaction: the failed rows become pending again, the broadcast running again with
    its progress shown in the given message, and the audit log records who did it. Returns how
    many recipients are retried (0: none failed, nothing changes), or None if the broadcast is
    not finished ('done'; a stopped one is not resumed through this door).
    """
    async with db.transaction() as tx:
        if await tx.fetch_value("SELECT state FROM broadcasts WHERE id = ?", (broadcast_id,)) != "done":
            return None
        retried = await tx.background.execute(
            "UPDATE broadcast_recipients SET state = 'pending' WHERE broadcast_id = ? AND state = 'failed'",
            (broadcast_id,),
        )
        if not retried:
            return 0
        await tx.execute(
            "UPDATE broadcasts SET state = 'running', finished_at = NULL, progress_chat_id = ?, "
            "progress_message_id = ? WHERE id = ?",
            (progress_chat_id, progress_message_id, broadcast_id),
        )
        await audit.record(
            tx, at=now, actor=actor, event="broadcast_failed_retried", subject_user_id=None,
            details={"broadcast_id": broadcast_id, "recipients": retried},
        )
    return retried


async def skip_unknown_users(db: Database, broadcast_id: int) -> int:
    """Owed rows whose user is no longer in the database (erased): nobody left to send them to."""
    return await db.background.execute(
        "UPDATE broadcast_recipients SET state = 'skipped', last_error = 'user no longer known' "
        "WHERE broadcast_id = ? AND state = 'pending' AND user_id NOT IN (SELECT id FROM users)",
        (broadcast_id,),
    )

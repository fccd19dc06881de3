"""Claims and data-subject requests: the rows, their follow-ups, replies, alerts, message links.

No aiogram and nothing of bot/: callers pass already-decided values (number, due date, status).
Texts live here (the claim is the record) but never in the audit trail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from storage import audit
from storage.db import Database, Executor, to_iso

OPEN_STATUSES = ("registered", "in_progress", "answered")
UNANSWERED_STATUSES = ("registered", "in_progress")

_COLUMNS = (
    "id, number, user_id, type, text, language, status, registered_at, days, days_kind, due_date, "
    "taken_by, taken_at, first_reply_at, first_reply_by, closed_at, closed_by, resolution, refusal_reason, topic_id, "
    "version, close_kind, close_reason"
)


@dataclass(frozen=True)
class Claim:
    id: int
    number: str
    user_id: int
    type: str
    text: str
    language: str
    status: str
    registered_at: str
    days: int
    days_kind: str
    due_date: str
    taken_by: int | None
    taken_at: str | None
    first_reply_at: str | None
    first_reply_by: int | None
    closed_at: str | None
    closed_by: int | None
    resolution: str | None
    refusal_reason: str | None
    topic_id: int | None
    # 0006_claim_desk: bumped by every transition (optimistic concurrency); why it was closed.
    version: int = 0
    close_kind: str | None = None
    close_reason: str | None = None


def _claim(row) -> Claim:  # type: ignore[no-untyped-def]
    return Claim(**{key: row[key] for key in row.keys()})


@dataclass(frozen=True)
class Followup:
    id: int
    claim_id: int
    text: str | None
    created_at: str


@dataclass(frozen=True)
class Reply:
    id: int
    claim_id: int
    operator_id: int
    kind: str
    text: str | None
    created_at: str


@dataclass(frozen=True)
class Attachment:
    id: int
    claim_id: int
    followup_id: int | None
    kind: str
    chat_id: int
    message_id: int
    file_id: str
    file_name: str | None


async def next_seq(tx: Executor, year: int) -> int:
    return int(await tx.fetch_value("SELECT COALESCE(MAX(seq), 0) + 1 FROM claims WHERE year = ?", (year,)))


async def insert_claim(
    tx: Executor, *, number: str, year: int, seq: int, user_id: int, type: str, text: str, language: str,
    now: datetime, days: int, days_kind: str, due_date: str,
) -> int:
    stamp = to_iso(now)
    claim_id = await tx.execute(
        "INSERT INTO claims (number, year, seq, user_id, type, text, language, registered_at, days, days_kind, "
        "due_date, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (number, year, seq, user_id, type, text, language, stamp, days, days_kind, due_date, stamp),
    )
    await audit.record(
        tx, at=now, actor=audit.user_actor(user_id), event="claim_registered", subject_user_id=user_id,
        details={"claim": number, "type": type, "due_date": due_date, "days": days, "days_kind": days_kind},
    )
    return claim_id


async def insert_attachment(
    tx: Executor, *, claim_id: int, followup_id: int | None, kind: str, chat_id: int, message_id: int,
    file_id: str, file_name: str | None, now: datetime,
) -> int:
    return await tx.execute(
        "INSERT INTO claim_attachments (claim_id, followup_id, kind, chat_id, message_id, file_id, file_name, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (claim_id, followup_id, kind, chat_id, message_id, file_id, file_name, to_iso(now)),
    )


async def insert_followup(tx: Executor, *, claim: Claim, text: str | None, attachments: int, now: datetime) -> int:
    followup_id = await tx.execute(
        "INSERT INTO claim_followups (claim_id, text, created_at) VALUES (?, ?, ?)", (claim.id, text, to_iso(now))
    )
    await audit.record(
        tx, at=now, actor=audit.user_actor(claim.user_id), event="claim_followup", subject_user_id=claim.user_id,
        details={"claim": claim.number, "followup": followup_id, "attachments": attachments},
    )
    return followup_id


async def get(db: Executor, claim_id: int) -> Claim | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM claims WHERE id = ?", (claim_id,))
    return None if row is None else _claim(row)


async def get_by_number(db: Executor, number: str) -> Claim | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM claims WHERE number = ?", (number,))
    return None if row is None else _claim(row)


async def for_user(db: Executor, user_id: int) -> list[Claim]:
    rows = await db.fetch_all(f"SELECT {_COLUMNS} FROM claims WHERE user_id = ? ORDER BY id DESC", (user_id,))
    return [_claim(r) for r in rows]


# The WHERE terms below are written exactly as in the partial indexes of 0004_indexes.sql
# (claims_open_by_due, claims_unanswered_by_due): SQLite uses a partial index only when the
# query repeats its condition. Without ANALYZE statistics the planner prefers claims_open
# (status, due_date) and then sorts every open claim to return the first few, so the lists name
# their index: it yields the rows in due-date order and the LIMIT stops the read.
_OPEN = "status IN ('registered', 'in_progress', 'answered')"
_UNANSWERED = "status IN ('registered', 'in_progress')"
_OPEN_BY_DUE = "claims INDEXED BY claims_open_by_due"
_UNANSWERED_BY_DUE = "claims INDEXED BY claims_unanswered_by_due"


def _limit(limit: int | None) -> str:
    return "" if limit is None else f" LIMIT {int(limit)}"


async def open_claims(db: Executor, limit: int | None = None) -> list[Claim]:
    """Open claims, the nearest due date first (the first `limit` of them)."""
    rows = await db.background.fetch_all(f"SELECT {_COLUMNS} FROM {_OPEN_BY_DUE} WHERE {_OPEN} ORDER BY due_date, id{_limit(limit)}")
    return [_claim(r) for r in rows]


async def count_open(db: Executor) -> int:
    return int(await db.background.fetch_value(f"SELECT COUNT(*) FROM claims WHERE {_OPEN}") or 0)


async def unanswered(db: Executor) -> list[Claim]:
    rows = await db.background.fetch_all(f"SELECT {_COLUMNS} FROM claims WHERE {_UNANSWERED} ORDER BY due_date, id")
    return [_claim(r) for r in rows]


async def overdue(db: Executor, today: str, limit: int | None = None) -> list[Claim]:
    """Unanswered claims whose due date (YYYY-MM-DD) is before `today`, the longest overdue first."""
    rows = await db.background.fetch_all(
        f"SELECT {_COLUMNS} FROM {_UNANSWERED_BY_DUE} WHERE {_UNANSWERED} AND due_date < ? ORDER BY due_date, id{_limit(limit)}",
        (today,),
    )
    return [_claim(r) for r in rows]


async def count_overdue(db: Executor, today: str) -> int:
    return int(await db.background.fetch_value(f"SELECT COUNT(*) FROM claims WHERE {_UNANSWERED} AND due_date < ?", (today,)) or 0)


async def count_by_status(db: Executor) -> dict[str, int]:
    return {r[0]: int(r[1]) for r in await db.background.fetch_all("SELECT status, COUNT(*) FROM claims GROUP BY status")}


async def count_by_type(db: Executor) -> dict[str, int]:
    """Claims by type (/stats): every stored type, whether or not the registry still knows it."""
    return {r[0]: int(r[1]) for r in await db.background.fetch_all("SELECT type, COUNT(*) FROM claims GROUP BY type")}


async def count_unanswered_overdue_by_status(db: Executor, today: str) -> dict[str, int]:
    rows = await db.background.fetch_all(
        f"SELECT status, COUNT(*) FROM claims WHERE {_UNANSWERED} AND due_date < ? GROUP BY status", (today,)
    )
    return {r[0]: int(r[1]) for r in rows}


async def count_open_unreplied_overdue(db: Executor, today: str) -> int:
    """Open claims past their due date (before `today`) without any reply."""
    return int(await db.background.fetch_value(
        f"SELECT COUNT(*) FROM claims WHERE {_OPEN} AND due_date < ? AND first_reply_at IS NULL", (today,)
    ) or 0)


async def count_replied(db: Executor) -> int:
    return int(await db.background.fetch_value("SELECT COUNT(*) FROM claims WHERE first_reply_at IS NOT NULL") or 0)


async def replied_due_range(db: Executor) -> tuple[str, str] | None:
    """The earliest and latest due date among claims with a reply, or None when there is none."""
    row = await db.background.fetch_one(
        "SELECT (SELECT MIN(due_date) FROM claims WHERE first_reply_at IS NOT NULL), "
        "(SELECT MAX(due_date) FROM claims WHERE first_reply_at IS NOT NULL)"
    )
    return None if row is None or row[0] is None else (row[0], row[1])


async def first_reply_delays_at(db: Executor, offset: int, count: int) -> list[int]:
    """Times to the first reply in microseconds, ascending, `count` of them from position `offset`."""
    rows = await db.background.fetch_all(
        "SELECT first_reply_us FROM claims WHERE first_reply_at IS NOT NULL ORDER BY first_reply_us LIMIT ? OFFSET ?",
        (int(count), int(offset)),
    )
    return [int(r[0]) for r in rows]


async def count_replied_before(db: Executor, limits: list[tuple[str, str]]) -> int:
    """Claims with a reply whose first reply came before the instant given for their due date.

    `limits`: (due date, UTC instant as stored) pairs; claims with a due date not listed don't count.
    """
    if not limits:
        return 0
    return int(await db.background.fetch_value(
        "WITH b (due, until) AS (SELECT value ->> 0, value ->> 1 FROM json_each(?)) "
        "SELECT SUM((SELECT COUNT(*) FROM claims c WHERE c.first_reply_at IS NOT NULL AND c.due_date = b.due "
        "AND c.first_reply_at < b.until)) FROM b",
        (json.dumps(limits),),
    ) or 0)


async def all_claims(db: Executor) -> list[Claim]:
    return [_claim(r) for r in await db.background.fetch_all(f"SELECT {_COLUMNS} FROM claims ORDER BY id")]


async def followups(db: Executor, claim_id: int) -> list[Followup]:
    rows = await db.fetch_all("SELECT id, claim_id, text, created_at FROM claim_followups WHERE claim_id = ? ORDER BY id", (claim_id,))
    return [Followup(r["id"], r["claim_id"], r["text"], r["created_at"]) for r in rows]


async def replies(db: Executor, claim_id: int) -> list[Reply]:
    rows = await db.fetch_all(
        "SELECT id, claim_id, operator_id, kind, text, created_at FROM claim_replies WHERE claim_id = ? ORDER BY id", (claim_id,)
    )
    return [Reply(r["id"], r["claim_id"], r["operator_id"], r["kind"], r["text"], r["created_at"]) for r in rows]


async def attachments(db: Executor, claim_id: int) -> list[Attachment]:
    rows = await db.fetch_all(
        "SELECT id, claim_id, followup_id, kind, chat_id, message_id, file_id, file_name FROM claim_attachments "
        "WHERE claim_id = ? ORDER BY id",
        (claim_id,),
    )
    return [Attachment(**{k: r[k] for k in r.keys()}) for r in rows]


async def set_status(
    db: Database, claim: Claim, *, status: str, operator_id: int, now: datetime, event: str,
    resolution: str | None = None, refusal_reason: str | None = None,
) -> bool:
    """Take / close / refuse / reopen; returns False when the claim was changed meanwhile.

    The operators' desk uses bot.claim_desk (events, close reasons); this stays for tools
    (bench/storage_scale.py) and bumps the version like every transition."""
    stamp = to_iso(now)
    sets = ["status = :status", "updated_at = :now", "version = version + 1"]
    if event == "claim_taken":
        sets += ["taken_by = :op", "taken_at = :now"]
    if status == "closed":
        sets += ["closed_at = :now", "closed_by = :op", "resolution = :resolution", "refusal_reason = :reason"]
    if event == "claim_reopened":
        sets += ["closed_at = NULL", "closed_by = NULL", "resolution = NULL"]
    async with db.transaction() as tx:
        changed = await tx.execute(
            f"UPDATE claims SET {', '.join(sets)} WHERE id = :id AND status = :old",
            {"status": status, "now": stamp, "op": operator_id, "resolution": resolution, "reason": refusal_reason,
             "id": claim.id, "old": claim.status},
        )
        if changed:
            await audit.record(
                tx, at=now, actor=audit.operator_actor(operator_id), event=event, subject_user_id=claim.user_id,
                details={"claim": claim.number, "from": claim.status, "to": status, **({"resolution": resolution} if resolution else {})},
            )
    return bool(changed)


async def record_reply(
    db: Database, claim: Claim, *, operator_id: int, kind: str, text: str | None, admin_message_id: int | None,
    user_message_id: int | None, now: datetime,
) -> bool:
    """Keep a delivered reply; the first one marks the claim answered. Returns True if it was the first."""
    stamp = to_iso(now)
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO claim_replies (claim_id, operator_id, kind, text, admin_message_id, user_message_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (claim.id, operator_id, kind, text, admin_message_id, user_message_id, stamp),
        )
        first = await tx.execute(
            "UPDATE claims SET first_reply_at = ?, first_reply_by = ?, updated_at = ?, version = version + 1, "
            "status = CASE WHEN status IN ('registered', 'in_progress') THEN 'answered' ELSE status END "
            "WHERE id = ? AND first_reply_at IS NULL",
            (stamp, operator_id, stamp, claim.id),
        )
        if not first:
            await tx.execute(
                "UPDATE claims SET status = 'answered', updated_at = ?, version = version + 1 "
                "WHERE id = ? AND status IN ('registered', 'in_progress')",
                (stamp, claim.id),
            )
        await audit.record(
            tx, at=now, actor=audit.operator_actor(operator_id), event="claim_replied", subject_user_id=claim.user_id,
            details={"claim": claim.number, "kind": kind, "first": bool(first)},
        )
    return bool(first)


async def link_message(db: Executor, chat_id: int, message_id: int, claim_id: int, role: str = "content") -> None:
    """Remember what an admin-chat message is to its claim (see MESSAGE_ROLES)."""
    await db.execute(
        "INSERT OR IGNORE INTO claim_messages (chat_id, message_id, claim_id, role) VALUES (?, ?, ?, ?)",
        (chat_id, message_id, claim_id, role),
    )


async def claim_for_message(db: Executor, chat_id: int, message_id: int) -> Claim | None:
    claim_id = await db.fetch_value(
        "SELECT claim_id FROM claim_messages WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
    )
    return None if claim_id is None else await get(db, int(claim_id))


async def claim_for_topic(db: Executor, topic_id: int) -> Claim | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM claims WHERE topic_id = ?", (topic_id,))
    return None if row is None else _claim(row)


async def set_topic(db: Executor, claim_id: int, topic_id: int) -> None:
    await db.execute("UPDATE claims SET topic_id = ? WHERE id = ? AND topic_id IS NULL", (topic_id, claim_id))


async def needing_alerts(db: Executor, today: str, reminder_dates: dict[int, str]) -> list[Claim]:
    """Unanswered claims a scan round has something to do for, by due date: overdue (due before
    `today`) without today's overdue alert, or due by a reminder's date without that reminder.

    `reminder_dates`: days before due → the last due date (YYYY-MM-DD) that reminder covers today.
    Claims whose alerts are all emitted are left out here, in one indexed query, so a round that
    finds nothing new reads only index entries and alert keys.
    """
    def missing(kind: str, key: str) -> str:
        return f"NOT EXISTS (SELECT 1 FROM claim_alerts a WHERE a.claim_id = c.id AND a.kind = '{kind}' AND a.key = {key})"

    params: dict[str, str] = {"today": today}
    reminders = []
    for days, last_due in reminder_dates.items():
        params[f"r{int(days)}"] = last_due
        params[f"k{int(days)}"] = str(int(days))
        reminders.append(f"(c.due_date <= :r{int(days)} AND {missing('reminder', f':k{int(days)}')})")
    horizon = max([today, *reminder_dates.values()])
    params["horizon"] = horizon
    condition = f"(c.due_date < :today AND {missing('overdue', ':today')})"
    if reminders:
        condition += f" OR (c.due_date >= :today AND ({' OR '.join(reminders)}))"
    rows = await db.background.fetch_all(
        f"SELECT {', '.join('c.' + c.strip() for c in _COLUMNS.split(','))} FROM claims AS c INDEXED BY claims_unanswered_by_due "
        f"WHERE c.{_UNANSWERED} AND c.due_date <= :horizon AND ({condition}) ORDER BY c.due_date, c.id",
        params,
    )
    return [_claim(r) for r in rows]


async def add_alert(tx: Executor, claim_id: int, kind: str, key: str, now: datetime) -> bool:
    """Remember an alert; False if it was already emitted."""
    # Not execute()'s lastrowid: an ignored INSERT leaves the previous row's id there.
    await tx.execute(
        "INSERT OR IGNORE INTO claim_alerts (claim_id, kind, key, created_at) VALUES (?, ?, ?, ?)",
        (claim_id, kind, key, to_iso(now)),
    )
    return bool(await tx.fetch_value("SELECT changes()"))


# --------------------------------------------------------------------------- the operators' desk
# (0006_claim_desk.sql) drafts waiting for the operator's choice, internal notes, the claim's
# events, operators' names, and transitions guarded by the claim's version.

# What an admin-chat message is to its claim. Replying to 'card' or 'content' (the applicant's
# own words and files) drafts an answer; replying to 'bot' or 'operator' messages is a note.
MESSAGE_ROLES = ("card", "content", "bot", "operator")


@dataclass(frozen=True)
class Draft:
    id: int
    claim_id: int
    chat_id: int
    message_id: int
    media_group_id: str | None
    operator_id: int
    kind: str
    text: str | None
    state: str
    preview_message_id: int | None
    decided_by: int | None
    decided_at: str | None
    created_at: str


_DRAFT_COLUMNS = (
    "id, claim_id, chat_id, message_id, media_group_id, operator_id, kind, text, state, preview_message_id, "
    "decided_by, decided_at, created_at"
)


@dataclass(frozen=True)
class Note:
    id: int
    claim_id: int
    operator_id: int
    kind: str
    text: str | None
    created_at: str


@dataclass(frozen=True)
class Event:
    claim_id: int
    at: str
    operator_id: int | None
    event: str
    detail: str | None


async def message_link(db: Executor, chat_id: int, message_id: int) -> tuple[Claim, str] | None:
    """(claim, role) of an admin-chat message, or None if it belongs to no claim."""
    row = await db.fetch_one("SELECT claim_id, role FROM claim_messages WHERE chat_id = ? AND message_id = ?", (chat_id, message_id))
    if row is None:
        return None
    claim = await get(db, int(row["claim_id"]))
    return None if claim is None else (claim, str(row["role"]))


async def card_message_id(db: Executor, chat_id: int, claim_id: int) -> int | None:
    value = await db.fetch_value(
        "SELECT message_id FROM claim_messages WHERE chat_id = ? AND claim_id = ? AND role = 'card' ORDER BY message_id LIMIT 1",
        (chat_id, claim_id),
    )
    return None if value is None else int(value)


async def save_operator(tx: Executor, operator_id: int, name: str, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO claim_operators (id, name, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
        (operator_id, name, to_iso(now)),
    )


async def operator_names(db: Executor, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await db.fetch_all(
        "SELECT id, name FROM claim_operators WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(sorted(ids)),)
    )
    return {int(r["id"]): str(r["name"]) for r in rows}


async def change_claim(tx: Executor, claim: Claim, now: datetime, **columns: object) -> bool:
    """Set columns of a claim if nobody changed it since `claim` was read (its version)."""
    sets = ", ".join(f"{name} = :{name}" for name in columns)
    params = {**columns, "now": to_iso(now), "id": claim.id, "version": claim.version}
    changed = await tx.execute(
        f"UPDATE claims SET {sets + ', ' if sets else ''}version = version + 1, updated_at = :now "
        "WHERE id = :id AND version = :version",
        params,
    )
    return bool(changed)


async def add_event(tx: Executor, claim_id: int, event: str, operator_id: int | None, now: datetime, detail: str | None = None) -> None:
    await tx.execute(
        "INSERT INTO claim_events (claim_id, at, operator_id, event, detail) VALUES (?, ?, ?, ?, ?)",
        (claim_id, to_iso(now), operator_id, event, detail),
    )


async def events(db: Executor, claim_id: int) -> list[Event]:
    rows = await db.fetch_all("SELECT claim_id, at, operator_id, event, detail FROM claim_events WHERE claim_id = ? ORDER BY id", (claim_id,))
    return [Event(r["claim_id"], r["at"], r["operator_id"], r["event"], r["detail"]) for r in rows]


async def insert_reply(
    tx: Executor, *, claim_id: int, operator_id: int, kind: str, role: str, text: str | None, admin_message_id: int | None,
    user_message_id: int | None, now: datetime,
) -> int:
    return await tx.execute(
        "INSERT INTO claim_replies (claim_id, operator_id, kind, role, text, admin_message_id, user_message_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (claim_id, operator_id, kind, role, text, admin_message_id, user_message_id, to_iso(now)),
    )


async def reply_roles(db: Executor, claim_id: int) -> list[str]:
    return [str(r[0]) for r in await db.fetch_all("SELECT role FROM claim_replies WHERE claim_id = ? ORDER BY id", (claim_id,))]


async def insert_note(
    tx: Executor, *, claim_id: int, operator_id: int, kind: str, text: str | None, admin_message_id: int | None, now: datetime,
) -> int:
    return await tx.execute(
        "INSERT INTO claim_notes (claim_id, operator_id, kind, text, admin_message_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (claim_id, operator_id, kind, text, admin_message_id, to_iso(now)),
    )


async def notes(db: Executor, claim_id: int) -> list[Note]:
    rows = await db.fetch_all(
        "SELECT id, claim_id, operator_id, kind, text, created_at FROM claim_notes WHERE claim_id = ? ORDER BY id", (claim_id,)
    )
    return [Note(r["id"], r["claim_id"], r["operator_id"], r["kind"], r["text"], r["created_at"]) for r in rows]


def _draft(row) -> Draft:  # type: ignore[no-untyped-def]
    return Draft(**{key: row[key] for key in row.keys()})


async def insert_draft(
    tx: Executor, *, claim_id: int, chat_id: int, message_id: int, media_group_id: str | None, operator_id: int, kind: str,
    text: str | None, now: datetime,
) -> int:
    return await tx.execute(
        "INSERT INTO claim_drafts (claim_id, chat_id, message_id, media_group_id, operator_id, kind, text, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (claim_id, chat_id, message_id, media_group_id, operator_id, kind, text, to_iso(now)),
    )


async def get_draft(db: Executor, draft_id: int) -> Draft | None:
    row = await db.fetch_one(f"SELECT {_DRAFT_COLUMNS} FROM claim_drafts WHERE id = ?", (draft_id,))
    return None if row is None else _draft(row)


async def draft_for_message(db: Executor, chat_id: int, message_id: int) -> Draft | None:
    """The draft an operator's message is (or is part of, for an album)."""
    row = await db.fetch_one(
        f"SELECT {_DRAFT_COLUMNS} FROM claim_drafts WHERE chat_id = :chat AND (message_id = :message OR id IN "
        "(SELECT draft_id FROM claim_draft_parts WHERE message_id = :message))",
        {"chat": chat_id, "message": message_id},
    )
    return None if row is None else _draft(row)


async def pending_album_draft(db: Executor, chat_id: int, media_group_id: str) -> Draft | None:
    row = await db.fetch_one(
        f"SELECT {_DRAFT_COLUMNS} FROM claim_drafts WHERE chat_id = ? AND media_group_id = ? ORDER BY id DESC LIMIT 1",
        (chat_id, media_group_id),
    )
    return None if row is None else _draft(row)


async def add_draft_part(tx: Executor, draft_id: int, message_id: int) -> None:
    await tx.execute("INSERT OR IGNORE INTO claim_draft_parts (draft_id, message_id) VALUES (?, ?)", (draft_id, message_id))


async def draft_message_ids(db: Executor, draft: Draft) -> list[int]:
    """The operator's messages of a draft in order: the first, then an album's other parts."""
    rest = await db.fetch_all("SELECT message_id FROM claim_draft_parts WHERE draft_id = ? ORDER BY message_id", (draft.id,))
    return [draft.message_id, *(int(r[0]) for r in rest)]


async def set_draft_preview(db: Executor, draft_id: int, preview_message_id: int) -> None:
    await db.execute("UPDATE claim_drafts SET preview_message_id = ? WHERE id = ?", (preview_message_id, draft_id))


async def take_draft(tx: Executor, draft_id: int, now: datetime, lease_until: datetime) -> bool:
    """Reserve a pending draft for sending; False if another tap got it first."""
    return bool(await tx.execute(
        "UPDATE claim_drafts SET state = 'sending', lease_until = :until WHERE id = :id "
        "AND (state = 'pending' OR (state = 'sending' AND lease_until <= :now))",
        {"id": draft_id, "until": to_iso(lease_until), "now": to_iso(now)},
    ))


async def release_draft(db: Executor, draft_id: int) -> None:
    await db.execute("UPDATE claim_drafts SET state = 'pending', lease_until = NULL WHERE id = ? AND state = 'sending'", (draft_id,))


async def decide_draft(tx: Executor, draft_id: int, *, state: str, from_state: str, operator_id: int, now: datetime) -> bool:
    return bool(await tx.execute(
        "UPDATE claim_drafts SET state = ?, lease_until = NULL, decided_by = ?, decided_at = ? WHERE id = ? AND state = ?",
        (state, operator_id, to_iso(now), draft_id, from_state),
    ))

"""The one narrow path by which personal content leaves the database: redaction and purging.

Claims, follow-ups, replies and attachments are append-only (triggers in 0002 and 0008); their
content may be emptied exactly once, with a redacted_at stamp, and these functions are the
only code that does it. Every function takes an open transaction: the caller (bot/erasure.py,
bot/retention.py) commits the redaction together with its audit entry and notices.

What stays is what the law needs as evidence, without content: claim number, type, dates,
status, who handled it; consent decisions (who, when, which notice hash); the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Executor, to_iso

OPEN_STATUSES = ("registered", "in_progress", "answered")

# The claims of one person, or the closed claims past retention, as a sub-select on claims.id.
_OF_PERSON = "SELECT id FROM claims WHERE user_id = :user"


@dataclass(frozen=True)
class Redacted:
    """How many rows lost their content (for the audit entry: counts, never values)."""

    claims: int = 0
    followups: int = 0
    replies: int = 0
    attachments: int = 0
    outbox: int = 0
    drafts: int = 0
    notes: int = 0  # the operators' notes, unsent drafts and stated reasons (0006, 0013)

    def as_details(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if v}


async def _redact_claim_content(tx: Executor, claim_ids_sql: str, params: dict[str, object], stamp: str) -> Redacted:
    params = {**params, "at": stamp}
    claims = await tx.execute(
        f"UPDATE claims SET text = '', refusal_reason = NULL, close_reason = NULL, redacted_at = :at "
        f"WHERE redacted_at IS NULL AND id IN ({claim_ids_sql})",
        params,
    )
    followups = await tx.execute(
        f"UPDATE claim_followups SET text = NULL, redacted_at = :at WHERE redacted_at IS NULL AND claim_id IN ({claim_ids_sql})",
        params,
    )
    replies = await tx.execute(
        f"UPDATE claim_replies SET text = NULL, redacted_at = :at WHERE redacted_at IS NULL AND claim_id IN ({claim_ids_sql})",
        params,
    )
    attachments = await tx.execute(
        f"UPDATE claim_attachments SET file_id = '', file_name = NULL, redacted_at = :at "
        f"WHERE redacted_at IS NULL AND claim_id IN ({claim_ids_sql})",
        params,
    )
    # What operators wrote about these claims quotes them: notes, drafts (sent or not: a sent
    # one is also a reply, emptied above) and the reasons given in their words for closing or
    # refusing. A fixed close kind (bot.claim_desk.FIXED_CLOSE_KINDS) is not content and stays.
    notes = await tx.execute(
        f"UPDATE claim_notes SET text = NULL, redacted_at = :at WHERE redacted_at IS NULL AND claim_id IN ({claim_ids_sql})",
        params,
    )
    notes += await tx.execute(
        f"UPDATE claim_drafts SET text = NULL WHERE text IS NOT NULL AND claim_id IN ({claim_ids_sql})", params
    )
    notes += await tx.execute(
        f"UPDATE claim_events SET detail = NULL, redacted_at = :at WHERE redacted_at IS NULL AND detail IS NOT NULL "
        f"AND detail NOT IN ('answered', 'duplicate', 'withdrawn', 'carried_out') AND claim_id IN ({claim_ids_sql})",
        params,
    )
    # Messages for the operators about these claims: those not sent yet are dropped (there is
    # nothing left to show), the others keep their metadata and lose their payload.
    await tx.execute(f"DELETE FROM outbox WHERE state = 'pending' AND claim_id IN ({claim_ids_sql})", params)
    outbox = await tx.execute(
        f"UPDATE outbox SET payload = '{{}}', redacted_at = :at WHERE redacted_at IS NULL AND claim_id IN ({claim_ids_sql})",
        params,
    )
    return Redacted(claims, followups, replies, attachments, outbox, notes=notes)


async def destroy_person(tx: Executor, user_id: int, now: datetime) -> tuple[Redacted, list[str]]:
    """Erase everything held about one person but the evidence; returns counts and the FSM keys
    deleted (so the caller can drop them from the conversation-state cache as well)."""
    stamp = to_iso(now)
    await tx.execute(
        "UPDATE users SET first_name = '', last_name = NULL, username = NULL, full_name = NULL, phone = NULL, "
        "email = NULL, telegram_language = NULL, unreachable_reason = NULL, erased_at = :at, updated_at = :at "
        "WHERE id = :user",
        {"at": stamp, "user": user_id},
    )
    redacted = await _redact_claim_content(tx, _OF_PERSON, {"user": user_id}, stamp)
    keys = await delete_drafts_of(tx, user_id)
    return Redacted(**{**vars(redacted), "drafts": len(keys)}), keys


async def delete_drafts_of(tx: Executor, user_id: int) -> list[str]:
    """Conversation state of the person's private chat (storage key bot:chat:user:...)."""
    rows = await tx.fetch_all(
        "DELETE FROM fsm_states WHERE storage_key LIKE :pattern RETURNING storage_key",
        {"pattern": f"%:{int(user_id)}:{int(user_id)}:%"},
    )
    return [row[0] for row in rows]


async def erase_contact_data(tx: Executor, user_id: int, now: datetime, *, keep_telegram_names: bool) -> list[str]:
    """On withdrawal of consent: what the user gave us, and the Telegram names unless a claim
    still needs them. Returns the names of the fields that held something."""
    row = await tx.fetch_one(
        "SELECT full_name, phone, email, first_name, last_name, username FROM users WHERE id = ?", (user_id,)
    )
    if row is None:
        return []
    fields = ["full_name", "phone", "email"] + ([] if keep_telegram_names else ["first_name", "last_name", "username"])
    held = [name for name in fields if row[name]]
    if held:
        # first_name is NOT NULL (Telegram always has one): emptied, the others become NULL.
        values = {name: ("" if name == "first_name" else None) for name in held}
        sets = ", ".join(f"{name} = :{name}" for name in held)
        await tx.execute(f"UPDATE users SET {sets}, updated_at = :at WHERE id = :user", {**values, "at": to_iso(now), "user": user_id})
    return held


# --------------------------------------------------------------------------- retention


async def closed_claims_past(tx: Executor, closed_before: datetime) -> list[tuple[int, str, int]]:
    """(id, number, user id) of closed claims closed before the instant and not yet redacted."""
    rows = await tx.background.fetch_all(
        "SELECT id, number, user_id FROM claims WHERE status = 'closed' AND redacted_at IS NULL AND closed_at < ? "
        "ORDER BY closed_at",
        (to_iso(closed_before),),
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def redact_claim(tx: Executor, claim_id: int, now: datetime) -> Redacted:
    return await _redact_claim_content(tx, "SELECT :claim", {"claim": claim_id}, to_iso(now))


async def purge_delivered_outbox(tx: Executor, delivered_before: datetime, now: datetime) -> int:
    """Payloads of messages delivered (or given up) before the instant: metadata stays."""
    return await tx.background.execute(
        "UPDATE outbox SET payload = '{}', redacted_at = ? "
        "WHERE redacted_at IS NULL AND state IN ('delivered', 'dead') AND delivered_at < ?",
        (to_iso(now), to_iso(delivered_before)),
    )


async def delete_stale_drafts(tx: Executor, updated_before: datetime) -> list[str]:
    rows = await tx.background.fetch_all(
        "DELETE FROM fsm_states WHERE updated_at < ? RETURNING storage_key", (to_iso(updated_before),)
    )
    return [row[0] for row in rows]


# Names are needed while the person has consent in force or a claim open (to tell the operators
# who writes); a claim whose content was destroyed does not count, or a destroy request would
# bring the names back with the person's next message. Used by touch_customer (on every
# update) and by the daily retention job.
NAMES_NEEDED_SQL = (
    "(COALESCE((SELECT c.decision FROM consent_records c WHERE c.user_id = users.id ORDER BY c.id DESC LIMIT 1), '') = 'given' "
    "OR EXISTS (SELECT 1 FROM claims k WHERE k.user_id = users.id AND k.redacted_at IS NULL "
    "AND k.status IN ('registered', 'in_progress', 'answered')))"
)


async def forget_unneeded_names(tx: Executor, now: datetime) -> list[int]:
    """Telegram names of people who no longer need them stored; returns their ids."""
    rows = await tx.background.fetch_all(
        "UPDATE users SET first_name = '', last_name = NULL, username = NULL, updated_at = ? "
        "WHERE (first_name != '' OR last_name IS NOT NULL OR username IS NOT NULL) "
        f"AND NOT {NAMES_NEEDED_SQL} RETURNING id",
        (to_iso(now),),
    )
    return [row[0] for row in rows]


# --------------------------------------------------------------------------- carrying out requests


async def close_request(tx: Executor, claim_id: int, operator_id: int, now: datetime) -> bool:
    """Close a block or destroy request as carried out ('done'), in the caller's transaction."""
    stamp = to_iso(now)
    # As the desk closes a claim (bot/claim_desk.py): a new version, so a card pressed before
    # this is stale, a stated close kind, and the event in the claim's history.
    closed = bool(await tx.execute(
        "UPDATE claims SET status = 'closed', closed_at = :now, closed_by = :op, resolution = 'done', "
        "close_kind = 'carried_out', version = version + 1, "
        "taken_by = COALESCE(taken_by, :op), taken_at = COALESCE(taken_at, :now), updated_at = :now "
        "WHERE id = :id AND status IN ('registered', 'in_progress', 'answered')",
        {"now": stamp, "op": operator_id, "id": claim_id},
    ))
    if closed:
        await tx.execute(
            "INSERT INTO claim_events (claim_id, at, operator_id, event, detail) VALUES (?, ?, ?, 'closed', 'carried_out')",
            (claim_id, stamp, operator_id),
        )
    return closed

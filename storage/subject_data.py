"""Read-only queries for the person's own export (bot/export.py): what other modules' tables hold
about one person, in the shape the export needs."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Executor


@dataclass(frozen=True)
class AttachmentInfo:
    claim_id: int
    followup_id: int | None
    kind: str
    file_name: str | None
    created_at: str


@dataclass(frozen=True)
class NoticeReceived:
    broadcast_id: int
    kind: str
    policy_version: str | None
    state: str          # sent, or uncertain (possibly delivered: interrupted mid-call)
    sent_at: str | None
    started_at: str | None


async def claim_attachments_for_user(db: Executor, user_id: int) -> list[AttachmentInfo]:
    """Every photo or document the person attached to their claims, oldest first."""
    rows = await db.fetch_all(
        "SELECT a.claim_id, a.followup_id, a.kind, a.file_name, a.created_at FROM claim_attachments a "
        "JOIN claims c ON c.id = a.claim_id WHERE c.user_id = ? ORDER BY a.id",
        (user_id,),
    )
    return [AttachmentInfo(**{key: row[key] for key in row.keys()}) for row in rows]


async def notices_received(db: Executor, user_id: int) -> list[NoticeReceived]:
    """Broadcasts that reached the person (or possibly did), oldest first."""
    rows = await db.fetch_all(
        "SELECT r.broadcast_id, b.kind, b.policy_version, r.state, r.sent_at, b.started_at "
        "FROM broadcast_recipients r JOIN broadcasts b ON b.id = r.broadcast_id "
        "WHERE r.user_id = ? AND r.state IN ('sent', 'uncertain') ORDER BY r.broadcast_id",
        (user_id,),
    )
    return [NoticeReceived(**{key: row[key] for key in row.keys()}) for row in rows]

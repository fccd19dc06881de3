"""The append-only audit trail: who did what to whose data, and when.

`details` must never carry message texts, phone numbers or e-mails: name the field that
changed, the record id, the version; not the value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Executor, to_iso


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    subject_user_id: int | None
    event: str
    details: dict[str, Any]


def user_actor(user_id: int) -> str:
    return f"user:{user_id}"


def operator_actor(user_id: int) -> str:
    return f"operator:{user_id}"


SYSTEM = "system"


async def record(
    db: Executor,
    *,
    at: datetime,
    actor: str,
    event: str,
    subject_user_id: int | None,
    details: dict[str, Any] | None = None,
) -> int:
    return await db.execute(
        "INSERT INTO audit_log (at, actor, subject_user_id, event, details) VALUES (?, ?, ?, ?, ?)",
        (to_iso(at), actor, subject_user_id, event, json.dumps(details or {}, ensure_ascii=False)),
    )


async def entries_for_user(db: Executor, user_id: int) -> list[AuditEntry]:
    rows = await db.fetch_all(
        "SELECT id, at, actor, subject_user_id, event, details FROM audit_log "
        "WHERE subject_user_id = ? ORDER BY id",
        (user_id,),
    )
    return [
        AuditEntry(r["id"], r["at"], r["actor"], r["subject_user_id"], r["event"], json.loads(r["details"]))
        for r in rows
    ]

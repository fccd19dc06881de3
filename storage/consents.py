"""Consent records: immutable, one row per decision, each tied to the exact notice text shown."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from storage import audit
from storage.db import Database, Executor, Transaction, to_iso

DECISIONS = ("given", "declined", "withdrawn")
CHANNEL = "telegram-bot"


@dataclass(frozen=True)
class ConsentRecord:
    id: int
    record_uid: str
    user_id: int
    policy_version: str
    language: str
    decision: str
    channel: str
    notice_sha256: str
    created_at: str


_COLUMNS = "id, record_uid, user_id, policy_version, language, decision, channel, notice_sha256, created_at"


def _record(row) -> ConsentRecord:  # type: ignore[no-untyped-def]
    return ConsentRecord(**{key: row[key] for key in row.keys()})


def notice_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@asynccontextmanager
async def _within(db: Database | Transaction) -> AsyncIterator[Executor]:
    """The caller's open transaction (a withdrawal commits with its erasure), or a new one."""
    if isinstance(db, Transaction):
        yield db
        return
    async with db.transaction() as tx:
        yield tx


async def record_decision(
    db: Database | Transaction,
    *,
    user_id: int,
    policy_version: str,
    language: str,
    decision: str,
    notice_text: str,
    now: datetime,
) -> ConsentRecord:
    """Store the decision, the notice it answered and the audit entry in one transaction."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown consent decision {decision!r}")
    sha = notice_hash(notice_text)
    stamp = to_iso(now)
    uid = str(uuid.uuid4())
    async with _within(db) as tx:
        await tx.execute(
            "INSERT OR IGNORE INTO consent_notices (sha256, policy_version, language, text, first_shown_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (sha, policy_version, language, notice_text, stamp),
        )
        record_id = await tx.execute(
            "INSERT INTO consent_records (record_uid, user_id, policy_version, language, decision, channel, "
            "notice_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (uid, user_id, policy_version, language, decision, CHANNEL, sha, stamp),
        )
        await audit.record(
            tx, at=now, actor=audit.user_actor(user_id), event=f"consent_{decision}",
            subject_user_id=user_id,
            details={"record_id": record_id, "policy_version": policy_version},
        )
    return ConsentRecord(record_id, uid, user_id, policy_version, language, decision, CHANNEL, sha, stamp)


async def latest(db: Executor, user_id: int) -> ConsentRecord | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM consent_records WHERE user_id = ? ORDER BY id DESC LIMIT 1", (user_id,)
    )
    return None if row is None else _record(row)


async def history(db: Executor, user_id: int, limit: int | None = None) -> list[ConsentRecord]:
    """Newest first."""
    sql = f"SELECT {_COLUMNS} FROM consent_records WHERE user_id = ? ORDER BY id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_record(row) for row in await db.fetch_all(sql, (user_id,))]


async def notice_text(db: Executor, sha256: str) -> str | None:
    return await db.fetch_value("SELECT text FROM consent_notices WHERE sha256 = ?", (sha256,))

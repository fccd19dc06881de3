"""Consent records: immutable, one row per decision, each tied to the exact notice text shown."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
    # What the decision covered, as shown (migration 0009); None for older records.
    snapshot: dict[str, Any] | None = None


_COLUMNS = "id, record_uid, user_id, policy_version, language, decision, channel, notice_sha256, created_at, snapshot"


def _record(row) -> ConsentRecord:  # type: ignore[no-untyped-def]
    values = {key: row[key] for key in row.keys()}
    values["snapshot"] = json.loads(values["snapshot"]) if values["snapshot"] else None
    return ConsentRecord(**values)


def notice_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def record_decision(
    db: Database,
    *,
    user_id: int,
    policy_version: str,
    language: str,
    decision: str,
    notice_text: str,
    now: datetime,
    snapshot: dict[str, Any] | None = None,
) -> ConsentRecord:
    """Store the decision, the notice it answered and the audit entry in one transaction."""
    async with db.transaction() as tx:
        return await insert_decision(
            tx, user_id=user_id, policy_version=policy_version, language=language, decision=decision,
            notice_text=notice_text, now=now, snapshot=snapshot,
        )


async def insert_decision(
    tx: Transaction,
    *,
    user_id: int,
    policy_version: str,
    language: str,
    decision: str,
    notice_text: str,
    now: datetime,
    snapshot: dict[str, Any] | None = None,
) -> ConsentRecord:
    """record_decision inside a transaction the caller holds (e.g. with other effects of the event)."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown consent decision {decision!r}")
    sha = notice_hash(notice_text)
    if snapshot is not None and snapshot.get("notice_sha256", sha) != sha:
        raise ValueError("the snapshot describes another notice than the one recorded")
    await tx.execute(
        "INSERT OR IGNORE INTO consent_notices (sha256, policy_version, language, text, first_shown_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (sha, policy_version, language, notice_text, to_iso(now)),
    )
    return await _insert(tx, user_id=user_id, policy_version=policy_version, language=language,
                         decision=decision, sha=sha, snapshot=snapshot, now=now)


async def record_withdrawal(db: Database, *, withdrawn: ConsentRecord, language: str, now: datetime) -> ConsentRecord:
    """Withdraw the consent `withdrawn` in one transaction (see insert_withdrawal)."""
    async with db.transaction() as tx:
        return await insert_withdrawal(tx, withdrawn=withdrawn, language=language, now=now)


async def insert_withdrawal(tx: Transaction, *, withdrawn: ConsentRecord, language: str, now: datetime) -> ConsentRecord:
    """A withdrawal record for the consent `withdrawn`: the same policy version, notice hash and
    snapshot as the record it withdraws, so version and hash always belong together."""
    if withdrawn.decision != "given":
        raise ValueError("only a given consent can be withdrawn")
    return await _insert(tx, user_id=withdrawn.user_id, policy_version=withdrawn.policy_version, language=language,
                         decision="withdrawn", sha=withdrawn.notice_sha256, snapshot=withdrawn.snapshot, now=now)


async def _insert(
    tx: Transaction, *, user_id: int, policy_version: str, language: str, decision: str, sha: str,
    snapshot: dict[str, Any] | None, now: datetime,
) -> ConsentRecord:
    stamp = to_iso(now)
    uid = str(uuid.uuid4())
    stored = json.dumps(snapshot, ensure_ascii=False, sort_keys=True) if snapshot is not None else None
    columns = "record_uid, user_id, policy_version, language, decision, channel, notice_sha256, created_at"
    values: tuple[object, ...] = (uid, user_id, policy_version, language, decision, CHANNEL, sha, stamp)
    if stored is not None:  # (without one, the row is as before migration 0009)
        columns, values = columns + ", snapshot", values + (stored,)
    record_id = await tx.execute(
        f"INSERT INTO consent_records ({columns}) VALUES ({', '.join('?' * len(values))})", values
    )
    await audit.record(
        tx, at=now, actor=audit.user_actor(user_id), event=f"consent_{decision}",
        subject_user_id=user_id,
        details={"record_id": record_id, "policy_version": policy_version},
    )
    return ConsentRecord(record_id, uid, user_id, policy_version, language, decision, CHANNEL, sha, stamp,
                         json.loads(stored) if stored else None)


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

"""Policy publications: which version was published when, by whom, whether it is in force yet,
and whether it was withdrawn before taking effect (audited).

The functions taking an `Executor` run inside the caller's transaction, so a publication, its
audit entry and its notice broadcast are committed together (bot/publishing.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage import audit
from storage.db import Database, Executor, to_iso

_LIVE = "withdrawn_at IS NULL"


@dataclass(frozen=True)
class Publication:
    version: str
    published_by: str
    published_at: str
    broadcast_id: int | None
    in_force_at: str | None


def _publication(row) -> Publication:  # type: ignore[no-untyped-def]
    return Publication(row["version"], row["published_by"], row["published_at"], row["broadcast_id"], row["in_force_at"])


_COLUMNS = "version, published_by, published_at, broadcast_id, in_force_at"


async def published_versions(db: Executor) -> set[str]:
    """Versions published and not withdrawn (in force or scheduled)."""
    return {row["version"] for row in await db.fetch_all(f"SELECT version FROM policy_publications WHERE {_LIVE}")}


async def record_baseline(db: Database, versions: Sequence[str], now: datetime) -> None:
    """First start: the versions already on disk count as published (by the system)."""
    async with db.transaction() as tx:
        if await tx.fetch_value("SELECT count(*) FROM policy_publications"):
            return
        for version in versions:
            await tx.execute(
                "INSERT INTO policy_publications (version, published_by, published_at, in_force_at) VALUES (?, ?, ?, ?)",
                (version, audit.SYSTEM, to_iso(now), to_iso(now)),
            )
        await audit.record(
            tx, at=now, actor=audit.SYSTEM, event="policy_baseline", subject_user_id=None,
            details={"versions": list(versions)},
        )


async def insert_publication(tx: Executor, version: str, *, actor: str, now: datetime, in_force: bool) -> bool:
    """In the caller's transaction: False if the version is already published (and live)."""
    if await tx.fetch_value(f"SELECT 1 FROM policy_publications WHERE version = ? AND {_LIVE}", (version,)):
        return False
    await tx.execute(
        "INSERT INTO policy_publications (version, published_by, published_at, in_force_at) VALUES (?, ?, ?, ?)",
        (version, actor, to_iso(now), to_iso(now) if in_force else None),
    )
    await audit.record(
        tx, at=now, actor=actor, event="policy_published", subject_user_id=None,
        details={"version": version, "scheduled": not in_force},
    )
    return True


async def set_broadcast(db: Executor, version: str, broadcast_id: int) -> None:
    await db.execute(
        f"UPDATE policy_publications SET broadcast_id = ? WHERE version = ? AND {_LIVE}", (broadcast_id, version)
    )


async def get(db: Executor, version: str) -> Publication | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM policy_publications WHERE version = ? AND {_LIVE}", (version,))
    return None if row is None else _publication(row)


async def publications(db: Executor) -> dict[str, tuple[str, str]]:
    """version → (published_by, published_at), live publications only."""
    rows = await db.fetch_all(f"SELECT version, published_by, published_at FROM policy_publications WHERE {_LIVE}")
    return {row["version"]: (row["published_by"], row["published_at"]) for row in rows}


async def without_notice(db: Executor) -> list[Publication]:
    """Live publications by an operator whose notice broadcast was never created."""
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM policy_publications WHERE {_LIVE} AND broadcast_id IS NULL AND published_by != ? "
        "ORDER BY id",
        (audit.SYSTEM,),
    )
    return [_publication(row) for row in rows]


async def mark_in_force(db: Database, versions: Sequence[str], now: datetime) -> list[str]:
    """Scheduled versions whose date has come: record when they became current (once each)."""
    changed = []
    async with db.transaction() as tx:
        for version in versions:
            if await tx.execute(
                f"UPDATE policy_publications SET in_force_at = ? WHERE version = ? AND {_LIVE} AND in_force_at IS NULL",
                (to_iso(now), version),
            ):
                changed.append(version)
                await audit.record(
                    tx, at=now, actor=audit.SYSTEM, event="policy_in_force", subject_user_id=None,
                    details={"version": version},
                )
    return changed


async def withdraw(tx: Executor, version: str, *, actor: str, now: datetime) -> Publication | None:
    """In the caller's transaction: withdraw a scheduled (not yet in force) publication.

    None if there is no such live publication or it is already in force.
    """
    row = await tx.fetch_one(
        f"SELECT {_COLUMNS} FROM policy_publications WHERE version = ? AND {_LIVE} AND in_force_at IS NULL", (version,)
    )
    if row is None:
        return None
    await tx.execute(
        f"UPDATE policy_publications SET withdrawn_by = ?, withdrawn_at = ? WHERE version = ? AND {_LIVE}",
        (actor, to_iso(now), version),
    )
    await audit.record(
        tx, at=now, actor=actor, event="policy_withdrawn", subject_user_id=None, details={"version": version}
    )
    return _publication(row)

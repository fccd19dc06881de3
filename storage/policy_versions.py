"""Policy publications: which version was published when, by whom (audited)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage import audit
from storage.db import Database, Executor, to_iso


async def published_versions(db: Executor) -> set[str]:
    return {row["version"] for row in await db.fetch_all("SELECT version FROM policy_publications")}


async def record_baseline(db: Database, versions: Sequence[str], now: datetime) -> None:
    """First start: the versions already on disk count as published (by the system)."""
    async with db.transaction() as tx:
        if await tx.fetch_value("SELECT count(*) FROM policy_publications"):
            return
        for version in versions:
            await tx.execute(
                "INSERT INTO policy_publications (version, published_by, published_at) VALUES (?, ?, ?)",
                (version, audit.SYSTEM, to_iso(now)),
            )
        await audit.record(
            tx, at=now, actor=audit.SYSTEM, event="policy_baseline", subject_user_id=None,
            details={"versions": list(versions)},
        )


async def record_publication(db: Database, version: str, *, actor: str, now: datetime) -> bool:
    """False if the version was already published."""
    async with db.transaction() as tx:
        if await tx.fetch_value("SELECT 1 FROM policy_publications WHERE version = ?", (version,)):
            return False
        await tx.execute(
            "INSERT INTO policy_publications (version, published_by, published_at) VALUES (?, ?, ?)",
            (version, actor, to_iso(now)),
        )
        await audit.record(
            tx, at=now, actor=actor, event="policy_published", subject_user_id=None, details={"version": version}
        )
    return True


async def set_broadcast(db: Database, version: str, broadcast_id: int) -> None:
    await db.execute("UPDATE policy_publications SET broadcast_id = ? WHERE version = ?", (broadcast_id, version))


async def publications(db: Executor) -> dict[str, tuple[str, str]]:
    """version → (published_by, published_at)."""
    rows = await db.fetch_all("SELECT version, published_by, published_at FROM policy_publications")
    return {row["version"]: (row["published_by"], row["published_at"]) for row in rows}

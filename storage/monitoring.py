"""What /healthz and /metrics read from the database: counts only, never who."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from storage.db import Database, Executor, to_iso


def _write_probe(conn: sqlite3.Connection, at: str) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT INTO health_probe (id, checked_at) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
            (at,),
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


async def probe_write(db: Database, now: datetime) -> None:
    """Commit one tiny write; raises sqlite3.Error if the database cannot be written.

    The whole transaction is one call in the database's worker thread: a database locked by another
    process makes SQLite wait up to its busy timeout, which must not hold up the event loop.
    """
    await db.background.run(_write_probe, to_iso(now))


async def outbox_by_state(db: Executor) -> dict[str, int]:
    """Outbox rows per state: pending, sending, delivered, dead (parked)."""
    rows = await db.background.fetch_all("SELECT state, COUNT(*) FROM outbox GROUP BY state")
    counts = dict.fromkeys(("pending", "sending", "delivered", "dead"), 0)
    counts.update({row[0]: int(row[1]) for row in rows})
    return counts

"""The SQLite connection and the schema migrations runner.

One aiosqlite connection serves the whole bot. SQLite allows one writer at a time anyway, and a
single connection lets us guard multi-statement transactions with an asyncio lock: without it, a
statement from another task could run inside someone else's open transaction.

Where statements run: a customer's update makes about seven short keyed statements (tens of
microseconds each in SQLite). Sent to aiosqlite's worker thread, each one cost far more than the
statement itself: a queue hand-off, a wake-up, the GIL handed over and back, and a write to the
event loop's self-pipe (measured: 4.5 ms of CPU per update with every statement in the thread,
2.5 ms with them on the loop; bench/RESULTS.md). So statements run on the event loop by default,
and the few that read or write many rows (operators' lists and statistics, the reminder scan, a
broadcast's audience) go through `Executor.background`, which is aiosqlite's worker thread, so
the loop keeps serving network traffic while they run. Both paths hold the same lock, so at most
one statement uses the connection at any time.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Params = Sequence[Any] | dict[str, Any]


class MigrationError(Exception):
    pass


def to_iso(instant: datetime) -> str:
    """How instants are stored: UTC, ISO 8601 to the microsecond, so text order is time order."""
    if instant.tzinfo is None:
        raise ValueError("naive datetimes are not stored: pass an aware UTC instant")
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _run(conn: sqlite3.Connection, sql: str, params: Params, mode: str) -> Any:
    """One statement, run to completion (its rows fetched and its cursor closed) in one call."""
    cursor = conn.execute(sql, params)
    try:
        if mode == "write":
            if sql.lstrip()[:6].upper() == "INSERT":
                # An INSERT OR IGNORE / upsert that wrote nothing leaves lastrowid at an older
                # row's id: report 0 then, not someone else's row.
                return int(cursor.lastrowid or 0) if cursor.rowcount > 0 else 0
            return int(cursor.rowcount)
        if mode == "one":
            return cursor.fetchone()
        return cursor.fetchall()
    finally:
        cursor.close()


def _run_many(conn: sqlite3.Connection, sql: str, rows: Iterable[Params]) -> None:
    conn.executemany(sql, rows).close()


class Executor:
    """Statement helpers shared by the database and an open transaction.

    Each statement (or `run` callable) is one call into sqlite3: on the event loop, or, through
    `background`, one trip to aiosqlite's worker thread (aiosqlite's own cursor API would take
    three trips: execute, fetch, close).
    """

    _conn: aiosqlite.Connection
    _in_thread = False

    @property
    def background(self) -> Self:
        """The same executor, its statements run in aiosqlite's worker thread: for statements
        whose cost grows with the whole table (a scan, an aggregate, a bulk insert), which would
        otherwise hold up every other chat while they run."""
        view = copy.copy(self)  # shares the connection and, for the database, its lock
        view._in_thread = True
        return view

    async def _call(self, fn: Any, *args: Any) -> Any:
        if self._in_thread:
            # aiosqlite's _execute queues a callable for its worker thread; the version is pinned.
            return await self._conn._execute(fn, self._conn._conn, *args)
        return fn(self._conn._conn, *args)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the new row's id for INSERT (0 if none), rowcount otherwise."""
        return int(await self._call(_run, sql, params, "write"))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._call(_run_many, sql, list(rows))

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        return await self._call(_run, sql, params, "one")  # type: ignore[no-any-return]

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self._call(_run, sql, params, "all"))

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn(sqlite3_connection, *args)` in one call: for a few statements that belong
        together and need no await in between (the caller keeps them atomic if needed)."""
        return await self._call(fn, *args)


class Transaction(Executor):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn


class Database(Executor):
    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, migrations_dir: Path = MIGRATIONS_DIR) -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: autocommit; transactions are explicit BEGIN IMMEDIATE ... COMMIT.
        # check_same_thread=False: statements run on the loop's thread and, for `background`, in
        # aiosqlite's; the lock below keeps them one at a time.
        conn = await aiosqlite.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA busy_timeout=5000")
        db = cls(conn, path)
        await apply_migrations(db, migrations_dir)
        return db

    async def close(self) -> None:
        await self._conn.close()

    async def _call(self, fn: Any, *args: Any) -> Any:
        # Every statement outside a transaction takes the lock, so none lands inside another
        # task's open transaction on this one connection.
        async with self._lock:
            return await super()._call(fn, *args)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """All-or-nothing: commits when the block ends, rolls back if it raises."""
        async with self._lock:
            tx = Transaction(self._conn)  # runs its statements without the lock, which we hold
            await tx.execute("BEGIN IMMEDIATE")
            try:
                yield tx
            except BaseException:
                await tx.execute("ROLLBACK")
                raise
            await tx.execute("COMMIT")


def list_migrations(migrations_dir: Path) -> list[tuple[int, str, Path]]:
    found = []
    for path in sorted(migrations_dir.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file name {path.name!r} is not NNNN_name.sql")
        found.append((int(match.group(1)), path.stem, path))
    versions = [version for version, _, _ in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a number in {migrations_dir}")
    return found


async def schema_version(db: Database) -> int:
    return int(await db.fetch_value("PRAGMA user_version") or 0)


async def apply_migrations(db: Database, migrations_dir: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply every migration newer than the database, each in its own transaction.

    The schema version lives in SQLite's user_version, changed in the same transaction as the
    migration itself, so a crash leaves the database either before or after a migration.
    """
    current = await schema_version(db)
    applied = []
    for version, name, path in list_migrations(migrations_dir):
        if version <= current:
            continue
        sql = path.read_text(encoding="utf-8")
        async with db.transaction() as tx:
            # executescript would COMMIT first; run the statements one by one inside our transaction.
            for statement in _split_sql(sql):
                await tx.background.execute(statement)  # an index over a large table takes a while
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) "
                "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))",
                (version, name),
            )
            await tx.execute(f"PRAGMA user_version = {version:d}")
        log.info("applied migration %s", name)
        applied.append(name)
    return applied


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements; triggers (BEGIN ... END;) stay whole."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements

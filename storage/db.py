"""The SQLite connection and the schema migrations runner.

One connection of the standard library's `sqlite3` serves the whole bot. SQLite allows one writer
at a time anyway, and a single connection lets us guard multi-statement transactions with an
asyncio lock: without it, a statement from another task could run inside someone else's open
transaction.

Where statements run: a customer's update makes a few short keyed statements (each quick in
SQLite). Handed to a worker thread, each one costs far more than the
statement itself: a queue hand-off, a wake-up, the GIL handed over and back, and a write to the
event loop's self-pipe (bench/RESULTS.md has the measurement). So statements run on the event
loop by default, and the few that read or write many rows (operators' lists and statistics, the
reminder scan, a broadcast's audience, migrations) go through `Executor.background`: the same
connection, used from one worker thread of the database's own (asyncio's public
`run_in_executor`), so the loop keeps serving network traffic while they run. Both paths hold
the same lock, so at most one statement uses the connection at any time.

Files: the database and SQLite's -wal and -shm files beside it are readable by the bot's user
only (0600; SQLite gives -wal and -shm the database file's mode), and a folder created for them
is 0700: they hold personal data.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import re
import sqlite3
import stat
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
FILE_MODE = 0o600
FOLDER_MODE = 0o700
SIDE_FILES = ("-wal", "-shm", "-journal")

# How often the write-ahead log is copied into the database file (a checkpoint). SQLite does it
# by itself inside the COMMIT that takes the log past 1,000 pages, on the thread that commits:
# here the event loop, which then waits for the copy and its fsync (synchronous=NORMAL syncs at
# checkpoints; https://www.sqlite.org/pragma.html#pragma_synchronous) and serves nobody
# meanwhile. So the automatic checkpoint is off, and every CHECKPOINT_SECONDS the database's
# worker thread runs a PASSIVE checkpoint on a connection of its own, beside the bot's statements
# (no lock: the copy and its fsync hold nothing up; https://www.sqlite.org/c3ref/wal_checkpoint_v2.html).
CHECKPOINT_SECONDS = 1.0
# SQLite starts the log afresh only when a checkpoint has copied all of it
# (https://www.sqlite.org/wal.html#avoiding_excessively_large_wal_files); under steady writes
# one that runs beside them keeps missing the last frames, and the log grows. Past this many
# frames (pages of 4 KiB: 64 MiB) the rest is copied on the bot's connection, holding the lock so
# that no write slips in: a short step, as the checkpoint just before has copied nearly everything.
RESTART_FRAMES = 16_384

Params = Sequence[Any] | dict[str, Any]

# A migration that starts with this line runs with foreign keys off: SQLite's procedure for a
# schema change ALTER TABLE cannot make (create the new table, copy, drop the old one, rename,
# recreate its indexes and triggers; https://www.sqlite.org/lang_altertable.html#otheralter)
# drops a table that other tables' foreign keys point to. Step 1 of that procedure turns foreign
# keys off, outside the transaction: "it is not possible to enable or disable foreign key
# constraints in the middle of a multi-statement transaction" (https://www.sqlite.org/foreignkeys.html,
# section 2: the pragma is a no-op there). Step 10, `PRAGMA foreign_key_check`, must then find
# nothing, or the migration is rolled back.
FOREIGN_KEYS_OFF = "-- migration: foreign_keys=off"


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
    `background`, one trip to the database's worker thread.
    """

    _connection: sqlite3.Connection
    _worker: ThreadPoolExecutor
    _in_thread = False

    @property
    def connection(self) -> sqlite3.Connection:
        """The sqlite3 connection itself (for tracing in tests; statements go through the helpers)."""
        return self._connection

    @property
    def background(self) -> Self:
        """The same executor, its statements run in the database's worker thread: for statements
        whose cost grows with the whole table (a scan, an aggregate, a bulk insert), which would
        otherwise hold up every other chat while they run."""
        view = copy.copy(self)  # shares the connection and, for the database, its lock
        view._in_thread = True
        return view

    async def _call(self, fn: Any, *args: Any) -> Any:
        if self._in_thread:
            return await asyncio.get_running_loop().run_in_executor(self._worker, fn, self._connection, *args)
        return fn(self._connection, *args)

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
    def __init__(self, connection: sqlite3.Connection, worker: ThreadPoolExecutor) -> None:
        self._connection = connection
        self._worker = worker


class Database(Executor):
    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._connection = connection
        self.path = path
        self._lock = asyncio.Lock()
        # One thread: background statements queue behind each other, as they would for SQLite's
        # one writer anyway, and the connection is never used from two threads at once.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._closed = False
        self._checkpoints: asyncio.Task[None] | None = None
        self._checkpointer: sqlite3.Connection | None = None

    @classmethod
    async def open(cls, path: str | Path, migrations_dir: Path = MIGRATIONS_DIR) -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            prepare_files(path)
        # isolation_level=None: autocommit; transactions are explicit BEGIN IMMEDIATE ... COMMIT.
        # check_same_thread=False: statements run on the loop's thread and, for `background`, in
        # the worker thread; the lock below keeps them one at a time.
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            connection.row_factory = sqlite3.Row
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=5000"):
                connection.execute(f"PRAGMA {pragma}").close()
        except BaseException:
            connection.close()
            raise
        db = cls(connection, path)
        if str(path) != ":memory:":
            restrict_files(path)  # -wal and -shm now exist; left by an older version, they may be 0644
        try:
            await apply_migrations(db, migrations_dir)
        except BaseException:
            await db.close()
            raise
        if str(path) != ":memory:":
            await db.take_over_checkpoints()
        return db

    async def take_over_checkpoints(self) -> None:
        """Checkpoint from the worker thread from now on, not inside commits (CHECKPOINT_SECONDS)."""
        await self.execute("PRAGMA wal_autocheckpoint = 0")
        self._checkpointer = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._checkpoints = asyncio.get_running_loop().create_task(self._checkpoint_periodically())

    async def _checkpoint_periodically(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(CHECKPOINT_SECONDS)
            try:
                # (1 if it could not start, frames in the log, frames copied)
                _, frames, _ = await loop.run_in_executor(
                    self._worker, _run, self._checkpointer, "PRAGMA wal_checkpoint(PASSIVE)", (), "one"
                )
                if frames >= RESTART_FRAMES:
                    await self.background.fetch_one("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as error:
                log.warning("write-ahead log checkpoint failed: %s", error)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._checkpoints is not None:
            self._checkpoints.cancel()
            try:
                await self._checkpoints
            except asyncio.CancelledError:
                pass
        if self._checkpointer is not None:  # in the worker thread, after a checkpoint it may be running
            await asyncio.get_running_loop().run_in_executor(self._worker, self._checkpointer.close)
        # Closing the last connection checkpoints whatever the log still holds and removes it.
        async with self._lock:  # a background statement still running finishes first
            self._worker.shutdown(wait=False)
            self._connection.close()

    async def _call(self, fn: Any, *args: Any) -> Any:
        # Every statement outside a transaction takes the lock, so none lands inside another
        # task's open transaction on this one connection.
        async with self._lock:
            return await super()._call(fn, *args)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """All-or-nothing: commits when the block ends, rolls back if it raises."""
        async with self._lock:
            tx = Transaction(self._connection, self._worker)  # runs its statements without the lock, which we hold
            await tx.execute("BEGIN IMMEDIATE")
            try:
                yield tx
            except BaseException:
                await tx.execute("ROLLBACK")
                raise
            await tx.execute("COMMIT")


def prepare_files(path: Path) -> None:
    """Create the database's folder (0700) and file (0600) before SQLite opens it, so the file is
    never readable by others, not even for a moment; SQLite creates -wal and -shm with the
    database file's mode. An existing folder keeps its mode (it may be shared, like /tmp): a
    warning says when others can enter it."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is masked by the umask; be exact
    elif stat.S_IMODE(folder.stat().st_mode) & 0o077:
        log.warning("the database's folder %s is open to other users of this machine (chmod 700 it)", folder)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(descriptor)
    restrict_files(path)


def restrict_files(path: Path) -> None:
    """The database file and its -wal/-shm/-journal files: readable and writable by the bot's user only."""
    for candidate in (path, *(path.with_name(path.name + suffix) for suffix in SIDE_FILES)):
        try:
            if stat.S_IMODE(candidate.stat().st_mode) != FILE_MODE:
                os.chmod(candidate, FILE_MODE)
        except FileNotFoundError:
            continue


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
        foreign_keys_off = _first_line(sql) == FOREIGN_KEYS_OFF
        if foreign_keys_off:
            await db.execute("PRAGMA foreign_keys=OFF")  # outside the transaction, or it does nothing
            if await db.fetch_value("PRAGMA foreign_keys"):
                raise MigrationError(f"{name}: foreign keys could not be turned off")
        try:
            async with db.transaction() as tx:
                # executescript would COMMIT first; run the statements one by one inside our transaction.
                for statement in _split_sql(sql):
                    await tx.background.execute(statement)  # an index over a large table takes a while
                if foreign_keys_off:
                    broken = await tx.background.fetch_all("PRAGMA foreign_key_check")
                    if broken:
                        # Table names and row ids only: no personal data in the message.
                        rows = ", ".join(f"{r[0]} row {r[1]} → {r[2]}" for r in broken[:5])
                        raise MigrationError(
                            f"{name} would break {len(broken)} foreign key(s) ({rows}); rolled back"
                        )
                await tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) "
                    "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))",
                    (version, name),
                )
                await tx.execute(f"PRAGMA user_version = {version:d}")
        finally:
            if foreign_keys_off:
                await db.execute("PRAGMA foreign_keys=ON")
        log.info("applied migration %s", name)
        applied.append(name)
    return applied


def _first_line(script: str) -> str:
    for line in script.splitlines():
        if line.strip():
            return line.strip().lower()
    return ""


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

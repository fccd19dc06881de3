"""`python -m bot backup DEST`: a consistent copy of the live database, verified, readable only by its owner.

- SQLite's online backup API (sqlite3.Connection.backup) from a connection of its own, so it
  works while the bot runs in another process: in WAL mode the copy is one read transaction, a
  snapshot of the last commit (the WAL included), and the bot keeps writing meanwhile.
- The copy is written to a temporary file beside DEST, created with mode 0600 before any byte
  goes in (it holds personal data), switched to an ordinary rollback journal (one
  self-contained file), checked with `PRAGMA integrity_check`, flushed to disk, and only then
  renamed over DEST: a failed backup never replaces a good one.
- DEST may be a folder: the file is then named bot-YYYYMMDDTHHMMSSZ.sqlite3 in it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.clock import Clock, SystemClock


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    pages: int


def backup_path(dest: Path, now: datetime) -> Path:
    if dest.is_dir():
        return dest / f"bot-{now.strftime('%Y%m%dT%H%M%SZ')}.sqlite3"
    return dest


def backup_database(source: Path, dest: Path, *, clock: Clock | None = None) -> BackupResult:
    """Copy `source` to `dest` (a file, or a folder to name one in); raises BackupError."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    target = backup_path(dest, (clock or SystemClock()).now())
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    if target.resolve() == source.resolve():
        raise BackupError("the backup would overwrite the database itself")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    # 0600 from the start: the copy is as private as the database.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        pages = _copy(source, partial)
        _verify(partial)
        with open(partial, "rb+") as file:
            os.fsync(file.fileno())
        os.replace(partial, target)
        _fsync_folder(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return BackupResult(path=target, size=target.stat().st_size, pages=pages)


def _copy(source: Path, partial: Path) -> int:
    # A read-write connection of our own (a read-only one could not use the WAL index if the
    # bot is not running); busy_timeout: wait for a checkpoint or a write lock to pass.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        # pages=-1: the whole database in one step, one read transaction, one consistent snapshot
        # (stepwise copying would restart whenever another process writes).
        src.backup(dst, pages=-1)
        # The source is in WAL mode and the copy would be too (two more files beside it when
        # opened); a backup is one self-contained file.
        dst.execute("PRAGMA journal_mode=DELETE")
        return int(dst.execute("PRAGMA page_count").fetchone()[0])
    except sqlite3.Error as error:
        raise BackupError(f"copying failed ({type(error).__name__}: {error})") from error
    finally:
        dst.close()
        src.close()


def verify(path: Path) -> list[str]:
    """`PRAGMA integrity_check`'s complaints about the file at `path` (empty: intact)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def _verify(path: Path) -> None:
    try:
        problems = verify(path)
    except sqlite3.Error as error:
        raise BackupError(f"the copy cannot be read ({type(error).__name__}: {error})") from error
    if problems:
        raise BackupError("the copy fails integrity_check: " + "; ".join(problems[:5]))


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

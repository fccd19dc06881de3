"""Storage: migrations upgrade in place without losing rows; records are immutable; FSM JSON."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.fsm_storage import SQLiteStorage
from storage import audit, consents, users
from storage.db import (
    MIGRATIONS_DIR, Database, Executor, MigrationError, apply_migrations, list_migrations, schema_version, to_iso,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def new_user(db: Database, user_id: int = 1) -> users.User:
    return await users.touch_customer(
        db, user_id=user_id, first_name="Айгүл", last_name=None, username="aigul", telegram_language="kk", now=NOW
    )


async def test_fresh_database_is_at_latest_version_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    try:
        assert await schema_version(db) == list_migrations(MIGRATIONS_DIR)[-1][0]
        assert (await db.fetch_value("PRAGMA journal_mode")).lower() == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
    finally:
        await db.close()


async def test_upgrade_in_place_keeps_rows(tmp_path: Path) -> None:
    """An existing database gets new migrations applied; its rows survive."""
    old_dir = tmp_path / "old"
    old_dir.mkdir()
    shutil.copy(MIGRATIONS_DIR / "0001_initial.sql", old_dir)
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path, migrations_dir=old_dir)
    # A row as the version at 0001 wrote it (Telegram names included): the code of today
    # (touch_customer) reads columns 0001 does not have.
    await db.execute(
        "INSERT INTO users (id, telegram_language, first_name, username, created_at, updated_at) "
        "VALUES (7, 'kk', 'Айгүл', 'aigul', ?, ?)",
        (to_iso(NOW), to_iso(NOW)),
    )
    await consents.record_decision(
        db, user_id=7, policy_version="2026-01-01", language="kk", decision="given", notice_text="N", now=NOW
    )
    await db.close()

    new_dir = tmp_path / "new"
    shutil.copytree(MIGRATIONS_DIR, new_dir)
    (new_dir / "9000_add_note.sql").write_text("ALTER TABLE users ADD COLUMN note TEXT;\n", encoding="utf-8")
    db = await Database.open(path, migrations_dir=new_dir)
    try:
        assert await schema_version(db) == 9000
        user = await users.get_user(db, 7)
        assert user is not None and user.first_name == "Айгүл"
        assert len(await consents.history(db, 7)) == 1
        assert await db.fetch_value("SELECT count(*) FROM users WHERE note IS NULL") == 1
        # Re-opening applies nothing twice.
        assert await apply_migrations(db, new_dir) == []
    finally:
        await db.close()


async def test_failed_migration_rolls_back_and_keeps_version(tmp_path: Path) -> None:
    bad_dir = tmp_path / "bad"
    shutil.copytree(MIGRATIONS_DIR, bad_dir)
    (bad_dir / "9001_broken.sql").write_text(
        "CREATE TABLE half (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n", encoding="utf-8"
    )
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    version = await schema_version(db)
    with pytest.raises(sqlite3.OperationalError):
        await apply_migrations(db, bad_dir)
    assert await schema_version(db) == version
    assert await db.fetch_value("SELECT count(*) FROM sqlite_master WHERE name = 'half'") == 0
    await db.close()


def test_bad_migration_names_are_refused(tmp_path: Path) -> None:
    (tmp_path / "1_x.sql").write_text("SELECT 1;", encoding="utf-8")
    with pytest.raises(MigrationError):
        list_migrations(tmp_path)


async def test_consent_records_and_audit_are_immutable(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        await new_user(db)
        record = await consents.record_decision(
            db, user_id=1, policy_version="2026-01-01", language="ru", decision="given", notice_text="текст", now=NOW
        )
        assert record.notice_sha256 == consents.notice_hash("текст")
        assert await consents.notice_text(db, record.notice_sha256) == "текст"
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            await db.execute("UPDATE consent_records SET decision = 'declined'")
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            await db.execute("DELETE FROM consent_records")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            await db.execute("DELETE FROM audit_log")
        events = [entry.event for entry in await audit.entries_for_user(db, 1)]
        assert events == ["consent_given"]
    finally:
        await db.close()


async def test_audit_never_stores_contact_values(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        await new_user(db)
        await users.correct_field(db, 1, "email", "aigul@example.kz", NOW)
        await users.correct_field(db, 1, "phone", "+77011234567", NOW)
        dump = await db.fetch_all("SELECT details FROM audit_log")
        text = " ".join(row[0] for row in dump)
        assert "aigul@example.kz" not in text and "77011234567" not in text
        assert (await users.get_user(db, 1)).email == "aigul@example.kz"  # type: ignore[union-attr]
        with pytest.raises(ValueError):
            await users.correct_field(db, 1, "ads_opt_in", "1", NOW)
    finally:
        await db.close()


async def test_ads_choice_history_and_no_duplicate_rows(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        await new_user(db)
        assert (await users.get_user(db, 1)).ads_opt_in is False  # type: ignore[union-attr]
        assert await users.set_ads_opt_in(db, 1, True, reason="user", actor="user:1", now=NOW)
        assert not await users.set_ads_opt_in(db, 1, True, reason="user", actor="user:1", now=NOW)
        assert await users.set_ads_opt_in(db, 1, False, reason="user", actor="user:1", now=NOW + timedelta(hours=1))
        history = await users.ads_history(db, 1)
        assert [choice.opted_in for choice in history] == [True, False]
    finally:
        await db.close()


async def test_fsm_state_survives_reopen_as_json(tmp_path: Path) -> None:
    from aiogram.fsm.storage.base import StorageKey

    path = tmp_path / "bot.sqlite3"
    clock = ManualClock(NOW)
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    db = await Database.open(path)
    storage = SQLiteStorage(db, clock)
    await storage.set_state(key, "Correction:email")
    await storage.update_data(key, {"draft": "Сәлем", "n": 2})
    await db.close()

    db = await Database.open(path)
    storage = SQLiteStorage(db, clock)
    try:
        assert await storage.get_state(key) == "Correction:email"
        assert await storage.get_data(key) == {"draft": "Сәлем", "n": 2}
        raw = await db.fetch_value("SELECT data FROM fsm_states")
        assert raw.startswith("{")  # JSON, not a pickle
        await storage.set_state(key, None)
        await storage.set_data(key, {})
        assert await db.fetch_value("SELECT count(*) FROM fsm_states") == 0
    finally:
        await db.close()


async def test_fsm_storage_reads_each_key_once_and_skips_writes_that_change_nothing(tmp_path: Path) -> None:
    from aiogram.fsm.storage.base import StorageKey

    db = await Database.open(tmp_path / "bot.sqlite3")
    statements: list[str] = []
    db.connection.set_trace_callback(lambda sql: statements.append(sql.split()[0].upper()))
    storage = SQLiteStorage(db, ManualClock(NOW), cache_size=2)
    key, other, third = (StorageKey(bot_id=1, chat_id=n, user_id=n) for n in (5, 6, 7))
    try:
        # A user with no state: one read, then /start's clear() and further reads touch nothing.
        assert await storage.get_state(key) is None
        await storage.set_state(key, None)
        await storage.set_data(key, {})
        assert await storage.get_state(key) is None and await storage.get_data(key) == {}
        assert statements == ["SELECT"]
        # Writes go through to the database; reads after them come from memory.
        await storage.set_state(key, "ClaimFlow:text")
        await storage.set_data(key, {"type": "claim"})
        del statements[:]
        data = await storage.get_data(key)
        data["type"] = "changed by the caller"  # a copy: the stored value stays as written
        assert await storage.get_state(key) == "ClaimFlow:text" and await storage.get_data(key) == {"type": "claim"}
        assert statements == []
        assert await db.fetch_value("SELECT data FROM fsm_states WHERE storage_key LIKE '1:5:%'") == '{"type": "claim"}'
        # The cache is bounded: the least recently used key is read again from the database.
        await storage.get_state(other)
        await storage.get_state(third)
        del statements[:]
        assert await storage.get_state(key) == "ClaimFlow:text" and statements == ["SELECT"]
        # Clearing a real state writes, and leaves no row behind.
        await storage.set_state(key, None)
        await storage.set_data(key, {})
        assert await db.fetch_value("SELECT count(*) FROM fsm_states") == 0
        assert await SQLiteStorage(db, ManualClock(NOW)).get_data(key) == {}
    finally:
        await db.close()


async def test_each_fsm_write_is_one_statement(tmp_path: Path) -> None:
    """aiogram's FSMContext.clear() is set_state(None) then set_data({}): each is one statement
    (the storage knows the whole row), the last one deleting the row."""
    from aiogram.fsm.storage.base import StorageKey

    db = await Database.open(tmp_path / "bot.sqlite3")
    storage = SQLiteStorage(db, ManualClock(NOW))
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    try:
        await storage.get_state(key)
        statements: list[str] = []
        db.connection.set_trace_callback(lambda sql: statements.append(sql.split()[0].upper()))
        await storage.set_state(key, "ClaimFlow:text")
        await storage.set_data(key, {"type": "claim"})
        await storage.set_state(key, None)
        assert await db.fetch_value("SELECT data FROM fsm_states") == '{"type": "claim"}'
        await storage.set_data(key, {})
        assert await db.fetch_value("SELECT count(*) FROM fsm_states") == 0
        assert statements == ["INSERT", "INSERT", "INSERT", "SELECT", "DELETE", "SELECT"]
    finally:
        await db.close()


async def test_a_flow_step_and_a_clear_are_one_write_each(tmp_path: Path) -> None:
    """set_state_and_data / clear_state: the step's state and data in one statement, where
    FSMContext's set_state + set_data (or clear()) would make two; other storages get those two."""
    from aiogram.fsm.context import FSMContext
    from aiogram.fsm.storage.base import StorageKey
    from aiogram.fsm.storage.memory import MemoryStorage

    from bot.fsm_storage import clear_state, set_state_and_data

    db = await Database.open(tmp_path / "bot.sqlite3")
    context = FSMContext(SQLiteStorage(db, ManualClock(NOW)), StorageKey(bot_id=1, chat_id=5, user_id=5))
    try:
        await context.get_state()
        statements: list[str] = []
        db.connection.set_trace_callback(lambda sql: statements.append(sql.split()[0].upper()))
        await set_state_and_data(context, "ClaimFlow:text", {"type": "claim"})
        assert statements == ["INSERT"]
        assert await context.get_state() == "ClaimFlow:text" and await context.get_data() == {"type": "claim"}
        await clear_state(context)
        assert statements == ["INSERT", "DELETE"]
        db.connection.set_trace_callback(None)
        assert await db.fetch_value("SELECT count(*) FROM fsm_states") == 0
    finally:
        await db.close()

    elsewhere = FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=5, user_id=5))
    await set_state_and_data(elsewhere, "ClaimFlow:text", {"type": "claim"})
    assert await elsewhere.get_state() == "ClaimFlow:text" and await elsewhere.get_data() == {"type": "claim"}
    await clear_state(elsewhere)
    assert await elsewhere.get_state() is None and await elsewhere.get_data() == {}


async def test_checkpoints_run_beside_the_bots_statements_not_inside_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's automatic checkpoint (inside the COMMIT, on the event loop) is off; the worker
    thread copies the log into the file instead, and after that the log starts afresh."""
    monkeypatch.setattr("storage.db.CHECKPOINT_SECONDS", 0.3)
    path = tmp_path / "bot.sqlite3"
    log = path.parent / (path.name + "-wal")
    db = await Database.open(path)
    statements: list[str] = []
    db.connection.set_trace_callback(lambda sql: statements.append(sql) if "wal_checkpoint" in sql else None)
    try:
        assert await db.fetch_value("PRAGMA wal_autocheckpoint") == 0
        async with db.transaction() as tx:  # past SQLite's 1,000 pages in one go
            for n in range(2500):
                await tx.execute("INSERT INTO audit_log (at, actor, event, details) VALUES (?, 'test', 'probe', ?)",
                                 (NOW.isoformat(), "x" * 2000 + str(n)))
        assert log.stat().st_size > 1000 * 4096  # no checkpoint inside that commit
        for _ in range(100):  # until a checkpoint has run: then the next write restarts the log
            size = log.stat().st_size
            await db.execute("INSERT INTO audit_log (at, actor, event, details) VALUES (?, 'test', 'probe', 'y')",
                             (NOW.isoformat(),))
            if log.stat().st_size == size:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the log never started afresh")
        assert statements == []  # none of it ran on the bot's connection: no lock was held for it
    finally:
        await db.close()
    assert not log.exists()  # the last close copies what is left and removes the log


async def test_a_log_grown_past_the_limit_is_copied_with_writes_held_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.db.CHECKPOINT_SECONDS", 0.05)
    monkeypatch.setattr("storage.db.RESTART_FRAMES", 1)
    db = await Database.open(tmp_path / "bot.sqlite3")
    seen: list[int] = []
    db.connection.set_trace_callback(lambda sql: seen.append(threading.get_ident()) if "wal_checkpoint" in sql else None)
    try:
        for _ in range(100):
            await db.execute("INSERT INTO audit_log (at, actor, event, details) VALUES (?, 'test', 'probe', 'y')",
                             (NOW.isoformat(),))
            if seen:
                break
            await asyncio.sleep(0.02)
        assert seen and threading.get_ident() not in seen  # on the bot's connection, in the worker thread
    finally:
        await db.close()


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO users (id, first_name, created_at, updated_at) VALUES (9, 'x', 'now', 'now')"
                )
                raise RuntimeError("boom")
        assert await users.get_user(db, 9) is None
    finally:
        await db.close()


async def test_insert_that_wrote_nothing_returns_zero(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        sql = "INSERT OR IGNORE INTO consent_notices (sha256, policy_version, language, text, first_shown_at) VALUES (?, 'v', 'ru', 't', 'now')"
        assert await db.execute(sql, ("a",)) > 0
        assert await db.execute(sql, ("b",)) > 0
        assert await db.execute(sql, ("a",)) == 0
    finally:
        await db.close()



async def test_a_statement_from_another_task_never_lands_in_an_open_transaction(tmp_path: Path) -> None:
    """Task A's transaction pauses and then fails; task B's insert, made meanwhile, survives A's
    rollback because it waited for A's transaction to end instead of running inside it."""
    db = await Database.open(tmp_path / "bot.sqlite3")
    insert = "INSERT INTO users (id, first_name, created_at, updated_at) VALUES (?, 'x', 'now', 'now')"
    inside = asyncio.Event()

    async def failing_transaction() -> None:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute(insert, (1,))
                inside.set()
                await asyncio.sleep(0.05)  # other tasks run now
                raise RuntimeError("boom")

    async def other_insert(executor: Executor) -> None:
        await inside.wait()
        await executor.execute(insert, (2,))

    try:
        for executor in (db, db.background):
            await db.execute("DELETE FROM users")
            inside.clear()
            await asyncio.gather(failing_transaction(), other_insert(executor))
            assert await users.get_user(db, 1) is None
            assert await users.get_user(db, 2) is not None
    finally:
        await db.close()


async def test_background_statements_leave_the_event_loop_serving(tmp_path: Path) -> None:
    """A long statement through `background` runs in the database's worker thread: the loop goes on
    serving other work meanwhile. Ordinary statements run on the loop's own thread."""
    db = await Database.open(tmp_path / "bot.sqlite3")
    threads: list[int] = []

    def slow() -> int:
        threads.append(threading.get_ident())
        time.sleep(0.3)
        return 1

    try:
        await db.run(lambda conn: conn.create_function("slow", 0, slow))
        query = asyncio.create_task(db.background.fetch_value("SELECT slow()"))
        ticks = 0
        while not query.done():
            ticks += 1
            await asyncio.sleep(0.01)
        assert await query == 1
        assert ticks > 5  # about 30: the loop was not held for the statement's 0.3 s
        assert threads == [threads[0]] and threads[0] != threading.get_ident()

        threads.clear()
        assert await db.fetch_value("SELECT slow()") == 1
        assert threads == [threading.get_ident()]
    finally:
        await db.close()


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


async def test_database_wal_shm_and_backups_are_readable_by_the_bots_user_only(tmp_path: Path) -> None:
    """Personal data on disk: 0600 files in a 0700 folder, whatever the umask; files an older
    version left readable by everyone are tightened when the bot opens them."""
    import os

    previous_umask = os.umask(0o022)  # the usual default, which gives 0644 files and 0755 folders
    try:
        path = tmp_path / "data" / "bot.sqlite3"
        db = await Database.open(path)
        try:
            await new_user(db)
            files = [path, path.with_name("bot.sqlite3-wal"), path.with_name("bot.sqlite3-shm")]
            assert all(f.exists() for f in files)
            assert [mode(f) for f in files] == [0o600] * 3
            assert mode(path.parent) == 0o700
        finally:
            await db.close()

        for f in files:
            if f.exists():
                f.chmod(0o644)
        db = await Database.open(path)
        try:
            assert [mode(f) for f in files if f.exists()] == [0o600] * len([f for f in files if f.exists()])
        finally:
            await db.close()
    finally:
        os.umask(previous_umask)

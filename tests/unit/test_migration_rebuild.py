"""The migrations runner can run SQLite's table rebuild (foreign keys off, foreign_key_check after),
and migration 0014 rebuilds claims without its list of types, keeping rows, indexes and triggers."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from storage.db import MIGRATIONS_DIR, Database, MigrationError, schema_version

# --------------------------------------------------------------------------- the runner, on a small schema

SCHEMA = """
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
CREATE TABLE parent (id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('a', 'b')));
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id));
CREATE TRIGGER parent_no_delete BEFORE DELETE ON parent
BEGIN
    SELECT RAISE(ABORT, 'parents are kept');
END;
INSERT INTO parent (id, kind) VALUES (1, 'a'), (2, 'b');
INSERT INTO child (id, parent_id) VALUES (10, 1), (20, 2);
"""


def rebuild(keep: str) -> str:
    """A rebuild of `parent` without its CHECK list, copying the rows WHERE `keep`."""
    return f"""-- migration: foreign_keys=off
CREATE TABLE parent_new (id INTEGER PRIMARY KEY, kind TEXT NOT NULL);
INSERT INTO parent_new (id, kind) SELECT id, kind FROM parent WHERE {keep};
DROP TABLE parent;
ALTER TABLE parent_new RENAME TO parent;
CREATE TRIGGER parent_no_delete BEFORE DELETE ON parent
BEGIN
    SELECT RAISE(ABORT, 'parents are kept');
END;
"""


def migrations(tmp_path: Path, second: str) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_schema.sql").write_text(SCHEMA, encoding="utf-8")
    (folder / "0002_rebuild.sql").write_text(second, encoding="utf-8")
    return folder


async def test_a_rebuild_that_keeps_every_key_is_applied_with_data_and_triggers(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "ok.sqlite3", migrations(tmp_path, rebuild("1")))
    try:
        assert await schema_version(db) == 2
        assert [tuple(r) for r in await db.fetch_all("SELECT id, kind FROM parent ORDER BY id")] == [(1, "a"), (2, "b")]
        await db.execute("INSERT INTO parent (id, kind) VALUES (3, 'c')")  # the CHECK list is gone
        with pytest.raises(sqlite3.IntegrityError, match="parents are kept"):  # the trigger came back
            await db.execute("DELETE FROM parent WHERE id = 3")
        assert await db.fetch_value("PRAGMA foreign_keys") == 1  # back on after the migration
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            await db.execute("INSERT INTO child (id, parent_id) VALUES (30, 99)")
    finally:
        await db.close()


async def test_a_rebuild_that_would_break_a_foreign_key_is_refused_and_rolled_back(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    with pytest.raises(MigrationError, match=r"0002_rebuild would break 1 foreign key\(s\) \(child row 20 → parent\)"):
        await Database.open(path, migrations(tmp_path, rebuild("id <> 2")))  # parent 2 still has a child
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
        assert connection.execute("SELECT id, kind FROM parent ORDER BY id").fetchall() == [(1, "a"), (2, "b")]
        table_sql = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'parent'").fetchone()[0]
        assert "CHECK (kind IN ('a', 'b'))" in table_sql  # the old table, not the half-built one
        assert connection.execute("SELECT name FROM sqlite_master WHERE name = 'parent_new'").fetchall() == []
        assert connection.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == 1
    finally:
        connection.close()


async def test_without_the_declaration_the_same_rebuild_fails_on_the_foreign_keys(tmp_path: Path) -> None:
    """Why the runner needs the declaration: with foreign keys on, DROP TABLE deletes the rows first."""
    plain = rebuild("1").replace("-- migration: foreign_keys=off\n", "")
    with pytest.raises(sqlite3.IntegrityError):
        await Database.open(tmp_path / "plain.sqlite3", migrations(tmp_path, plain))


# --------------------------------------------------------------------------- 0014 on the project's schema

NOW = "2026-03-02T04:00:00.000000+00:00"


def schema_objects(connection: sqlite3.Connection) -> dict[str, str]:
    rows = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'claims' AND type IN ('index', 'trigger') AND sql IS NOT NULL"
    ).fetchall()
    return dict(rows)


async def test_0014_keeps_claims_their_references_indexes_and_triggers_and_accepts_any_type(tmp_path: Path) -> None:
    before_dir = tmp_path / "before"
    before_dir.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if int(path.name[:4]) < 14:
            shutil.copy(path, before_dir)
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path, before_dir)
    try:
        await db.execute("INSERT INTO users (id, first_name, created_at, updated_at) VALUES (1, 'A', ?, ?)", (NOW, NOW))
        for claim_id, kind in ((1, "claim"), (2, "destroy")):
            await db.execute(
                "INSERT INTO claims (id, number, year, seq, user_id, type, text, language, registered_at, days, days_kind, "
                "due_date, updated_at) VALUES (?, ?, 2026, ?, 1, ?, 'the text', 'ru', ?, 1, 'working', '2026-03-03', ?)",
                (claim_id, f"2026-{claim_id:04d}", claim_id, kind, NOW, NOW),
            )
        await db.execute("INSERT INTO claim_followups (claim_id, text, created_at) VALUES (2, 'more', ?)", (NOW,))
        await db.execute("INSERT INTO claim_alerts (claim_id, kind, key, created_at) VALUES (1, 'reminder', '7', ?)", (NOW,))
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):  # before: the list of five types
            await db.execute(
                "INSERT INTO claims (number, year, seq, user_id, type, text, language, registered_at, days, days_kind, "
                "due_date, updated_at) VALUES ('2026-0003', 2026, 3, 1, 'portability', 't', 'ru', ?, 1, 'working', "
                "'2026-03-03', ?)", (NOW, NOW),
            )
    finally:
        await db.close()
    connection = sqlite3.connect(path)
    objects_before = schema_objects(connection)
    connection.close()

    db = await Database.open(path)  # every migration: 0014 now
    try:
        assert await schema_version(db) >= 14
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
        rows = [tuple(r) for r in await db.fetch_all("SELECT id, number, type, text FROM claims ORDER BY id")]
        assert rows == [(1, "2026-0001", "claim", "the text"), (2, "2026-0002", "destroy", "the text")]
        assert await db.fetch_value("SELECT claim_id FROM claim_followups") == 2
        assert await db.fetch_value("SELECT claim_id FROM claim_alerts") == 1
        # any type now; ids go on from the old sequence
        new_id = await db.execute(
            "INSERT INTO claims (number, year, seq, user_id, type, text, language, registered_at, days, days_kind, "
            "due_date, updated_at) VALUES ('2026-0003', 2026, 3, 1, 'portability', 't', 'ru', ?, 1, 'working', "
            "'2026-03-03', ?)", (NOW, NOW),
        )
        assert new_id == 3
        # the append-only and redaction triggers still fire
        with pytest.raises(sqlite3.IntegrityError, match="claims are kept"):
            await db.execute("DELETE FROM claims WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="can only be redacted"):
            await db.execute("UPDATE claims SET text = 'rewritten' WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            await db.execute("UPDATE claims SET type = 'access' WHERE id = 1")
        await db.execute("UPDATE claims SET text = '', redacted_at = ? WHERE id = 2", (NOW,))  # a redaction passes
        # the claims still anchor their references
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            await db.execute("INSERT INTO claim_followups (claim_id, text, created_at) VALUES (99, 'x', ?)", (NOW,))
        assert await db.fetch_all("PRAGMA foreign_key_check") == []
        assert "portability" not in (await db.fetch_value("SELECT sql FROM sqlite_master WHERE name = 'claims'"))
        assert "CHECK (type" not in (await db.fetch_value("SELECT sql FROM sqlite_master WHERE name = 'claims'"))
    finally:
        await db.close()
    connection = sqlite3.connect(path)
    objects_after = schema_objects(connection)
    connection.close()
    assert {name: sql for name, sql in objects_after.items() if name != "claims_by_type"} == objects_before
    assert objects_after["claims_by_type"] == "CREATE INDEX claims_by_type ON claims (type)"

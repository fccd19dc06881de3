"""storage.policy_versions on a real SQLite file: the 0011 upgrade keeps earlier publications,
and a withdrawn date can be published again."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from storage import policy_versions
from storage.db import MIGRATIONS_DIR, Database, apply_migrations

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


async def test_upgrade_keeps_publications_as_in_force(tmp_path: Path) -> None:
    older = tmp_path / "older"
    older.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if int(path.name[:4]) < 11:
            shutil.copy(path, older / path.name)
    db = await Database.open(tmp_path / "bot.sqlite3", migrations_dir=older)
    try:
        await db.execute(
            "INSERT INTO policy_publications (version, published_by, published_at) VALUES "
            "('2026-01-01', 'system', '2026-01-01T00:00:00+00:00'), ('2026-02-01', 'operator:5', '2026-02-01T00:00:00+00:00')"
        )
        await apply_migrations(db)
        assert await policy_versions.published_versions(db) == {"2026-01-01", "2026-02-01"}
        february = await policy_versions.get(db, "2026-02-01")
        assert february is not None and february.in_force_at == "2026-02-01T00:00:00+00:00"
        # Published by an operator, no notice recorded (a crash in the old separate steps).
        assert [p.version for p in await policy_versions.without_notice(db)] == ["2026-02-01"]
    finally:
        await db.close()


async def test_a_withdrawn_date_can_be_published_again_but_never_twice_at_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        async with db.transaction() as tx:
            assert await policy_versions.insert_publication(tx, "2026-04-01", actor="operator:5", now=NOW, in_force=False)
            assert not await policy_versions.insert_publication(tx, "2026-04-01", actor="operator:6", now=NOW, in_force=False)
        async with db.transaction() as tx:
            withdrawn = await policy_versions.withdraw(tx, "2026-04-01", actor="operator:5", now=NOW)
        assert withdrawn is not None and withdrawn.published_by == "operator:5"
        assert await policy_versions.published_versions(db) == set()
        async with db.transaction() as tx:
            assert await policy_versions.insert_publication(tx, "2026-04-01", actor="operator:6", now=NOW, in_force=True)
            # In force: no longer withdrawable.
            assert await policy_versions.withdraw(tx, "2026-04-01", actor="operator:6", now=NOW) is None
        assert (await policy_versions.publications(db))["2026-04-01"][0] == "operator:6"
    finally:
        await db.close()

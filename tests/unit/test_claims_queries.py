"""The indexed claim queries (/claims, /overdue, /stats, the reminder scan) against the plain ones.

/stats used to load every claim and compute in Python (compute_stats); claim_stats counts in SQL.
Both run here over the same seeded database and must agree exactly. Query plans are checked so
the operators' commands never fall back to reading the whole claims table.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot import claims as domain
from bot.config import Settings
from storage import claims as store
from storage.db import Database, to_iso

SETTINGS = Settings(_env_file=None, bot_token="1:abcdefghij", admin_chat_id=-1)  # type: ignore[call-arg]
NOW = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)  # 11:00 in Almaty, after the reminder hour


def t(key: str, **kwargs: object) -> str:
    return key


async def seed(db: Database, count: int, rng: random.Random) -> None:
    await db.execute(
        "INSERT INTO users (id, first_name, created_at, updated_at) VALUES (1, 'A', ?, ?)", (to_iso(NOW), to_iso(NOW))
    )
    rows = []
    for i in range(1, count + 1):
        # microseconds included: the stored format always carries six digits
        registered = NOW - timedelta(days=rng.uniform(0, 60), microseconds=rng.randint(0, 999_999))
        due = (registered.astimezone(SETTINGS.tz).date() + timedelta(days=rng.choice((1, 3, 10, 30)))).isoformat()
        status = rng.choice(("registered", "in_progress", "answered", "closed", "closed"))
        first_reply = None
        if status == "answered" or (status == "closed" and rng.random() < 0.8):
            first_reply = registered + timedelta(seconds=rng.uniform(0, 40 * 86400), microseconds=rng.randint(0, 999_999))
            first_reply = min(first_reply, NOW)
        if rng.random() < 0.05:  # a reply exactly at a local midnight boundary
            first_reply = datetime.fromisoformat(due + "T00:00:00").replace(tzinfo=SETTINGS.tz) + timedelta(days=rng.choice((0, 1)))
            if status in ("registered", "in_progress"):
                status = "answered"
        rows.append((i, f"2026-{i:04d}", 2026, i, 1, "claim", "text", "ru", status, to_iso(registered), 30, "calendar", due,
                     to_iso(first_reply) if first_reply else None, to_iso(NOW)))
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO claims (id, number, year, seq, user_id, type, text, language, status, registered_at, days, days_kind, "
            "due_date, first_reply_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


@pytest.mark.parametrize(("count", "seed_value"), [(0, 1), (1, 2), (2, 3), (57, 4), (300, 5)])
async def test_stats_in_sql_equal_the_python_computation(tmp_path: Path, count: int, seed_value: int) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    try:
        await seed(db, count, random.Random(seed_value))
        for now in (NOW, NOW + timedelta(days=20), NOW - timedelta(days=30)):
            expected = domain.compute_stats(await store.all_claims(db), now, SETTINGS)
            assert await domain.claim_stats(db, now, SETTINGS) == expected
    finally:
        await db.close()


async def test_lists_equal_the_filtered_full_lists(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "l.sqlite3")
    try:
        await seed(db, 400, random.Random(7))
        every = await store.all_claims(db)
        for now in (NOW, NOW + timedelta(days=15)):
            today = now.astimezone(SETTINGS.tz).date()
            opened = sorted((c for c in every if c.status in store.OPEN_STATUSES), key=lambda c: (c.due_date, c.id))
            assert await domain.open_claims_page(db, 50) == (len(opened), opened[:50])
            late = [c for c in opened if domain.display_status(c, today) == "overdue"]
            assert await domain.overdue_claims_page(db, today, 50) == (len(late), late[:50])
    finally:
        await db.close()


async def test_scan_emits_once_and_skips_what_is_done(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    try:
        await seed(db, 200, random.Random(11))
        today = NOW.astimezone(SETTINGS.tz).date()
        horizon = today + timedelta(days=max(SETTINGS.reminder_days_list))
        unanswered = await store.unanswered(db)
        due_soon = [c for c in unanswered if c.due_date <= horizon.isoformat()]
        first = await domain.emit_alerts(db, SETTINGS, t, NOW)
        # Each overdue or nearly due claim: one message, unless the only thresholds it reached were
        # already inside its term at registration (those are skipped, but remembered as done).
        told = [c for c in due_soon if c.due_date < today.isoformat() or any(
            (date.fromisoformat(c.due_date) - today).days <= d and d not in domain.skipped_reminders(SETTINGS, c)
            for d in SETTINGS.reminder_days_list)]
        assert first == len(told) > 0
        alerted = {r[0] for r in await db.fetch_all("SELECT DISTINCT claim_id FROM claim_alerts")}
        assert alerted == {c.id for c in due_soon}
        assert await domain.emit_alerts(db, SETTINGS, t, NOW + timedelta(hours=1)) == 0
        # the next day: only the overdue alerts are daily
        tomorrow = NOW + timedelta(days=1)
        next_today = (today + timedelta(days=1)).isoformat()
        overdue_then = [c for c in unanswered if c.due_date < next_today]
        assert await domain.emit_alerts(db, SETTINGS, t, tomorrow) >= len(overdue_then)
    finally:
        await db.close()


async def test_operator_queries_do_not_read_or_sort_the_whole_table(tmp_path: Path) -> None:
    """Every statement the rewritten functions run uses an index; the lists need no sort."""
    db = await Database.open(tmp_path / "p.sqlite3")
    try:
        await seed(db, 50, random.Random(3))
        statements: list[str] = []
        db.connection.set_trace_callback(statements.append)
        today = NOW.astimezone(SETTINGS.tz).date()
        await domain.open_claims_page(db, 50)
        await domain.overdue_claims_page(db, today, 50)
        await domain.claim_stats(db, NOW, SETTINGS)
        await domain.emit_alerts(db, SETTINGS, t, NOW)
        db.connection.set_trace_callback(None)
        selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH")) and "claims" in s]
        assert len(selects) >= 10
        for sql in selects:
            plan = [row[3] for row in await db.fetch_all("EXPLAIN QUERY PLAN " + sql)]
            assert not any(step in ("SCAN claims", "SCAN c") or "TEMP B-TREE" in step for step in plan), (sql, plan)
    finally:
        await db.close()

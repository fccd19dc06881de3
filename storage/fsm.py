"""Rows behind aiogram's FSM storage (bot/fsm_storage.py): JSON, never pickle.

Each write is one call into SQLite, and clearing a state that has no row writes
nothing: /start clears the state on every visit.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from storage.db import Executor, to_iso

_DROP_IF_EMPTY = "DELETE FROM fsm_states WHERE storage_key = ? AND state IS NULL AND data = '{}'"


async def get_state(db: Executor, key: str) -> str | None:
    return await db.fetch_value("SELECT state FROM fsm_states WHERE storage_key = ?", (key,))


async def get_data(db: Executor, key: str) -> dict[str, Any]:
    raw = await db.fetch_value("SELECT data FROM fsm_states WHERE storage_key = ?", (key,))
    return {} if raw is None else json.loads(raw)


def _set(conn: sqlite3.Connection, column: str, key: str, value: str | None, empty: bool, stamp: str) -> None:
    if empty:
        # Nothing to keep: update an existing row, then drop it if it holds nothing any more.
        conn.execute(f"UPDATE fsm_states SET {column} = ?, updated_at = ? WHERE storage_key = ?", (value, stamp, key))
        # A finished flow leaves no row behind: no stale drafts of personal data kept.
        conn.execute(_DROP_IF_EMPTY, (key,))
    else:
        conn.execute(
            f"INSERT INTO fsm_states (storage_key, {column}, updated_at) VALUES (?, ?, ?) "
            f"ON CONFLICT (storage_key) DO UPDATE SET {column} = excluded.{column}, updated_at = excluded.updated_at",
            (key, value, stamp),
        )


async def set_state(db: Executor, key: str, state: str | None, now: datetime) -> None:
    await db.run(_set, "state", key, state, state is None, to_iso(now))


async def set_data(db: Executor, key: str, data: dict[str, Any], now: datetime) -> None:
    await db.run(_set, "data", key, json.dumps(data, ensure_ascii=False), not data, to_iso(now))

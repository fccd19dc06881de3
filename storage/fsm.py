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


async def get_row(db: Executor, key: str) -> tuple[str | None, str] | None:
    """(state, data as JSON text) of a key, or None if it has no row (no state, no data)."""
    row = await db.fetch_one("SELECT state, data FROM fsm_states WHERE storage_key = ?", (key,))
    return None if row is None else (row[0], row[1])


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


def dump_data(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


async def set_data(db: Executor, key: str, data_json: str, now: datetime) -> None:
    """`data_json` is `dump_data(data)`: the caller keeps the same text as the row."""
    await db.run(_set, "data", key, data_json, data_json == "{}", to_iso(now))

"""Rows behind aiogram's FSM storage (bot/fsm_storage.py): JSON, never pickle.

Each write is one statement that sets the whole row (or deletes it when it would hold
nothing), and clearing a state that has no row writes nothing: /start clears the state on
every visit.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from storage.db import Executor, to_iso


async def get_row(db: Executor, key: str) -> tuple[str | None, str] | None:
    """(state, data as JSON text) of a key, or None if it has no row (no state, no data)."""
    row = await db.fetch_one("SELECT state, data FROM fsm_states WHERE storage_key = ?", (key,))
    return None if row is None else (row[0], row[1])


def _write(conn: sqlite3.Connection, key: str, state: str | None, data: str, stamp: str) -> None:
    if state is None and data == "{}":
        # Nothing to keep: a finished flow leaves no row behind (no stale drafts of personal data).
        conn.execute("DELETE FROM fsm_states WHERE storage_key = ?", (key,)).close()
    else:
        conn.execute(
            "INSERT INTO fsm_states (storage_key, state, data, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (storage_key) DO UPDATE SET state = excluded.state, data = excluded.data, "
            "updated_at = excluded.updated_at",
            (key, state, data, stamp),
        ).close()


async def write_row(db: Executor, key: str, state: str | None, data_json: str, now: datetime) -> None:
    """Make the key's row hold `state` and `data_json` (`dump_data(data)`): one statement, the
    whole row written, so the caller (bot/fsm_storage.py, which knows the row) needs no read."""
    await db.run(_write, key, state, data_json, to_iso(now))


def dump_data(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)

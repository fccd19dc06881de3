"""Rows behind aiogram's FSM storage (bot/fsm_storage.py): JSON, never pickle."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.db import Executor, to_iso


async def get_state(db: Executor, key: str) -> str | None:
    return await db.fetch_value("SELECT state FROM fsm_states WHERE storage_key = ?", (key,))


async def get_data(db: Executor, key: str) -> dict[str, Any]:
    raw = await db.fetch_value("SELECT data FROM fsm_states WHERE storage_key = ?", (key,))
    return {} if raw is None else json.loads(raw)


async def set_state(db: Executor, key: str, state: str | None, now: datetime) -> None:
    await db.execute(
        "INSERT INTO fsm_states (storage_key, state, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (storage_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        (key, state, to_iso(now)),
    )
    await _drop_if_empty(db, key)


async def set_data(db: Executor, key: str, data: dict[str, Any], now: datetime) -> None:
    await db.execute(
        "INSERT INTO fsm_states (storage_key, data, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (storage_key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        (key, json.dumps(data, ensure_ascii=False), to_iso(now)),
    )
    await _drop_if_empty(db, key)


async def _drop_if_empty(db: Executor, key: str) -> None:
    # A finished flow leaves no row behind: no stale drafts of personal data kept.
    await db.execute(
        "DELETE FROM fsm_states WHERE storage_key = ? AND state IS NULL AND data = '{}'", (key,)
    )

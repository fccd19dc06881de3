"""aiogram FSM storage in the bot's own SQLite database.

Conversation state survives a restart: a user halfway through correcting their e-mail or
writing a claim continues where they were. Data is JSON (never pickle), so a database file
can't smuggle in code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from bot.clock import Clock
from storage import fsm
from storage.db import Database


def _key(key: StorageKey) -> str:
    return ":".join(
        str(part) if part is not None else ""
        for part in (key.bot_id, key.chat_id, key.user_id, key.thread_id, key.business_connection_id, key.destiny)
    )


class SQLiteStorage(BaseStorage):
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await fsm.set_state(self._db, _key(key), value, self._clock.now())

    async def get_state(self, key: StorageKey) -> str | None:
        return await fsm.get_state(self._db, _key(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await fsm.set_data(self._db, _key(key), dict(data), self._clock.now())

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await fsm.get_data(self._db, _key(key))

    async def close(self) -> None:
        # The database belongs to the application, which closes it.
        pass

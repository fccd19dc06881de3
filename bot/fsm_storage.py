"""aiogram FSM storage in the bot's own SQLite database.

Conversation state survives a restart: a user halfway through correcting their e-mail or
writing a claim continues where they were. Data is JSON (never pickle), so a database file
can't smuggle in code.

The rows are the truth; the storage also remembers the rows of the most recently used keys
(write-through, bounded). aiogram's FSM middleware reads the state of every update, and /start
or a new flow clears a state that is usually clear already: with the cache the first is
answered from memory and the second writes nothing, a good part of the bot's SQLite
statements per update (bench/RESULTS.md). Like the rest of the bot it assumes one bot process
per database file; storage/fsm.py is the only code that writes these rows.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from bot.clock import Clock
from storage import fsm
from storage.db import Database

Row = tuple[str | None, str]  # (state, data as JSON text)
EMPTY: Row = (None, "{}")  # what a key without a row holds


def _state_name(state: StateType) -> str | None:
    return state.state if isinstance(state, State) else state


def _key(key: StorageKey) -> str:
    return ":".join(
        str(part) if part is not None else ""
        for part in (key.bot_id, key.chat_id, key.user_id, key.thread_id, key.business_connection_id, key.destiny)
    )


class SQLiteStorage(BaseStorage):
    def __init__(self, db: Database, clock: Clock, *, cache_size: int = 10_000) -> None:
        self._db = db
        self._clock = clock
        self._cache_size = cache_size
        self._rows: OrderedDict[str, Row] = OrderedDict()

    async def _row(self, key: str) -> Row:
        row = self._rows.get(key)
        if row is None:
            row = await fsm.get_row(self._db, key) or EMPTY
            self._remember(key, row)
        else:
            self._rows.move_to_end(key)
        return row

    def _remember(self, key: str, row: Row) -> None:
        self._rows[key] = row
        self._rows.move_to_end(key)
        while len(self._rows) > self._cache_size:
            self._rows.popitem(last=False)

    async def _write(self, name: str, row: Row, new_row: Row) -> None:
        """Make the key's row `new_row`, unless the key has no row and none is wanted. (An
        unchanged row is still written: its updated_at is what DRAFT_TTL_HOURS counts from.)"""
        if row == EMPTY and new_row == EMPTY:
            return  # nothing to write
        try:
            await fsm.write_row(self._db, name, new_row[0], new_row[1], self._clock.now())
        except BaseException:
            self._rows.pop(name, None)  # unsure what the row holds now: read it next time
            raise
        self._remember(name, new_row)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = _key(key)
        row = await self._row(name)
        await self._write(name, row, (_state_name(state), row[1]))

    async def set_state_and_data(self, key: StorageKey, state: StateType, data: Mapping[str, Any]) -> None:
        """Both in one write, where aiogram's FSMContext makes two (set_state, then set_data)."""
        name = _key(key)
        row = await self._row(name)
        await self._write(name, row, (_state_name(state), fsm.dump_data(dict(data))))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(_key(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        name = _key(key)
        row = await self._row(name)
        text = fsm.dump_data(dict(data))
        await self._write(name, row, (row[0], text))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return json.loads((await self._row(_key(key)))[1])  # a new dict each time: callers change it

    def forget(self, names: list[str]) -> None:
        """Rows deleted by erasure or retention (storage/redaction.py): drop them from memory too."""
        for name in names:
            self._rows.pop(name, None)

    async def close(self) -> None:
        # The database belongs to the application, which closes it.
        self._rows.clear()


async def set_state_and_data(context: FSMContext, state: StateType, data: Mapping[str, Any]) -> None:
    """Move a conversation to `state` with `data`: one write with this bot's storage; with any
    other storage, FSMContext's set_state and set_data."""
    if isinstance(context.storage, SQLiteStorage):
        await context.storage.set_state_and_data(context.key, state, data)
        return
    await context.set_state(state)
    await context.set_data(data)


async def clear_state(context: FSMContext) -> None:
    """FSMContext.clear() (no state, no data) in one write instead of two."""
    await set_state_and_data(context, None, {})

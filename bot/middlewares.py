"""Middlewares: load the customer once per update, hand handlers the current policy library,
and keep one chat's updates in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.types import Chat, TelegramObject
from aiogram.types import User as TelegramUser

from bot.clock import Clock
from bot.live_policies import LivePolicies
from storage import users
from storage.db import Database


class UserMiddleware(BaseMiddleware):
    """Puts `app_user` (storage.users.User) into handler data for private-chat updates.

    Only people who talk to the bot privately are customers; operators acting in the admin chat
    are not registered as users (they would otherwise receive customer broadcasts).

    Telegram's first and last name and username are stored only while needed: while the person
    has consent in force or a claim open (the operators must see who writes), and are emptied
    otherwise (storage.users.touch_customer; the daily retention job does the same for people
    who no longer write). The handlers of this update still see them in `app_user`.
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        from_user: TelegramUser | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        data["app_user"] = None
        if from_user is not None and not from_user.is_bot and chat is not None and chat.type == ChatType.PRIVATE:
            db: Database = data["db"]
            clock: Clock = data["clock"]
            data["app_user"] = await users.touch_customer(
                db,
                user_id=from_user.id,
                first_name=from_user.first_name,
                last_name=from_user.last_name,
                username=from_user.username,
                telegram_language=from_user.language_code,
                now=clock.now(),
            )
        return await handler(event, data)


class PolicyLibraryMiddleware(BaseMiddleware):
    """Puts the policy library current at this moment into handler data as `policies`.

    Read per update from the LivePolicies holder, so a publication takes effect for the very
    next update whatever copy of the dispatcher data the polling or webhook loop holds.
    """

    def __init__(self, live: LivePolicies) -> None:
        self.live = live

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["policies"] = self.live.library
        return await handler(event, data)


class ChatOrderIsolation(BaseEventIsolation):
    """Handles one chat's updates one at a time, in arrival order; other chats run concurrently.

    Like aiogram's SimpleEventIsolation, but forgets a chat's lock once nobody waits on it, so
    memory does not grow with every user who ever wrote to the bot.
    """

    def __init__(self) -> None:
        self._locks: dict[tuple[int, int | None], tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        name = (key.chat_id, key.thread_id)
        lock, users_count = self._locks.get(name, (asyncio.Lock(), 0))
        self._locks[name] = (lock, users_count + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users_count = self._locks[name]
            if users_count <= 1:
                del self._locks[name]
            else:
                self._locks[name] = (lock, users_count - 1)

    @property
    def active_chats(self) -> int:
        return len(self._locks)

    async def close(self) -> None:
        self._locks.clear()

"""End-to-end harness: the real Dispatcher and Bot, over HTTP, against the stand-in Bot API.

The bot runs as in production: `dispatcher.start_polling` (update tasks, the used update types)
long-polls the stand-in's getUpdates, and everything the bot sends travels over real HTTP to
the stand-in (stand_in/), which rejects what Telegram would reject. What a person does is queued in the
stand-in; the harness waits until the dispatcher has finished that update (an outer middleware
registered here marks each update done), so a test reads the answers afterwards. Feeding updates
with `feed_update` instead once hid a bug: data replaced in the dispatcher after start never
reached a polling bot.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import TelegramObject, Update

from bot.app import App, create_app
from bot.clock import ManualClock
from bot.config import Settings
from stand_in import StoredMessage, TelegramStandIn

ADMIN_CHAT_ID = -1001000000001
# 09:00 in Almaty (UTC+5).
START = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
# The administrators of the admin chat, so operators (bot/operators.py): the people the e2e tests
# act as in the operators' chat (777 in test_claims, 9001 in test_broadcasts).
OPERATOR_IDS = (777, 9001)


@pytest.fixture
async def stand_in() -> AsyncIterator[TelegramStandIn]:
    server = TelegramStandIn()
    await server.start()
    server.add_group(ADMIN_CHAT_ID, title="Operators", admins=OPERATOR_IDS)
    yield server
    await server.stop()


@pytest.fixture
def make_settings(tmp_path: Path, stand_in: TelegramStandIn) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "bot_token": stand_in.token,
            "admin_chat_id": ADMIN_CHAT_ID,
            "database_url": f"sqlite:///{tmp_path}/bot.sqlite3",
            "telegram_api_url": stand_in.url,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return make


# How long a test waits for the bot to finish one update before failing with what it saw.
UPDATE_TIMEOUT = 30.0


class Harness:
    """Acts as the people in the chats and reads what the bot answered.

    The bot polls the stand-in in a background task; `feed` waits until the update has been
    handled by the dispatcher (or fails after UPDATE_TIMEOUT, listing the last API calls).
    """

    def __init__(self, app: App, stand_in: TelegramStandIn) -> None:
        self.app = app
        self.server = stand_in
        self._handled: set[int] = set()
        self._progress = asyncio.Event()
        self._polling: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Starts the bot as `python -m bot` does: start_polling, which emits start-up first."""
        dispatcher = self.app.dispatcher
        # Outermost, around aiogram's own ErrorsMiddleware: an update counts as handled once its
        # error handler (the apology) has run too. Public API only: the manager is a sequence with
        # register/unregister, so the existing ones are registered again after ours.
        existing = list(dispatcher.update.outer_middleware)
        for middleware in existing:
            dispatcher.update.outer_middleware.unregister(middleware)
        dispatcher.update.outer_middleware(self._mark_handled)
        for middleware in existing:
            dispatcher.update.outer_middleware(middleware)
        started = asyncio.Event()
        dispatcher.startup.register(started.set)
        self._polling = asyncio.create_task(
            dispatcher.start_polling(
                self.app.bot,
                allowed_updates=dispatcher.resolve_used_update_types(),
                handle_as_tasks=True,
                handle_signals=False,
                close_bot_session=False,
                polling_timeout=5,
            )
        )
        waiter = asyncio.ensure_future(started.wait())
        await asyncio.wait({waiter, self._polling}, return_when=asyncio.FIRST_COMPLETED)
        if self._polling.done():
            waiter.cancel()
            self._polling.result()  # start-up failed: raise its error here
            raise AssertionError("polling ended during start-up")

    async def stop(self) -> None:
        """Stops polling (start_polling emits shutdown), then closes what the app opened."""
        if self._polling is not None and not self._polling.done():
            await self.app.dispatcher.stop_polling()
        if self._polling is not None:
            await self._polling
        await self.app.bot.session.close()
        await self.app.db.close()

    async def _mark_handled(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        finally:
            assert isinstance(event, Update)
            self._handled.add(event.update_id)
            self._progress.set()

    async def wait_handled(self, update_id: int, *, timeout: float = UPDATE_TIMEOUT) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while update_id not in self._handled:
            assert self._polling is not None and not self._polling.done(), "the bot is not polling"
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = "\n".join(f"  {c.method} ok={c.ok} {c.description or ''}" for c in self.server.calls[-10:])
                raise AssertionError(f"update {update_id} not handled after {timeout}s; last calls:\n{recent}")
            self._progress.clear()
            try:
                await asyncio.wait_for(self._progress.wait(), min(remaining, 0.5))
            except TimeoutError:
                pass

    @property
    def clock(self) -> ManualClock:
        assert isinstance(self.app.clock, ManualClock)
        return self.app.clock

    async def feed(self, update: dict[str, Any]) -> None:
        """Waits for an update the stand-in queued (user_message, callback, ...) to be handled."""
        await self.wait_handled(update["update_id"])

    def _bot_ids(self, chat_id: int) -> set[int]:
        return {m.message_id for m in self.server.bot_messages(chat_id)}

    async def _new_after(self, chat_id: int, update: dict[str, Any]) -> list[StoredMessage]:
        before = self._bot_ids(chat_id)
        await self.feed(update)
        return [m for m in self.server.bot_messages(chat_id) if m.message_id not in before]

    def user(self, user_id: int, *, language_code: str | None = "ru", first_name: str = "Айгерим", username: str | None = None) -> int:
        self.server.add_user(user_id, first_name=first_name, username=username, language_code=language_code)
        return user_id

    async def send(self, user_id: int, text: str | None = None, **kwargs: Any) -> list[StoredMessage]:
        chat_id = kwargs.get("chat_id") or user_id
        return await self._new_after(chat_id, self.server.user_message(user_id, text, **kwargs))

    def find_button(self, chat_id: int, label: str) -> tuple[StoredMessage, str]:
        """The newest bot message in the chat with a button whose text contains `label`."""
        for message in reversed(self.server.bot_messages(chat_id)):
            if message.deleted or not message.reply_markup:
                continue
            for row in message.buttons():
                for text, data in row:
                    if label in text and data is not None:
                        return message, data
        raise AssertionError(f"no button {label!r} in chat {chat_id}")

    async def press(self, user_id: int, label: str, *, chat_id: int | None = None) -> list[StoredMessage]:
        chat = chat_id or user_id
        message, data = self.find_button(chat, label)
        return await self._new_after(chat, self.server.callback(user_id, message.message_id, data, chat_id=chat))

    async def press_data(self, user_id: int, message_id: int, data: str) -> list[StoredMessage]:
        return await self._new_after(user_id, self.server.callback(user_id, message_id, data))

    def last_text(self, chat_id: int) -> str:
        return self.server.last_bot_message(chat_id).text or ""

    async def onboard(self, user_id: int, *, language: str = "ru", accept: bool = True) -> None:
        """First contact: /start, pick the language, accept (or decline) the consent notice."""
        await self.send(user_id, "/start")
        await self.press(user_id, "Русский" if language == "ru" else "Қазақша")
        if accept is not None:
            label = {("ru", True): "Даю согласие", ("ru", False): "Не даю согласия", ("kk", True): "Келісім беремін", ("kk", False): "Келісім бермеймін"}
            await self.press(user_id, label[(language, accept)])

    async def restart(self, settings: Settings | None = None) -> None:
        """Stop the bot and start a new process-equivalent on the same database."""
        settings = settings or self.app.settings
        clock = self.clock
        await self.stop()
        self.app = await create_app(settings, clock=clock)
        await self.start()


@pytest.fixture
async def harness(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> AsyncIterator[Harness]:
    app = await create_app(make_settings(), clock=ManualClock(START))
    h = Harness(app, stand_in)
    await h.start()
    yield h
    await h.stop()

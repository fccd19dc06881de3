"""Background work: deliver the outbox, emit deadline reminders and overdue alerts.

`run_once()` does one round and is what tests call after moving the clock; the production loop
calls it every SCHEDULER_INTERVAL_SECONDS. Delivery takes rows in a transaction before sending,
so two rounds running at once never send a row twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramNetworkError, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup
from aiogram_i18n.cores import BaseCore

from bot import claims as domain
from bot.clock import Clock
from bot.config import Settings
from storage import claims as store
from storage import outbox
from storage.db import Database

log = logging.getLogger(__name__)

CardMarkup = Callable[[domain.Translate, int], InlineKeyboardMarkup]
MAX_BACKOFF = timedelta(hours=1)
# A 400 Bad Request can be passing (a chat just migrated, a topic being created); after this many
# refusals the message is parked as dead so the operators' chat is not blocked behind it.
DEAD_AFTER_ATTEMPTS = 5


def operator_translator(core: BaseCore, settings: Settings) -> domain.Translate:
    language = settings.operator_language

    def t(key: str, **kwargs: Any) -> str:
        return core.get(key, language, **kwargs)

    return t


class Scheduler:
    def __init__(
        self, settings: Settings, db: Database, clock: Clock, core: BaseCore, card_markup: CardMarkup | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.core = core
        self.t = operator_translator(core, settings)
        self.card_markup = card_markup
        self.bot: Bot | None = None  # an outbox bot whose sending policy does not retry itself
        self.on_overdue: Callable[[list[int]], Awaitable[None]] | None = None  # claims that just got an overdue alert
        self._is_forum: bool | None = None
        self._task: asyncio.Task[None] | None = None
        self._round = asyncio.Lock()
        self._wake = asyncio.Event()

    # ------------------------------------------------------------ lifecycle

    async def on_startup(self, bot: Bot) -> None:
        if self.bot is None:
            self.bot = bot
        await outbox.release_all_sending(self.db)
        if self.settings.scheduler_autostart and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="claims-scheduler")

    async def on_shutdown(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # keep the loop alive; log without personal data
                log.error("scheduler round failed: %s", type(error).__name__)
            # Sleep until the next tick, or until an event queued something for the operators.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.scheduler_interval_seconds)
            self._wake.clear()

    async def kick(self) -> None:
        """Something was queued for the operators: deliver it soon.

        With the background loop running, wake it and return at once, so the customer's update
        does not wait for the operators' chat. Without the loop (tests, or autostart off),
        deliver now.
        """
        if self._task is not None and not self._task.done():
            self._wake.set()
            return
        await self.deliver()

    # ------------------------------------------------------------ work

    async def run_once(self) -> int:
        """Emit due alerts, then deliver what is due in the outbox. Returns rows delivered."""
        overdue: list[int] = []
        await domain.emit_alerts(self.db, self.settings, self.t, self.clock.now(), overdue)
        delivered = await self.deliver()
        if overdue and self.on_overdue is not None:
            try:
                await self.on_overdue(overdue)  # the cards say "overdue" (handlers.operators.claims)
            except Exception as error:
                log.warning("overdue cards not redrawn: %s", type(error).__name__)
        return delivered

    async def deliver(self) -> int:
        assert self.bot is not None, "the scheduler has no bot before startup"
        rows = await outbox.claim_due(self.db, self.clock.now())
        delivered = 0
        stalled: set[int] = set()
        for row in rows:
            if row.chat_id in stalled:
                await outbox.release(self.db, row.id)
                continue
            try:
                message_id = await self._send(row)
            except TelegramRetryAfter as error:
                await self._failed(row, f"429 retry_after={error.retry_after}", timedelta(seconds=error.retry_after))
                stalled.add(row.chat_id)
            except (TelegramAPIError, TelegramNetworkError) as error:
                reason = f"{type(error).__name__}: {getattr(error, 'message', '')}"
                if isinstance(error, TelegramBadRequest) and row.attempts + 1 >= DEAD_AFTER_ATTEMPTS:
                    # Refused for good (400): park it rather than hold up the chat's later messages.
                    log.error("outbox row %s refused %s times (%s): parked as dead", row.id, row.attempts + 1, reason[:80])
                    await outbox.mark_dead(self.db, row.id, reason, self.clock.now())
                    continue
                backoff = min(timedelta(seconds=10 * 2 ** min(row.attempts, 10)), MAX_BACKOFF)
                await self._failed(row, reason, backoff)
                stalled.add(row.chat_id)
            else:
                await outbox.mark_delivered(self.db, row.id, message_id, self.clock.now())
                if row.claim_id is not None and message_id is not None:
                    await store.link_message(self.db, row.chat_id, message_id, row.claim_id, row.payload.get("role", "content"))
                delivered += 1
        return delivered

    async def _failed(self, row: outbox.OutboxRow, error: str, delay: timedelta) -> None:
        log.warning("outbox row %s not delivered (%s); retry in %ss", row.id, error[:80], int(delay.total_seconds()))
        await outbox.mark_failed(self.db, row.id, error, self.clock.now() + delay)

    async def _is_forum_chat(self) -> bool:
        if self._is_forum is None:
            assert self.bot is not None
            chat = await self.bot.get_chat(self.settings.admin_chat_id)
            self._is_forum = bool(chat.is_forum)
        return self._is_forum

    async def _thread_for(self, row: outbox.OutboxRow) -> int | None:
        if row.claim_id is None or row.chat_id != self.settings.admin_chat_id or not await self._is_forum_chat():
            return None
        claim = await store.get(self.db, row.claim_id)
        assert claim is not None and self.bot is not None
        if claim.topic_id is None:
            name = self.t("op-topic-name", number=claim.number, type=self.t(f"claim-type-{claim.type}"))
            topic = await self.bot.create_forum_topic(self.settings.admin_chat_id, name[:128])
            await store.set_topic(self.db, claim.id, topic.message_thread_id)
            return topic.message_thread_id
        return claim.topic_id

    async def _send(self, row: outbox.OutboxRow) -> int | None:
        assert self.bot is not None
        thread = await self._thread_for(row)
        payload = row.payload
        if row.kind == "copy":
            result = await self.bot.copy_message(
                row.chat_id, payload["from_chat_id"], payload["message_id"], message_thread_id=thread
            )
            return result.message_id
        markup = None
        if payload.get("card") and row.claim_id is not None and self.card_markup is not None:
            markup = self.card_markup(self.t, row.claim_id)
        message = await self.bot.send_message(row.chat_id, payload["text"], message_thread_id=thread, reply_markup=markup)
        return message.message_id

"""The one way out to Telegram: every API call passes through SendingPolicy.

- 429 Too Many Requests: wait retry_after and try again (bounded), as Telegram asks.
- 5xx and network errors: a few retries with backoff.
- 403 from a private chat (the user blocked the bot or deleted the account): record the user as
  unreachable, a fact and not a crash, then let the caller see the error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.clock import Sleep

log = logging.getLogger(__name__)

OnUnreachable = Callable[[int, str], Awaitable[None]]


def unreachable_reason(error: TelegramForbiddenError) -> str:
    text = error.message.lower()
    if "deactivated" in text:
        return "deactivated"
    if "blocked" in text:
        return "blocked"
    return "forbidden"


class SendingPolicy(BaseRequestMiddleware):
    def __init__(
        self,
        on_unreachable: OnUnreachable | None = None,
        *,
        max_retry_after: float = 60.0,
        max_attempts: int = 5,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.on_unreachable = on_unreachable
        self.max_retry_after = max_retry_after
        self.max_attempts = max_attempts
        self.sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):
            # Polling has its own back-off in aiogram; retrying here would only stack delays.
            return await make_request(bot, method)
        attempt = 0
        while True:
            attempt += 1
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt >= self.max_attempts or error.retry_after > self.max_retry_after:
                    raise
                log.warning("429 on %s: waiting %ss", method.__api_method__, error.retry_after)
                await self.sleep(error.retry_after)
            except (TelegramServerError, TelegramNetworkError) as error:
                if attempt >= self.max_attempts:
                    raise
                delay = min(0.5 * 2 ** (attempt - 1), 8.0)
                log.warning("%s on %s: retry in %.1fs", type(error).__name__, method.__api_method__, delay)
                await self.sleep(delay)
            except TelegramForbiddenError as error:
                chat_id = getattr(method, "chat_id", None)
                if self.on_unreachable is not None and isinstance(chat_id, int) and chat_id > 0:
                    await self.on_unreachable(chat_id, unreachable_reason(error))
                raise

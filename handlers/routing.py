"""Router and Dispatcher: aiogram's, with the `routing` fast path where it is active.

Every router of the bot is a `Router` from here and the dispatcher is the `Dispatcher` from here
(a test checks). Each update asks `bot.fast_paths.active("routing")`: when the fast path is on
and passed its start-up self-check, the event walks the router tree with one context dict
(bot/fast_paths/routing.py says why and how); otherwise aiogram's own `propagate_event` runs,
unchanged. Handlers and filters see the same arguments either way.
"""

from __future__ import annotations

from typing import Any

from aiogram import Dispatcher as AiogramDispatcher
from aiogram import Router as AiogramRouter
from aiogram.types import TelegramObject

from bot import fast_paths
from bot.fast_paths.routing import route


class Router(AiogramRouter):
    copy_free_routing = True  # bot.fast_paths.routing.MARKER: sub-routers of ours stay on the fast path

    async def propagate_event(self, update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
        if fast_paths.active("routing"):
            return await route(self, update_type, event, kwargs)
        return await super().propagate_event(update_type, event, **kwargs)


class Dispatcher(AiogramDispatcher, Router):
    """aiogram's Dispatcher, routing each update's event to its routers as Router above does."""

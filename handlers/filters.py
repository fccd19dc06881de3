"""Filters shared by handlers."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import Message, TelegramObject
from magic_filter import MagicFilter
from aiogram_i18n import I18nContext

from bot.i18n import SUPPORTED_LANGUAGES


class MenuButton(Filter):
    """Matches a main-menu button's text in either language.

    Both languages count: a user who just switched language may still press a button of the
    keyboard drawn before the switch.
    """

    def __init__(self, key: str) -> None:
        self.key = key

    async def __call__(self, message: Message, i18n: I18nContext) -> bool:
        if not message.text:
            return False
        return message.text in {i18n.core.get(self.key, lang) for lang in SUPPORTED_LANGUAGES}


class Magic(Filter):
    """A magic filter (`F.text`, `F.chat.id == 42`) checked on the event loop.

    aiogram takes a bare `F` expression for a synchronous callable and runs every check of it in
    a worker thread (asyncio.to_thread): a thread round trip, with its wake-ups and GIL hand-overs,
    for each filter of each update that reaches it, several per update. Wrapped in this async
    filter the same expression is resolved in place. Use it wherever a filter is an `F`
    expression; `CallbackData.filter(F...)` already resolves its rule in place.
    """

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)

"""Filters shared by customer handlers."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import Message
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

"""The bot's face in Telegram: the commands menu and descriptions, per language."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats
from aiogram_i18n.cores import BaseCore

from bot.config import Settings
from bot.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES

log = logging.getLogger(__name__)

CUSTOMER_COMMANDS = ["start", "policy", "consent", "ads", "mydata", "claim", "myclaims", "language", "help", "cancel"]


async def set_bot_profile(bot: Bot, core: BaseCore, settings: Settings, commands: list[str] | None = None) -> None:
    """setMyCommands / setMyDescription / setMyShortDescription for kk, ru and the default (ru).

    A failure here must not stop the bot: the menu is a convenience, the commands still work.
    """
    names = commands or CUSTOMER_COMMANDS
    for language in (*SUPPORTED_LANGUAGES, None):
        locale = language or DEFAULT_LANGUAGE
        operator = settings.operator_name_in(locale)
        try:
            await bot.set_my_commands(
                [BotCommand(command=name, description=core.get(f"cmd-{name}", locale)) for name in names],
                scope=BotCommandScopeAllPrivateChats(),
                language_code=language,
            )
            await bot.set_my_description(core.get("bot-description", locale, operator=operator), language_code=language)
            await bot.set_my_short_description(
                core.get("bot-short-description", locale, operator=operator)[:120], language_code=language
            )
        except TelegramAPIError as error:
            log.warning("could not set the bot profile for %s: %s", language or "default", type(error).__name__)

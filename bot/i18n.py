"""Languages: which one a user gets, and the Fluent translations behind it.

The choice goes: the language the user picked (stored in the database) → Telegram's
language_code (split on '-', so 'ru-RU' counts as 'ru') → Russian. aiogram-i18n's default
managers ignore the stored choice, hence a manager of our own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram.types import Chat
from aiogram.types import User as TelegramUser
from aiogram_i18n import I18nMiddleware
from aiogram_i18n.cores import FluentRuntimeCore
from aiogram_i18n.managers import BaseManager

from bot.config import PROJECT_ROOT, Settings
from storage.users import User

LOCALES_DIR = PROJECT_ROOT / "locales"
SUPPORTED_LANGUAGES = ("kk", "ru")
DEFAULT_LANGUAGE = "ru"


def language_from_code(language_code: str | None) -> str | None:
    """Telegram's language_code ('kk', 'ru-RU', 'en') → a supported language or None."""
    if not language_code:
        return None
    base = language_code.split("-")[0].strip().lower()
    return base if base in SUPPORTED_LANGUAGES else None


def pick_language(stored: str | None, language_code: str | None) -> str:
    if stored in SUPPORTED_LANGUAGES:
        return stored  # type: ignore[return-value]
    return language_from_code(language_code) or DEFAULT_LANGUAGE


class UserLocaleManager(BaseManager):
    """Reads the language from the user row loaded by UserMiddleware."""

    async def get_locale(
        self,
        app_user: User | None = None,
        event_from_user: TelegramUser | None = None,
        event_chat: Chat | None = None,
        settings: Settings | None = None,
    ) -> str:
        if settings is not None and event_chat is not None and event_chat.id == settings.admin_chat_id:
            # The operators' chat speaks one language (OPERATOR_LANGUAGE), whoever writes in it:
            # the cards and alerts the bot posts there on its own use it too.
            return settings.operator_language
        stored = app_user.language if app_user is not None else None
        code = event_from_user.language_code if event_from_user is not None else None
        return pick_language(stored, code)

    async def set_locale(self, locale: str, **_: Any) -> None:
        # Persisting is done by bot/language_choice.choose (one transaction with its audit entry).
        return None


class TranslationCore(FluentRuntimeCore):
    """Fluent, with each message formatted once per language and arguments.

    Menus, button labels and prompts are most of what a bot formats (several per update, and
    the menu-button filters ask for their labels on every message); without arguments a Fluent
    message always gives the same text, so those are kept for good. With arguments, formatting
    is the costly part (plural rules and numbers go through Babel), and many repeat (a request
    type's term, the operator's name, the policy's date): the last RECENT_SIZE texts are kept,
    looked up by message, language and arguments. Arguments that are not hashable are
    formatted every time.
    """

    RECENT_SIZE = 4096

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fixed: dict[tuple[str, str], str] = {}
        self._recent: dict[tuple[Any, ...], str] = {}

    def get(self, message_id: str, locale: str | None = None, /, **kwargs: Any) -> str:
        language = self.get_locale(locale=locale)
        if kwargs:
            key = (message_id, language, *((name, value.__class__, value) for name, value in sorted(kwargs.items())))
            try:
                text = self._recent.get(key)
            except TypeError:  # an unhashable argument
                return super().get(message_id, language, **kwargs)
            if text is None:
                if len(self._recent) >= self.RECENT_SIZE:
                    self._recent.clear()  # bounded; the texts in use come back at once
                text = self._recent[key] = super().get(message_id, language, **kwargs)
            return text
        fixed_key = (message_id, language)
        text = self._fixed.get(fixed_key)
        if text is None:
            text = self._fixed[fixed_key] = super().get(message_id, language)
        return text


def create_i18n_core(locales_dir: Path = LOCALES_DIR) -> FluentRuntimeCore:
    return TranslationCore(path=Path(locales_dir) / "{locale}", default_locale=DEFAULT_LANGUAGE)


def create_i18n_middleware(core: FluentRuntimeCore | None = None) -> I18nMiddleware:
    return I18nMiddleware(
        core=core or create_i18n_core(), manager=UserLocaleManager(), default_locale=DEFAULT_LANGUAGE
    )

"""/language: choose Kazakh or Russian; on first contact this leads on to the consent notice."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import SUPPORTED_LANGUAGES
from bot.policy import PolicyLibrary
from handlers.customer.start import send_home, send_language_prompt
from handlers.filters import MenuButton
from handlers.keyboards import LanguageCb, main_menu
from handlers.routing import Router
from storage import users
from storage.db import Database
from storage.users import User


def create_router() -> Router:
    router = Router(name="language")

    @router.message(Command("language"))
    @router.message(MenuButton("menu-language"))
    async def on_language(message: Message, i18n: I18nContext, app_user: User) -> None:
        await send_language_prompt(message, i18n, app_user)

    @router.callback_query(LanguageCb.filter(F.code.in_(SUPPORTED_LANGUAGES)))
    async def on_language_chosen(
        callback: CallbackQuery, callback_data: LanguageCb, i18n: I18nContext, app_user: User,
        db: Database, clock: Clock, policies: PolicyLibrary, settings: Settings,
    ) -> None:
        first_choice = app_user.language is None
        await users.set_language(db, app_user.id, callback_data.code, clock.now())
        await i18n.set_locale(callback_data.code)
        await callback.answer()
        assert callback.message is not None
        await callback.message.edit_reply_markup(reply_markup=None)
        if first_choice:
            refreshed = await users.get_user(db, app_user.id)
            assert refreshed is not None
            await send_home(callback.message, i18n, refreshed, db, policies, settings)  # type: ignore[arg-type]
        else:
            await callback.message.answer(i18n.get("language-changed"), reply_markup=main_menu(i18n))

    return router

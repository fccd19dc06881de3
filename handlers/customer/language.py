"""/language: choose Kazakh or Russian; on first contact this leads on to the consent notice."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot import language_choice
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import SUPPORTED_LANGUAGES
from bot.policy import PolicyLibrary
from bot.session import ignore_result
from handlers.customer.views import send_home, send_language_prompt
from handlers.filters import MenuButton
from handlers.keyboards import LanguageCb, main_menu
from handlers.routing import Router
from storage.db import Database
from storage.users import User


async def on_language(message: Message, i18n: I18nContext, app_user: User) -> None:
    await send_language_prompt(message, i18n, app_user)


async def on_language_chosen(
    callback: CallbackQuery, callback_data: LanguageCb, i18n: I18nContext, app_user: User,
    db: Database, clock: Clock, policies: PolicyLibrary, settings: Settings,
) -> None:
    chosen = await language_choice.choose(
        db, user=app_user, language=callback_data.code, current_version=policies.current.version, now=clock.now()
    )
    await i18n.set_locale(callback_data.code)
    await callback.answer()
    message = callback.message
    assert isinstance(message, Message)
    await ignore_result(message.edit_reply_markup(reply_markup=None))
    if chosen.first_choice:
        await send_home(message, i18n, chosen.user, chosen.consent, policies, settings)
    else:
        await ignore_result(message.answer(i18n.get("language-changed"), reply_markup=main_menu(i18n)))


def create_router() -> Router:
    router = Router(name="language")
    router.message.register(on_language, Command("language"))
    router.message.register(on_language, MenuButton("menu-language"))
    router.callback_query.register(on_language_chosen, LanguageCb.filter(F.code.in_(SUPPORTED_LANGUAGES)))
    return router

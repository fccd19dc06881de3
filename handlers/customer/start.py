"""/start, /help, /cancel: first contact and the way home."""

from __future__ import annotations

from aiogram.filters import Command, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram_i18n import I18nContext

from bot import consent
from bot.config import Settings
from bot.formatting import esc
from bot.fsm_storage import clear_state
from bot.policy import PolicyLibrary
from bot.session import ignore_result
from handlers.customer.views import send_home, send_language_prompt
from handlers.filters import MenuButton
from handlers.keyboards import main_menu
from handlers.routing import Router
from storage.db import Database
from storage.users import User


async def on_start(
    message: Message, i18n: I18nContext, app_user: User, db: Database, policies: PolicyLibrary,
    settings: Settings, state: FSMContext,
) -> None:
    await clear_state(state)
    if app_user.language is None:
        await send_language_prompt(message, i18n, app_user)
        return
    status = await consent.status_now(db, app_user.id, policies.current.version)
    await send_home(message, i18n, app_user, status, policies, settings)


async def on_help(message: Message, i18n: I18nContext, settings: Settings) -> None:
    await ignore_result(message.answer(
        i18n.get("help", operator=esc(settings.operator_name_in(i18n.locale)), contact=esc(settings.operator_contact)),
        reply_markup=main_menu(i18n),
    ))


async def on_cancel(message: Message, i18n: I18nContext, state: FSMContext) -> None:
    if await state.get_state() is None:
        await ignore_result(message.answer(i18n.get("nothing-to-cancel"), reply_markup=main_menu(i18n)))
        return
    await clear_state(state)
    await ignore_result(message.answer(i18n.get("cancelled"), reply_markup=main_menu(i18n)))


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(on_start, CommandStart())
    router.message.register(on_help, Command("help"))
    router.message.register(on_cancel, Command("cancel"))
    router.message.register(on_cancel, StateFilter("*"), MenuButton("cancel-button"))
    return router

"""/start, /help, /cancel: first contact and the way home."""

from __future__ import annotations

from aiogram.filters import Command, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram_i18n import I18nContext

from bot.config import Settings
from bot.consent import ConsentStatus, consent_status
from bot.formatting import esc, local_date
from bot.i18n import language_from_code
from bot.policy import PolicyLibrary
from handlers.customer.consent import send_consent_notice
from handlers.filters import MenuButton
from handlers.keyboards import language_keyboard, main_menu
from handlers.routing import Router
from storage import consents
from storage.db import Database
from storage.users import User


async def send_language_prompt(message: Message, i18n: I18nContext, app_user: User) -> None:
    suggested = language_from_code(app_user.telegram_language)
    await message.answer(i18n.get("language-prompt"), reply_markup=language_keyboard(i18n, suggested))


async def send_home(
    message: Message, i18n: I18nContext, app_user: User, db: Database, policies: PolicyLibrary, settings: Settings
) -> None:
    """Where /start leads a known user: the notice if consent is due, else a greeting and the menu."""
    latest = await consents.latest(db, app_user.id)
    status = consent_status(latest, policies.current.version)
    if status is ConsentStatus.NONE:
        await message.answer(i18n.get("welcome-new", operator=esc(settings.operator_name_in(i18n.locale))), reply_markup=main_menu(i18n))
        await send_consent_notice(message, i18n, settings, policies)
        return
    await message.answer(i18n.get("welcome-back", name=esc(app_user.display_name)), reply_markup=main_menu(i18n))
    if status is ConsentStatus.OUTDATED:
        await message.answer(
            i18n.get("consent-outdated-reminder", version=local_date(policies.current.effective_date))
        )
        await send_consent_notice(message, i18n, settings, policies)


def create_router() -> Router:
    router = Router(name="start")

    @router.message(CommandStart())
    async def on_start(
        message: Message, i18n: I18nContext, app_user: User, db: Database, policies: PolicyLibrary,
        settings: Settings, state: FSMContext,
    ) -> None:
        await state.clear()
        if app_user.language is None:
            await send_language_prompt(message, i18n, app_user)
            return
        await send_home(message, i18n, app_user, db, policies, settings)

    @router.message(Command("help"))
    async def on_help(message: Message, i18n: I18nContext, settings: Settings) -> None:
        await message.answer(
            i18n.get("help", operator=esc(settings.operator_name_in(i18n.locale)), contact=esc(settings.operator_contact)),
            reply_markup=main_menu(i18n),
        )

    @router.message(Command("cancel"))
    @router.message(StateFilter("*"), MenuButton("cancel-button"))
    async def on_cancel(message: Message, i18n: I18nContext, state: FSMContext) -> None:
        if await state.get_state() is None:
            await message.answer(i18n.get("nothing-to-cancel"), reply_markup=main_menu(i18n))
            return
        await state.clear()
        await message.answer(i18n.get("cancelled"), reply_markup=main_menu(i18n))

    return router

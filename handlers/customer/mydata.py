"""/mydata: what the bot holds about the user, a JSON export, and corrections."""

from __future__ import annotations

import json

from aiogram import F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot import corrections, my_data
from bot.clock import Clock
from bot.config import Settings
from bot.corrections import CorrectionOutcome, Refusal
from bot.formatting import esc, local_time, utc_offset_label
from bot.fsm_storage import clear_state
from bot.my_data import MyData
from bot.policy import PolicyLibrary
from bot.request_types import REQUEST_TYPES, RequestTypes
from bot.session import ignore_result
from bot.validation import NAME_MAX, clean_email, clean_name, clean_phone
from handlers.customer.views import ads_view, status_line
from handlers.filters import Magic, MenuButton
from handlers.keyboards import ClaimTypeCb, MyDataAction, MyDataCb, cancel_keyboard, main_menu, share_phone_keyboard
from handlers.routing import Router
from storage.db import Database
from storage.users import User


class Correction(StatesGroup):
    full_name = State()
    phone = State()
    email = State()


FIELD_BY_STATE = {Correction.full_name.state: "full_name", Correction.phone.state: "phone", Correction.email.state: "email"}


def mydata_view(
    i18n: I18nContext, settings: Settings, policies: PolicyLibrary, data: MyData,
    request_types: RequestTypes = REQUEST_TYPES,
) -> tuple[str, InlineKeyboardMarkup]:
    # What is stored, not what this update carried: Telegram names are kept only while needed.
    user = data.user
    unset = i18n.get("not-set")
    body = i18n.get(
        "mydata-body",
        telegram_id=str(user.id),
        telegram_name=esc(" ".join(p for p in (user.first_name, user.last_name) if p) or unset),
        username=esc("@" + user.username) if user.username else unset,
        language=i18n.get(f"lang-name-{user.language}") if user.language else unset,
        full_name=esc(user.full_name) if user.full_name else unset,
        phone=esc(user.phone) if user.phone else unset,
        email=esc(user.email) if user.email else unset,
        created=local_time(user.created_at, settings.tz),
    )
    consent = status_line(i18n, settings, policies, data.consent)
    ads_text, _ = ads_view(i18n, settings, data.ads)
    parts = [i18n.get("mydata-title"), body, consent, ads_text]
    if user.blocked:
        parts.append(i18n.get("erasure-blocked-status", time=local_time(user.blocked_at or "", settings.tz)))
    text = "\n\n".join([*parts, i18n.get("mydata-footer")])
    builder = InlineKeyboardBuilder()
    builder.button(text=i18n.get("mydata-export-button"), callback_data=MyDataCb(action=MyDataAction.EXPORT))
    builder.button(text=i18n.get("mydata-edit-name-button"), callback_data=MyDataCb(action=MyDataAction.NAME))
    builder.button(text=i18n.get("mydata-edit-phone-button"), callback_data=MyDataCb(action=MyDataAction.PHONE))
    builder.button(text=i18n.get("mydata-edit-email-button"), callback_data=MyDataCb(action=MyDataAction.EMAIL))
    # The data-subject requests the registry offers here (bot/request_types.py: in_mydata).
    for entry in request_types.offered_in_mydata():
        builder.button(text=i18n.get(entry.button_key), callback_data=ClaimTypeCb(type=entry.code))
    builder.adjust(1, 3, 1, 1, 1, 1)
    return text, builder.as_markup()


REFUSALS = {Refusal.BLOCKED: "erasure-corrections-blocked", Refusal.NEEDS_CONSENT: "mydata-needs-consent"}
ANSWERS = {
    CorrectionOutcome.SAVED: "mydata-saved",
    CorrectionOutcome.DELETED: "mydata-deleted",
    CorrectionOutcome.BLOCKED: REFUSALS[Refusal.BLOCKED],
    CorrectionOutcome.NEEDS_CONSENT: REFUSALS[Refusal.NEEDS_CONSENT],
}


async def save_field(
    message: Message, i18n: I18nContext, state: FSMContext, db: Database, clock: Clock, user: User,
    field: str, value: str | None,
) -> None:
    # The service checks the rule again at saving: consent may have been withdrawn or processing blocked meanwhile.
    outcome = await corrections.correct(db, user_id=user.id, field=field, value=value, now=clock.now())
    await clear_state(state)
    await ignore_result(message.answer(i18n.get(ANSWERS[outcome]), reply_markup=main_menu(i18n)))


async def on_mydata(
    message: Message, i18n: I18nContext, settings: Settings, policies: PolicyLibrary, db: Database,
    clock: Clock, app_user: User, request_types: RequestTypes,
) -> None:
    text, markup = mydata_view(i18n, settings, policies, await my_data.view(db, app_user, clock.now()), request_types)
    await ignore_result(message.answer(text, reply_markup=markup))


async def on_export(
    callback: CallbackQuery, i18n: I18nContext, settings: Settings, db: Database, clock: Clock, app_user: User
) -> None:
    now = clock.now()
    document = await my_data.export(db, settings, app_user, now)
    payload = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    await callback.answer()
    assert callback.message is not None and callback.bot is not None
    await ignore_result(callback.bot.send_document(
        callback.message.chat.id,
        BufferedInputFile(payload, filename=f"my-data-{app_user.id}.json"),
        caption=i18n.get("mydata-export-caption", time=local_time(now, settings.tz), tz=utc_offset_label(settings.tz, now)),
    ))


async def on_edit(
    callback: CallbackQuery, callback_data: MyDataCb, i18n: I18nContext, db: Database, app_user: User, state: FSMContext
) -> None:
    message = callback.message
    assert message is not None and callback.bot is not None
    refusal = await corrections.may_correct(db, app_user.id)
    if refusal is not None:
        await callback.answer(i18n.get(REFUSALS[refusal]), show_alert=True)
        return
    await callback.answer()
    chat_id = message.chat.id
    if callback_data.action is MyDataAction.NAME:
        await state.set_state(Correction.full_name)
        await ignore_result(callback.bot.send_message(chat_id, i18n.get("mydata-ask-name", max=NAME_MAX), reply_markup=cancel_keyboard(i18n, with_delete=bool(app_user.full_name))))
    elif callback_data.action is MyDataAction.EMAIL:
        await state.set_state(Correction.email)
        await ignore_result(callback.bot.send_message(chat_id, i18n.get("mydata-ask-email"), reply_markup=cancel_keyboard(i18n, with_delete=bool(app_user.email))))
    else:
        await state.set_state(Correction.phone)
        await ignore_result(callback.bot.send_message(chat_id, i18n.get("mydata-ask-phone"), reply_markup=share_phone_keyboard(i18n)))
        if app_user.phone:
            await ignore_result(callback.bot.send_message(chat_id, i18n.get("mydata-delete-value-button"), reply_markup=cancel_keyboard(i18n, with_delete=True)))


async def on_delete_value(
    callback: CallbackQuery, i18n: I18nContext, state: FSMContext, db: Database, clock: Clock, app_user: User
) -> None:
    field = FIELD_BY_STATE[str(await state.get_state())]
    await callback.answer()
    assert isinstance(callback.message, Message)
    await ignore_result(callback.message.edit_reply_markup(reply_markup=None))
    await save_field(callback.message, i18n, state, db, clock, app_user, field, None)


async def on_cancel_button(callback: CallbackQuery, i18n: I18nContext, state: FSMContext) -> None:
    await callback.answer()
    assert isinstance(callback.message, Message)
    await ignore_result(callback.message.edit_reply_markup(reply_markup=None))
    if await state.get_state() is None:
        await ignore_result(callback.message.answer(i18n.get("nothing-to-cancel"), reply_markup=main_menu(i18n)))
        return
    await clear_state(state)
    await ignore_result(callback.message.answer(i18n.get("cancelled"), reply_markup=main_menu(i18n)))


async def on_name(message: Message, i18n: I18nContext, state: FSMContext, db: Database, clock: Clock, app_user: User) -> None:
    name = clean_name(message.text)
    if name is None:
        await ignore_result(message.answer(i18n.get("mydata-name-invalid", max=NAME_MAX)))
        return
    await save_field(message, i18n, state, db, clock, app_user, "full_name", name)


async def on_email(message: Message, i18n: I18nContext, state: FSMContext, db: Database, clock: Clock, app_user: User) -> None:
    email = clean_email(message.text)
    if email is None:
        await ignore_result(message.answer(i18n.get("mydata-email-invalid")))
        return
    await save_field(message, i18n, state, db, clock, app_user, "email", email)


async def on_contact(message: Message, i18n: I18nContext, state: FSMContext, db: Database, clock: Clock, app_user: User) -> None:
    assert message.contact is not None
    phone = clean_phone(message.contact.phone_number)
    # Only the user's own number: a forwarded contact card of someone else is refused.
    if message.contact.user_id != app_user.id or phone is None:
        await ignore_result(message.answer(i18n.get("mydata-phone-not-own"), reply_markup=share_phone_keyboard(i18n)))
        return
    await save_field(message, i18n, state, db, clock, app_user, "phone", phone)


async def on_phone_other(message: Message, i18n: I18nContext) -> None:
    await ignore_result(message.answer(i18n.get("mydata-phone-use-button"), reply_markup=share_phone_keyboard(i18n)))


async def on_not_text(message: Message, i18n: I18nContext) -> None:
    await ignore_result(message.answer(i18n.get("mydata-text-expected")))


def create_router() -> Router:
    router = Router(name="mydata")
    # Every button of this router is a MyDataCb: the other buttons skip its handlers after one
    # check here instead of one unpacking of their data per handler.
    router.callback_query.filter(MyDataCb.filter())
    router.message.register(on_mydata, MenuButton("menu-mydata"))
    router.message.register(on_mydata, Command("mydata"))
    router.callback_query.register(on_export, MyDataCb.filter(F.action == MyDataAction.EXPORT))
    router.callback_query.register(on_edit, MyDataCb.filter(F.action.in_({MyDataAction.NAME, MyDataAction.PHONE, MyDataAction.EMAIL})))
    router.callback_query.register(on_delete_value, MyDataCb.filter(F.action == MyDataAction.DELETE_VALUE), StateFilter(Correction))
    router.callback_query.register(on_cancel_button, MyDataCb.filter(F.action == MyDataAction.CANCEL))
    router.message.register(on_name, StateFilter(Correction.full_name), Magic(F.text))
    router.message.register(on_email, StateFilter(Correction.email), Magic(F.text))
    router.message.register(on_contact, StateFilter(Correction.phone), Magic(F.contact))
    router.message.register(on_phone_other, StateFilter(Correction.phone))
    router.message.register(on_not_text, StateFilter(Correction.full_name, Correction.email))
    return router

"""/consent: the notice, accept / decline, status with history, withdrawal.

Decisions go through bot/consent.py (answer_notice), withdrawal through bot/erasure.py
(withdraw_consent): each one transaction with its audit entry and the operators' notice."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot import consent, erasure
from bot.clock import Clock
from bot.config import Settings
from bot.consent import DecisionOutcome, has_active_consent
from bot.policy import PolicyLibrary
from bot.scheduler import Scheduler, operator_translator
from bot.session import ignore_result
from handlers.customer.views import consent_view, notice_text, receipt_args, send_consent_notice, withdraw_confirm_keyboard
from handlers.filters import MenuButton
from handlers.keyboards import ConsentAction, ConsentCb, main_menu
from handlers.outbox import kick
from handlers.routing import Router
from storage.db import Database
from storage.users import User

DECISIONS = {ConsentAction.ACCEPT: "given", ConsentAction.DECLINE: "declined"}
RECEIPTS = {"given": "consent-given-receipt", "declined": "consent-declined-receipt"}


async def show_current_notice(callback: CallbackQuery, i18n: I18nContext, settings: Settings, policies: PolicyLibrary) -> None:
    """The notice pressed was for a version that is no longer current: show the current one."""
    message = callback.message
    assert isinstance(message, Message)
    await callback.answer(i18n.get("button-outdated"))
    await ignore_result(message.edit_reply_markup(reply_markup=None))
    await send_consent_notice(message, i18n, settings, policies)


async def on_consent(
    message: Message, i18n: I18nContext, settings: Settings, policies: PolicyLibrary, db: Database, app_user: User
) -> None:
    text, markup = consent_view(i18n, settings, policies, await consent.decisions(db, app_user.id))
    await ignore_result(message.answer(text, reply_markup=markup))


async def on_show(
    callback: CallbackQuery, callback_data: ConsentCb, i18n: I18nContext, settings: Settings, policies: PolicyLibrary,
) -> None:
    if callback_data.version != policies.current.version:
        await show_current_notice(callback, i18n, settings, policies)
        return
    assert isinstance(callback.message, Message)
    await callback.answer()
    await send_consent_notice(callback.message, i18n, settings, policies)


async def on_decision(
    callback: CallbackQuery, callback_data: ConsentCb, i18n: I18nContext, settings: Settings,
    policies: PolicyLibrary, db: Database, clock: Clock, app_user: User,
) -> None:
    message = callback.message
    assert isinstance(message, Message)
    decision = DECISIONS[callback_data.action]
    answer = await consent.answer_notice(
        db, settings, user_id=app_user.id, policy_version=callback_data.version,
        current_version=policies.current.version, language=i18n.locale, decision=decision,
        notice_text=notice_text(i18n, settings, policies), now=clock.now(),
    )
    if answer.outcome is DecisionOutcome.OUTDATED:
        await show_current_notice(callback, i18n, settings, policies)
        return
    assert answer.record is not None
    if answer.outcome is DecisionOutcome.ALREADY_GIVEN:
        await callback.answer(i18n.get("consent-already-given", id=str(answer.record.id)), show_alert=True)
        return
    await callback.answer()
    await ignore_result(message.edit_reply_markup(reply_markup=None))
    await ignore_result(message.answer(i18n.get(RECEIPTS[decision], **receipt_args(answer.record, settings)), reply_markup=main_menu(i18n)))


async def on_withdraw(
    callback: CallbackQuery, callback_data: ConsentCb, i18n: I18nContext, db: Database, app_user: User
) -> None:
    message = callback.message
    assert isinstance(message, Message)
    await callback.answer()
    if not has_active_consent(await consent.latest_decision(db, app_user.id)):
        await ignore_result(message.answer(i18n.get("consent-not-active")))
        return
    await ignore_result(message.answer(i18n.get("consent-withdraw-confirm"), reply_markup=withdraw_confirm_keyboard(i18n, callback_data.version)))


async def on_withdraw_keep(callback: CallbackQuery, i18n: I18nContext) -> None:
    assert isinstance(callback.message, Message)
    await callback.answer()
    await ignore_result(callback.message.edit_text(i18n.get("consent-withdraw-kept")))


async def on_withdraw_confirm(
    callback: CallbackQuery, i18n: I18nContext, settings: Settings, db: Database, clock: Clock, app_user: User,
    scheduler: Scheduler | None = None,
) -> None:
    message = callback.message
    assert isinstance(message, Message)
    await ignore_result(message.edit_reply_markup(reply_markup=None))
    # One transaction: the record, the erasure, advertising off, the audit and the
    # operators' notice (bot/erasure.py); the outbox delivers the notice afterwards.
    record = await erasure.withdraw_consent(
        db, settings, scheduler.t if scheduler is not None else operator_translator(i18n.core, settings),
        user_id=app_user.id, language=i18n.locale,
        now=clock.now(),
    )
    if record is None:
        await callback.answer(i18n.get("consent-not-active"), show_alert=True)
        return
    await callback.answer()
    await ignore_result(message.answer(i18n.get("consent-withdrawn-receipt", **receipt_args(record, settings)), reply_markup=main_menu(i18n)))
    await kick(scheduler)


def create_router() -> Router:
    router = Router(name="consent")
    # Every button of this router is a ConsentCb: the other buttons skip its handlers after one
    # check here instead of one unpacking of their data per handler.
    router.callback_query.filter(ConsentCb.filter())
    router.message.register(on_consent, Command("consent"))
    router.message.register(on_consent, MenuButton("menu-consent"))
    router.callback_query.register(on_show, ConsentCb.filter(F.action == ConsentAction.SHOW))
    router.callback_query.register(on_decision, ConsentCb.filter(F.action.in_(set(DECISIONS))))
    router.callback_query.register(on_withdraw, ConsentCb.filter(F.action == ConsentAction.WITHDRAW))
    router.callback_query.register(on_withdraw_keep, ConsentCb.filter(F.action == ConsentAction.WITHDRAW_KEEP))
    router.callback_query.register(on_withdraw_confirm, ConsentCb.filter(F.action == ConsentAction.WITHDRAW_CONFIRM))
    return router

"""/consent: the notice, accept / decline, status with history, withdrawal."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot import erasure
from bot.clock import Clock
from bot.config import Settings
from bot.consent import ConsentStatus, consent_status, decide, has_active_consent, render_notice
from bot.formatting import local_date, local_time, utc_offset_label
from bot.policy import PolicyLibrary
from bot.scheduler import Scheduler
from handlers.customer.claims import kick
from handlers.filters import MenuButton
from handlers.keyboards import ConsentAction, ConsentCb, PolicyAction, PolicyCb, inline_markup, main_menu
from handlers.routing import Router
from storage import consents
from storage.consents import ConsentRecord
from storage.db import Database, from_iso
from storage.users import User

HISTORY_SHOWN = 10


def operator_translator(i18n: I18nContext, settings: Settings, scheduler: Scheduler | None):  # type: ignore[no-untyped-def]
    """Texts for the operators' chat, in OPERATOR_LANGUAGE."""
    if scheduler is not None:
        return scheduler.t
    return lambda key, **args: i18n.core.get(key, settings.operator_language, **args)


def notice_text(i18n: I18nContext, settings: Settings, policies: PolicyLibrary) -> str:
    text = render_notice(
        i18n.get, settings, version_label=local_date(policies.current.effective_date), language=i18n.locale
    )
    if policies.current.document(i18n.locale)[1]:  # the policy is not in the user's language
        text += "\n\n" + i18n.get("policy-consent-fallback-note")
    return text


def notice_keyboard(i18n: I18nContext, policies: PolicyLibrary) -> InlineKeyboardMarkup:
    version = policies.current.version
    policy_language = policies.current.document(i18n.locale)[0].language
    return inline_markup((
        ((i18n.get("consent-read-policy-button"), PolicyCb(action=PolicyAction.TOC, version=version, lang=policy_language, fresh=True).pack()),),
        (
            (i18n.get("consent-accept-button"), ConsentCb(action=ConsentAction.ACCEPT, version=version).pack()),
            (i18n.get("consent-decline-button"), ConsentCb(action=ConsentAction.DECLINE, version=version).pack()),
        ),
    ))


async def send_consent_notice(message: Message, i18n: I18nContext, settings: Settings, policies: PolicyLibrary) -> None:
    await message.answer(notice_text(i18n, settings, policies), reply_markup=notice_keyboard(i18n, policies))


def receipt_args(record: ConsentRecord, settings: Settings) -> dict[str, str]:
    created = from_iso(record.created_at)
    return {
        "id": str(record.id),
        "time": local_time(created, settings.tz),
        "tz": utc_offset_label(settings.tz, created),
        "version": local_date(record.policy_version),
    }


def status_line(i18n: I18nContext, settings: Settings, policies: PolicyLibrary, latest: ConsentRecord | None) -> str:
    status = consent_status(latest, policies.current.version)
    if latest is None:
        return i18n.get("consent-status-none")
    args = {
        "time": local_time(latest.created_at, settings.tz),
        "version": local_date(latest.policy_version),
        "current": local_date(policies.current.effective_date),
    }
    return i18n.get(f"consent-status-{status.value}", **args)


async def status_view(
    i18n: I18nContext, settings: Settings, policies: PolicyLibrary, db: Database, user_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    records = await consents.history(db, user_id)
    latest = records[0] if records else None
    status = consent_status(latest, policies.current.version)
    lines = [status_line(i18n, settings, policies, latest)]
    if records:
        lines += ["", i18n.get("consent-history-title", count=len(records))]
        for record in records[:HISTORY_SHOWN]:
            lines.append(
                i18n.get(
                    "consent-history-line",
                    id=str(record.id),
                    time=local_time(record.created_at, settings.tz),
                    decision=i18n.get(f"consent-decision-{record.decision}"),
                    version=local_date(record.policy_version),
                )
            )
    version = policies.current.version
    builder = InlineKeyboardBuilder()
    if status is ConsentStatus.OUTDATED:
        builder.button(text=i18n.get("consent-review-button"), callback_data=ConsentCb(action=ConsentAction.SHOW, version=version))
    elif status is not ConsentStatus.GIVEN:
        builder.button(text=i18n.get("consent-give-button"), callback_data=ConsentCb(action=ConsentAction.SHOW, version=version))
    if has_active_consent(latest):
        builder.button(text=i18n.get("consent-withdraw-button"), callback_data=ConsentCb(action=ConsentAction.WITHDRAW, version=version))
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


def create_router() -> Router:
    router = Router(name="consent")

    @router.message(Command("consent"))
    @router.message(MenuButton("menu-consent"))
    async def on_consent(
        message: Message, i18n: I18nContext, settings: Settings, policies: PolicyLibrary, db: Database, app_user: User
    ) -> None:
        text, markup = await status_view(i18n, settings, policies, db, app_user.id)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(ConsentCb.filter())
    async def on_consent_button(
        callback: CallbackQuery, callback_data: ConsentCb, i18n: I18nContext, settings: Settings,
        policies: PolicyLibrary, db: Database, clock: Clock, app_user: User, scheduler: Scheduler | None = None,
    ) -> None:
        message = callback.message
        assert isinstance(message, Message)
        action = callback_data.action
        if action in (ConsentAction.ACCEPT, ConsentAction.DECLINE, ConsentAction.SHOW) and (
            callback_data.version != policies.current.version
        ):
            # The notice was for a version that is no longer current: show the current one.
            await callback.answer(i18n.get("button-outdated"))
            await message.edit_reply_markup(reply_markup=None)
            await send_consent_notice(message, i18n, settings, policies)
            return
        latest = await consents.latest(db, app_user.id)

        if action is ConsentAction.SHOW:
            await callback.answer()
            await send_consent_notice(message, i18n, settings, policies)
        elif action in (ConsentAction.ACCEPT, ConsentAction.DECLINE):
            decision = "given" if action is ConsentAction.ACCEPT else "declined"
            if decision == "given" and latest and latest.decision == "given" and latest.policy_version == callback_data.version:
                await callback.answer(i18n.get("consent-already-given", id=str(latest.id)), show_alert=True)
                return
            record = await decide(
                db, settings, user_id=app_user.id, policy_version=callback_data.version, language=i18n.locale,
                decision=decision, notice_text=notice_text(i18n, settings, policies), now=clock.now(),
            )
            await callback.answer()
            await message.edit_reply_markup(reply_markup=None)
            key = "consent-given-receipt" if decision == "given" else "consent-declined-receipt"
            await message.answer(i18n.get(key, **receipt_args(record, settings)), reply_markup=main_menu(i18n))
        elif action is ConsentAction.WITHDRAW:
            await callback.answer()
            if not has_active_consent(latest):
                await message.answer(i18n.get("consent-not-active"))
                return
            builder = InlineKeyboardBuilder()
            builder.button(text=i18n.get("consent-withdraw-yes-button"), callback_data=ConsentCb(action=ConsentAction.WITHDRAW_CONFIRM, version=callback_data.version))
            builder.button(text=i18n.get("consent-withdraw-no-button"), callback_data=ConsentCb(action=ConsentAction.WITHDRAW_KEEP, version=callback_data.version))
            builder.adjust(2)
            await message.answer(i18n.get("consent-withdraw-confirm"), reply_markup=builder.as_markup())
        elif action is ConsentAction.WITHDRAW_KEEP:
            await callback.answer()
            await message.edit_text(i18n.get("consent-withdraw-kept"))
        elif action is ConsentAction.WITHDRAW_CONFIRM:
            await message.edit_reply_markup(reply_markup=None)
            # One transaction: the record, the erasure, advertising off, the audit and the
            # operators' notice (bot/erasure.py); the outbox delivers the notice afterwards.
            record = await erasure.withdraw_consent(
                db, settings, operator_translator(i18n, settings, scheduler), user_id=app_user.id, language=i18n.locale,
                now=clock.now(),
            )
            if record is None:
                await callback.answer(i18n.get("consent-not-active"), show_alert=True)
                return
            await callback.answer()
            await message.answer(
                i18n.get("consent-withdrawn-receipt", **receipt_args(record, settings)), reply_markup=main_menu(i18n)
            )
            await kick(scheduler)

    return router

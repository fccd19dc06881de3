"""Views shared by the customer's handlers: texts and keyboards built from what a service
returned. No handler here and no database: a view renders, it does not read or write."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot.ads import AdsStatus
from bot.config import Settings
from bot.consent import ConsentStatus, consent_status, has_active_consent, render_notice
from bot.formatting import esc, local_date, local_time, utc_offset_label
from bot.i18n import language_from_code
from bot.policy import PolicyLibrary
from bot.session import ignore_result
from handlers.keyboards import (
    AdsCb, ConsentAction, ConsentCb, PolicyAction, PolicyCb, inline_markup,
    language_keyboard, main_menu,
)
from storage.consents import ConsentRecord
from storage.db import from_iso
from storage.users import User

CONSENT_HISTORY_SHOWN = 10


# --------------------------------------------------------------------------- language and home


async def send_language_prompt(message: Message, i18n: I18nContext, app_user: User) -> None:
    suggested = language_from_code(app_user.telegram_language)
    await ignore_result(message.answer(i18n.get("language-prompt"), reply_markup=language_keyboard(i18n, suggested)))


async def send_home(
    message: Message, i18n: I18nContext, user: User, status: ConsentStatus, policies: PolicyLibrary, settings: Settings
) -> None:
    """Where /start leads a known user: the notice if consent is due, else a greeting and the menu."""
    if status is ConsentStatus.NONE:
        await ignore_result(message.answer(i18n.get("welcome-new", operator=esc(settings.operator_name_in(i18n.locale))), reply_markup=main_menu(i18n)))
        await send_consent_notice(message, i18n, settings, policies)
        return
    await ignore_result(message.answer(i18n.get("welcome-back", name=esc(user.display_name)), reply_markup=main_menu(i18n)))
    if status is ConsentStatus.OUTDATED:
        await ignore_result(message.answer(
            i18n.get("consent-outdated-reminder", version=local_date(policies.current.effective_date))
        ))
        await send_consent_notice(message, i18n, settings, policies)


# --------------------------------------------------------------------------- consent


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
    await ignore_result(message.answer(notice_text(i18n, settings, policies), reply_markup=notice_keyboard(i18n, policies)))


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


def consent_view(
    i18n: I18nContext, settings: Settings, policies: PolicyLibrary, records: list[ConsentRecord]
) -> tuple[str, InlineKeyboardMarkup]:
    """/consent: the status, the latest decisions (newest first) and what can be done now."""
    latest = records[0] if records else None
    status = consent_status(latest, policies.current.version)
    lines = [status_line(i18n, settings, policies, latest)]
    if records:
        lines += ["", i18n.get("consent-history-title", count=len(records))]
        for record in records[:CONSENT_HISTORY_SHOWN]:
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


def withdraw_confirm_keyboard(i18n: I18nContext, version: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=i18n.get("consent-withdraw-yes-button"), callback_data=ConsentCb(action=ConsentAction.WITHDRAW_CONFIRM, version=version))
    builder.button(text=i18n.get("consent-withdraw-no-button"), callback_data=ConsentCb(action=ConsentAction.WITHDRAW_KEEP, version=version))
    builder.adjust(2)
    return builder.as_markup()


# --------------------------------------------------------------------------- advertising


def ads_view(i18n: I18nContext, settings: Settings, status: AdsStatus) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    if status.opted_in:
        text = i18n.get("ads-status-on", time=local_time(status.since, settings.tz), operator=esc(settings.operator_name_in(i18n.locale)))
        builder.button(text=i18n.get("ads-turn-off-button"), callback_data=AdsCb(opt_in=False))
    else:
        text = i18n.get("ads-status-off")
        builder.button(text=i18n.get("ads-turn-on-button"), callback_data=AdsCb(opt_in=True))
    if status.blocked:
        text += "\n" + i18n.get("erasure-ads-blocked")
    return text, builder.as_markup()


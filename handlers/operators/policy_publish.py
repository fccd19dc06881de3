"""Publishing a policy version from the admin chat; withdrawing a scheduled one.

Flow: staff send kk.md / ru.md (or .txt) documents to the admin chat (each is validated and
staged), then `/publish_policy YYYY-MM-DD` (also as a reply to one of the documents). The bot
shows which sections were added, removed or changed and asks for confirmation; only then
bot/publishing.py publishes it (one transaction with its notice). A date in the future is
announced now and takes effect on that date; `/withdraw_policy YYYY-MM-DD` (or the button in
`/policy_versions`) withdraws it before then. A folder added to POLICY_DIR by hand shows up in
`/policy_versions` with a button to publish it through the same confirmation.

Handlers parse, call one service, render.
"""

from __future__ import annotations

import datetime
import io

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot import publishing
from bot.broadcaster import Broadcaster, Progress
from bot.clock import Clock
from bot.config import Settings
from bot.formatting import esc, local_date, local_time
from bot.live_policies import LivePolicies
from bot.policy import PolicyError, PolicyLibrary, PolicyVersion, load_policy_library
from bot.policy_diff import diff_versions
from bot.publishing import PublishRefused
from bot.session import ignore_result
from handlers.filters import Magic
from handlers.keyboards import PublishAction, PublishCb
from handlers.routing import Router
from storage import broadcasts, policy_versions
from storage.db import Database


def refusal_text(i18n: I18nContext, refused: PublishRefused) -> str:
    details = {key: local_date(value) if hasattr(value, "isoformat") else value for key, value in refused.details.items()}
    return i18n.get(f"pp-refused-{refused.reason}", **details)


def staff_diff(i18n: I18nContext, library: PolicyLibrary, candidate: PolicyVersion, today: datetime.date) -> str:
    previous = library.previous_of(candidate)
    lines = [
        i18n.get(
            "pp-review",
            version=local_date(candidate.effective_date),
            previous=local_date(previous.effective_date) if previous else "—",
        )
    ]
    for language, diff in diff_versions(previous, candidate).items():
        lines.append("")
        lines.append(i18n.get("pp-review-language", language=language.upper()))
        if diff.new_language:
            lines.append(i18n.get("pp-review-new-language", count=len(diff.added)))
            continue
        if diff.empty:
            lines.append(i18n.get("pp-review-no-changes"))
        for key, sections in (("pp-review-added", diff.added), ("pp-review-removed", diff.removed), ("pp-review-changed", diff.changed)):
            if sections:
                titles = "; ".join(esc(s.short_title() or i18n.get("policy-preamble")) for s in sections)
                lines.append(i18n.get(key, count=len(sections), sections=titles))
    missing = [lang.upper() for lang in ("kk", "ru") if lang not in candidate.documents]
    if missing:
        lines.append("")
        lines.append(i18n.get("pp-review-missing-language", languages=", ".join(missing)))
    lines.append("")
    if candidate.effective_date > today:
        lines.append(i18n.get("pp-review-question-scheduled", date=local_date(candidate.effective_date)))
    else:
        lines.append(i18n.get("pp-review-question"))
    return "\n".join(lines)


def confirm_keyboard(i18n: I18nContext, version: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=i18n.get("pp-confirm-button"), callback_data=PublishCb(action=PublishAction.CONFIRM, version=version))
    builder.button(text=i18n.get("pp-discard-button"), callback_data=PublishCb(action=PublishAction.DISCARD, version=version))
    builder.adjust(2)
    return builder.as_markup()


def withdraw_keyboard(i18n: I18nContext, version: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=i18n.get("pp-withdraw-confirm-button"), callback_data=PublishCb(action=PublishAction.WITHDRAW_CONFIRM, version=version))
    builder.button(text=i18n.get("pp-withdraw-keep-button"), callback_data=PublishCb(action=PublishAction.WITHDRAW_KEEP, version=version))
    builder.adjust(2)
    return builder.as_markup()


def _today(clock: Clock, settings: Settings) -> datetime.date:
    return publishing.local_today(clock, settings.tz)


async def _stage_document(message: Message, bot: Bot, settings: Settings, i18n: I18nContext) -> str:
    document = message.document
    assert document is not None
    parsed = publishing.policy_file_language(document.file_name)
    assert parsed is not None
    language, suffix = parsed
    buffer = io.BytesIO()
    await bot.download(document, destination=buffer)
    text = publishing.decode(buffer.getvalue(), document.file_name or "")
    staged = publishing.stage(settings.policy_dir, language, suffix, text)
    numbered = sum(1 for s in staged.sections if s.number is not None)
    return i18n.get("pp-staged", file=esc(document.file_name or ""), sections=numbered)


def actor_label(i18n: I18nContext, actor: str) -> str:
    """'system' / 'operator:<id>' (audit actors) in the operators' language."""
    if actor == "system":
        return i18n.get("compliance-actor-system")
    if actor.startswith("operator:"):
        return i18n.get("compliance-actor-operator", id=esc(actor.removeprefix("operator:")))
    return esc(actor)


def policy_error_text(i18n: I18nContext, error: PolicyError) -> str:
    """The error in the operators' language where it has a translation, else its own words."""
    if error.key is None:
        return esc(str(error))
    return i18n.get(error.key, **{name: esc(value) for name, value in error.text_args.items()})


def _is_policy_file(message: Message) -> bool:
    return message.document is not None and publishing.policy_file_language(message.document.file_name) is not None


# ------------------------------------------------------------------------------ handlers

async def on_policy_file(message: Message, bot: Bot, settings: Settings, i18n: I18nContext) -> None:
    try:
        await ignore_result(message.reply(await _stage_document(message, bot, settings, i18n)))
    except PolicyError as error:
        await ignore_result(message.reply(i18n.get("pp-error", error=policy_error_text(i18n, error))))


async def on_publish(
    message: Message, command: CommandObject, bot: Bot, settings: Settings, i18n: I18nContext,
    policies: PolicyLibrary, clock: Clock,
) -> None:
    version = (command.args or "").strip()
    today = _today(clock, settings)
    try:
        date = publishing.check_version_name(version)
        reply = message.reply_to_message
        if reply is not None and _is_policy_file(reply):
            await _stage_document(reply, bot, settings, i18n)
        publishing.check_effective_date(date, policies, today)
        candidate = publishing.prepare_from_staging(settings.policy_dir, version)
    except PublishRefused as refused:
        await ignore_result(message.answer(refusal_text(i18n, refused)))
        return
    except PolicyError as error:
        await ignore_result(message.answer(i18n.get("pp-error", error=policy_error_text(i18n, error)) + "\n\n" + i18n.get("pp-usage")))
        return
    await ignore_result(message.answer(staff_diff(i18n, policies, candidate, today), reply_markup=confirm_keyboard(i18n, version)))


async def on_withdraw_command(
    message: Message, command: CommandObject, settings: Settings, i18n: I18nContext, policies: PolicyLibrary,
) -> None:
    version = (command.args or "").strip()
    target = policies.get(version) if version else None
    if target is None or not policies.is_scheduled(target):
        await ignore_result(message.answer(i18n.get("pp-refused-not-scheduled") + "\n\n" + i18n.get("pp-usage")))
        return
    await ignore_result(message.answer(
        i18n.get("pp-withdraw-question", version=local_date(target.effective_date)),
        reply_markup=withdraw_keyboard(i18n, version),
    ))


async def on_versions(
    message: Message, settings: Settings, i18n: I18nContext, db: Database, policies: PolicyLibrary,
) -> None:
    published = await policy_versions.publications(db)
    lines = [i18n.get("pp-versions-title")]
    builder = InlineKeyboardBuilder()
    for version in reversed(policies.versions + policies.scheduled):
        by, at = published.get(version.version, ("—", None))
        if policies.is_scheduled(version):
            status = i18n.get("pp-versions-scheduled", date=local_date(version.effective_date))
            builder.button(
                text=i18n.get("pp-withdraw-button", version=local_date(version.effective_date)),
                callback_data=PublishCb(action=PublishAction.WITHDRAW, version=version.version),
            )
        else:
            status = i18n.get("pp-versions-current") if version is policies.current else ""
        lines.append(
            i18n.get(
                "pp-versions-line",
                version=local_date(version.effective_date),
                languages=", ".join(lang.upper() for lang in version.languages),
                time=local_time(at, settings.tz) if at else "—",
                by=actor_label(i18n, by),
                current=status,
            )
        )
    try:
        on_disk = load_policy_library(settings.policy_dir)
    except PolicyError as error:
        lines.append(i18n.get("pp-error", error=policy_error_text(i18n, error)))
    else:
        for version in on_disk.versions:
            if version.version not in published and version.effective_date > policies.current.effective_date:
                lines.append(i18n.get("pp-versions-unpublished", version=local_date(version.effective_date)))
                builder.button(
                    text=i18n.get("pp-review-button", version=local_date(version.effective_date)),
                    callback_data=PublishCb(action=PublishAction.REVIEW, version=version.version),
                )
    builder.adjust(1)
    await ignore_result(message.answer("\n".join(lines), reply_markup=builder.as_markup()))


async def on_button(
    callback: CallbackQuery, callback_data: PublishCb, settings: Settings, i18n: I18nContext, db: Database,
    clock: Clock, policies: PolicyLibrary, live_policies: LivePolicies, broadcaster: Broadcaster,
) -> None:
    message = callback.message
    assert isinstance(message, Message)
    action = callback_data.action
    try:
        # The version names folders under POLICY_DIR: never let callback data name another path.
        effective = publishing.check_version_name(callback_data.version)
    except PolicyError:
        await callback.answer(i18n.get("button-outdated"), show_alert=True)
        return
    if action in (PublishAction.REVIEW, PublishAction.CONFIRM, PublishAction.DISCARD) and (
        policies.get(callback_data.version) is not None
    ):
        # A review message left over from a publication that went through (perhaps by another operator).
        await callback.answer(i18n.get("pp-refused-already-published", version=local_date(callback_data.version)), show_alert=True)
        return
    if action is PublishAction.DISCARD:
        await callback.answer()
        publishing.discard_prepared(settings.policy_dir, callback_data.version)
        await ignore_result(message.edit_text(i18n.get("pp-discarded", version=local_date(effective))))
        return
    if action in (PublishAction.WITHDRAW, PublishAction.WITHDRAW_CONFIRM, PublishAction.WITHDRAW_KEEP):
        await _on_withdraw_button(callback, callback_data, message, settings, i18n, db, clock, policies, live_policies, broadcaster)
        return
    if action is PublishAction.REVIEW:
        try:
            candidate = publishing.load_candidate(settings.policy_dir, callback_data.version)
        except PolicyError as error:
            await callback.answer()
            await ignore_result(message.answer(i18n.get("pp-error", error=policy_error_text(i18n, error))))
            return
        if candidate is None:
            await callback.answer(i18n.get("button-outdated"), show_alert=True)
            return
        await callback.answer()
        today = _today(clock, settings)
        await ignore_result(message.answer(staff_diff(i18n, policies, candidate, today), reply_markup=confirm_keyboard(i18n, callback_data.version)))
        return
    # Confirmed.
    try:
        published = await publishing.publish_version(
            db, policy_dir=settings.policy_dir, version=callback_data.version, library=policies,
            operator_id=callback.from_user.id, locale=i18n.locale, paid=settings.broadcast_paid,
            now=clock.now(), today=_today(clock, settings), progress_chat_id=message.chat.id,
        )
    except PublishRefused as refused:
        await callback.answer()
        await ignore_result(message.answer(refusal_text(i18n, refused)))  # a message: alerts take no HTML and 200 characters
        return
    except PolicyError as error:
        await callback.answer()
        await ignore_result(message.answer(i18n.get("pp-error", error=policy_error_text(i18n, error))))
        return
    live_policies.replace(published.library)
    await callback.answer()
    key = "pp-published-scheduled" if published.scheduled else "pp-published"
    await ignore_result(message.edit_text(i18n.get(key, version=local_date(published.version.effective_date))))
    started = await broadcasts.get(db, published.broadcast_id)
    assert started is not None
    text, markup = broadcaster.views.progress(  # type: ignore[attr-defined]
        started, Progress(counts=await broadcasts.counts(db, published.broadcast_id), rate=0.0, eta_seconds=None)
    )
    progress = await message.answer(text, reply_markup=markup)
    await broadcasts.set_progress_message(db, published.broadcast_id, progress.chat.id, progress.message_id)
    broadcaster.wake()


async def _on_withdraw_button(
    callback: CallbackQuery, callback_data: PublishCb, message: Message, settings: Settings, i18n: I18nContext,
    db: Database, clock: Clock, policies: PolicyLibrary, live_policies: LivePolicies, broadcaster: Broadcaster,
) -> None:
    target = policies.get(callback_data.version)
    if target is None or not policies.is_scheduled(target):
        await callback.answer(i18n.get("pp-refused-not-scheduled"), show_alert=True)
        return
    date = local_date(target.effective_date)
    if callback_data.action is PublishAction.WITHDRAW:
        await callback.answer()
        await ignore_result(message.answer(i18n.get("pp-withdraw-question", version=date), reply_markup=withdraw_keyboard(i18n, target.version)))
        return
    if callback_data.action is PublishAction.WITHDRAW_KEEP:
        await callback.answer()
        await ignore_result(message.edit_text(i18n.get("pp-withdraw-kept", version=date)))
        return
    try:
        withdrawn = await publishing.withdraw_version(
            db, policy_dir=settings.policy_dir, version=target.version, library=policies,
            operator_id=callback.from_user.id, now=clock.now(), today=_today(clock, settings),
        )
    except PublishRefused as refused:
        await callback.answer()
        await ignore_result(message.answer(refusal_text(i18n, refused)))
        return
    live_policies.replace(withdrawn.library)
    if withdrawn.broadcast_id is not None:
        broadcaster.cancel(withdrawn.broadcast_id)
    await callback.answer()
    await ignore_result(message.edit_text(i18n.get("pp-withdrawn", version=date)))


def create_router() -> Router:
    router = Router(name="operator-policy-publish")
    router.message.register(on_policy_file, Magic(F.document), Magic(F.func(_is_policy_file)), Magic(~F.reply_to_message))
    router.message.register(on_publish, Command("publish_policy"))
    router.message.register(on_withdraw_command, Command("withdraw_policy"))
    router.message.register(on_versions, Command("policy_versions"))
    router.callback_query.register(on_button, PublishCb.filter())
    return router

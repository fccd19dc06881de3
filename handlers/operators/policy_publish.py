"""Publishing a policy version from the admin chat, and the notice users get about it.

Flow: staff send kk.md / ru.md (or .txt) documents to the admin chat (each is validated and
staged), then `/publish_policy YYYY-MM-DD` (also as a reply to one of the documents). The bot
shows which sections were added, removed or changed and asks for confirmation; only then the
version is installed, becomes current for users, and the notice broadcast starts.
A folder added to POLICY_DIR by hand shows up in `/policy_versions` with a button to publish it
through the same confirmation.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext
from aiogram_i18n.cores import BaseCore

from bot import publishing
from bot.broadcaster import Broadcaster, Progress
from bot.clock import Clock
from bot.config import Settings
from bot.formatting import esc, local_date, local_time
from bot.policy import PolicyError, PolicyLibrary, PolicySection, PolicyVersion, load_policy_library
from bot.policy_diff import PolicyDiff, diff_documents, diff_versions
from handlers.filters import Magic
from handlers.keyboards import ConsentAction, ConsentCb, PolicyAction, PolicyCb, PublishAction, PublishCb
from handlers.routing import Router
from storage import audit, broadcasts, policy_versions
from storage.db import Database

InstallPolicies = Callable[[PolicyLibrary], None]

NOTICE_SECTIONS_SHOWN = 12
NOTICE_BUTTONS = 6


def _label(core: BaseCore, language: str, section: PolicySection) -> str:
    return section.short_title() or core.get("policy-preamble", language)


def notice_diff(library: PolicyLibrary, version: PolicyVersion, language: str) -> tuple[PolicyDiff, PolicyVersion | None]:
    document, _ = version.document(language)
    previous = publishing.previous_of(library, version)
    old = previous.documents.get(document.language) if previous else None
    return diff_documents(old, document), previous


def policy_notice(core: BaseCore, settings: Settings, library: PolicyLibrary, version: PolicyVersion, language: str) -> str:
    """The policy-update notice in the user's language: what changed."""
    diff, _ = notice_diff(library, version, language)
    lines = []
    for key, sections in (
        ("policy-change-added", diff.added),
        ("policy-change-changed", diff.changed),
        ("policy-change-removed", diff.removed),
    ):
        for section in sections:
            lines.append(core.get(key, language, section=esc(_label(core, language, section))))
    if len(lines) > NOTICE_SECTIONS_SHOWN:
        more = len(lines) - NOTICE_SECTIONS_SHOWN
        lines = lines[:NOTICE_SECTIONS_SHOWN] + [core.get("policy-change-more", language, count=more)]
    if not lines:
        lines = [core.get("policy-change-none", language)]
    return core.get(
        "policy-update-notice", language,
        operator=esc(settings.operator_name_in(language)),
        date=local_date(version.effective_date),
        changes="\n".join(lines),
    )


def policy_notice_keyboard(core: BaseCore, library: PolicyLibrary, version: PolicyVersion, language: str) -> InlineKeyboardMarkup:
    """Buttons to read the changed sections, the whole new version, the previous one, and to accept."""
    document, _ = version.document(language)
    diff, previous = notice_diff(library, version, language)
    builder = InlineKeyboardBuilder()
    for section in diff.to_read[:NOTICE_BUTTONS]:
        builder.button(
            text=_label(core, language, section),
            callback_data=PolicyCb(action=PolicyAction.SECTION, version=version.version, lang=document.language, section=section.index, fresh=True),
        )
    builder.button(
        text=core.get("policy-notice-read-all-button", language),
        callback_data=PolicyCb(action=PolicyAction.TOC, version=version.version, lang=document.language, fresh=True),
    )
    if previous is not None:
        old_document, _ = previous.document(language)
        builder.button(
            text=core.get("policy-notice-previous-button", language, date=local_date(previous.effective_date)),
            callback_data=PolicyCb(action=PolicyAction.TOC, version=previous.version, lang=old_document.language, fresh=True),
        )
    builder.button(
        text=core.get("policy-notice-accept-button", language),
        callback_data=ConsentCb(action=ConsentAction.SHOW, version=version.version),
    )
    builder.adjust(1)
    return builder.as_markup()


def staff_diff(i18n: I18nContext, library: PolicyLibrary, candidate: PolicyVersion) -> str:
    previous = publishing.previous_of(library, candidate)
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
    lines.append(i18n.get("pp-review-question"))
    return "\n".join(lines)


def confirm_keyboard(i18n: I18nContext, version: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=i18n.get("pp-confirm-button"), callback_data=PublishCb(action=PublishAction.CONFIRM, version=version))
    builder.button(text=i18n.get("pp-discard-button"), callback_data=PublishCb(action=PublishAction.DISCARD, version=version))
    builder.adjust(2)
    return builder.as_markup()


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


def create_router() -> Router:
    router = Router(name="operator-policy-publish")

    @router.message(Magic(F.document), Magic(F.func(_is_policy_file)), Magic(~F.reply_to_message))
    async def on_policy_file(message: Message, bot: Bot, settings: Settings, i18n: I18nContext) -> None:
        try:
            await message.reply(await _stage_document(message, bot, settings, i18n))
        except PolicyError as error:
            await message.reply(i18n.get("pp-error", error=policy_error_text(i18n, error)))

    @router.message(Command("publish_policy"))
    async def on_publish(
        message: Message, command: CommandObject, bot: Bot, settings: Settings, i18n: I18nContext,
        policies: PolicyLibrary,
    ) -> None:
        version = (command.args or "").strip()
        try:
            date = publishing.check_version_name(version)
            reply = message.reply_to_message
            if reply is not None and _is_policy_file(reply):
                await _stage_document(reply, bot, settings, i18n)
            if date <= policies.current.effective_date:
                await message.answer(i18n.get("pp-too-early", current=local_date(policies.current.effective_date)))
                return
            candidate = publishing.prepare_from_staging(settings.policy_dir, version)
        except PolicyError as error:
            await message.answer(i18n.get("pp-error", error=policy_error_text(i18n, error)) + "\n\n" + i18n.get("pp-usage"))
            return
        await message.answer(staff_diff(i18n, policies, candidate), reply_markup=confirm_keyboard(i18n, version))

    @router.message(Command("policy_versions"))
    async def on_versions(message: Message, settings: Settings, i18n: I18nContext, db: Database, policies: PolicyLibrary) -> None:
        published = await policy_versions.publications(db)
        lines = [i18n.get("pp-versions-title")]
        for version in reversed(policies.versions):
            by, at = published.get(version.version, ("—", None))
            lines.append(
                i18n.get(
                    "pp-versions-line",
                    version=local_date(version.effective_date),
                    languages=", ".join(lang.upper() for lang in version.languages),
                    time=local_time(at, settings.tz) if at else "—",
                    by=actor_label(i18n, by),
                    current=i18n.get("pp-versions-current") if version is policies.current else "",
                )
            )
        builder = InlineKeyboardBuilder()
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
        await message.answer("\n".join(lines), reply_markup=builder.as_markup())

    @router.callback_query(PublishCb.filter())
    async def on_button(
        callback: CallbackQuery, callback_data: PublishCb, settings: Settings, i18n: I18nContext, db: Database,
        clock: Clock, policies: PolicyLibrary, broadcaster: Broadcaster, install_policies: InstallPolicies,
    ) -> None:
        message = callback.message
        assert isinstance(message, Message)
        version = callback_data.version
        if policies.get(version) is not None:
            await callback.answer(i18n.get("pp-already-published"), show_alert=True)
            return
        try:
            candidate = publishing.load_candidate(settings.policy_dir, version)
        except PolicyError as error:
            await callback.answer()
            await message.answer(i18n.get("pp-error", error=policy_error_text(i18n, error)))
            return
        if candidate is None or candidate.effective_date <= policies.current.effective_date:
            await callback.answer(i18n.get("button-outdated"), show_alert=True)
            return
        if callback_data.action is PublishAction.REVIEW:
            await callback.answer()
            await message.answer(staff_diff(i18n, policies, candidate), reply_markup=confirm_keyboard(i18n, version))
            return
        if callback_data.action is PublishAction.DISCARD:
            await callback.answer()
            await message.edit_text(i18n.get("pp-discarded", version=local_date(candidate.effective_date)))
            return
        # Confirmed: install, make current, record, and tell the users.
        actor = audit.operator_actor(callback.from_user.id)
        now = clock.now()
        try:
            publishing.install(settings.policy_dir, version)
            full = load_policy_library(settings.policy_dir)
        except PolicyError as error:
            await callback.answer()
            await message.answer(i18n.get("pp-error", error=policy_error_text(i18n, error)))
            return
        if not await policy_versions.record_publication(db, version, actor=actor, now=now):
            await callback.answer(i18n.get("pp-already-published"), show_alert=True)
            return
        library = publishing.effective_library(full, await policy_versions.published_versions(db))
        install_policies(library)
        await callback.answer()
        await message.edit_text(i18n.get("pp-published", version=local_date(candidate.effective_date)))
        broadcast_id = await broadcasts.create_draft(
            db, kind="policy", created_by=callback.from_user.id, locale=i18n.locale, now=now,
            policy_version=version, paid=settings.broadcast_paid,
        )
        started = await broadcasts.start(db, broadcast_id, actor=actor, now=now)
        assert started is not None
        await policy_versions.set_broadcast(db, version, broadcast_id)
        text, markup = broadcaster.views.progress(  # type: ignore[attr-defined]
            started, Progress(counts=await broadcasts.counts(db, broadcast_id), rate=0.0, eta_seconds=None)
        )
        progress = await message.answer(text, reply_markup=markup)
        await broadcasts.set_progress_message(db, broadcast_id, progress.chat.id, progress.message_id)
        broadcaster.wake()

    return router

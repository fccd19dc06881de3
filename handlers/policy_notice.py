"""The policy-update notice users receive (a view shared by publishing and broadcasting).

Rendered per language: what changed for a reader of that language, a note when the version
lacks their language, "new language version" when it is the first text in their language, and
"in force from ..." for a version scheduled for a later date (which cannot be accepted before
it takes effect: consent is asked for the version in force).
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n.cores import BaseCore

from bot.config import Settings
from bot.formatting import esc, local_date
from bot.policy import PolicyLibrary, PolicySection, PolicyVersion
from bot.policy_diff import PolicyDiff, diff_for_reader
from handlers.keyboards import ConsentAction, ConsentCb, PolicyAction, PolicyCb

NOTICE_SECTIONS_SHOWN = 12
NOTICE_BUTTONS = 6


def _label(core: BaseCore, language: str, section: PolicySection) -> str:
    return section.short_title() or core.get("policy-preamble", language)


def notice_diff(library: PolicyLibrary, version: PolicyVersion, language: str) -> tuple[PolicyDiff, PolicyVersion | None]:
    previous = library.previous_of(version)
    return diff_for_reader(previous, version, language), previous


def policy_notice(core: BaseCore, settings: Settings, library: PolicyLibrary, version: PolicyVersion, language: str) -> str:
    """The policy-update notice in the user's language: what changed."""
    diff, _ = notice_diff(library, version, language)
    document, fallback = version.document(language)
    lines = []
    if diff.new_language:
        lines.append(core.get("policy-change-new-language", language))
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
    key = "pp-notice-scheduled" if library.is_scheduled(version) else "policy-update-notice"
    text = core.get(
        key, language,
        operator=esc(settings.operator_name_in(language)),
        date=local_date(version.effective_date),
        changes="\n".join(lines),
    )
    if fallback:
        text += "\n\n" + core.get("policy-fallback-note", language)
    return text


def policy_notice_keyboard(core: BaseCore, library: PolicyLibrary, version: PolicyVersion, language: str) -> InlineKeyboardMarkup:
    """Buttons to read the changed sections, the whole new version, the previous one, and to
    accept (only once the version is in force)."""
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
    if not library.is_scheduled(version):
        builder.button(
            text=core.get("policy-notice-accept-button", language),
            callback_data=ConsentCb(action=ConsentAction.SHOW, version=version.version),
        )
    builder.adjust(1)
    return builder.as_markup()

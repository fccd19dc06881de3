"""/policy: a table of contents of buttons, each section readable on its own, long ones paged."""

from __future__ import annotations

from functools import lru_cache

from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot.config import Settings
from bot.formatting import esc, local_date
from bot.policy import PolicyDocument, PolicyLibrary, PolicyVersion, paginate
from bot.session import ignore_result
from handlers.filters import MenuButton
from handlers.keyboards import PolicyAction, PolicyCb
from handlers.routing import Router
from handlers.views import show

# Leaves room for the page header inside Telegram's 4096-character message limit.
PAGE_LIMIT = 3500


@lru_cache(maxsize=512)
def section_pages(document: PolicyDocument, index: int) -> tuple[str, ...]:
    section = document.section(index)
    if section is None:
        return ()
    return tuple(paginate(section.text, PAGE_LIMIT))


def section_label(i18n: I18nContext, document: PolicyDocument, index: int) -> str:
    section = document.section(index)
    assert section is not None
    return section.short_title() or i18n.get("policy-preamble")


def other_language_note(i18n: I18nContext, document: PolicyDocument) -> str:
    """Said wherever a user is shown a text that is not in their language."""
    return "\n\n" + i18n.get("policy-fallback-note") if document.language != i18n.locale else ""


def section_count(document: PolicyDocument) -> int:
    """Numbered sections: the introduction (and an unnumbered policy's only part) is not one."""
    return sum(1 for s in document.sections if s.number is not None) or len(document.sections)


def toc_view(
    i18n: I18nContext, version: PolicyVersion, language: str, policies: PolicyLibrary | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    document, _ = version.document(language)
    text = i18n.get(
        "policy-header",
        title=esc(document.title or i18n.get("policy-untitled")),
        date=local_date(version.effective_date),
        sections=section_count(document),
    )
    if policies is not None and policies.is_scheduled(version):
        text += "\n\n" + i18n.get(
            "policy-scheduled-note", date=local_date(version.effective_date),
            current=local_date(policies.current.effective_date),
        )
    text += other_language_note(i18n, document)
    builder = InlineKeyboardBuilder()
    for section in document.sections:
        builder.button(
            text=section_label(i18n, document, section.index),
            callback_data=PolicyCb(
                action=PolicyAction.SECTION, version=version.version, lang=document.language, section=section.index
            ),
        )
    builder.button(
        text=i18n.get("policy-download-button"),
        callback_data=PolicyCb(action=PolicyAction.FILE, version=version.version, lang=document.language),
    )
    builder.adjust(1)
    return text, builder.as_markup()


def section_view(
    i18n: I18nContext, version: PolicyVersion, document: PolicyDocument, index: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    pages = section_pages(document, index)
    header = i18n.get(
        "policy-page-header",
        section=esc(section_label(i18n, document, index)),
        date=local_date(version.effective_date),
        page=page + 1,
        pages=len(pages),
    )
    note = other_language_note(i18n, document)
    text = header + note + "\n\n" + esc(pages[page].strip())

    def cb(action: PolicyAction, section: int = 0, page_no: int = 0) -> PolicyCb:
        return PolicyCb(action=action, version=version.version, lang=document.language, section=section, page=page_no)

    builder = InlineKeyboardBuilder()
    paging = []
    if page > 0:
        paging.append((i18n.get("policy-prev-page-button"), cb(PolicyAction.SECTION, index, page - 1)))
    if page + 1 < len(pages):
        paging.append((i18n.get("policy-next-page-button"), cb(PolicyAction.SECTION, index, page + 1)))
    for label, data in paging:
        builder.button(text=label, callback_data=data)
    sections = []
    if index > 0:
        sections.append((i18n.get("policy-prev-section-button"), cb(PolicyAction.SECTION, index - 1)))
    if index + 1 < len(document.sections):
        sections.append((i18n.get("policy-next-section-button"), cb(PolicyAction.SECTION, index + 1)))
    for label, data in sections:
        builder.button(text=label, callback_data=data)
    builder.button(text=i18n.get("policy-toc-button"), callback_data=cb(PolicyAction.TOC))
    builder.adjust(*(n for n in (len(paging), len(sections), 1) if n))
    return text, builder.as_markup()


async def on_policy(message: Message, i18n: I18nContext, policies: PolicyLibrary) -> None:
    text, markup = toc_view(i18n, policies.current, i18n.locale, policies)
    await ignore_result(message.answer(text, reply_markup=markup))


async def on_policy_button(
    callback: CallbackQuery, callback_data: PolicyCb, i18n: I18nContext, policies: PolicyLibrary,
    settings: Settings,
) -> None:
    version = policies.get(callback_data.version)
    document = version.documents.get(callback_data.lang) if version else None
    if version is None or document is None:
        await callback.answer(i18n.get("button-outdated"), show_alert=True)
        return
    if callback_data.action is PolicyAction.TOC:
        await callback.answer()
        await show(callback, *toc_view(i18n, version, callback_data.lang, policies), fresh=callback_data.fresh)
    elif callback_data.action is PolicyAction.SECTION:
        pages = section_pages(document, callback_data.section)
        if not 0 <= callback_data.page < len(pages):
            await callback.answer(i18n.get("button-outdated"), show_alert=True)
            return
        await callback.answer()
        await show(
            callback, *section_view(i18n, version, document, callback_data.section, callback_data.page),
            fresh=callback_data.fresh,
        )
    else:
        await callback.answer()
        assert callback.message is not None and callback.bot is not None
        await ignore_result(callback.bot.send_document(
            callback.message.chat.id,
            BufferedInputFile(document.text.encode("utf-8"), filename=f"policy-{version.version}-{document.language}.txt"),
            caption=i18n.get(
                "policy-file-caption", operator=esc(settings.operator_name_in(i18n.locale)), date=local_date(version.effective_date)
            ) + other_language_note(i18n, document),
        ))


def create_router() -> Router:
    router = Router(name="policy")
    router.message.register(on_policy, Command("policy"))
    router.message.register(on_policy, MenuButton("menu-policy"))
    router.callback_query.register(on_policy_button, PolicyCb.filter())
    return router

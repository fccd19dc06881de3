"""/claim, /myclaims and follow-ups: written claims and data-subject requests from customers."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from aiogram import F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot import claims as domain
from bot.clock import Clock
from bot.config import Settings
from bot.deadlines import WorkingCalendar, days_left
from bot.formatting import esc, local_date, local_time, utc_offset_label
from bot.scheduler import Scheduler
from handlers.filters import Magic, MenuButton
from handlers.keyboards import (
    ClaimFlowAction,
    ClaimFlowCb,
    ClaimTypeCb,
    FollowUpCb,
    claim_flow_keyboard,
    claim_types_keyboard,
    main_menu,
)
from handlers.routing import Router
from handlers.views import show
from storage import claims as store
from storage.db import Database, from_iso
from storage.users import User

log = logging.getLogger(__name__)
PREVIEW_CHARS = 600
MYCLAIMS_SHOWN = 10
REPLY_CHARS = 500


class ClaimFlow(StatesGroup):
    type = State()
    text = State()
    attachments = State()
    confirm = State()


class FollowUpFlow(StatesGroup):
    text = State()


def attachment_of(message: Message) -> dict[str, Any] | None:
    if message.photo:
        return {"kind": "photo", "chat_id": message.chat.id, "message_id": message.message_id,
                "file_id": message.photo[-1].file_id, "file_name": None}
    if message.document:
        return {"kind": "document", "chat_id": message.chat.id, "message_id": message.message_id,
                "file_id": message.document.file_id, "file_name": message.document.file_name}
    return None


def term_text(i18n: I18nContext, days: int, kind: str) -> str:
    return i18n.get("claim-days-term", days=days, kind=kind)


def left_text(i18n: I18nContext, due: date, left: int) -> str:
    if left > 0:
        return i18n.get("claim-left-days", left=left)
    if left == 0:
        return i18n.get("claim-left-today")
    return i18n.get("claim-left-overdue", overdue=-left)


async def kick(scheduler: Scheduler | None) -> None:
    """Deliver the outbox now; a failure here is retried by the scheduler, the user is unaffected."""
    if scheduler is None:
        return
    try:
        await scheduler.kick()
    except Exception as error:
        log.warning("outbox delivery after an event failed: %s", type(error).__name__)


def claim_view(i18n: I18nContext, settings: Settings, claim: store.Claim, replies: list[store.Reply], now: Any) -> str:
    today = now.astimezone(settings.tz).date()
    status = domain.display_status(claim, today)
    due = date.fromisoformat(claim.due_date)
    left = ""
    if claim.status != "closed":
        left = ", " + left_text(i18n, due, days_left(due, now, settings.tz))
    lines = [i18n.get(
        "myclaims-item", number=claim.number, type=i18n.get(f"claim-type-{claim.type}"),
        status=i18n.get(f"claim-status-{status}"), registered=local_time(claim.registered_at, settings.tz),
        due=local_date(due), left=left,
    )]
    for reply in replies:
        time = local_time(reply.created_at, settings.tz)
        if reply.kind == "refusal":
            continue
        if reply.text:
            text = reply.text if len(reply.text) <= REPLY_CHARS else reply.text[:REPLY_CHARS] + "…"
            lines.append(i18n.get("myclaims-reply", time=time, text=esc(text)))
        else:
            lines.append(i18n.get("myclaims-reply-media", time=time))
    if claim.resolution == "refused" and claim.closed_at:
        reason = claim.refusal_reason or ""
        reason = reason if len(reason) <= REPLY_CHARS else reason[:REPLY_CHARS] + "…"
        lines.append(i18n.get("myclaims-refusal", time=local_time(claim.closed_at, settings.tz), reason=esc(reason)))
    return "\n".join(lines)


def create_router() -> Router:
    router = Router(name="claims")

    async def start_flow(message: Message, i18n: I18nContext, state: FSMContext) -> None:
        # A new state with empty data replaces whatever flow the user was in (as clear() would,
        # in two writes instead of three).
        await state.set_state(ClaimFlow.type)
        await state.set_data({})
        await message.answer(i18n.get("claim-choose-type"), reply_markup=claim_types_keyboard(i18n))

    @router.message(Command("claim"))
    @router.message(MenuButton("menu-claim"))
    async def on_claim(message: Message, i18n: I18nContext, state: FSMContext) -> None:
        await start_flow(message, i18n, state)

    @router.callback_query(ClaimTypeCb.filter(F.type.in_(domain.REQUEST_TYPES)))
    async def on_type(
        callback: CallbackQuery, callback_data: ClaimTypeCb, i18n: I18nContext, settings: Settings, state: FSMContext,
        raw_state: str | None,
    ) -> None:
        await callback.answer()
        days, kind = domain.limit_for(settings, callback_data.type)
        await state.set_state(ClaimFlow.text)
        await state.set_data({"type": callback_data.type, "attachments": []})
        # The list of types becomes the chosen type's prompt: no spent buttons left behind. A
        # request pressed in /mydata's menu leaves that menu as it is, for its other buttons.
        await show(callback, i18n.get(
            "claim-ask-text", type=i18n.get(f"claim-type-{callback_data.type}"), term=term_text(i18n, days, kind),
            max=domain.TEXT_MAX,
        ), None, fresh=raw_state != ClaimFlow.type.state)

    @router.message(StateFilter(ClaimFlow.text), Magic(F.text))
    async def on_text(message: Message, i18n: I18nContext, state: FSMContext) -> None:
        error = domain.check_text(message.text)
        if error:
            await message.answer(i18n.get(error, max=domain.TEXT_MAX))
            return
        await state.update_data(text=message.text)
        await state.set_state(ClaimFlow.attachments)
        await message.answer(
            i18n.get("claim-ask-attachments", max=domain.MAX_ATTACHMENTS),
            reply_markup=claim_flow_keyboard(i18n, ClaimFlowAction.CONTINUE, ClaimFlowAction.CANCEL),
        )

    @router.message(StateFilter(ClaimFlow.text), Magic(F.photo | F.document))
    async def on_text_media(message: Message, i18n: I18nContext, state: FSMContext) -> None:
        if not message.caption or not message.caption.strip():
            await message.answer(i18n.get("claim-media-only"))
            return
        # A photo or document with a caption: the caption is the text, the file the first attachment.
        await state.update_data(text=message.caption, attachments=[attachment_of(message)])
        await state.set_state(ClaimFlow.attachments)
        await message.answer(
            i18n.get("claim-attachment-added", count=1, max=domain.MAX_ATTACHMENTS),
            reply_markup=claim_flow_keyboard(i18n, ClaimFlowAction.CONTINUE, ClaimFlowAction.CANCEL),
        )

    @router.message(StateFilter(ClaimFlow.text))
    async def on_text_other(message: Message, i18n: I18nContext) -> None:
        await message.answer(i18n.get("claim-text-expected"))

    @router.message(StateFilter(ClaimFlow.type))
    async def on_type_expected(message: Message, i18n: I18nContext) -> None:
        await message.answer(i18n.get("claim-choose-type"), reply_markup=claim_types_keyboard(i18n))

    @router.message(StateFilter(ClaimFlow.attachments), Magic(F.photo | F.document))
    async def on_attachment(message: Message, i18n: I18nContext, state: FSMContext) -> None:
        data = await state.get_data()
        items = list(data.get("attachments", []))
        keyboard = claim_flow_keyboard(i18n, ClaimFlowAction.CONTINUE, ClaimFlowAction.CANCEL)
        if len(items) >= domain.MAX_ATTACHMENTS:
            await message.answer(i18n.get("claim-attachments-full", max=domain.MAX_ATTACHMENTS), reply_markup=keyboard)
            return
        items.append(attachment_of(message))
        await state.update_data(attachments=items)
        await message.answer(i18n.get("claim-attachment-added", count=len(items), max=domain.MAX_ATTACHMENTS), reply_markup=keyboard)

    @router.message(StateFilter(ClaimFlow.attachments, ClaimFlow.confirm))
    async def on_attachment_other(message: Message, i18n: I18nContext) -> None:
        await message.answer(
            i18n.get("claim-attachment-expected"),
            reply_markup=claim_flow_keyboard(i18n, ClaimFlowAction.CONTINUE, ClaimFlowAction.CANCEL),
        )

    @router.callback_query(ClaimFlowCb.filter(F.action == ClaimFlowAction.CONTINUE), StateFilter(ClaimFlow.attachments))
    async def on_continue(callback: CallbackQuery, i18n: I18nContext, settings: Settings, state: FSMContext) -> None:
        await callback.answer()
        data = await state.get_data()
        days, kind = domain.limit_for(settings, data["type"])
        text: str = data["text"]
        preview = text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
        await state.set_state(ClaimFlow.confirm)
        # The prompt with "Continue" becomes the summary with "Confirm".
        await show(
            callback,
            i18n.get("claim-summary", type=i18n.get(f"claim-type-{data['type']}"), attachments=len(data.get("attachments", [])),
                     term=term_text(i18n, days, kind), preview=f"<blockquote>{esc(preview)}</blockquote>"),
            claim_flow_keyboard(i18n, ClaimFlowAction.CONFIRM, ClaimFlowAction.CANCEL),
        )

    @router.callback_query(ClaimFlowCb.filter(F.action == ClaimFlowAction.CONFIRM), StateFilter(ClaimFlow.confirm))
    async def on_confirm(
        callback: CallbackQuery, i18n: I18nContext, settings: Settings, db: Database, clock: Clock, state: FSMContext,
        app_user: User, work_calendar: WorkingCalendar, scheduler: Scheduler,
    ) -> None:
        assert isinstance(callback.message, Message)
        data = await state.get_data()
        draft = domain.Draft(type=data["type"], text=data["text"], attachments=list(data.get("attachments", [])))
        now = clock.now()
        # Committed first (with the operators' card in the outbox), told second.
        claim = await domain.register(db, settings, work_calendar, scheduler.t, app_user, i18n.locale, draft, now)
        await state.clear()
        await callback.answer()
        await callback.message.edit_reply_markup(reply_markup=None)
        registered = from_iso(claim.registered_at)
        await callback.message.answer(
            i18n.get("claim-registered", number=claim.number, type=i18n.get(f"claim-type-{claim.type}"),
                     time=local_time(registered, settings.tz), tz=utc_offset_label(settings.tz, registered),
                     due=local_date(claim.due_date), term=term_text(i18n, claim.days, claim.days_kind)),
            reply_markup=main_menu(i18n),
        )
        await kick(scheduler)

    @router.callback_query(ClaimFlowCb.filter(F.action == ClaimFlowAction.CANCEL))
    async def on_cancel(callback: CallbackQuery, i18n: I18nContext, state: FSMContext) -> None:
        await callback.answer()
        assert isinstance(callback.message, Message)
        await callback.message.edit_reply_markup(reply_markup=None)
        current = await state.get_state()
        if current is None or not (current.startswith("ClaimFlow") or current.startswith("FollowUpFlow")):
            await callback.message.answer(i18n.get("nothing-to-cancel"), reply_markup=main_menu(i18n))
            return
        await state.clear()
        await callback.message.answer(i18n.get("cancelled"), reply_markup=main_menu(i18n))

    @router.callback_query(ClaimFlowCb.filter())
    async def on_stale_flow_button(callback: CallbackQuery, i18n: I18nContext) -> None:
        await callback.answer(i18n.get("button-outdated"), show_alert=True)

    @router.message(Command("myclaims"))
    async def on_myclaims(message: Message, i18n: I18nContext, settings: Settings, db: Database, clock: Clock, app_user: User) -> None:
        mine = await store.for_user(db, app_user.id)
        if not mine:
            await message.answer(i18n.get("myclaims-empty"), reply_markup=main_menu(i18n))
            return
        await message.answer(i18n.get("myclaims-title", count=len(mine)))
        now = clock.now()
        for claim in mine[:MYCLAIMS_SHOWN]:
            markup: InlineKeyboardMarkup | None = None
            if claim.status != "closed":
                builder = InlineKeyboardBuilder()
                builder.button(text=i18n.get("myclaims-followup-button", number=claim.number), callback_data=FollowUpCb(claim_id=claim.id))
                markup = builder.as_markup()
            await message.answer(claim_view(i18n, settings, claim, await store.replies(db, claim.id), now), reply_markup=markup)
        if len(mine) > MYCLAIMS_SHOWN:
            await message.answer(i18n.get("myclaims-more", shown=MYCLAIMS_SHOWN))

    @router.callback_query(FollowUpCb.filter())
    async def on_followup(callback: CallbackQuery, callback_data: FollowUpCb, i18n: I18nContext, db: Database, state: FSMContext, app_user: User) -> None:
        assert isinstance(callback.message, Message)
        claim = await store.get(db, callback_data.claim_id)
        if claim is None or claim.user_id != app_user.id:
            await callback.answer(i18n.get("button-outdated"), show_alert=True)
            return
        await callback.answer()
        if claim.status == "closed":
            await callback.message.answer(i18n.get("followup-closed", number=claim.number))
            return
        await state.set_state(FollowUpFlow.text)
        await state.set_data({"claim_id": claim.id})
        await callback.message.answer(i18n.get("followup-ask", number=claim.number))

    @router.message(StateFilter(FollowUpFlow.text))
    async def on_followup_text(
        message: Message, i18n: I18nContext, settings: Settings, db: Database, clock: Clock, state: FSMContext,
        app_user: User, scheduler: Scheduler,
    ) -> None:
        data = await state.get_data()
        claim = await store.get(db, int(data["claim_id"]))
        if claim is None or claim.user_id != app_user.id:
            await state.clear()
            return
        if claim.status == "closed":
            await state.clear()
            await message.answer(i18n.get("followup-closed", number=claim.number), reply_markup=main_menu(i18n))
            return
        attachment = attachment_of(message)
        text = message.text if message.text is not None else message.caption
        if attachment is None and (text is None or not text.strip()):
            await message.answer(i18n.get("followup-empty"))
            return
        if text is not None and len(text) > domain.TEXT_MAX:
            await message.answer(i18n.get("claim-text-too-long", max=domain.TEXT_MAX))
            return
        now = clock.now()
        await domain.add_followup(db, settings, scheduler.t, claim, text if text and text.strip() else None,
                                  [attachment] if attachment else [], now)
        await state.clear()
        await message.answer(
            i18n.get("followup-saved", number=claim.number, time=local_time(now, settings.tz), tz=utc_offset_label(settings.tz, now)),
            reply_markup=main_menu(i18n),
        )
        await kick(scheduler)

    return router

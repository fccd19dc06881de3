"""/claim, /myclaims and follow-ups: written claims and data-subject requests from customers.

Each handler parses, calls one service of bot/customer_claims.py and renders what happened.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aiogram import F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot import claims as domain
from bot import customer_claims as service
from bot.clock import Clock
from bot.config import Settings
from bot.deadlines import WorkingCalendar, days_left
from bot.formatting import esc, local_date, local_time, utc_offset_label
from bot.fsm_storage import clear_state, set_state_and_data
from bot.request_types import RequestTypes, name_key
from bot.scheduler import Scheduler
from bot.session import ignore_result
from handlers.filters import Magic, MenuButton
from handlers.keyboards import (
    ClaimFlowAction,
    ClaimFlowCb,
    ClaimTypeCb,
    FollowUpCb,
    MyClaimCb,
    MyClaimsCb,
    claim_flow_keyboard,
    claim_types_keyboard,
    main_menu,
)
from handlers.outbox import kick
from handlers.routing import Router
from handlers.views import show
from storage.claims import Claim
from storage.db import Database, from_iso
from storage.users import User

PREVIEW_CHARS = 600


class ClaimFlow(StatesGroup):
    type = State()
    text = State()
    attachments = State()
    confirm = State()


class FollowUpFlow(StatesGroup):
    text = State()


# --------------------------------------------------------------------------- rendering


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


def cap_text(i18n: I18nContext, settings: Settings, cap: service.CapReached) -> str:
    """The polite refusal of a cap, with when the next one is possible where that is known."""
    if cap.until is None:
        return i18n.get(f"claim-cap-{cap.cap}", limit=cap.limit)
    return i18n.get(f"claim-cap-{cap.cap}", limit=cap.limit, time=local_time(cap.until, settings.tz),
                    tz=utc_offset_label(settings.tz, cap.until))


def status_args(i18n: I18nContext, settings: Settings, claim: Claim, now: datetime) -> dict[str, str]:
    today = now.astimezone(settings.tz).date()
    due = date.fromisoformat(claim.due_date)
    left = "" if claim.status == "closed" else ", " + domain.left_words(i18n.get, days_left(due, now, settings.tz))
    return {"number": claim.number, "type": i18n.get(name_key(claim.type)),
            "status": i18n.get(f"claim-status-{domain.display_status(claim, today)}"), "due": local_date(due), "left": left}


def list_view(i18n: I18nContext, settings: Settings, page: service.ClaimsPage, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    lines = [i18n.get("myclaims-title", count=page.total)]
    if page.pages > 1:
        lines.append(i18n.get("myclaims-page", page=page.page + 1, pages=page.pages))
    builder = InlineKeyboardBuilder()
    for claim in page.claims:
        lines.append(i18n.get("myclaims-line", **status_args(i18n, settings, claim, now)))
        builder.button(text=i18n.get("myclaims-open-button", number=claim.number),
                       callback_data=MyClaimCb(claim_id=claim.id, back=page.page))
    sizes = [1] * len(page.claims)
    nav = _nav(i18n, page.page, page.pages, lambda p: MyClaimsCb(page=p))
    for text, data in nav:
        builder.button(text=text, callback_data=data)
    if nav:
        sizes.append(len(nav))
    builder.adjust(*sizes)
    return "\n\n".join(lines), builder.as_markup()


def _nav(i18n: I18nContext, page: int, pages: int, data: Any) -> list[tuple[str, Any]]:
    buttons = []
    if page > 0:
        buttons.append((i18n.get("myclaims-prev-button"), data(page - 1)))
    if page < pages - 1:
        buttons.append((i18n.get("myclaims-next-button"), data(page + 1)))
    return buttons


def claim_pages(i18n: I18nContext, settings: Settings, record: service.ClaimRecord, now: datetime) -> list[str]:
    """The claim's status and every answer in full, packed into pages Telegram accepts."""
    claim = record.claim
    blocks = [service.Block(i18n.get("myclaims-item", registered=local_time(claim.registered_at, settings.tz),
                                     **status_args(i18n, settings, claim, now)))]
    continued = " " + i18n.get("myclaims-continued")
    for answer in record.answers:
        key = "myclaims-interim" if answer.role == "interim" else "myclaims-answer"
        head = i18n.get(key, time=local_time(answer.created_at, settings.tz))
        if answer.kind != "text":
            head += " " + i18n.get("myclaims-media-note")
        blocks.append(service.Block(head, answer.text or None, head + continued))
    if claim.resolution == "refused" and claim.closed_at:
        head = i18n.get("myclaims-refusal", time=local_time(claim.closed_at, settings.tz))
        blocks.append(service.Block(head, claim.refusal_reason or "", head + continued))
    elif not record.answers:
        blocks.append(service.Block(i18n.get("myclaims-no-answers")))
    return service.pack(blocks)


def claim_view(
    i18n: I18nContext, settings: Settings, record: service.ClaimRecord, page: int, back: int, now: datetime,
    *, with_back: bool = True,
) -> tuple[str, InlineKeyboardMarkup]:
    pages = claim_pages(i18n, settings, record, now)
    page = min(max(page, 0), len(pages) - 1)
    claim = record.claim
    text = pages[page]
    if len(pages) > 1:
        text = i18n.get("myclaims-claim-page", number=claim.number, page=page + 1, pages=len(pages)) + "\n\n" + text
    builder = InlineKeyboardBuilder()
    nav = _nav(i18n, page, len(pages), lambda p: MyClaimCb(claim_id=claim.id, page=p, back=back))
    for label, data in nav:
        builder.button(text=label, callback_data=data)
    sizes = [len(nav)] if nav else []
    if claim.status != "closed":
        builder.button(text=i18n.get("myclaims-followup-button", number=claim.number), callback_data=FollowUpCb(claim_id=claim.id))
        sizes.append(1)
    if with_back:
        builder.button(text=i18n.get("myclaims-back-button"), callback_data=MyClaimsCb(page=back))
        sizes.append(1)
    builder.adjust(*sizes)
    return text, builder.as_markup()


async def start_flow(message: Message, i18n: I18nContext, state: FSMContext, request_types: RequestTypes) -> None:
    # A new state with empty data replaces whatever flow the user was in: one write.
    await set_state_and_data(state, ClaimFlow.type, {})
    await ignore_result(message.answer(i18n.get("claim-choose-type"), reply_markup=claim_types_keyboard(i18n, request_types)))


# --------------------------------------------------------------------------- filing


async def on_claim(message: Message, i18n: I18nContext, settings: Settings, db: Database, clock: Clock, state: FSMContext,
                   app_user: User, request_types: RequestTypes) -> None:
    cap = await service.may_file(db, settings, app_user, clock.now())
    if cap is not None:
        await clear_state(state)
        await ignore_result(message.answer(cap_text(i18n, settings, cap), reply_markup=main_menu(i18n)))
        return
    await start_flow(message, i18n, state, request_types)


async def on_type(
    callback: CallbackQuery, callback_data: ClaimTypeCb, i18n: I18nContext, settings: Settings, db: Database, clock: Clock,
    state: FSMContext, raw_state: str | None, app_user: User, request_types: RequestTypes,
) -> None:
    if callback_data.type not in request_types:  # a button of a type no longer offered
        await callback.answer(i18n.get("button-outdated"), show_alert=True)
        return
    await callback.answer()
    fresh = raw_state != ClaimFlow.type.state
    # A request pressed in /mydata's menu comes here without /claim: the caps are checked here too.
    cap = await service.may_file(db, settings, app_user, clock.now())
    if cap is not None:
        await clear_state(state)
        await show(callback, cap_text(i18n, settings, cap), None, fresh=fresh)
        return
    days, kind = domain.limit_for(settings, callback_data.type, request_types)
    await set_state_and_data(state, ClaimFlow.text, {"type": callback_data.type, "attachments": []})
    # The list of types becomes the chosen type's prompt: no spent buttons left behind. A
    # request pressed in /mydata's menu leaves that menu as it is, for its other buttons.
    await show(callback, i18n.get(
        "claim-ask-text", type=i18n.get(request_types[callback_data.type].name_key), term=term_text(i18n, days, kind),
        max=domain.TEXT_MAX,
    ), None, fresh=fresh)


async def on_text(message: Message, i18n: I18nContext, settings: Settings, state: FSMContext) -> None:
    error = domain.check_text(message.text)
    if error:
        await ignore_result(message.answer(i18n.get(error, max=domain.TEXT_MAX)))
        return
    await set_state_and_data(state, ClaimFlow.attachments, {**await state.get_data(), "text": message.text})
    await ignore_result(message.answer(
        i18n.get("claim-ask-attachments", max=settings.claim_attachments_limit),
        reply_markup=claim_flow_keyboard(i18n, ClaimFlowAction.CONTINUE, ClaimFlowAction.CANCEL),
    ))


async def on_text_media(message: Message, i18n: I18nContext, settings: Settings, state: FSMContext) -> None:
    if not message.caption or not message.caption.strip():
        await ignore_result(message.answer(i18n.get("claim-media-only")))
        return
    if len(message.caption) > domain.TEXT_MAX:
        await ignore_result(message.answer(i18n.get("claim-text-too-long", max=domain.TEXT_MAX)))
        return
    # A photo or document with a caption: the caption is the text, the file the first attachment.
    await set_state_and_data(
        state, ClaimFlow.attachments, {**await state.get_data(), "text": message.caption, "attachments": [attachment_of(message)]}
    )
    await ignore_result(message.answer(
        i18n.get("claim-attachment-added", count=1, max=settings.claim_attachments_limit),
        reply_markup=claim_flow_keyboard(i18n, ClaimFlowAction.CONTINUE, ClaimFlowAction.CANCEL),
    ))


async def on_text_other(message: Message, i18n: I18nContext) -> None:
    await ignore_result(message.answer(i18n.get("claim-text-expected")))


async def on_type_expected(message: Message, i18n: I18nContext, request_types: RequestTypes) -> None:
    await ignore_result(message.answer(i18n.get("claim-choose-type"), reply_markup=claim_types_keyboard(i18n, request_types)))


async def on_attachment(message: Message, i18n: I18nContext, settings: Settings, state: FSMContext) -> None:
    data = await state.get_data()
    items = list(data.get("attachments", []))
    keyboard = claim_flow_keyboard(i18n, ClaimFlowAction.CONTINUE, ClaimFlowAction.CANCEL)
    limit = settings.claim_attachments_limit
    if len(items) >= limit:
        await ignore_result(message.answer(i18n.get("claim-cap-attachments", limit=limit), reply_markup=keyboard))
        return
    items.append(attachment_of(message))
    await state.update_data(attachments=items)
    await ignore_result(message.answer(i18n.get("claim-attachment-added", count=len(items), max=limit), reply_markup=keyboard))


async def on_attachment_other(message: Message, i18n: I18nContext) -> None:
    await ignore_result(message.answer(
        i18n.get("claim-attachment-expected"),
        reply_markup=claim_flow_keyboard(i18n, ClaimFlowAction.CONTINUE, ClaimFlowAction.CANCEL),
    ))


async def on_continue(callback: CallbackQuery, i18n: I18nContext, settings: Settings, state: FSMContext,
                      request_types: RequestTypes) -> None:
    await callback.answer()
    data = await state.get_data()
    if data["type"] not in request_types:  # the type left the registry (a restart) while the draft was open
        await clear_state(state)
        await show(callback, i18n.get("button-outdated"), None)
        return
    days, kind = domain.limit_for(settings, data["type"], request_types)
    text: str = data["text"]
    preview = text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
    await state.set_state(ClaimFlow.confirm)
    # The prompt with "Continue" becomes the summary with "Confirm".
    await show(
        callback,
        i18n.get("claim-summary", type=i18n.get(name_key(data["type"])), attachments=len(data.get("attachments", [])),
                 term=term_text(i18n, days, kind), preview=f"<blockquote>{esc(preview)}</blockquote>"),
        claim_flow_keyboard(i18n, ClaimFlowAction.CONFIRM, ClaimFlowAction.CANCEL),
    )


async def on_confirm(
    callback: CallbackQuery, i18n: I18nContext, settings: Settings, db: Database, clock: Clock, state: FSMContext,
    app_user: User, work_calendar: WorkingCalendar, scheduler: Scheduler, request_types: RequestTypes,
) -> None:
    assert isinstance(callback.message, Message)
    data = await state.get_data()
    draft = domain.Draft(type=data["type"], text=data["text"], attachments=list(data.get("attachments", [])))
    # Committed first (with the operators' card in the outbox), told second.
    result = await service.file_claim(db, settings, work_calendar, scheduler.t, app_user, i18n.locale, draft, clock.now(),
                                      request_types)
    await clear_state(state)
    await callback.answer()
    await ignore_result(callback.message.edit_reply_markup(reply_markup=None))
    if isinstance(result, service.CapReached):
        await ignore_result(callback.message.answer(cap_text(i18n, settings, result), reply_markup=main_menu(i18n)))
        return
    if isinstance(result, service.UnknownType):  # the type left the registry while the draft was open
        await ignore_result(callback.message.answer(i18n.get("button-outdated"), reply_markup=main_menu(i18n)))
        return
    claim = result.claim
    registered = from_iso(claim.registered_at)
    await ignore_result(callback.message.answer(
        i18n.get("claim-registered", number=claim.number, type=i18n.get(name_key(claim.type)),
                 time=local_time(registered, settings.tz), tz=utc_offset_label(settings.tz, registered),
                 due=local_date(claim.due_date), term=term_text(i18n, claim.days, claim.days_kind)),
        reply_markup=main_menu(i18n),
    ))
    await kick(scheduler)


async def on_cancel(callback: CallbackQuery, i18n: I18nContext, state: FSMContext) -> None:
    await callback.answer()
    assert isinstance(callback.message, Message)
    await ignore_result(callback.message.edit_reply_markup(reply_markup=None))
    current = await state.get_state()
    if current is None or not (current.startswith("ClaimFlow") or current.startswith("FollowUpFlow")):
        await ignore_result(callback.message.answer(i18n.get("nothing-to-cancel"), reply_markup=main_menu(i18n)))
        return
    await clear_state(state)
    await ignore_result(callback.message.answer(i18n.get("cancelled"), reply_markup=main_menu(i18n)))


async def on_stale_flow_button(callback: CallbackQuery, i18n: I18nContext) -> None:
    await callback.answer(i18n.get("button-outdated"), show_alert=True)


# --------------------------------------------------------------------------- /myclaims


async def on_myclaims(message: Message, i18n: I18nContext, settings: Settings, db: Database, clock: Clock, app_user: User) -> None:
    page = await service.my_claims(db, app_user, 0)
    if not page.total:
        await ignore_result(message.answer(i18n.get("myclaims-empty"), reply_markup=main_menu(i18n)))
        return
    if page.single is not None:  # one claim: its history at once, no list to step through
        text, markup = claim_view(i18n, settings, page.single, 0, 0, clock.now(), with_back=False)
    else:
        text, markup = list_view(i18n, settings, page, clock.now())
    await ignore_result(message.answer(text, reply_markup=markup))


async def on_myclaims_page(
    callback: CallbackQuery, callback_data: MyClaimsCb, i18n: I18nContext, settings: Settings, db: Database, clock: Clock,
    app_user: User,
) -> None:
    await callback.answer()
    page = await service.my_claims(db, app_user, callback_data.page)
    if not page.total:
        await show(callback, i18n.get("myclaims-empty"), None)
        return
    await show(callback, *list_view(i18n, settings, page, clock.now()))


async def on_claim_page(
    callback: CallbackQuery, callback_data: MyClaimCb, i18n: I18nContext, settings: Settings, db: Database, clock: Clock,
    app_user: User,
) -> None:
    record = await service.my_claim(db, app_user, callback_data.claim_id)
    if record is None:
        await callback.answer(i18n.get("button-outdated"), show_alert=True)
        return
    await callback.answer()
    await show(callback, *claim_view(i18n, settings, record, callback_data.page, callback_data.back, clock.now()))


# --------------------------------------------------------------------------- follow-ups


async def on_followup(
    callback: CallbackQuery, callback_data: FollowUpCb, i18n: I18nContext, settings: Settings, db: Database, clock: Clock,
    state: FSMContext, app_user: User,
) -> None:
    assert isinstance(callback.message, Message)
    result = await service.may_follow_up(db, settings, app_user, callback_data.claim_id, clock.now())
    if isinstance(result, service.NotYours):
        await callback.answer(i18n.get("button-outdated"), show_alert=True)
        return
    await callback.answer()
    if isinstance(result, service.ClaimClosed):
        await ignore_result(callback.message.answer(i18n.get("followup-closed", number=result.claim.number)))
        return
    if isinstance(result, service.CapReached):
        await ignore_result(callback.message.answer(cap_text(i18n, settings, result)))
        return
    await set_state_and_data(state, FollowUpFlow.text, {"claim_id": result.claim.id})
    await ignore_result(callback.message.answer(i18n.get("followup-ask", number=result.claim.number)))


async def on_followup_text(
    message: Message, i18n: I18nContext, settings: Settings, db: Database, clock: Clock, state: FSMContext,
    app_user: User, scheduler: Scheduler,
) -> None:
    attachment = attachment_of(message)
    text = message.text if message.text is not None else message.caption
    if attachment is None and (text is None or not text.strip()):
        await ignore_result(message.answer(i18n.get("followup-empty")))
        return
    if text is not None and len(text) > domain.TEXT_MAX:
        await ignore_result(message.answer(i18n.get("claim-text-too-long", max=domain.TEXT_MAX)))
        return
    data = await state.get_data()
    now = clock.now()
    result = await service.add_followup(db, settings, scheduler.t, app_user, int(data["claim_id"]),
                                        text if text and text.strip() else None, [attachment] if attachment else [], now)
    if isinstance(result, service.CapReached) and result.cap == "attachments":
        await ignore_result(message.answer(cap_text(i18n, settings, result)))  # the text alone may still be sent
        return
    await clear_state(state)
    if isinstance(result, service.NotYours):
        await ignore_result(message.answer(i18n.get("button-outdated"), reply_markup=main_menu(i18n)))
    elif isinstance(result, service.ClaimClosed):
        await ignore_result(message.answer(i18n.get("followup-closed", number=result.claim.number), reply_markup=main_menu(i18n)))
    elif isinstance(result, service.CapReached):
        await ignore_result(message.answer(cap_text(i18n, settings, result), reply_markup=main_menu(i18n)))
    else:
        await ignore_result(message.answer(
            i18n.get("followup-saved", number=result.claim.number, time=local_time(result.at, settings.tz),
                     tz=utc_offset_label(settings.tz, result.at)),
            reply_markup=main_menu(i18n),
        ))
        await kick(scheduler)


# --------------------------------------------------------------------------- router


def create_router() -> Router:
    router = Router(name="claims")
    router.message.register(on_claim, Command("claim"))
    router.message.register(on_claim, MenuButton("menu-claim"))
    router.callback_query.register(on_type, ClaimTypeCb.filter())  # the type is checked against the registry in on_type
    router.message.register(on_text, StateFilter(ClaimFlow.text), Magic(F.text))
    router.message.register(on_text_media, StateFilter(ClaimFlow.text), Magic(F.photo | F.document))
    router.message.register(on_text_other, StateFilter(ClaimFlow.text))
    router.message.register(on_type_expected, StateFilter(ClaimFlow.type))
    router.message.register(on_attachment, StateFilter(ClaimFlow.attachments), Magic(F.photo | F.document))
    router.message.register(on_attachment_other, StateFilter(ClaimFlow.attachments, ClaimFlow.confirm))
    router.callback_query.register(
        on_continue, ClaimFlowCb.filter(F.action == ClaimFlowAction.CONTINUE), StateFilter(ClaimFlow.attachments)
    )
    router.callback_query.register(
        on_confirm, ClaimFlowCb.filter(F.action == ClaimFlowAction.CONFIRM), StateFilter(ClaimFlow.confirm)
    )
    router.callback_query.register(on_cancel, ClaimFlowCb.filter(F.action == ClaimFlowAction.CANCEL))
    router.callback_query.register(on_stale_flow_button, ClaimFlowCb.filter())
    router.message.register(on_myclaims, Command("myclaims"))
    router.callback_query.register(on_myclaims_page, MyClaimsCb.filter())
    router.callback_query.register(on_claim_page, MyClaimCb.filter())
    router.callback_query.register(on_followup, FollowUpCb.filter())
    router.message.register(on_followup_text, StateFilter(FollowUpFlow.text))
    return router

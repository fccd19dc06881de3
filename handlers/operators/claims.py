"""The operators' side of claims, in ADMIN_CHAT_ID, for operators only (the parent router checks):
drafts and the choice final / interim / note, take / close / refuse / reopen, lists, history, stats.

Handlers translate: they read the update, call one function of bot.claim_desk (or a query), and
render the result (the preview, the card's new header, the forum topic, the applicant's notice).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from aiogram import Bot, F
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot import claim_desk as desk
from bot import claims as domain
from bot.clock import Clock
from bot.config import Settings
from bot.formatting import esc, local_date, local_time
from bot.request_types import RequestTypes, name_key
from bot.scheduler import Scheduler
from bot.session import ignore_result
from handlers.filters import Magic
from handlers.operators.cards import refresh_card
from handlers.keyboards import (
    ClaimOpAction,
    ClaimOpCb,
    DraftAction,
    DraftCb,
    close_reason_markup,
    draft_markup,
)
from handlers.routing import Router
from storage import claims as store
from storage import users
from storage.claims import Claim
from storage.db import Database

log = logging.getLogger(__name__)
HISTORY_TEXT_CHARS = 300
PREVIEW_CHARS = 200
LIST_LIMIT = 50
# What an operator may send to an applicant, as Telegram names the message's content.
ANSWER_KINDS = ("text", "photo", "document", "video", "animation", "voice", "audio", "video_note", "sticker")
ANY_ANSWER = F.text | F.photo | F.document | F.video | F.animation | F.voice | F.audio | F.video_note | F.sticker


def operator_name(message_or_user: object) -> str:
    user = getattr(message_or_user, "from_user", None) or message_or_user
    name = getattr(user, "full_name", None) or str(getattr(user, "id", "?"))
    return esc(name)


def message_kind(message: Message) -> str | None:
    for kind in ANSWER_KINDS:
        if getattr(message, kind, None):
            return kind
    return None


def topic_of(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


def replied_id(message: Message) -> int | None:
    """The message replied to; in a forum, Telegram makes every topic message a reply to the
    topic's first (service) message: that is no reply of the operator's."""
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None:
        return None
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return None
    return replied.message_id


async def claim_in_context(db: Database, message: Message) -> Claim | None:
    """The claim a command is about without a number: the replied-to message's, or the topic's."""
    reply = replied_id(message)
    if reply is not None:
        link = await store.message_link(db, message.chat.id, reply)
        if link is not None:
            return link[0]
    topic = topic_of(message)
    return None if topic is None else await store.claim_for_topic(db, topic)


async def resolve(db: Database, message: Message, args: str | None) -> tuple[Claim | None, str]:
    """(claim, the rest of the arguments): a number first in args, else the context."""
    rest = (args or "").strip()
    if rest:
        first, _, tail = rest.partition(" ")
        number = domain.parse_number(first)
        if number is not None:
            return await store.get_by_number(db, number), tail.strip()
    return await claim_in_context(db, message), rest


def line(scheduler: Scheduler, settings: Settings, claim: Claim, now: datetime) -> str:
    t = scheduler.t
    today = now.astimezone(settings.tz).date()
    return t("op-claims-line", number=claim.number, type=t(name_key(claim.type)),
             status=t(f"claim-status-{domain.display_status(claim, today)}"), due=local_date(claim.due_date),
             left=domain.left_words(t, (date.fromisoformat(claim.due_date) - today).days))


def chunks(lines: list[str], limit: int = 3900) -> list[str]:
    out, buffer = [], ""
    for item in lines:
        if buffer and len(buffer) + len(item) + 1 > limit:
            out.append(buffer)
            buffer = ""
        buffer = f"{buffer}\n{item}" if buffer else item
    if buffer:
        out.append(buffer)
    return out


def _short(text: str | None, limit: int = HISTORY_TEXT_CHARS) -> str:
    text = text or ""
    return esc(text if len(text) <= limit else text[:limit] + "…")


async def history_text(db: Database, scheduler: Scheduler, settings: Settings, claim: Claim, now: datetime) -> list[str]:
    """/claim N and 📜: the claim, then its life in order: follow-ups, answers (final or interim),
    internal notes, taken / closed (and why) / refused / reopened, with the operators' names."""
    t = scheduler.t
    tz = settings.tz
    today = now.astimezone(tz).date()
    lines = [t("op-history-title", number=claim.number, type=t(name_key(claim.type)),
               status=t(f"claim-status-{domain.display_status(claim, today)}"), user_id=str(claim.user_id),
               language=t(f"lang-name-{claim.language}"), registered=local_time(claim.registered_at, tz),
               due=local_date(claim.due_date), left=domain.left_words(t, (date.fromisoformat(claim.due_date) - today).days)), ""]
    lines.append(f"<blockquote>{_short(claim.text)}</blockquote>")
    replies = await store.replies(db, claim.id)
    roles = await store.reply_roles(db, claim.id)
    notes = await store.notes(db, claim.id)
    life = await store.events(db, claim.id)
    ids = {r.operator_id for r in replies} | {n.operator_id for n in notes} | {e.operator_id for e in life if e.operator_id}
    ids |= {i for i in (claim.taken_by, claim.closed_by) if i}
    names = await store.operator_names(db, ids)

    def who(operator_id: int | None) -> str:
        return esc(names.get(operator_id or 0) or str(operator_id))

    events: list[tuple[str, str]] = []
    for item in await store.followups(db, claim.id):
        body = _short(item.text) if item.text else t("op-history-media")
        events.append((item.created_at, t("op-history-followup", time=local_time(item.created_at, tz), text=body)))
    for reply, role in zip(replies, roles, strict=True):
        if role == "refusal":
            continue  # shown with the "refused" event and its reason
        body = _short(reply.text) if reply.text else t("op-history-media")
        events.append((reply.created_at, t("desk-history-reply", role=role, time=local_time(reply.created_at, tz),
                                           operator=who(reply.operator_id), text=body)))
    for note in notes:
        body = _short(note.text) if note.text else t("op-history-media")
        events.append((note.created_at, t("desk-history-note", time=local_time(note.created_at, tz), operator=who(note.operator_id), text=body)))
    for event in life:
        time = local_time(event.at, tz)
        if event.event == "closed":
            why = t(f"desk-close-kind-{event.detail}") if event.detail in desk.FIXED_CLOSE_KINDS else \
                t("desk-close-kind-other") + ": " + _short(event.detail)
            text = t("desk-history-closed", time=time, operator=who(event.operator_id), why=why)
        elif event.event == "refused":
            text = t("op-history-closed", time=time, operator=who(event.operator_id)) + "\n" + t("op-history-refusal", reason=_short(event.detail))
        elif event.event == "reopened":
            text = t("desk-history-reopened", time=time, operator=who(event.operator_id))
        else:
            text = t("op-history-taken", time=time, operator=who(event.operator_id))
        events.append((event.at, text))
    if not life:  # claims closed or taken before the desk kept its events
        if claim.taken_at:
            events.append((claim.taken_at, t("op-history-taken", time=local_time(claim.taken_at, tz), operator=who(claim.taken_by))))
        if claim.closed_at:
            closed = t("op-history-closed", time=local_time(claim.closed_at, tz), operator=who(claim.closed_by))
            if claim.resolution == "refused":
                closed += "\n" + t("op-history-refusal", reason=_short(claim.refusal_reason))
            events.append((claim.closed_at, closed))
    lines += [text for _, text in sorted(events, key=lambda e: e[0])]
    return chunks(lines)


# --------------------------------------------------------------------------- the applicant's side


async def _language(db: Database, claim: Claim) -> str:
    user = await users.get_user(db, claim.user_id)
    return user.language if user and user.language else claim.language


async def notify_user(
    bot: Bot, db: Database, scheduler: Scheduler, claim: Claim, key: str, *, with_appeal: bool = False, **args: object
) -> str | None:
    """Tell the applicant; None if delivered, else 'blocked' or 'failed'.

    `with_appeal`: the text takes `{ $appeal }`, where the applicant can appeal a refusal (the
    authorised body named in AUTHORISED_BODY_KK/RU, or court), in the applicant's language."""
    language = await _language(db, claim)
    if with_appeal:
        body = esc(scheduler.settings.authorised_body_in(language))
        args["appeal"] = scheduler.core.get("compliance-refusal-appeal", language, body=body)
    try:
        await ignore_result(bot.send_message(claim.user_id, scheduler.core.get(key, language, number=claim.number, **args)))
    except TelegramForbiddenError:
        return "blocked"
    except TelegramAPIError as error:
        log.warning("notice for claim %s not delivered: %s", claim.id, type(error).__name__)
        return "failed"
    return None


def make_deliver(bot: Bot, db: Database, scheduler: Scheduler, chat_id: int) -> desk.Deliver:
    """Copy an operator's message(s) to the applicant under a label with the claim's number."""

    async def deliver(claim: Claim, message_ids: list[int], choice: str) -> int:
        language = await _language(db, claim)
        # An interim message is labelled as such: the applicant should not take it for the answer.
        key = "claim-reply-label" if choice == desk.FINAL else "desk-user-interim-label"
        try:
            label = await bot.send_message(claim.user_id, scheduler.core.get(key, language, number=claim.number))
            first: int | None = None
            for message_id in message_ids:  # an album: each part, in order, under the one label
                copied = await bot.copy_message(claim.user_id, chat_id, message_id, reply_to_message_id=label.message_id)
                first = first or copied.message_id
        except TelegramForbiddenError:
            raise desk.Undelivered("blocked") from None
        except TelegramAPIError as error:
            log.warning("answer to claim %s not delivered: %s", claim.id, type(error).__name__)
            raise desk.Undelivered("failed") from None
        assert first is not None
        return first

    return deliver


# --------------------------------------------------------------------------- the card and the topic


async def say(message: Message, db: Database, claim: Claim | None, text: str, **kwargs: object) -> Message:
    """The bot's reply in the admin chat; about a claim, it is linked so a reply to it is a note."""
    sent = await message.reply(text, **kwargs)  # type: ignore[arg-type]
    if claim is not None:
        await desk.link_bot_message(db, sent.chat.id, sent.message_id, claim)
    return sent


def _refusal_text(scheduler: Scheduler, claim: Claim, why: str | None, names: dict[int, str]) -> str:
    t = scheduler.t
    if why == "lost":
        return t("desk-lost", number=claim.number, status=t(f"claim-status-{claim.status}"),
                 operator=esc(names.get(claim.taken_by or 0, "—")) if claim.taken_by else "—")
    if why == "not_allowed" and claim.taken_by is not None and claim.status != "closed":
        return t("desk-already-taken", number=claim.number, operator=esc(names.get(claim.taken_by, str(claim.taken_by))))
    return t("op-status-unchanged", number=claim.number, status=t(f"claim-status-{claim.status}"))


async def _names_for(db: Database, claim: Claim) -> dict[int, str]:
    return await store.operator_names(db, {i for i in (claim.taken_by, claim.closed_by, claim.first_reply_by) if i})


# --------------------------------------------------------------------------- transitions


async def _after_transition(
    result: desk.Result, action: str, target: Message, bot: Bot, db: Database, settings: Settings, scheduler: Scheduler,
    clock: Clock, operator: desk.Operator, *, pressed: bool = False,
) -> str | None:
    """Render a transition's result: the card, the topic, the applicant's notice, the operators'
    confirmation. When it did not happen, returns why; a command also gets it as a message (a
    pressed button shows it as an alert only)."""
    t = scheduler.t
    claim = result.claim
    if claim is None:
        await ignore_result(target.answer(t("op-not-found")))
        return t("op-not-found")
    if not result.ok:
        if result.why == "needs_reason":
            await say(target, db, claim, t("desk-close-needs-reason", number=claim.number),
                      reply_markup=close_reason_markup(t, claim.id, claim.version))
            return None
        text = _refusal_text(scheduler, claim, result.why, await _names_for(db, claim))
        if not pressed:
            await say(target, db, claim, text)
        return text
    now = clock.now()
    await refresh_card(bot, db, settings, scheduler, claim, result.previous, now)
    name = esc(operator.name)
    if action == "take":
        await say(target, db, claim, t("op-taken", number=claim.number, operator=name))
        return None
    problem: str | None = None
    if action == "close":
        kind = claim.close_kind or "answered"
        if kind == "answered":
            problem = await notify_user(bot, db, scheduler, claim, "claim-closed-user")
        elif kind == "other":
            problem = await notify_user(bot, db, scheduler, claim, "desk-user-closed-other", with_appeal=True,
                                        reason=esc(claim.close_reason or ""))
        else:
            problem = await notify_user(bot, db, scheduler, claim, f"desk-user-closed-{kind}")
        await say(target, db, claim, t("desk-closed", number=claim.number, operator=name, why=t(f"desk-close-kind-{kind}")))
    elif action == "refuse":
        problem = await notify_user(bot, db, scheduler, claim, "claim-refused-user", with_appeal=True,
                                    reason=esc(claim.refusal_reason or ""))
        await say(target, db, claim, t("op-refused", number=claim.number))
    elif action == "reopen":
        problem = await notify_user(bot, db, scheduler, claim, "claim-reopened-user")
        await say(target, db, claim, t("op-reopened", number=claim.number, operator=name))
    if problem is not None:
        await say(target, db, claim, t("op-user-blocked" if problem == "blocked" else "op-reply-failed", number=claim.number))
    return None


async def on_card_button(
    callback: CallbackQuery, callback_data: ClaimOpCb, operator: desk.Operator, bot: Bot, db: Database, clock: Clock,
    settings: Settings, scheduler: Scheduler,
) -> None:
    assert isinstance(callback.message, Message)
    target = callback.message
    version = None if callback_data.v < 0 else callback_data.v
    action = callback_data.action
    if action is ClaimOpAction.HISTORY:
        await callback.answer()
        claim = await store.get(db, callback_data.claim_id)
        if claim is not None:
            for text in await history_text(db, scheduler, settings, claim, clock.now()):
                await ignore_result(target.answer(text))
        return
    now = clock.now()
    if action is ClaimOpAction.TAKE:
        result, kind = await desk.take(db, callback_data.claim_id, version, operator, now), "take"
    elif action is ClaimOpAction.REOPEN:
        result, kind = await desk.reopen(db, callback_data.claim_id, version, operator, now), "reopen"
    else:
        reason = {ClaimOpAction.CLOSE_DUPLICATE: "duplicate", ClaimOpAction.CLOSE_WITHDRAWN: "withdrawn"}.get(action)
        result, kind = await desk.close(db, callback_data.claim_id, version, operator, now, reason), "close"
    alert = await _after_transition(result, kind, target, bot, db, settings, scheduler, clock, operator, pressed=True)
    if alert is not None:
        await callback.answer(alert[:200], show_alert=True)
    else:
        await callback.answer()
    if result.ok and action in (ClaimOpAction.CLOSE_DUPLICATE, ClaimOpAction.CLOSE_WITHDRAWN):
        try:
            await ignore_result(target.edit_reply_markup(reply_markup=None))  # the reasons' buttons are spent
        except TelegramAPIError:
            pass


async def _command_claim(message: Message, command: CommandObject, db: Database, scheduler: Scheduler) -> tuple[Claim | None, str]:
    claim, rest = await resolve(db, message, command.args)
    if claim is None:
        await ignore_result(message.answer(scheduler.t("op-not-found")))
    return claim, rest


async def on_take(message: Message, command: CommandObject, operator: desk.Operator, bot: Bot, db: Database, clock: Clock,
                  settings: Settings, scheduler: Scheduler) -> None:
    claim, _ = await _command_claim(message, command, db, scheduler)
    if claim is not None:
        result = await desk.take(db, claim.id, None, operator, clock.now())
        await _after_transition(result, "take", message, bot, db, settings, scheduler, clock, operator)


async def on_close(message: Message, command: CommandObject, operator: desk.Operator, bot: Bot, db: Database, clock: Clock,
                   settings: Settings, scheduler: Scheduler) -> None:
    claim, reason = await _command_claim(message, command, db, scheduler)
    if claim is None:
        return
    kind = "other" if reason and claim.status != "answered" else None
    result = await desk.close(db, claim.id, None, operator, clock.now(), kind, reason or None)
    await _after_transition(result, "close", message, bot, db, settings, scheduler, clock, operator)


async def on_reopen(message: Message, command: CommandObject, operator: desk.Operator, bot: Bot, db: Database, clock: Clock,
                    settings: Settings, scheduler: Scheduler) -> None:
    claim, _ = await _command_claim(message, command, db, scheduler)
    if claim is not None:
        result = await desk.reopen(db, claim.id, None, operator, clock.now())
        await _after_transition(result, "reopen", message, bot, db, settings, scheduler, clock, operator)


async def on_refuse(message: Message, command: CommandObject, operator: desk.Operator, bot: Bot, db: Database, clock: Clock,
                    settings: Settings, scheduler: Scheduler) -> None:
    t = scheduler.t
    claim, reason = await resolve(db, message, command.args)
    if claim is None or not reason or len(reason) > desk.REASON_MAX:
        await ignore_result(message.answer(t("op-refuse-usage") if claim is not None or not command.args else t("op-not-found")))
        return
    result = await desk.refuse(db, claim.id, operator, clock.now(), reason)
    await _after_transition(result, "refuse", message, bot, db, settings, scheduler, clock, operator)


# --------------------------------------------------------------------------- drafts


def preview_text(scheduler: Scheduler, claim: Claim, draft: store.Draft, applicant: str) -> str:
    t = scheduler.t
    body = f"<blockquote>{_short(draft.text, PREVIEW_CHARS)}</blockquote>" if draft.text else t("desk-kind", kind=draft.kind)
    return t("desk-preview", number=claim.number, applicant=esc(applicant), body=body)


async def on_operator_message(message: Message, operator: desk.Operator, bot: Bot, db: Database, clock: Clock,
                              settings: Settings, scheduler: Scheduler) -> None:
    """An operator wrote: about a claim it becomes a draft (with the choice) or a note."""
    t = scheduler.t
    kind = message_kind(message)
    assert kind is not None
    replied = message.reply_to_message
    incoming = desk.Incoming(
        chat_id=message.chat.id, message_id=message.message_id, kind=kind, text=message.text or message.caption,
        media_group_id=message.media_group_id, reply_to_id=replied_id(message),
        reply_to_bot=bool(replied is not None and replied.from_user is not None and replied.from_user.id == bot.id),
        thread_id=topic_of(message),
    )
    received = await desk.receive(db, incoming, operator, clock.now())
    claim, draft = received.claim, received.draft
    if received.outcome == "not_a_claim":
        await ignore_result(message.reply(t("op-reply-not-a-claim")))
    elif received.outcome == "note_notice" and claim is not None:
        await say(message, db, claim, t("desk-note-kept", number=claim.number))
    elif received.outcome in ("draft", "closed") and claim is not None and draft is not None:
        user = await users.get_user(db, claim.user_id)
        applicant = user.display_name if user else str(claim.user_id)
        if received.outcome == "closed":
            text = t("desk-closed-warning", number=claim.number)
        else:
            text = preview_text(scheduler, claim, draft, applicant)
        sent = await message.reply(text, reply_markup=draft_markup(t, draft.id, closed=received.outcome == "closed"))
        await desk.attach_preview(db, draft, sent.message_id)


async def _edit(message: Message, text: str, markup: object = None) -> None:
    """Turn the preview into its outcome; the same outcome twice (a retry that failed the same
    way) is no error."""
    try:
        await ignore_result(message.edit_text(text, reply_markup=markup))  # type: ignore[arg-type]
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            raise


async def on_draft_button(callback: CallbackQuery, callback_data: DraftCb, operator: desk.Operator, bot: Bot, db: Database,
                          clock: Clock, settings: Settings, scheduler: Scheduler) -> None:
    t = scheduler.t
    assert isinstance(callback.message, Message)
    preview = callback.message
    now = clock.now()
    if callback_data.action is DraftAction.REOPEN:
        draft = await store.get_draft(db, callback_data.draft_id)
        if draft is None:
            await callback.answer(t("op-not-found"), show_alert=True)
            return
        result = await desk.reopen(db, draft.claim_id, None, operator, now)
        if not result.ok and result.claim is not None and result.claim.status != "closed":
            result = desk.Result(True, result.claim, previous=result.claim)  # reopened meanwhile by a colleague
        if not result.ok or result.claim is None:
            await callback.answer(t("op-not-found"), show_alert=True)
            return
        await callback.answer()
        if result.previous is not None and result.previous.status == "closed":
            await _after_transition(result, "reopen", preview, bot, db, settings, scheduler, clock, operator)
        user = await users.get_user(db, result.claim.user_id)
        await _edit(preview, preview_text(scheduler, result.claim, draft, user.display_name if user else str(result.claim.user_id)),
                    draft_markup(t, draft.id))
        return
    choice = {DraftAction.FINAL: desk.FINAL, DraftAction.INTERIM: desk.INTERIM, DraftAction.NOTE: desk.NOTE}[callback_data.action]
    result = await desk.decide(db, callback_data.draft_id, choice, operator, now, make_deliver(bot, db, scheduler, preview.chat.id))
    claim = result.claim
    if claim is None:
        await callback.answer(t("op-not-found"), show_alert=True)
        return
    if result.ok:
        await callback.answer()
        await _edit(preview, t(f"desk-decided-{choice}", number=claim.number, operator=esc(operator.name),
                                  time=local_time(now, settings.tz)))
        if choice != desk.NOTE:
            await refresh_card(bot, db, settings, scheduler, claim, result.previous, now)
        return
    if result.why == "lost":
        draft = result.draft
        names = await store.operator_names(db, {draft.decided_by} if draft and draft.decided_by else set())
        state = draft.state if draft else "sending"
        await callback.answer(t("desk-draft-taken", number=claim.number, state=state,
                                operator=names.get(draft.decided_by or 0, "—") if draft else "—")[:200], show_alert=True)
    elif result.why == "closed":
        await callback.answer()
        await _edit(preview, t("desk-closed-warning", number=claim.number), draft_markup(t, callback_data.draft_id, closed=True))
    else:
        await callback.answer()
        await _edit(preview, t("op-user-blocked" if result.why == "blocked" else "op-reply-failed", number=claim.number)
                                + "\n\n" + t("desk-draft-kept"), draft_markup(t, callback_data.draft_id))


async def on_unsupported_answer(message: Message, db: Database, scheduler: Scheduler) -> None:
    """A location, contact, poll, ... about a claim: not something the desk relays; say so."""
    claim = await claim_in_context(db, message)
    if claim is not None:
        await say(message, db, claim, scheduler.t("desk-kind-unsupported", number=claim.number))


async def on_operator_edit(edited: Message, db: Database, scheduler: Scheduler) -> None:
    """An edit of an answer already sent does not reach the applicant: say so."""
    draft = await store.draft_for_message(db, edited.chat.id, edited.message_id)
    if draft is None or draft.state not in (desk.FINAL, desk.INTERIM):
        return
    claim = await store.get(db, draft.claim_id)
    if claim is not None:
        await say(edited, db, claim, scheduler.t("desk-edit-not-relayed", number=claim.number))


# --------------------------------------------------------------------------- lists, history, stats


async def _answer_list(message: Message, scheduler: Scheduler, settings: Settings, now: datetime,
                       page: tuple[int, list[Claim]], title_key: str, empty_key: str) -> None:
    total, claims = page
    if not total:
        await ignore_result(message.answer(scheduler.t(empty_key)))
        return
    lines = [scheduler.t(title_key, count=total)] + [line(scheduler, settings, c, now) for c in claims]
    for text in chunks(lines):
        await ignore_result(message.answer(text))


async def on_claims(message: Message, db: Database, clock: Clock, settings: Settings, scheduler: Scheduler) -> None:
    page = await domain.open_claims_page(db, LIST_LIMIT)
    await _answer_list(message, scheduler, settings, clock.now(), page, "op-claims-title", "op-claims-empty")


async def on_overdue(message: Message, db: Database, clock: Clock, settings: Settings, scheduler: Scheduler) -> None:
    now = clock.now()
    page = await domain.overdue_claims_page(db, now.astimezone(settings.tz).date(), LIST_LIMIT)
    await _answer_list(message, scheduler, settings, now, page, "op-overdue-title", "op-overdue-empty")


async def on_history(message: Message, command: CommandObject, db: Database, clock: Clock, settings: Settings,
                     scheduler: Scheduler) -> None:
    claim, _ = await _command_claim(message, command, db, scheduler)
    if claim is not None:
        for text in await history_text(db, scheduler, settings, claim, clock.now()):
            await ignore_result(message.answer(text))


async def on_stats(message: Message, db: Database, clock: Clock, settings: Settings, scheduler: Scheduler,
                   request_types: RequestTypes) -> None:
    t = scheduler.t
    stats = await domain.claim_stats(db, clock.now(), settings, request_types)
    share = stats.on_time_share
    # By type, in the registry's order (bot/request_types.py).
    by_type = "\n".join([t("request-types-stats-title")] + [
        t("request-types-stats-line", type=t(name_key(code)), count=count) for code, count in stats.by_type.items()
    ])
    await ignore_result(message.answer(t(
        "op-stats", total=stats.total, **stats.by_status,
        median=domain.format_duration(t, stats.median_first_reply) if stats.median_first_reply is not None else t("op-stats-none"),
        on_time=t("op-stats-share", percent=round(share * 100), answered=stats.answered_on_time, counted=stats.answered_counted)
        if share is not None else t("op-stats-none"),
    ) + "\n\n" + by_type))


async def on_other_command(message: Message) -> None:
    return None  # commands of other capabilities or typos are not answers to a claim


def create_router() -> Router:
    router = Router(name="operators-claims")
    router.callback_query.register(on_card_button, ClaimOpCb.filter())
    router.callback_query.register(on_draft_button, DraftCb.filter())
    router.message.register(on_take, Command("take"))
    router.message.register(on_close, Command("close"))
    router.message.register(on_reopen, Command("reopen"))
    router.message.register(on_refuse, Command("refuse"))
    router.message.register(on_claims, Command("claims"))
    router.message.register(on_overdue, Command("overdue"))
    router.message.register(on_history, Command("claim"))
    router.message.register(on_stats, Command("stats"))
    router.message.register(on_other_command, Magic(F.text.startswith("/")))
    router.message.register(on_operator_message, Magic(ANY_ANSWER))
    router.message.register(on_unsupported_answer, Magic(F.reply_to_message | F.is_topic_message))
    router.edited_message.register(on_operator_edit)
    return router

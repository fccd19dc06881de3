"""The operators' side of claims, in ADMIN_CHAT_ID only: replies, take/close/reopen/refuse, lists, stats."""

from __future__ import annotations

import logging
from datetime import date, datetime

from aiogram import Bot, F
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot import claims as domain
from bot.clock import Clock
from bot.config import Settings
from bot.formatting import esc, local_date, local_time
from bot.scheduler import Scheduler
from handlers.filters import Magic
from handlers.keyboards import ClaimOpAction, ClaimOpCb
from handlers.routing import Router
from storage import claims as store
from storage import users
from storage.claims import Claim
from storage.db import Database

log = logging.getLogger(__name__)
HISTORY_TEXT_CHARS = 300
LIST_LIMIT = 50


def operator_name(message_or_user: object) -> str:
    user = getattr(message_or_user, "from_user", None) or message_or_user
    name = getattr(user, "full_name", None) or str(getattr(user, "id", "?"))
    return esc(name)


async def claim_in_context(db: Database, message: Message) -> Claim | None:
    """The claim a message belongs to: replied-to card/alert, or the claim's forum topic."""
    if message.reply_to_message is not None and not (message.reply_to_message.forum_topic_created):
        claim = await store.claim_for_message(db, message.chat.id, message.reply_to_message.message_id)
        if claim is not None:
            return claim
    if message.is_topic_message and message.message_thread_id is not None:
        return await store.claim_for_topic(db, message.message_thread_id)
    return None


async def resolve(db: Database, message: Message, args: str | None) -> tuple[Claim | None, str]:
    """(claim, the rest of the arguments): a number first in args, else the context."""
    rest = (args or "").strip()
    if rest:
        first, _, tail = rest.partition(" ")
        number = domain.parse_number(first)
        if number is not None:
            return await store.get_by_number(db, number), tail.strip()
    return await claim_in_context(db, message), rest


def line(scheduler: Scheduler, settings: Settings, claim: Claim, now: object) -> str:
    t = scheduler.t
    today = now.astimezone(settings.tz).date()  # type: ignore[attr-defined]
    return t("op-claims-line", number=claim.number, type=t(f"claim-type-{claim.type}"),
             status=t(f"claim-status-{domain.display_status(claim, today)}"), due=local_date(claim.due_date),
             left=(date.fromisoformat(claim.due_date) - today).days)


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


async def history_text(db: Database, scheduler: Scheduler, settings: Settings, claim: Claim, now: object) -> list[str]:
    t = scheduler.t
    today = now.astimezone(settings.tz).date()  # type: ignore[attr-defined]
    lines = [t("op-history-title", number=claim.number, type=t(f"claim-type-{claim.type}"),
               status=t(f"claim-status-{domain.display_status(claim, today)}"), user_id=str(claim.user_id),
               language=t(f"lang-name-{claim.language}"), registered=local_time(claim.registered_at, settings.tz),
               due=local_date(claim.due_date), left=(date.fromisoformat(claim.due_date) - today).days), ""]
    text = claim.text if len(claim.text) <= HISTORY_TEXT_CHARS else claim.text[:HISTORY_TEXT_CHARS] + "…"
    lines.append(f"<blockquote>{esc(text)}</blockquote>")
    events: list[tuple[str, str]] = []
    if claim.taken_at:
        events.append((claim.taken_at, t("op-history-taken", time=local_time(claim.taken_at, settings.tz), operator=str(claim.taken_by))))
    for item in await store.followups(db, claim.id):
        body = esc(item.text[:HISTORY_TEXT_CHARS]) if item.text else t("op-history-media")
        events.append((item.created_at, t("op-history-followup", time=local_time(item.created_at, settings.tz), text=body)))
    for reply in await store.replies(db, claim.id):
        body = esc(reply.text[:HISTORY_TEXT_CHARS]) if reply.text else t("op-history-media")
        events.append((reply.created_at, t("op-history-reply", time=local_time(reply.created_at, settings.tz), operator=str(reply.operator_id), text=body)))
    if claim.closed_at:
        closed = t("op-history-closed", time=local_time(claim.closed_at, settings.tz), operator=str(claim.closed_by))
        if claim.resolution == "refused":
            closed += "\n" + t("op-history-refusal", reason=esc((claim.refusal_reason or "")[:HISTORY_TEXT_CHARS]))
        events.append((claim.closed_at, closed))
    lines += [text for _, text in sorted(events, key=lambda e: e[0])]
    return chunks(lines)


async def notify_user(bot: Bot, db: Database, scheduler: Scheduler, claim: Claim, key: str, **args: object) -> bool:
    user = await users.get_user(db, claim.user_id)
    language = (user.language if user and user.language else claim.language)
    try:
        await bot.send_message(claim.user_id, _user_text(scheduler, key, language, number=claim.number, **args))
    except TelegramAPIError:
        return False
    return True


def _user_text(scheduler: Scheduler, key: str, language: str, **args: object) -> str:
    return scheduler.core.get(key, language, **args)


def create_router() -> Router:
    router = Router(name="operators-claims")

    async def change(
        target: Message, bot: Bot, db: Database, clock: Clock, scheduler: Scheduler, claim: Claim, action: ClaimOpAction,
        operator_id: int, operator: str,
    ) -> None:
        t = scheduler.t
        allowed = {ClaimOpAction.TAKE: ("registered", "in_progress", "answered"), ClaimOpAction.CLOSE: store.OPEN_STATUSES,
                   ClaimOpAction.REOPEN: ("closed",)}[action]
        if claim.status not in allowed:
            await target.answer(t("op-status-unchanged", number=claim.number, status=t(f"claim-status-{claim.status}")))
            return
        now = clock.now()
        if action is ClaimOpAction.TAKE:
            status = "in_progress" if claim.status != "answered" else "answered"
            await store.set_status(db, claim, status=status, operator_id=operator_id, now=now, event="claim_taken")
            await target.answer(t("op-taken", number=claim.number, operator=operator))
        elif action is ClaimOpAction.CLOSE:
            await store.set_status(db, claim, status="closed", operator_id=operator_id, now=now, event="claim_closed", resolution="done")
            await target.answer(t("op-closed", number=claim.number, operator=operator))
            await notify_user(bot, db, scheduler, claim, "claim-closed-user")
        else:
            status = "answered" if claim.first_reply_at else "in_progress"
            await store.set_status(db, claim, status=status, operator_id=operator_id, now=now, event="claim_reopened")
            await target.answer(t("op-reopened", number=claim.number, operator=operator))
            await notify_user(bot, db, scheduler, claim, "claim-reopened-user")

    @router.callback_query(ClaimOpCb.filter())
    async def on_button(callback: CallbackQuery, callback_data: ClaimOpCb, bot: Bot, db: Database, clock: Clock, settings: Settings, scheduler: Scheduler) -> None:
        assert isinstance(callback.message, Message)
        claim = await store.get(db, callback_data.claim_id)
        await callback.answer()
        if claim is None:
            return
        if callback_data.action is ClaimOpAction.HISTORY:
            for text in await history_text(db, scheduler, settings, claim, clock.now()):
                await callback.message.answer(text)
            return
        await change(callback.message, bot, db, clock, scheduler, claim, callback_data.action, callback.from_user.id, operator_name(callback.from_user))

    for command, action in (("take", ClaimOpAction.TAKE), ("close", ClaimOpAction.CLOSE), ("reopen", ClaimOpAction.REOPEN)):
        def make(action: ClaimOpAction = action):  # type: ignore[no-untyped-def]
            async def on_command(message: Message, command: CommandObject, bot: Bot, db: Database, clock: Clock, scheduler: Scheduler) -> None:
                claim, _ = await resolve(db, message, command.args)
                if claim is None:
                    await message.answer(scheduler.t("op-not-found"))
                    return
                assert message.from_user is not None
                await change(message, bot, db, clock, scheduler, claim, action, message.from_user.id, operator_name(message))
            return on_command
        router.message.register(make(), Command(command))

    @router.message(Command("refuse"))
    async def on_refuse(message: Message, command: CommandObject, bot: Bot, db: Database, clock: Clock, scheduler: Scheduler) -> None:
        t = scheduler.t
        claim, reason = await resolve(db, message, command.args)
        if claim is None or not reason or len(reason) > domain.REFUSAL_REASON_MAX:
            await message.answer(t("op-refuse-usage") if claim is not None or not command.args else t("op-not-found"))
            return
        if claim.status not in store.OPEN_STATUSES:
            await message.answer(t("op-status-unchanged", number=claim.number, status=t(f"claim-status-{claim.status}")))
            return
        assert message.from_user is not None
        user = await users.get_user(db, claim.user_id)
        language = user.language if user and user.language else claim.language
        try:
            sent = await bot.send_message(claim.user_id, _user_text(scheduler, "claim-refused-user", language, number=claim.number, reason=esc(reason), appeal=_user_text(scheduler, "compliance-refusal-appeal", language, body=esc(scheduler.settings.authorised_body_in(language)))))
        except TelegramForbiddenError:
            await message.reply(t("op-user-blocked", number=claim.number))
            return
        except TelegramAPIError:
            await message.reply(t("op-reply-failed", number=claim.number))
            return
        now = clock.now()
        await store.record_reply(db, claim, operator_id=message.from_user.id, kind="refusal", text=None,
                                 admin_message_id=message.message_id, user_message_id=sent.message_id, now=now)
        fresh = await store.get(db, claim.id)
        assert fresh is not None
        await store.set_status(db, fresh, status="closed", operator_id=message.from_user.id, now=now, event="claim_refused",
                               resolution="refused", refusal_reason=reason)
        await message.reply(t("op-refused", number=claim.number))

    async def answer_list(message: Message, scheduler: Scheduler, settings: Settings, now: datetime,
                          page: tuple[int, list[Claim]], title_key: str, empty_key: str) -> None:
        total, claims = page
        if not total:
            await message.answer(scheduler.t(empty_key))
            return
        lines = [scheduler.t(title_key, count=total)] + [line(scheduler, settings, c, now) for c in claims]
        for text in chunks(lines):
            await message.answer(text)

    @router.message(Command("claims"))
    async def on_claims(message: Message, db: Database, clock: Clock, settings: Settings, scheduler: Scheduler) -> None:
        page = await domain.open_claims_page(db, LIST_LIMIT)
        await answer_list(message, scheduler, settings, clock.now(), page, "op-claims-title", "op-claims-empty")

    @router.message(Command("overdue"))
    async def on_overdue(message: Message, db: Database, clock: Clock, settings: Settings, scheduler: Scheduler) -> None:
        now = clock.now()
        page = await domain.overdue_claims_page(db, now.astimezone(settings.tz).date(), LIST_LIMIT)
        await answer_list(message, scheduler, settings, now, page, "op-overdue-title", "op-overdue-empty")

    @router.message(Command("claim"))
    async def on_history(message: Message, command: CommandObject, db: Database, clock: Clock, settings: Settings, scheduler: Scheduler) -> None:
        claim, _ = await resolve(db, message, command.args)
        if claim is None:
            await message.answer(scheduler.t("op-not-found"))
            return
        for text in await history_text(db, scheduler, settings, claim, clock.now()):
            await message.answer(text)

    @router.message(Command("stats"))
    async def on_stats(message: Message, db: Database, clock: Clock, settings: Settings, scheduler: Scheduler) -> None:
        t = scheduler.t
        stats = await domain.claim_stats(db, clock.now(), settings)
        share = stats.on_time_share
        await message.answer(t(
            "op-stats", total=stats.total, **stats.by_status,
            median=domain.format_duration(t, stats.median_first_reply) if stats.median_first_reply is not None else t("op-stats-none"),
            on_time=t("op-stats-share", percent=round(share * 100), answered=stats.answered_on_time, counted=stats.answered_counted)
            if share is not None else t("op-stats-none"),
        ))

    @router.message(Magic(F.text.startswith("/")))
    async def on_other_command(message: Message) -> None:
        return None  # commands of other capabilities or typos are not replies to a claim

    @router.message(Magic(F.photo | F.document | F.text))
    async def on_reply(message: Message, bot: Bot, db: Database, clock: Clock, scheduler: Scheduler) -> None:
        claim = await claim_in_context(db, message)
        t = scheduler.t
        if message.from_user is None or message.from_user.is_bot:
            return
        if claim is None:
            replied = message.reply_to_message
            if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
                # A reply to one of the bot's own messages that is not part of a claim: the operator
                # probably meant to answer a claim, so say how instead of silently dropping it.
                await message.reply(t("op-reply-not-a-claim"))
            return  # ordinary conversation between operators stays theirs
        user = await users.get_user(db, claim.user_id)
        language = user.language if user and user.language else claim.language
        try:
            label = await bot.send_message(claim.user_id, _user_text(scheduler, "claim-reply-label", language, number=claim.number))
            copied = await bot.copy_message(claim.user_id, message.chat.id, message.message_id, reply_to_message_id=label.message_id)
        except TelegramForbiddenError:
            await message.reply(t("op-user-blocked", number=claim.number))
            return
        except TelegramAPIError as error:
            log.warning("reply to claim %s not delivered: %s", claim.id, type(error).__name__)
            await message.reply(t("op-reply-failed", number=claim.number))
            return
        kind = "photo" if message.photo else "document" if message.document else "text"
        await store.record_reply(db, claim, operator_id=message.from_user.id, kind=kind, text=message.text or message.caption,
                                 admin_message_id=message.message_id, user_message_id=copied.message_id, now=clock.now())
        await store.link_message(db, message.chat.id, message.message_id, claim.id)
        await message.reply(t("op-reply-delivered", number=claim.number))

    return router

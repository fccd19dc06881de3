"""Operators carry out block and destroy requests (admin chat only), after a confirmation.

`/destroy 2026-0007`, `/block 2026-0007`, `/unblock 2026-0007`, or the same commands as a reply
to any message of the request (its card, its text) or in its forum topic; or the buttons on a
request's card. Each asks to confirm; the confirmation calls one service of bot/erasure.py.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.types import User as TelegramUser

from bot import claims as domain
from bot import erasure
from bot.clock import Clock
from bot.config import Settings
from bot.formatting import esc
from bot.request_types import name_key
from bot.scheduler import Scheduler
from bot.session import ignore_result
from handlers.keyboards import ErasureAction, ErasureCb, erasure_confirm_markup
from handlers.operators.cards import refresh_card
from handlers.routing import Router
from storage import claims as store
from storage.claims import Claim
from storage.db import Database

# command → (the request type it applies to, the confirmation it asks for)
COMMANDS = {
    "destroy": ("destroy", ErasureAction.DESTROY),
    "block": ("block", ErasureAction.BLOCK),
    "unblock": ("block", ErasureAction.UNBLOCK),
}
ASKS = {ErasureAction.ASK_DESTROY: ErasureAction.DESTROY, ErasureAction.ASK_BLOCK: ErasureAction.BLOCK,
        ErasureAction.ASK_UNBLOCK: ErasureAction.UNBLOCK}
REQUEST_TYPE = {ErasureAction.DESTROY: "destroy", ErasureAction.BLOCK: "block", ErasureAction.UNBLOCK: "block"}
SERVICES = {ErasureAction.DESTROY: erasure.destroy, ErasureAction.BLOCK: erasure.block, ErasureAction.UNBLOCK: erasure.unblock}
NAMES = {ErasureAction.DESTROY: "destroy", ErasureAction.BLOCK: "block", ErasureAction.UNBLOCK: "unblock"}


def operator_label(user: TelegramUser) -> str:
    return user.full_name or str(user.id)


async def claim_of(db: Database, message: Message, args: str | None) -> Claim | None:
    """The request named by number, else the one whose message is replied to or whose topic this is."""
    number = domain.parse_number((args or "").strip().split(" ")[0]) if args else None
    if number is not None:
        return await store.get_by_number(db, number)
    replied = message.reply_to_message
    if replied is not None and not replied.forum_topic_created:
        claim = await store.claim_for_message(db, message.chat.id, replied.message_id)
        if claim is not None:
            return claim
    if message.is_topic_message and message.message_thread_id is not None:
        return await store.claim_for_topic(db, message.message_thread_id)
    return None


async def ask(target: Message, scheduler: Scheduler, claim: Claim | None, action: ErasureAction) -> None:
    t = scheduler.t
    name = NAMES[action]
    if claim is None:
        await ignore_result(target.answer(t("erasure-op-usage", command=name)))
        return
    if claim.type != REQUEST_TYPE[action]:
        await ignore_result(target.answer(t("erasure-op-wrong-type", number=claim.number, type=t(name_key(claim.type)),
                              command=name)))
        return
    await ignore_result(target.answer(
        t(f"erasure-op-{name}-confirm", number=claim.number, user_id=str(claim.user_id)),
        reply_markup=erasure_confirm_markup(t, claim.id, action),
    ))


async def on_command(message: Message, command: CommandObject, db: Database, scheduler: Scheduler) -> None:
    _, action = COMMANDS[command.command.lower()]
    await ask(message, scheduler, await claim_of(db, message, command.args), action)


async def on_ask_button(callback: CallbackQuery, callback_data: ErasureCb, db: Database, scheduler: Scheduler) -> None:
    assert isinstance(callback.message, Message)
    await callback.answer()
    await ask(callback.message, scheduler, await store.get(db, callback_data.claim_id), ASKS[callback_data.action])


async def on_cancel(callback: CallbackQuery, scheduler: Scheduler) -> None:
    assert isinstance(callback.message, Message)
    await callback.answer()
    await ignore_result(callback.message.edit_text(scheduler.t("erasure-op-cancelled"), reply_markup=None))


async def on_confirm(
    callback: CallbackQuery, callback_data: ErasureCb, bot: Bot, db: Database, clock: Clock, settings: Settings,
    scheduler: Scheduler, state: FSMContext,
) -> None:
    assert isinstance(callback.message, Message)
    t = scheduler.t
    action = callback_data.action
    operator = callback.from_user
    before = await store.get(db, callback_data.claim_id)  # to tell whether its topic must be closed
    now = clock.now()
    outcome = await SERVICES[action](
        db, settings, scheduler.core.get, claim_id=callback_data.claim_id, operator_id=operator.id,
        operator_name=operator_label(operator), now=now,
    )
    if outcome.drafts and hasattr(state.storage, "forget"):
        state.storage.forget(outcome.drafts)  # the rows are gone; the FSM cache must not keep them
    await callback.answer()
    number = outcome.claim.number if outcome.claim else "?"
    if outcome.result is erasure.Result.DONE:
        text = t(f"erasure-op-{NAMES[action]}-done", number=number, operator=esc(operator_label(operator)))
    else:
        text = t(f"erasure-op-{outcome.result.value.replace('_', '-')}", number=number, command=NAMES[action],
                 type=t(name_key(outcome.claim.type)) if outcome.claim else "?")
    await ignore_result(callback.message.edit_text(text, reply_markup=None))
    if outcome.result is erasure.Result.DONE:
        await scheduler.kick()  # the customer's notice is in the outbox
    if outcome.claim is not None and (before is None or outcome.claim.version != before.version):
        # The request was closed (also when the person was already blocked by an earlier one):
        # the card and topic say it is done and offer no more of it.
        await refresh_card(bot, db, settings, scheduler, outcome.claim, before, now)


def create_router() -> Router:
    router = Router(name="operators-erasure")
    router.message.register(on_command, Command(*COMMANDS))
    router.callback_query.register(on_ask_button, ErasureCb.filter(F.action.in_(set(ASKS))))
    router.callback_query.register(on_cancel, ErasureCb.filter(F.action == ErasureAction.CANCEL))
    router.callback_query.register(on_confirm, ErasureCb.filter(F.action.in_(set(SERVICES))))
    return router

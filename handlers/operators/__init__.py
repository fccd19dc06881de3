"""The operators' side: only messages in ADMIN_CHAT_ID reach these handlers, and only an
operator's (an administrator of the admin chat, narrowed by OPERATOR_IDS) reach a capability.

The check is a filter on the operators' own router, so every capability included here (claims,
broadcasts, policy publishing, and any added later) inherits it. Anyone else in the admin chat
gets a short refusal for commands and buttons; an anonymous admin is asked to turn anonymity off
(the bot must know who acted: every operator action is audited with the operator's id and name).
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.clock import Clock, SystemClock
from bot.operators import OperatorDirectory
from bot.scheduler import Scheduler
from bot.session import ignore_result
from handlers.filters import IsOperator, Magic
from handlers.routing import Router


async def on_anonymous_admin(message: Message, scheduler: Scheduler) -> None:
    await ignore_result(message.reply(scheduler.t("desk-anonymous-admin")))


def _refusal(scheduler: Scheduler, operators_known: bool) -> str:
    # If Telegram never told who the administrators are, say that rather than "not an operator".
    return scheduler.t("desk-not-operator" if operators_known else "desk-operators-unknown")


async def on_stranger_command(message: Message, bot: Bot, scheduler: Scheduler, operators_known: bool) -> None:
    command = (message.text or "").split(maxsplit=1)[0]
    if "@" in command and command.partition("@")[2].lower() != ((await bot.me()).username or "").lower():
        return  # a command for another bot in the chat is none of ours
    await ignore_result(message.reply(_refusal(scheduler, operators_known)))


async def on_stranger_button(callback: CallbackQuery, scheduler: Scheduler, operators_known: bool) -> None:
    await callback.answer(_refusal(scheduler, operators_known)[:200], show_alert=True)


async def on_help(message: Message, scheduler: Scheduler) -> None:
    await ignore_result(message.answer(scheduler.t("desk-help")))


def create_operators_router(admin_chat_id: int, *capabilities: Router, clock: Clock | None = None,
                            operator_ids: tuple[int, ...] | list[int] = ()) -> Router:
    """An operator command anywhere but the admin chat never reaches an operator handler, and
    in the admin chat only an operator's does."""
    router = Router(name="operators")
    router.message.filter(Magic(F.chat.id == admin_chat_id))
    router.edited_message.filter(Magic(F.chat.id == admin_chat_id))
    router.callback_query.filter(Magic(F.message.chat.id == admin_chat_id))
    router.chat_member.filter(Magic(F.chat.id == admin_chat_id))
    directory = OperatorDirectory(clock or SystemClock(), operator_ids)
    is_operator = IsOperator(directory)

    router.chat_member.register(directory.on_members_changed)

    gate = Router(name="operators-gate")
    stranger = is_operator.negated()
    anonymous = Magic(F.sender_chat.id == admin_chat_id)
    addressed = Magic(F.text.startswith("/") | F.reply_to_message | F.is_topic_message)
    gate.message.register(on_anonymous_admin, anonymous, addressed)
    gate.message.register(on_stranger_command, stranger, Magic(F.text.startswith("/")))
    gate.callback_query.register(on_stranger_button, stranger)
    gate.message.register(_swallow, stranger)  # a stranger's other messages are no operator's answer
    gate.edited_message.register(_swallow, stranger)

    staff = Router(name="operators-staff")
    staff.message.filter(is_operator)
    staff.edited_message.filter(is_operator)
    staff.callback_query.filter(is_operator)
    staff.message.register(on_help, Command("help"))
    if capabilities:
        staff.include_routers(*capabilities)
    router.include_routers(gate, staff)
    return router


async def _swallow(event: object) -> None:
    return None

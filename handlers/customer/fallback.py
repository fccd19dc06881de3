"""What no capability took: a short helpful answer, never silence or a traceback."""

from __future__ import annotations

from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from aiogram_i18n import I18nContext

from bot import reachability
from bot.clock import Clock
from bot.session import ignore_result
from handlers.keyboards import main_menu
from handlers.routing import Router
from storage.db import Database


async def on_blocked(event: ChatMemberUpdated, db: Database, clock: Clock) -> None:
    # The user blocked the bot: remember it so broadcasts skip them; nothing to answer.
    await reachability.bot_blocked(db, event.from_user.id, clock.now())


async def on_unblocked(event: ChatMemberUpdated) -> None:
    # UserMiddleware already marked the user reachable again when it loaded them.
    return None


async def on_edited(message: Message, i18n: I18nContext) -> None:
    await ignore_result(message.answer(i18n.get("edited-ignored")))


async def on_anything(message: Message, i18n: I18nContext) -> None:
    await ignore_result(message.answer(i18n.get("unknown-input"), reply_markup=main_menu(i18n)))


async def on_stale_button(callback: CallbackQuery, i18n: I18nContext) -> None:
    await callback.answer(i18n.get("button-outdated"), show_alert=True)


def create_router() -> Router:
    router = Router(name="fallback")
    router.my_chat_member.register(on_blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    router.my_chat_member.register(on_unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER))
    router.edited_message.register(on_edited)
    router.message.register(on_anything)
    router.callback_query.register(on_stale_button)
    return router

"""The customers' side: private chats with the bot."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery
from aiogram_i18n import I18nContext

from handlers.customer import ads, consent, fallback, language, mydata, policy, start
from handlers.filters import Magic
from handlers.routing import Router


def create_customer_router(*extra_routers: Router) -> Router:
    """Customer routers for private chats; `extra_routers` (later capabilities) go before the fallback."""
    router = Router(name="customer")
    private = Magic(F.chat.type == ChatType.PRIVATE)
    router.message.filter(private)
    router.edited_message.filter(private)
    router.my_chat_member.filter(private)
    router.callback_query.filter(Magic(F.message.chat.type == ChatType.PRIVATE))
    router.include_routers(
        create_guard_router(),
        start.create_router(),
        language.create_router(),
        policy.create_router(),
        consent.create_router(),
        ads.create_router(),
        mydata.create_router(),
        *extra_routers,
        fallback.create_router(),  # last: catches whatever no capability took
    )
    return router


async def on_foreign_button(callback: CallbackQuery, i18n: I18nContext) -> None:
    await callback.answer(i18n.get("not-your-button"), show_alert=True)


def create_guard_router() -> Router:
    """A button in a private chat belongs to that chat's person; anyone else is told so."""
    router = Router(name="customer-guard")
    router.callback_query.register(
        on_foreign_button, Magic(F.func(lambda callback: callback.message.chat.id != callback.from_user.id))
    )
    return router


__all__: list[Any] = ["create_customer_router"]

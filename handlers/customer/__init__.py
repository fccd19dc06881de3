"""The customers' side: private chats with the bot."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatType

from handlers.customer import ads, consent, fallback, language, mydata, policy, start


def create_customer_router(*extra_routers: Router) -> Router:
    """Customer routers for private chats; `extra_routers` (later capabilities) go before the fallback."""
    router = Router(name="customer")
    private = F.chat.type == ChatType.PRIVATE
    router.message.filter(private)
    router.edited_message.filter(private)
    router.my_chat_member.filter(private)
    router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    router.include_routers(
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


__all__: list[Any] = ["create_customer_router"]

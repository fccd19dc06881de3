"""The operators' side: only messages in ADMIN_CHAT_ID reach these handlers."""

from __future__ import annotations

from aiogram import F

from handlers.filters import Magic
from handlers.routing import Router


def create_operators_router(admin_chat_id: int, *capabilities: Router) -> Router:
    """An operator command anywhere but the admin chat never reaches an operator handler."""
    router = Router(name="operators")
    router.message.filter(Magic(F.chat.id == admin_chat_id))
    router.edited_message.filter(Magic(F.chat.id == admin_chat_id))
    router.callback_query.filter(Magic(F.message.chat.id == admin_chat_id))
    if capabilities:
        router.include_routers(*capabilities)
    return router

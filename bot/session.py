"""The HTTP session to the Bot API: aiogram's aiohttp session, minus one repeated cost.

aiogram checks every answer with `Response[method.__returning__]`, a parametrised pydantic model.
pydantic caches those in a WeakValueDictionary and aiogram keeps no reference, so the garbage
collector regularly frees them and the next call builds the schema again (milliseconds each; in
the update benchmark ~2,000 rebuilds per 16,000 updates). Keeping each one used makes every later
call a cache hit; there are at most as many as Bot API methods.
"""

from __future__ import annotations

from typing import Any, ClassVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    GetUpdates,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType

from bot import lazy_types

# What a customer's update makes the bot call; built at start-up rather than by the first update.
HOT_METHODS: tuple[type[TelegramMethod[Any]], ...] = (
    GetUpdates, SendMessage, AnswerCallbackQuery, EditMessageReplyMarkup, EditMessageText, CopyMessage, DeleteMessage,
)


class BotSession(AiohttpSession):
    response_models: ClassVar[dict[Any, type[Response[Any]]]] = {}

    @classmethod
    def response_model(cls, returning: Any) -> type[Response[Any]]:
        model = cls.response_models.get(returning)
        if model is None:
            model = cls.response_models[returning] = Response[returning]  # type: ignore[valid-type]
        return model

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        self.response_model(method.__returning__)  # held here, so aiogram's lookup below is a cache hit
        return super().check_response(bot, method, status_code, content)

    @classmethod
    def prepare(cls, methods: tuple[type[TelegramMethod[Any]], ...] = HOT_METHODS) -> None:
        """Build the request and answer models of these methods now, before the first update."""
        lazy_types.build(*methods)
        for method in methods:
            cls.response_model(method.__returning__)

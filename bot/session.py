"""The HTTP session to the Bot API: aiogram's aiohttp session, minus two repeated costs.

1. Requests without files go as one JSON body (which the Bot API accepts, "application/json")
   instead of aiogram's form, in which each nested field is JSON-encoded on its own and aiohttp
   then URL-quotes every field: 49 instead of 136 µs to build a sendMessage with a keyboard.
   Requests with files stay multipart forms, exactly as aiogram builds them.
2. aiogram checks every answer with `Response[method.__returning__]`, a parametrised pydantic
   model. pydantic caches those in a WeakValueDictionary and aiogram keeps no reference, so the
   garbage collector regularly frees them and the next call builds the schema again
   (milliseconds each; in the update benchmark ~2,000 rebuilds per 16,000 updates). Keeping each
   one used makes every later call a cache hit; there are at most as many as Bot API methods.
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
    GetChat,
    GetUpdates,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from aiogram.types import (
    ErrorEvent,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from aiohttp import BytesPayload, FormData
from pydantic import BaseModel

from bot import lazy_types

# What handling customers' updates makes the bot call and build (seen across the end-to-end
# suite); built at start-up, so no update waits ~50-100 ms for a first build.
HOT_METHODS: tuple[type[TelegramMethod[Any]], ...] = (
    GetUpdates, SendMessage, AnswerCallbackQuery, EditMessageReplyMarkup, EditMessageText, CopyMessage, DeleteMessage,
    SendDocument, SendPhoto, GetChat,
)
HOT_TYPES: tuple[type[BaseModel], ...] = (
    Update, ErrorEvent, InlineKeyboardMarkup, InlineKeyboardButton, ReplyKeyboardMarkup, KeyboardButton,
    ReplyKeyboardRemove, LinkPreviewOptions, ReplyParameters,
)


class BotSession(AiohttpSession):
    response_models: ClassVar[dict[Any, type[Response[Any]]]] = {}

    @classmethod
    def response_model(cls, returning: Any) -> type[Response[Any]]:
        model = cls.response_models.get(returning)
        if model is None:
            model = cls.response_models[returning] = Response[returning]  # type: ignore[valid-type]
        return model

    def build_form_data(self, bot: Bot, method: TelegramMethod[TelegramType]) -> FormData | BytesPayload:  # type: ignore[override]
        files: dict[str, Any] = {}
        fields: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is None or prepared == "":
                # What aiogram's form leaves out. False, 0 and [] it sends (as "false", "0", "[]"),
                # and so does the body: a poll's is_anonymous=False or allowed_updates=[] mean something.
                continue
            fields[key] = prepared
        if files:
            return super().build_form_data(bot, method)  # an upload: aiogram's own multipart form
        return BytesPayload(self.json_dumps(fields).encode(), content_type="application/json")

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        self.response_model(method.__returning__)  # held here, so aiogram's lookup below is a cache hit
        return super().check_response(bot, method, status_code, content)

    @classmethod
    def prepare(cls) -> None:
        """Build the hot types, and the hot methods' request and answer models, before the first update."""
        answers = (cls.response_model(method.__returning__) for method in HOT_METHODS)
        lazy_types.build(*HOT_TYPES, *HOT_METHODS, *answers)

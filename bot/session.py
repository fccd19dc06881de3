"""The HTTP session to the Bot API: aiogram's aiohttp session, minus repeated costs.

On aiogram's public API:
1. Requests without files go as one JSON body (which the Bot API accepts, "application/json")
   instead of aiogram's form, in which each nested field is JSON-encoded on its own and aiohttp
   then URL-quotes every field (`build_form_data`, a public method of AiohttpSession, returns
   that body). Requests with files stay multipart forms, exactly as aiogram builds them.
2. aiogram checks every answer with `Response[method.__returning__]`, a parametrised pydantic
   model. pydantic caches those in a WeakValueDictionary and aiogram keeps no reference, so the
   garbage collector regularly frees them and the next call builds the schema again (a costly
   step, repeated over and over under load). Keeping each one used makes
   every later call a cache hit; there are at most as many as Bot API methods.
3. JSON is written and read with orjson (the session's public `json_loads`). Dicts and lists
   (keyboards, entities) are written by orjson as they are; a body holding something orjson
   refuses (a Default marker or a file inside, a datetime, a lone surrogate) is walked by
   aiogram's `prepare_value` (a file then makes it a form) and, if need be, written by the
   standard library's encoder.
4. A pressed button's update carries the message's inline keyboard, which the bot sent: the
   keyboards sent lately are kept by their JSON, and a keyboard in an update that is exactly one
   of them is that object, not validated button by button again (`SENT_KEYBOARDS` of them).
5. A call awaited through `ignore_result` (a handler's reply it does not read) is checked as
   every call is, errors raised as aiogram raises them, but a sent or edited message in its
   answer is read only as far as its message_id (`SentMessage`), not built into Message,
   Chat, User, entity and button objects: most of the work of a Bot API call, for nothing.

Through the `http_client` fast path (bot/fast_paths/session.py), when it is active: those JSON
requests go over a plain HTTP/1.1 keep-alive client instead of aiohttp's ClientSession. Uploads,
a session given a proxy, and everything when the path is off go through aiohttp as aiogram sends
them.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Awaitable
from contextvars import ContextVar
from http import HTTPStatus
from typing import Any, ClassVar, cast

from aiogram import Bot, __version__ as aiogram_version
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
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
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
import orjson
from aiohttp import BytesPayload, FormData
from pydantic import BaseModel, ConfigDict, ValidationError

from bot import fast_paths
from bot.fast_paths import lazy_types
from bot.fast_paths.session import HttpError, KeepAliveTransport

# What handling customers' updates makes the bot call and build (seen across the end-to-end
# suite); built at start-up, so that no update waits for a first build.
HOT_METHODS: tuple[type[TelegramMethod[Any]], ...] = (
    GetUpdates, SendMessage, AnswerCallbackQuery, EditMessageReplyMarkup, EditMessageText, CopyMessage, DeleteMessage,
    SendDocument, SendPhoto, GetChat,
)
HOT_TYPES: tuple[type[BaseModel], ...] = (
    Update, ErrorEvent, InlineKeyboardMarkup, InlineKeyboardButton, ReplyKeyboardMarkup, KeyboardButton,
    ReplyKeyboardRemove, LinkPreviewOptions, ReplyParameters,
)


_PLAIN = frozenset({str, int, bool, float})
_TREES = frozenset({dict, list})
# Inline keyboards kept for the updates of their buttons: the bot's keyboards are few (menus,
# notices, steps of a flow, pages), so the last few hundred cover the buttons people press.
SENT_KEYBOARDS = 512

# Set while a call awaited through ignore_result is made (a context variable: the call runs in
# the caller's task, through the session's middlewares, retries included).
_result_ignored: ContextVar[bool] = ContextVar("result_ignored", default=False)


class SentMessage(BaseModel):
    """What a caller that ignores the result needs of a sent or edited message: nothing but the
    proof that Telegram accepted it. Not an aiogram object: nothing nested, nothing bound."""

    model_config = ConfigDict(extra="ignore")
    message_id: int


# What ignore_result reads an answer as, by aiogram's `__returning__`: sendMessage and the other
# sends return a Message; editMessage* a Message, or True for an inline message. (copyMessage's
# MessageId is small already.)
_LEAN_ANSWERS: dict[Any, Any] = {Message: SentMessage, Message | bool: SentMessage | bool}


async def ignore_result(call: Awaitable[Any]) -> None:
    """Await a Bot API call (e.g. `message.answer(...)`) whose result the caller does not use.

    Telegram's answer is checked exactly as before: an error raises the exception aiogram
    raises. Only the message Telegram sends back is not turned into aiogram's objects."""
    token = _result_ignored.set(True)
    try:
        await call
    finally:
        _result_ignored.reset(token)


def _validated(bot: Bot, model: type[Response[Any]], data: dict[str, Any]) -> Response[Any] | None:
    """A successful answer as aiogram validates it (bound to `bot`), or None if it does not fit."""
    try:
        return model.model_validate(data, context={"bot": bot})
    except ValidationError:
        return None


def _echoed_as_sent(markup: InlineKeyboardMarkup) -> bool:
    """Whether Telegram returns this keyboard as sent: it does, except that "login_url buttons are
    represented as ordinary url buttons" (https://core.telegram.org/bots/api#message, reply_markup)."""
    return all(button.login_url is None for row in markup.inline_keyboard for button in row)


class BotSession(AiohttpSession):
    response_models: ClassVar[dict[Any, type[Response[Any]]]] = {}

    def __init__(self, *args: Any, limit: int = 100, **kwargs: Any) -> None:
        kwargs.setdefault("json_loads", orjson.loads)
        super().__init__(*args, limit=limit, **kwargs)
        self._keep_alive = KeepAliveTransport(limit)
        self._sent_keyboards: OrderedDict[bytes, InlineKeyboardMarkup] = OrderedDict()

    @classmethod
    def response_model(cls, returning: Any) -> type[Response[Any]]:
        model = cls.response_models.get(returning)
        if model is None:
            model = cls.response_models[returning] = Response[returning]  # type: ignore[valid-type]
        return model

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if not fast_paths.active("http_client") or not self._keep_alive.usable(self):
            return await super().make_request(bot, method, timeout)  # aiohttp, with build_form_data's body
        body = self.json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)  # an upload: aiohttp's multipart form
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            answer = await self._keep_alive.post(self, url, body, self.timeout if timeout is None else timeout)
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        except HttpError as error:
            raise TelegramNetworkError(method=method, message=f"{type(error).__name__}: {error}") from error
        response = self.check_response(
            bot=bot, method=method, status_code=answer.status, content=answer.body.decode("utf-8", errors="replace")
        )
        return cast(TelegramType, response.result)

    def json_body(self, bot: Bot, method: TelegramMethod[TelegramType]) -> bytes | None:
        """The request as one JSON body, or None if it uploads a file (then it must be a form)."""
        files: dict[str, Any] = {}
        fields: dict[str, Any] = {}
        # None is never sent (aiogram's form drops it too); leaving it out of the dump saves
        # walking it, e.g. the dozen empty fields of every keyboard button.
        for key, value in method.model_dump(warnings=False, exclude_none=True).items():
            # A plain str, int, bool or float is what prepare_value would return unchanged, and a
            # dict or list (a dumped keyboard, entities) orjson walks below (subclasses, such as
            # enums, and Default and file markers still go through prepare_value here).
            kind = value.__class__
            prepared = value if kind in _PLAIN or kind in _TREES else self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is None or prepared == "":
                # What aiogram's form leaves out. False, 0 and [] it sends (as "false", "0", "[]"),
                # and so does the body: a poll's is_anonymous=False or allowed_updates=[] mean something.
                continue
            fields[key] = prepared
        if files:
            return None
        markup = getattr(method, "reply_markup", None)
        if isinstance(markup, InlineKeyboardMarkup) and _echoed_as_sent(markup):
            self._keep_keyboard(fields["reply_markup"], markup)
        try:
            # orjson refuses what only aiogram's walk knows how to send (a Default marker, a
            # file, a datetime, which it would otherwise write as ISO text) with a TypeError.
            return orjson.dumps(fields, option=orjson.OPT_PASSTHROUGH_DATETIME)
        except TypeError:  # orjson.JSONEncodeError: that, or a lone surrogate, which json escapes
            return self._walked_body(bot, fields)

    def _keep_keyboard(self, dumped: Any, markup: InlineKeyboardMarkup) -> None:
        try:
            key = orjson.dumps(dumped, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # something only aiogram's walk writes: such a keyboard is not kept
            return
        self._sent_keyboards[key] = markup
        self._sent_keyboards.move_to_end(key)
        if len(self._sent_keyboards) > SENT_KEYBOARDS:
            self._sent_keyboards.popitem(last=False)

    def _with_sent_keyboards(self, bot: Bot, model: type[Response[Any]], content: str) -> Response[Any] | None:
        """getUpdates' answer with each pressed button's keyboard that is exactly one the bot sent
        taken as that object (pydantic takes an instance of the field's model as it is); None if
        the answer is not a plain successful one (then aiogram's own check reads it)."""
        data = self._successful_answer(content)
        updates = data.get("result") if data is not None else None
        if not isinstance(updates, list):
            return None
        for update in updates:
            query = update.get("callback_query") if isinstance(update, dict) else None
            message = query.get("message") if isinstance(query, dict) else None
            markup = message.get("reply_markup") if isinstance(message, dict) else None
            if isinstance(markup, dict):
                sent = self._sent_keyboards.get(orjson.dumps(markup, option=orjson.OPT_SORT_KEYS))
                if sent is not None:
                    message["reply_markup"] = sent
        return _validated(bot, model, data)

    def _successful_answer(self, content: str) -> dict[str, Any] | None:
        """Telegram's answer as parsed JSON if it is a success (`"ok": true`), else None: then
        aiogram's own check reads it and reports what is wrong, as it always does."""
        try:
            data = self.json_loads(content)
        except Exception:  # noqa: BLE001 - aiogram's own check reports it
            return None
        return data if isinstance(data, dict) and data.get("ok") is True else None

    def _walked_body(self, bot: Bot, fields: dict[str, Any]) -> bytes | None:
        """The body with every dict and list walked by aiogram's prepare_value, as aiogram would."""
        files: dict[str, Any] = {}
        walked = {
            key: self.prepare_value(value, bot=bot, files=files, _dumps_json=False) if value.__class__ in _TREES else value
            for key, value in fields.items()
        }
        if files:
            return None
        try:
            return orjson.dumps(walked)
        except TypeError:  # a lone surrogate
            return json.dumps(walked).encode()

    def build_form_data(self, bot: Bot, method: TelegramMethod[TelegramType]) -> FormData | BytesPayload:  # type: ignore[override]
        body = self.json_body(bot, method)
        if body is None:
            return super().build_form_data(bot, method)  # an upload: aiogram's own multipart form
        return BytesPayload(body, content_type="application/json")

    async def close(self) -> None:
        await self._keep_alive.close()
        await super().close()

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        lean = _LEAN_ANSWERS.get(method.__returning__) if status_code == HTTPStatus.OK and _result_ignored.get() else None
        if lean is not None:
            try:
                answer = self.response_model(lean).model_validate_json(content)
            except ValidationError:
                answer = None  # not what Telegram sends: aiogram's own check below says what is wrong
            if answer is not None and answer.ok and answer.result is not None:
                return cast(Response[TelegramType], answer)
        model = self.response_model(method.__returning__)  # held here, so aiogram's lookup is a cache hit
        if status_code == HTTPStatus.OK and isinstance(method, GetUpdates) and self._sent_keyboards:
            updates = self._with_sent_keyboards(bot, model, content)
            if updates is not None:
                return cast(Response[TelegramType], updates)
        markup = getattr(method, "reply_markup", None)
        if status_code == HTTPStatus.OK and isinstance(markup, InlineKeyboardMarkup) and _echoed_as_sent(markup):
            # A sent or edited message comes back with its inline keyboard, which is the one
            # just sent: the object already built is used instead of building every button again
            # (pydantic takes an instance of the field's model as it is). Anything unexpected,
            # and every error, goes through aiogram's own check below.
            data = self._successful_answer(content)
            result = data.get("result") if data is not None else None
            if isinstance(result, dict) and isinstance(result.get("reply_markup"), dict):
                result["reply_markup"] = markup
                answer = _validated(bot, model, data)
                if answer is not None:
                    return cast(Response[TelegramType], answer)
        return super().check_response(bot, method, status_code, content)

    @classmethod
    def prepare(cls) -> None:
        """Build the hot types, and the hot methods' request and answer models, before the first update."""
        answers = [cls.response_model(method.__returning__) for method in HOT_METHODS]
        answers += [cls.response_model(lean) for lean in _LEAN_ANSWERS.values()]
        lazy_types.build(*HOT_TYPES, *HOT_METHODS, *answers)

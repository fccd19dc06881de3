"""BotSession: requests as JSON bodies where aiogram sends forms, and Response[...] models kept, not rebuilt."""

from __future__ import annotations

import gc
import json
import weakref
from datetime import datetime, timezone

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    EditMessageText,
    GetMyShortDescription,
    GetUpdates,
    RestrictChatMember,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPoll,
)
from aiogram.methods.base import Response
from aiogram.types import (
    BotShortDescription,
    BufferedInputFile,
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    LoginUrl,
    Message,
    ReplyParameters,
    UserChatBoosts,
)
from aiohttp import FormData

from bot.session import BotSession, SentMessage, ignore_result


def test_pydantic_forgets_an_unused_response_model_but_the_session_keeps_its_own() -> None:
    # Without a holder, pydantic's weak cache lets the model go: the next call would rebuild it.
    forgotten = weakref.ref(Response[UserChatBoosts])
    gc.collect()
    assert forgotten() is None, "pydantic now keeps parametrised models itself: BotSession's cache is redundant"

    session = BotSession()
    answer = session.check_response(
        None,  # type: ignore[arg-type]
        GetMyShortDescription(),
        200,
        json.dumps({"ok": True, "result": {"short_description": "Дербес деректер"}}),
    )
    assert isinstance(answer.result, BotShortDescription)
    kept = weakref.ref(Response[BotShortDescription])
    gc.collect()
    assert kept() is not None and kept() is BotSession.response_models[BotShortDescription]


def test_prepare_builds_what_a_customer_update_needs() -> None:
    BotSession.prepare()
    for returning, model in BotSession.response_models.items():
        assert model.__pydantic_complete__, returning


def test_requests_without_files_go_as_one_json_body_and_files_as_a_form() -> None:

    bot = Bot("42:TEST", default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True))
    session = BotSession()
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Иә", callback_data="consent:accept")]])
    payload = session.build_form_data(bot, SendMessage(chat_id=5, text="Сәлем <b>!</b>", reply_markup=markup))
    assert payload.content_type == "application/json"
    body = json.loads(payload._value)  # type: ignore[union-attr]
    assert body == {
        "chat_id": 5,
        "text": "Сәлем <b>!</b>",
        "parse_mode": "HTML",  # the bot's defaults are resolved, as in aiogram's form
        "link_preview_options": {"is_disabled": True},
        "disable_web_page_preview": True,
        "reply_markup": {"inline_keyboard": [[{"text": "Иә", "callback_data": "consent:accept"}]]},
    }
    upload = session.build_form_data(bot, SendDocument(chat_id=5, document=BufferedInputFile(b"{}", "data.json")))
    assert isinstance(upload, FormData)


def test_the_json_body_keeps_false_zero_and_empty_lists_as_the_form_does() -> None:

    bot = Bot("42:TEST")
    session = BotSession()
    poll = json.loads(session.build_form_data(bot, SendPoll(  # type: ignore[union-attr]
        chat_id=5, question="?", options=["a", "b"], is_anonymous=False, correct_option_id=0,
    ))._value)
    assert poll["is_anonymous"] is False and poll["correct_option_id"] == 0
    updates = json.loads(session.build_form_data(bot, GetUpdates(offset=0, allowed_updates=[]))._value)  # type: ignore[union-attr]
    assert updates == {"offset": 0, "allowed_updates": []}


def test_nested_defaults_files_and_times_in_a_json_body_are_sent_as_aiogram_sends_them() -> None:
    # Dicts and lists go to orjson as they are; what orjson can't write goes through aiogram's walk.
    session = BotSession()
    reply = ReplyParameters(message_id=3)  # allow_sending_without_reply is the bot's default
    with_default = Bot("42:TEST", default=DefaultBotProperties(allow_sending_without_reply=True))
    body = session.json_body(with_default, SendMessage(chat_id=5, text="x", reply_parameters=reply))
    assert body is not None and json.loads(body)["reply_parameters"] == {"message_id": 3, "allow_sending_without_reply": True}
    body = session.json_body(Bot("42:TEST"), SendMessage(chat_id=5, text="x", reply_parameters=reply))
    assert body is not None and json.loads(body)["reply_parameters"] == {"message_id": 3}

    album = [InputMediaPhoto(media=BufferedInputFile(b"\xff\xd8", "a.jpg")), InputMediaPhoto(media="file-id-2")]
    assert session.json_body(Bot("42:TEST"), SendMediaGroup(chat_id=5, media=album)) is None  # a file inside a list: a form

    when = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
    body = session.json_body(Bot("42:TEST"), SendMessage(chat_id=5, text="x", reply_markup=InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="a", callback_data="b")]]), entities=[]))
    assert body is not None and json.loads(body)["entities"] == []
    restricted = json.loads(session.json_body(Bot("42:TEST"), RestrictChatMember(  # type: ignore[arg-type]
        chat_id=-100, user_id=5, permissions=ChatPermissions(can_send_messages=False), until_date=when)))
    assert restricted["until_date"] == str(round(when.timestamp()))  # a Unix time, as aiogram sends it


def test_a_text_orjson_refuses_still_goes_as_escaped_json() -> None:
    bot = Bot("42:TEST")
    session = BotSession()
    body = session.json_body(bot, SendMessage(chat_id=5, text="broken \ud800 half of a pair, Сәлем"))
    assert body is not None
    assert b"\\ud800" in body and json.loads(body)["text"] == "broken \ud800 half of a pair, Сәлем"
    plain = session.json_body(bot, SendMessage(chat_id=5, text="Сәлем"))
    assert plain is not None and json.loads(plain) == {"chat_id": 5, "text": "Сәлем"}


def _sent_message(markup: dict) -> str:
    return json.dumps({"ok": True, "result": {
        "message_id": 7, "date": 1_764_000_000, "chat": {"id": 5, "type": "private", "first_name": "Айгүл"},
        "text": "Тілді таңдаңыз", "reply_markup": markup,
    }})


def test_a_sent_keyboard_comes_back_as_the_object_sent_unless_telegram_changes_it() -> None:
    session, bot = BotSession(), Bot("42:TEST")
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Қазақша", callback_data="lang:kk")]])
    method = SendMessage(chat_id=5, text="Тілді таңдаңыз", reply_markup=keyboard)
    echoed = {"inline_keyboard": [[{"text": "Қазақша", "callback_data": "lang:kk"}]]}
    message = session.check_response(bot, method, 200, _sent_message(echoed)).result
    assert message.reply_markup is keyboard and message.message_id == 7 and message.bot is bot
    assert message.chat.bot is bot  # the rest is validated and bound as aiogram does

    # login_url buttons come back as url buttons: then Telegram's echo is what the message holds.
    login = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Кіру", login_url=LoginUrl(url="https://example.kz/login"))]])
    echoed = {"inline_keyboard": [[{"text": "Кіру", "url": "https://example.kz/login"}]]}
    message = session.check_response(bot, SendMessage(chat_id=5, text="x", reply_markup=login), 200, _sent_message(echoed)).result
    assert message.reply_markup is not login and message.reply_markup.inline_keyboard[0][0].url == "https://example.kz/login"


def test_an_error_answer_to_a_message_with_a_keyboard_still_raises_as_in_aiogram() -> None:
    session, bot = BotSession(), Bot("42:TEST")
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Иә", callback_data="yes")]])
    method = SendMessage(chat_id=5, text="x", reply_markup=keyboard)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        session.check_response(bot, method, 400, json.dumps({"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}))


async def test_a_reply_awaited_with_ignore_result_is_checked_but_its_message_not_built() -> None:
    session, bot = BotSession(), Bot("42:TEST")
    keyboard = {"inline_keyboard": [[{"text": "Иә", "callback_data": "yes"}]]}
    method = SendMessage(chat_id=5, text="Тілді таңдаңыз")
    results: list[object] = []

    async def answered(status: int, content: str) -> None:
        results.append(session.check_response(bot, method, status, content).result)

    await ignore_result(answered(200, _sent_message(keyboard)))
    assert type(results[-1]) is SentMessage and results[-1].message_id == 7  # type: ignore[attr-defined]

    # The same answer to a caller that reads it: aiogram's Message, chat and keyboard built and bound.
    await answered(200, _sent_message(keyboard))
    assert type(results[-1]) is Message and results[-1].chat.bot is bot  # type: ignore[attr-defined]

    # An edit of an inline message answers True, and errors raise exactly as they do without it.
    edit = EditMessageText(inline_message_id="abc", text="x")

    async def edited() -> None:
        results.append(session.check_response(bot, edit, 200, json.dumps({"ok": True, "result": True})).result)

    await ignore_result(edited())
    assert results[-1] is True
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await ignore_result(answered(400, json.dumps(
            {"ok": False, "error_code": 400, "description": "Bad Request: message is not modified"})))


def test_a_pressed_buttons_keyboard_that_the_bot_sent_is_the_object_sent() -> None:
    session, bot = BotSession(), Bot("42:TEST")
    keyboard = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text="Даю согласие", callback_data="consent:accept:2026-01-01")],
        [InlineKeyboardButton(text="Политика", url="https://example.kz/policy")],
    ])
    assert session.json_body(bot, SendMessage(chat_id=5, text="Уведомление", reply_markup=keyboard)) is not None

    def pressed(markup: dict) -> str:  # Telegram's key order need not be ours
        message = {"message_id": 7, "date": 1_764_000_000, "chat": {"id": 5, "type": "private", "first_name": "Айгүл"},
                   "text": "Уведомление", "reply_markup": markup}
        query = {"id": "1", "from": {"id": 5, "is_bot": False, "first_name": "Айгүл"}, "chat_instance": "c",
                 "data": "consent:accept:2026-01-01", "message": message}
        return json.dumps({"ok": True, "result": [{"update_id": 1, "callback_query": query}]})

    echoed = {"inline_keyboard": [[{"callback_data": "consent:accept:2026-01-01", "text": "Даю согласие"}],
                                  [{"url": "https://example.kz/policy", "text": "Политика"}]]}
    update = session.check_response(bot, GetUpdates(), 200, pressed(echoed)).result[0]
    assert update.callback_query.message.reply_markup is keyboard
    assert update.callback_query.bot is bot and update.callback_query.message.chat.bot is bot  # the rest as aiogram builds it

    # A keyboard the bot did not send exactly (here: another button's text) is validated as usual.
    changed = {"inline_keyboard": [[{"callback_data": "consent:accept:2026-01-01", "text": "Келісім беремін"}]]}
    other = session.check_response(bot, GetUpdates(), 200, pressed(changed)).result[0].callback_query.message.reply_markup
    assert other is not keyboard and other.inline_keyboard[0][0].text == "Келісім беремін"

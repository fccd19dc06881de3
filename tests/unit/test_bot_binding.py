"""bot_binding: objects validated from Telegram's answers carry their Bot exactly as before, at every level."""

from __future__ import annotations

import json

from aiogram import Bot
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, TelegramObject, Update
from pydantic import PrivateAttr

from bot import bot_binding
from bot.session import BotSession

ANSWER = {
    "message_id": 7, "date": 1764500000, "text": "Сәлем",
    "from": {"id": 1, "is_bot": True, "first_name": "Bot"},
    "chat": {"id": 1001, "type": "private", "first_name": "Aida"},
    "reply_markup": {"inline_keyboard": [[{"text": "Иә", "callback_data": "yes"}]]},
}


def test_install_covers_the_hot_types_and_binds_every_nested_object_to_the_bot() -> None:
    bot_binding.install()
    for cls in (Message, Update, CallbackQuery, InlineKeyboardMarkup, InlineKeyboardButton, SendMessage):
        assert bot_binding.installed_on(cls), cls.__name__
    bot = Bot("42:secret", session=BotSession())
    answer = BotSession().check_response(bot, SendMessage(chat_id=1001, text="x"), 200, json.dumps({"ok": True, "result": ANSWER}))
    message = answer.result
    assert isinstance(message, Message)
    assert message.bot is bot and message.chat.bot is bot and message.from_user.bot is bot  # type: ignore[union-attr]
    assert message.reply_markup.inline_keyboard[0][0].bot is bot  # type: ignore[union-attr]
    # Without a bot in the context, and when built by hand, the object is simply unbound.
    assert Message.model_validate(ANSWER).bot is None
    assert Message.model_validate(ANSWER).as_(bot).bot is bot
    assert Message.model_construct(**ANSWER).bot is None
    copied = message.model_copy(update={"text": "Қош"})
    assert copied.bot is bot and copied.text == "Қош"


def test_a_class_with_more_private_state_keeps_it() -> None:
    bot_binding.install()

    class Annotated(TelegramObject):  # defined after install: pydantic wraps the installed method
        note: str
        _seen: int = PrivateAttr(default=3)

    bot = Bot("42:secret", session=BotSession())
    item = Annotated.model_validate({"note": "x"}, context={"bot": bot})
    assert item.bot is bot and item._seen == 3
    bot_binding.install()
    assert not bot_binding.installed_on(Annotated)  # not aiogram's own class: left to pydantic

"""Bare aiogram bots: the baselines our bot's update handling is compared with.

`python -m bench.echo_bot` (BOT_TOKEN and TELEGRAM_API_URL in the environment) answers each
text message with one sendMessage: the echo bot the issue asks for.

With ECHO_SAME_CALLS=1 it makes the Bot API calls our bot makes for the same updates: each
message is answered with a message carrying the buttons the benchmark presses, and each
pressed button is answered the way our bot answers it: answerCallbackQuery, then either the
pressed message turned into the next step (the claim type and "Continue", EDITED_IN_PLACE) or
its buttons removed and a new message with buttons sent. No storage, no i18n, no state: what
remains of the difference is our bot's own work.
"""

from __future__ import annotations

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

# The buttons the update benchmark presses in our bot's journey, in order (bench/__main__.py,
# bot_steps, takes them from here): the same-calls bot offers them all on every message.
JOURNEY_LABELS = ("Русский", "Даю согласие", "Письменная претензия", "Продолжить", "Подтвердить")
# The presses our bot answers by editing the pressed message into the next step (handlers/views.py).
EDITED_IN_PLACE = {f"b{JOURNEY_LABELS.index(label)}" for label in ("Письменная претензия", "Продолжить")}
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text=label, callback_data=f"b{n}")] for n, label in enumerate(JOURNEY_LABELS)]
)


def create_dispatcher(same_calls: bool) -> Dispatcher:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?", reply_markup=KEYBOARD if same_calls else None)

    @dispatcher.callback_query()
    async def pressed(callback: CallbackQuery) -> None:
        await callback.answer()
        assert isinstance(callback.message, Message)
        if callback.data in EDITED_IN_PLACE:
            await callback.message.edit_text(callback.data, reply_markup=KEYBOARD)
            return
        await callback.message.edit_reply_markup(reply_markup=None)
        await callback.message.answer(callback.data or "?", reply_markup=KEYBOARD)

    return dispatcher


async def main() -> None:
    bot = Bot(os.environ["BOT_TOKEN"], session=AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"])))
    await create_dispatcher(os.environ.get("ECHO_SAME_CALLS") == "1").start_polling(bot, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main())

"""Turning a pressed message into the next step: shared by the capabilities that page or step."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.session import ignore_result


async def show(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None, *, fresh: bool = False) -> None:
    """Turn the pressed message into the new view; send a new one if it can't be edited, or if
    the pressed message is a notice (consent, policy update) that must keep its own buttons.

    One call where removing the pressed message's buttons and sending the next step would be
    two, and the chat keeps one message per step instead of a trail of spent prompts."""
    message = callback.message
    try:
        if isinstance(message, Message) and not fresh:
            await ignore_result(message.edit_text(text, reply_markup=markup))
            return
    except TelegramBadRequest as error:
        if "not modified" in error.message:
            return
        if "can't be edited" not in error.message and "not found" not in error.message:
            raise
    assert callback.bot is not None and message is not None
    await ignore_result(callback.bot.send_message(message.chat.id, text, reply_markup=markup))

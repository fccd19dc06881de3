"""The last line: an error inside a handler is logged without personal data, and the person
who caused it gets a short apology in their language instead of silence."""

from __future__ import annotations

import logging
import traceback

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import ErrorEvent
from aiogram_i18n import I18nContext

from bot.session import ignore_result
from handlers.routing import Router

log = logging.getLogger("bot.errors")


def describe(exception: BaseException) -> str:
    """Type and code location only: exception messages can quote user input, so they stay out."""
    frames = traceback.extract_tb(exception.__traceback__)
    where = " <- ".join(f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}" for frame in reversed(frames[-6:]))
    return f"{type(exception).__name__} at {where}"


async def on_error(event: ErrorEvent, bot: Bot, i18n: I18nContext | None = None) -> bool:
    exception = event.exception
    if isinstance(exception, TelegramForbiddenError):
        # The user blocked the bot mid-conversation; SendingPolicy has recorded it.
        log.info("update %s: chat unreachable", event.update.update_id)
        return True
    log.error("update %s failed: %s", event.update.update_id, describe(exception))
    update = event.update
    chat_id = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.callback_query is not None and update.callback_query.message is not None:
        chat_id = update.callback_query.message.chat.id
        try:
            await update.callback_query.answer()
        except TelegramAPIError:
            pass
    if chat_id is None or i18n is None:
        return True
    try:
        await ignore_result(bot.send_message(chat_id, i18n.get("error-apology")))
    except TelegramAPIError as error:
        log.warning("could not send the apology: %s", type(error).__name__)
    return True


def create_errors_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router

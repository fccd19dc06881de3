"""A claim's card and forum topic in the admin chat, redrawn to the claim as it is now.

Shared by the operators' handler modules (claims, erasure) and the scheduler's overdue hook;
not a handler module.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest

from bot import claims as domain
from bot.clock import Clock
from bot.config import Settings
from bot.request_types import name_key
from bot.scheduler import Scheduler
from handlers.keyboards import card_markup_for
from storage import claims as store
from storage import users
from storage.claims import Claim
from storage.db import Database

log = logging.getLogger("handlers.operators.claims")


async def refresh_card(bot: Bot, db: Database, settings: Settings, scheduler: Scheduler, claim: Claim,
                       previous: Claim | None, now: datetime) -> None:
    """Edit the card's header and buttons to the claim as it is; rename, close or reopen its topic."""
    t = scheduler.t
    chat = settings.admin_chat_id
    names = await store.operator_names(db, {i for i in (claim.taken_by, claim.first_reply_by, claim.closed_by) if i})
    card_id = await store.card_message_id(db, chat, claim.id)
    if card_id is not None:
        user = await users.get_user(db, claim.user_id)
        attachments = sum(1 for a in await store.attachments(db, claim.id) if a.followup_id is None)
        header = domain.card_header(t, claim, user, settings, now, attachments, names)
        markup = card_markup_for(t, claim)
        try:
            await bot.edit_message_text(header, chat_id=chat, message_id=card_id, reply_markup=markup)
        except TelegramBadRequest as error:
            if "not modified" not in error.message:
                log.warning("card of claim %s not updated: %s", claim.id, error.message[:80])
        except TelegramAPIError as error:
            log.warning("card of claim %s not updated: %s", claim.id, type(error).__name__)
    if claim.topic_id is None:
        return
    icon, _ = domain.card_state(t, claim, settings, now, names)
    name = f"{icon} " + t("op-topic-name", number=claim.number, type=t(name_key(claim.type)))
    calls = [bot.edit_forum_topic(chat, claim.topic_id, name=name[:128])]
    was_closed = previous is not None and previous.status == "closed"
    if claim.status == "closed" and not was_closed:
        calls.append(bot.close_forum_topic(chat, claim.topic_id))
    elif was_closed and claim.status != "closed":
        calls.append(bot.reopen_forum_topic(chat, claim.topic_id))
    for call in calls:
        try:
            await call
        except TelegramAPIError as error:  # e.g. no right to manage topics: the card still tells
            log.warning("topic of claim %s not updated: %s", claim.id, type(error).__name__)


def redraw_overdue_cards(bot: Bot, db: Database, settings: Settings, scheduler: Scheduler, clock: Clock) -> Callable[[list[int]], Awaitable[None]]:
    """For the scheduler: redraw the cards (and topics) of claims that just became overdue."""

    async def redraw(claim_ids: list[int]) -> None:
        now = clock.now()
        for claim_id in claim_ids:
            claim = await store.get(db, claim_id)
            if claim is not None:
                await refresh_card(bot, db, settings, scheduler, claim, claim, now)

    return redraw

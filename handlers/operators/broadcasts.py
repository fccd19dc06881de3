"""/broadcast (as a reply), /broadcasts, and the buttons of drafts, progress and reports.

Each handler parses what the operator did, calls one service of bot/broadcasting.py and renders
the result with handlers/operators/broadcast_views.py.
"""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot import broadcasting
from bot.broadcaster import Broadcaster, Progress
from bot.clock import Clock
from bot.config import Settings
from bot.policy import PolicyLibrary
from bot.session import ignore_result
from handlers.keyboards import BroadcastAction, BroadcastCb
from handlers.operators.broadcast_views import (  # BroadcastViews: re-exported for bot/app.py
    BroadcastViews,
    audience_keyboard,
    confirmation,
    listing,
)
from handlers.routing import Router
from storage import audit
from storage.broadcasts import KINDS
from storage.db import Database

__all__ = ["BroadcastViews", "create_router", "parse_args"]


def parse_args(args: str | None) -> tuple[str | None, list[int]] | None:
    """'' → (None, []); 'incident 1 2' → ('incident', [1, 2]); None on nonsense."""
    words = (args or "").replace(",", " ").split()
    if not words:
        return None, []
    kind = words[0].lower()
    if kind not in KINDS:
        return None
    try:
        ids = [int(word) for word in words[1:]]
    except ValueError:
        return None
    if ids and kind != "incident":
        return None
    return kind, ids


def _views(broadcaster: Broadcaster) -> BroadcastViews:
    views = broadcaster.views
    assert isinstance(views, BroadcastViews)
    return views


async def on_broadcast(
    message: Message, command: CommandObject, i18n: I18nContext, db: Database, clock: Clock,
    settings: Settings, policies: PolicyLibrary, broadcaster: Broadcaster,
) -> None:
    parsed = parse_args(command.args)
    if message.reply_to_message is None or parsed is None or message.from_user is None:
        await ignore_result(message.answer(i18n.get("bc-usage")))
        return
    kind, ids = parsed
    draft = await broadcasting.draft(
        db, kind=kind or "all", target_ids=ids, created_by=message.from_user.id, locale=i18n.locale,
        now=clock.now(), source_chat_id=message.chat.id, source_message_id=message.reply_to_message.message_id,
        policy_version=policies.current.version, paid=settings.broadcast_paid,
    )
    if kind is None:
        await ignore_result(message.answer(
            i18n.get("bc-choose-audience", id=draft.broadcast.id), reply_markup=audience_keyboard(i18n, draft.broadcast.id)
        ))
        return
    text, markup = confirmation(i18n, _views(broadcaster), draft)
    await ignore_result(message.answer(text, reply_markup=markup))


async def on_broadcasts(message: Message, i18n: I18nContext, db: Database, broadcaster: Broadcaster) -> None:
    items = await broadcasting.recent(db, 10)
    if not items:
        await ignore_result(message.answer(i18n.get("bc-list-empty")))
        return
    text, markup = listing(i18n, _views(broadcaster), items)
    await ignore_result(message.answer(text, reply_markup=markup))


async def on_audience(callback: CallbackQuery, callback_data: BroadcastCb, i18n: I18nContext, db: Database,
                      broadcaster: Broadcaster) -> None:
    draft = await broadcasting.choose_audience(db, callback_data.id, callback_data.audience)
    if draft is None or not isinstance(callback.message, Message):
        await callback.answer(i18n.get("button-outdated"), show_alert=True)
        return
    await callback.answer()
    text, markup = confirmation(i18n, _views(broadcaster), draft)
    await ignore_result(callback.message.edit_text(text, reply_markup=markup))


async def on_discard(callback: CallbackQuery, callback_data: BroadcastCb, i18n: I18nContext, db: Database) -> None:
    if not await broadcasting.discard(db, callback_data.id) or not isinstance(callback.message, Message):
        await callback.answer(i18n.get("button-outdated"), show_alert=True)
        return
    await callback.answer()
    await ignore_result(callback.message.edit_text(i18n.get("bc-discarded", id=callback_data.id)))


async def on_confirm(callback: CallbackQuery, callback_data: BroadcastCb, i18n: I18nContext, db: Database,
                     clock: Clock, broadcaster: Broadcaster) -> None:
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer(i18n.get("button-outdated"), show_alert=True)
        return
    started = await broadcasting.confirm(
        db, broadcaster, callback_data.id, actor=audit.operator_actor(callback.from_user.id), now=clock.now(),
        progress_chat_id=message.chat.id, progress_message_id=message.message_id,
    )
    if started is None:
        await callback.answer(i18n.get("button-outdated"), show_alert=True)
        return
    await callback.answer()
    text, markup = _views(broadcaster).progress(
        started.broadcast, Progress(counts=started.counts, rate=0.0, eta_seconds=None)
    )
    await ignore_result(message.edit_text(text, reply_markup=markup))


async def on_cancel(callback: CallbackQuery, callback_data: BroadcastCb, i18n: I18nContext, db: Database,
                    clock: Clock, broadcaster: Broadcaster) -> None:
    cancelled = await broadcasting.cancel(
        db, broadcaster, callback_data.id, actor=audit.operator_actor(callback.from_user.id), now=clock.now()
    )
    key = "bc-cancelled" if cancelled else "bc-not-running"
    await callback.answer(i18n.get(key, id=callback_data.id), show_alert=True)


async def on_retry_failed(callback: CallbackQuery, callback_data: BroadcastCb, i18n: I18nContext, db: Database,
                          clock: Clock, broadcaster: Broadcaster) -> None:
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer(i18n.get("button-outdated"), show_alert=True)
        return
    retried = await broadcasting.retry_failed(
        db, broadcaster, callback_data.id, actor=audit.operator_actor(callback.from_user.id), now=clock.now(),
        progress_chat_id=message.chat.id, progress_message_id=message.message_id,
    )
    if retried is None:
        await callback.answer(i18n.get("bc-retry-not-finished"), show_alert=True)
        return
    if not retried.recipients:
        await callback.answer(i18n.get("bc-retry-nothing"), show_alert=True)
        return
    await callback.answer(i18n.get("bc-retry-started", count=retried.recipients))
    # The report becomes the progress of the retry; a new report follows at its end.
    text, markup = _views(broadcaster).progress(
        retried.broadcast, Progress(counts=retried.counts, rate=0.0, eta_seconds=None)
    )
    await ignore_result(message.edit_text(text, reply_markup=markup))


def create_router() -> Router:
    router = Router(name="operator-broadcasts")
    router.message.register(on_broadcast, Command("broadcast"))
    router.message.register(on_broadcasts, Command("broadcasts"))
    for action, handler in (
        (BroadcastAction.AUDIENCE, on_audience),
        (BroadcastAction.DISCARD, on_discard),
        (BroadcastAction.CONFIRM, on_confirm),
        (BroadcastAction.CANCEL, on_cancel),
        (BroadcastAction.RETRY, on_retry_failed),
    ):
        router.callback_query.register(handler, BroadcastCb.filter(F.action == action))
    return router

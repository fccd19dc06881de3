"""/broadcast (as a reply), /broadcasts, confirm and cancel buttons; the broadcaster's views."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext
from aiogram_i18n.cores import BaseCore

from bot.broadcaster import Broadcaster, Content, Progress
from bot.clock import Clock
from bot.config import Settings
from bot.formatting import esc, local_time
from bot.policy import PolicyLibrary
from handlers.keyboards import AdsCb, BroadcastAction, BroadcastCb
from handlers.policy_notice import policy_notice, policy_notice_keyboard
from handlers.routing import Router
from storage import audit, broadcasts
from storage.broadcasts import KINDS, Broadcast
from storage.db import Database

AUDIENCE_KEYS = {
    "all": "bc-audience-all",
    "policy": "bc-audience-policy",
    "incident": "bc-audience-incident",
    "ads": "bc-audience-ads",
}
STATE_KEYS = {
    "running": "bc-state-running",
    "done": "bc-state-done",
    "cancelled": "bc-state-cancelled",
}


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class BroadcastViews:
    """What recipients get and what operators see; the broadcaster calls these."""

    def __init__(self, core: BaseCore, settings: Settings, policies: Callable[[], PolicyLibrary]) -> None:
        self.core = core
        self.settings = settings
        self.policies = policies

    def t(self, key: str, locale: str, **kwargs: object) -> str:
        return self.core.get(key, locale, **kwargs)

    def compose(self, broadcast: Broadcast, language: str) -> Content:
        if broadcast.kind == "ads":
            builder = InlineKeyboardBuilder()
            builder.button(text=self.core.get("ads-turn-off-button", language), callback_data=AdsCb(opt_in=False, from_ad=True))
            return Content(None, builder.as_markup())
        if broadcast.kind == "policy":
            library = self.policies()
            version = library.get(broadcast.policy_version or "") or library.current
            markup = policy_notice_keyboard(self.core, library, version, language)
            if broadcast.source_message_id is None:
                return Content(policy_notice(self.core, self.settings, library, version, language), markup)
            return Content(None, markup)
        return Content(None, None)

    def audience(self, broadcast: Broadcast, locale: str) -> str:
        label = self.core.get(AUDIENCE_KEYS[broadcast.kind], locale)
        if broadcast.target_ids:
            label += " · " + self.core.get("bc-audience-listed", locale, count=len(broadcast.target_ids))
        return label

    def progress(self, broadcast: Broadcast, progress: Progress) -> tuple[str, InlineKeyboardMarkup | None]:
        locale = broadcast.locale
        c = progress.counts
        text = self.core.get(
            "bc-progress", locale,
            id=broadcast.id,
            audience=self.audience(broadcast, locale),
            state=self.core.get(STATE_KEYS.get(broadcast.state, "bc-state-running"), locale),
            sent=c["sent"] + c["uncertain"],
            total=broadcast.total,
            unreachable=c["unreachable"],
            failed=c["failed"],
            remaining=progress.remaining,
            rate=f"{progress.rate:.1f}",
            eta=format_eta(progress.eta_seconds if broadcast.state == "running" else 0),
        )
        markup = None
        if broadcast.state == "running":
            markup = cancel_keyboard(self.core, locale, broadcast.id)
        return text, markup

    def report(self, broadcast: Broadcast, progress: Progress, reasons: list[tuple[str, int]]) -> str:
        locale = broadcast.locale
        c = progress.counts
        lines = [
            self.core.get(
                "bc-report", locale,
                id=broadcast.id,
                audience=self.audience(broadcast, locale),
                state=self.core.get(STATE_KEYS.get(broadcast.state, "bc-state-done"), locale),
                total=broadcast.total,
                sent=c["sent"],
                uncertain=c["uncertain"],
                unreachable=c["unreachable"],
                failed=c["failed"],
                skipped=c["skipped"],
                remaining=progress.remaining,
            )
        ]
        for reason, count in reasons:
            lines.append(self.core.get("bc-report-reason", locale, reason=esc(reason), count=count))
        return "\n".join(lines)


def cancel_keyboard(core: BaseCore, locale: str, broadcast_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=core.get("bc-cancel-button", locale),
        callback_data=BroadcastCb(action=BroadcastAction.CANCEL, id=broadcast_id),
    )
    return builder.as_markup()


def audience_keyboard(i18n: I18nContext, broadcast_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in KINDS:
        builder.button(
            text=i18n.get(AUDIENCE_KEYS[kind]),
            callback_data=BroadcastCb(action=BroadcastAction.AUDIENCE, id=broadcast_id, audience=kind),
        )
    builder.button(text=i18n.get("bc-discard-button"), callback_data=BroadcastCb(action=BroadcastAction.DISCARD, id=broadcast_id))
    builder.adjust(1)
    return builder.as_markup()


async def confirmation(
    i18n: I18nContext, db: Database, views: BroadcastViews, broadcast: Broadcast
) -> tuple[str, InlineKeyboardMarkup]:
    count = await broadcasts.audience_count(db, broadcast.kind, broadcast.target_ids)
    lines = [
        i18n.get(
            "bc-confirm",
            id=broadcast.id,
            audience=views.audience(broadcast, i18n.locale),
            count=count,
            rate=f"{views.settings.broadcast_rate:g}",
        )
    ]
    if broadcast.target_ids:
        known = await broadcasts.known_user_ids(db, broadcast.target_ids)
        unknown = [str(i) for i in broadcast.target_ids if i not in known]
        if unknown:
            lines.append(i18n.get("bc-unknown-ids", ids=", ".join(unknown[:20])))
    if broadcast.kind == "ads":
        lines.append(i18n.get("bc-ads-note"))
    if broadcast.kind == "policy":
        lines.append(i18n.get("bc-policy-note"))
    if broadcast.paid:
        lines.append(i18n.get("bc-paid-note"))
    builder = InlineKeyboardBuilder()
    if count:
        builder.button(text=i18n.get("bc-confirm-button"), callback_data=BroadcastCb(action=BroadcastAction.CONFIRM, id=broadcast.id))
    else:
        lines.append(i18n.get("bc-no-recipients"))
    builder.button(text=i18n.get("bc-discard-button"), callback_data=BroadcastCb(action=BroadcastAction.DISCARD, id=broadcast.id))
    builder.adjust(2)
    return "\n".join(lines), builder.as_markup()


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


def create_router() -> Router:
    router = Router(name="operator-broadcasts")

    @router.message(Command("broadcast"))
    async def on_broadcast(
        message: Message, command: CommandObject, i18n: I18nContext, db: Database, clock: Clock,
        settings: Settings, policies: PolicyLibrary, broadcaster: Broadcaster,
    ) -> None:
        parsed = parse_args(command.args)
        if message.reply_to_message is None or parsed is None or message.from_user is None:
            await message.answer(i18n.get("bc-usage"))
            return
        kind, ids = parsed
        broadcast_id = await broadcasts.create_draft(
            db, kind=kind or "all", created_by=message.from_user.id, locale=i18n.locale, now=clock.now(),
            source_chat_id=message.chat.id, source_message_id=message.reply_to_message.message_id,
            target_ids=ids or None, policy_version=policies.current.version, paid=settings.broadcast_paid,
        )
        draft = await broadcasts.get(db, broadcast_id)
        assert draft is not None
        if kind is None:
            await message.answer(i18n.get("bc-choose-audience", id=broadcast_id), reply_markup=audience_keyboard(i18n, broadcast_id))
            return
        text, markup = await confirmation(i18n, db, broadcaster.views, draft)  # type: ignore[arg-type]
        await message.answer(text, reply_markup=markup)

    @router.message(Command("broadcasts"))
    async def on_broadcasts(message: Message, i18n: I18nContext, db: Database, settings: Settings, broadcaster: Broadcaster) -> None:
        items = await broadcasts.recent(db, 10)
        if not items:
            await message.answer(i18n.get("bc-list-empty"))
            return
        lines = [i18n.get("bc-list-title")]
        for item in items:
            counts = await broadcasts.counts(db, item.id)
            lines.append(
                i18n.get(
                    "bc-list-line",
                    id=item.id,
                    time=local_time(item.started_at or item.created_at, settings.tz),
                    audience=broadcaster.views.audience(item, i18n.locale),  # type: ignore[attr-defined]
                    state=i18n.get(STATE_KEYS.get(item.state, "bc-state-running")),
                    sent=counts["sent"] + counts["uncertain"],
                    total=item.total,
                )
            )
        builder = InlineKeyboardBuilder()
        for item in items:
            if item.state == "running":
                builder.button(
                    text=i18n.get("bc-cancel-numbered-button", id=item.id),
                    callback_data=BroadcastCb(action=BroadcastAction.CANCEL, id=item.id),
                )
        builder.adjust(1)
        await message.answer("\n".join(lines), reply_markup=builder.as_markup())

    @router.callback_query(BroadcastCb.filter())
    async def on_button(
        callback: CallbackQuery, callback_data: BroadcastCb, i18n: I18nContext, db: Database, clock: Clock,
        broadcaster: Broadcaster,
    ) -> None:
        message = callback.message
        assert isinstance(message, Message)
        actor = audit.operator_actor(callback.from_user.id)
        action = callback_data.action
        views: BroadcastViews = broadcaster.views  # type: ignore[assignment]
        if action is BroadcastAction.CANCEL:
            if await broadcasts.cancel(db, callback_data.id, actor=actor, now=clock.now()):
                broadcaster.cancel(callback_data.id)
                await callback.answer(i18n.get("bc-cancelled", id=callback_data.id), show_alert=True)
            else:
                await callback.answer(i18n.get("bc-not-running"), show_alert=True)
            return
        draft = await broadcasts.get(db, callback_data.id)
        if draft is None or draft.state != "draft":
            await callback.answer(i18n.get("button-outdated"), show_alert=True)
            return
        if action is BroadcastAction.AUDIENCE:
            if callback_data.audience not in KINDS:
                await callback.answer(i18n.get("button-outdated"), show_alert=True)
                return
            await broadcasts.set_audience(db, draft.id, callback_data.audience)
            draft = await broadcasts.get(db, draft.id)
            assert draft is not None
            await callback.answer()
            text, markup = await confirmation(i18n, db, views, draft)
            await message.edit_text(text, reply_markup=markup)
        elif action is BroadcastAction.DISCARD:
            await broadcasts.discard(db, draft.id)
            await callback.answer()
            await message.edit_text(i18n.get("bc-discarded", id=draft.id))
        elif action is BroadcastAction.CONFIRM:
            started = await broadcasts.start(db, draft.id, actor=actor, now=clock.now())
            if started is None:
                await callback.answer(i18n.get("button-outdated"), show_alert=True)
                return
            await callback.answer()
            text, markup = views.progress(
                started, Progress(counts=await broadcasts.counts(db, started.id), rate=0.0, eta_seconds=None)
            )
            await message.edit_text(text, reply_markup=markup)
            await broadcasts.set_progress_message(db, started.id, message.chat.id, message.message_id)
            broadcaster.wake()

    return router


"""What broadcast recipients get and what operators see: texts and keyboards, no handlers.

The broadcaster calls `BroadcastViews` (compose, progress, report); the handlers in
handlers/operators/broadcasts.py render drafts, confirmations and lists with the functions here.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext
from aiogram_i18n.cores import BaseCore

from bot.broadcaster import Content, Progress, guarantee
from bot.broadcasting import Draft, Listed
from bot.config import Settings
from bot.formatting import esc, local_time
from bot.policy import PolicyLibrary
from handlers.keyboards import AdsCb, BroadcastAction, BroadcastCb
from handlers.policy_notice import policy_notice, policy_notice_keyboard
from storage.broadcasts import KINDS, Broadcast

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
PAUSE_KEYS = {"outage": "bc-pause-outage", "flood": "bc-pause-flood"}


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
        if progress.pause is not None and broadcast.state == "running":
            text += "\n" + self.core.get(
                PAUSE_KEYS[progress.pause.reason], locale,
                error=esc(progress.pause.detail), time=local_time(progress.pause.until, self.settings.tz),
            )
        markup = None
        if broadcast.state == "running":
            markup = cancel_keyboard(self.core, locale, broadcast.id)
        return text, markup

    def report(
        self, broadcast: Broadcast, progress: Progress, reasons: list[tuple[str, int]]
    ) -> tuple[str, InlineKeyboardMarkup | None]:
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
        if guarantee(broadcast.kind) == "at_least_once":
            lines.append(self.core.get("bc-report-duplicates", locale, count=progress.possible_duplicates))
        for reason, count in reasons:
            lines.append(self.core.get("bc-report-reason", locale, reason=esc(reason), count=count))
        markup = None
        if broadcast.state == "done" and c["failed"]:
            builder = InlineKeyboardBuilder()
            builder.button(
                text=self.core.get("bc-retry-failed-button", locale, count=c["failed"]),
                callback_data=BroadcastCb(action=BroadcastAction.RETRY, id=broadcast.id),
            )
            markup = builder.as_markup()
        return "\n".join(lines), markup


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


def confirmation(i18n: I18nContext, views: BroadcastViews, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    broadcast = draft.broadcast
    lines = [
        i18n.get(
            "bc-confirm",
            id=broadcast.id,
            audience=views.audience(broadcast, i18n.locale),
            count=draft.recipients,
            rate=f"{views.settings.broadcast_rate:g}",
        )
    ]
    if draft.unknown_ids:
        lines.append(i18n.get("bc-unknown-ids", ids=", ".join(str(i) for i in draft.unknown_ids[:20])))
    if broadcast.kind == "ads":
        lines.append(i18n.get("bc-ads-note"))
    if broadcast.kind == "policy":
        lines.append(i18n.get("bc-policy-note"))
    lines.append(i18n.get(
        "bc-guarantee-legal" if guarantee(broadcast.kind) == "at_least_once" else "bc-guarantee-once"
    ))
    if broadcast.paid:
        lines.append(i18n.get("bc-paid-note"))
    builder = InlineKeyboardBuilder()
    if draft.recipients:
        builder.button(text=i18n.get("bc-confirm-button"), callback_data=BroadcastCb(action=BroadcastAction.CONFIRM, id=broadcast.id))
    else:
        lines.append(i18n.get("bc-no-recipients"))
    builder.button(text=i18n.get("bc-discard-button"), callback_data=BroadcastCb(action=BroadcastAction.DISCARD, id=broadcast.id))
    builder.adjust(2)
    return "\n".join(lines), builder.as_markup()


def listing(i18n: I18nContext, views: BroadcastViews, items: list[Listed]) -> tuple[str, InlineKeyboardMarkup]:
    lines = [i18n.get("bc-list-title")]
    for item in items:
        broadcast, counts = item.broadcast, item.counts
        lines.append(
            i18n.get(
                "bc-list-line",
                id=broadcast.id,
                time=local_time(broadcast.started_at or broadcast.created_at, views.settings.tz),
                audience=views.audience(broadcast, i18n.locale),
                state=i18n.get(STATE_KEYS.get(broadcast.state, "bc-state-running")),
                sent=counts["sent"] + counts["uncertain"],
                total=broadcast.total,
            )
        )
    builder = InlineKeyboardBuilder()
    for item in items:
        if item.broadcast.state == "running":
            builder.button(
                text=i18n.get("bc-cancel-numbered-button", id=item.broadcast.id),
                callback_data=BroadcastCb(action=BroadcastAction.CANCEL, id=item.broadcast.id),
            )
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()

"""Metrics and health checks attached to an App (create_app calls `install_monitoring`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.dispatcher.middlewares.error import ErrorsMiddleware

from bot.health import Health
from bot.metrics import Metrics

if TYPE_CHECKING:
    from bot.app import App


@dataclass
class Monitoring:
    metrics: Metrics
    health: Health


def install_monitoring(app: App, probe_bot: Bot) -> Monitoring:
    """Count updates and every Bot API call of the app's bots; set up /healthz's checks.

    `probe_bot` (no SendingPolicy: one try, no retries) asks getMe when Telegram has not
    answered lately.
    """
    dispatcher = app.dispatcher
    scheduler = dispatcher["scheduler"]
    broadcaster = dispatcher["broadcaster"]
    metrics = Metrics()
    # Right inside aiogram's ErrorsMiddleware (so a handler's exception is seen before the errors
    # router handles it), around the rest: loading the user and the FSM state count as handling.
    # Public API only: the manager is a sequence with register/unregister.
    outer = dispatcher.update.outer_middleware
    existing = list(outer)
    errors_at = next((i for i, m in enumerate(existing) if isinstance(m, ErrorsMiddleware)), -1)
    after = existing[errors_at + 1 :]
    for middleware in after:
        outer.unregister(middleware)
    outer(metrics.update_middleware())
    for middleware in after:
        outer(middleware)
    bots = [app.bot, broadcaster.bot, probe_bot]
    if scheduler.bot is not None and scheduler.bot is not app.bot:
        bots.append(scheduler.bot)
    metrics.watch(*bots)
    health = Health(
        settings=app.settings, db=app.db, clock=app.clock, scheduler=scheduler, broadcaster=broadcaster,
        metrics=metrics, probe_bot=probe_bot,
    )

    async def close_probe_bot() -> None:
        await probe_bot.session.close()

    dispatcher.shutdown.register(close_probe_bot)
    return Monitoring(metrics=metrics, health=health)

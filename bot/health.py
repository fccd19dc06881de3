"""GET /healthz: is the bot able to do its work right now?

Healthy (200) when all of these hold, otherwise 503 with the reason of each failing check:
- database: a real write commits (storage.monitoring.probe_write): a full disk, a read-only
  file or a lock held by another process fails it;
- scheduler: its loop (outbox, reminders, overdue alerts) is alive and began a round recently;
- broadcaster: its loop is alive (it waits idle between broadcasts, so liveness is the check);
- telegram: Telegram answered a Bot API call within the last TELEGRAM_FRESH_SECONDS; if nothing
  was asked lately (an idle bot in webhook mode), one getMe is asked now.

Each reason names the check and an error type, never data.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.broadcaster import Broadcaster
from bot.clock import Clock
from bot.config import Settings
from bot.metrics import Metrics
from bot.scheduler import Scheduler
from storage import monitoring
from storage.db import Database

log = logging.getLogger(__name__)

TELEGRAM_FRESH_SECONDS = 120.0
TELEGRAM_PROBE_TIMEOUT = 5


@dataclass
class HealthReport:
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok" or the reason
    failing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failing

    def as_json(self) -> dict[str, object]:
        return {"status": "ok" if self.ok else "unhealthy", "checks": self.checks}


class Health:
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        broadcaster: Broadcaster,
        metrics: Metrics,
        probe_bot: Bot,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.scheduler = scheduler
        self.broadcaster = broadcaster
        self.metrics = metrics
        self.probe_bot = probe_bot  # its session is watched by `metrics`, so an answer counts as fresh
        self._lock = asyncio.Lock()  # one probe at a time, however often the monitor asks

    async def check(self) -> HealthReport:
        async with self._lock:
            report = HealthReport()
            for name, probe in (
                ("database", self._database),
                ("scheduler", self._scheduler),
                ("broadcaster", self._broadcaster),
                ("telegram", self._telegram),
            ):
                problem = await probe()
                report.checks[name] = problem or "ok"
                if problem:
                    report.failing.append(name)
            if report.failing:
                log.warning("unhealthy: %s", "; ".join(f"{n}: {report.checks[n]}" for n in report.failing))
            return report

    async def _database(self) -> str | None:
        try:
            await monitoring.probe_write(self.db, self.clock.now())
        except Exception as error:  # sqlite3.Error, or ValueError from a closed connection
            return f"not writable ({type(error).__name__})"
        return None

    def _scheduler_stale_after(self) -> float:
        # A round delivers at most 50 outbox rows; even slow ones end well within this.
        return max(120.0, 10 * self.settings.scheduler_interval_seconds)

    async def _scheduler(self) -> str | None:
        if not self.settings.scheduler_autostart:
            return None  # tests and tools drive it by hand (SCHEDULER_AUTOSTART=false)
        if not self.scheduler.running:
            return "loop not running"
        began = self.scheduler.last_round_at
        age = asyncio.get_running_loop().time() - began if began is not None else None
        if age is None or age > self._scheduler_stale_after():
            return f"no round for {age:.0f} s" if age is not None else "no round yet"
        return None

    async def _broadcaster(self) -> str | None:
        return None if self.broadcaster.running else "loop not running"

    async def _telegram(self) -> str | None:
        answered = self.metrics.telegram_answered_at
        if answered is not None and self.metrics.monotonic() - answered <= TELEGRAM_FRESH_SECONDS:
            return None
        try:
            await self.probe_bot.get_me(request_timeout=TELEGRAM_PROBE_TIMEOUT)
        except TelegramAPIError as error:  # unreachable, 5xx, or the token refused (401)
            return f"getMe failed ({type(error).__name__})"
        return None

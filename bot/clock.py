"""The one place the application asks for the current time.

Handlers, storage and background loops never call datetime.now(): they get a Clock, so tests
and the demo can move time forward to see reminders and deadlines without waiting for days.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

# How background loops and retries wait (asyncio.sleep in the bot; tests pass a recorder).
Sleep = Callable[[float], Awaitable[Any]]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until moved; starts at `start` (UTC) or the real now."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime.now(UTC)).astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(UTC)

    # Pacing on this clock (the broadcaster's rate limit and back-off take these when given a
    # ManualClock): time passes only when a waiter sleeps, so tests see seconds of pacing and
    # minutes of back-off without waiting for them. Meant for one sleeper at a time.
    def monotonic(self) -> float:
        return self._now.timestamp()

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            # Whole microseconds, rounded up (datetime's resolution): a wait of a fraction of a
            # microsecond must still move the clock, or its waiter would wait for ever.
            self._now += timedelta(microseconds=math.ceil(seconds * 1_000_000))
        await asyncio.sleep(0)


class OffsetClock:
    """Real time moved by an offset: time flows as usual, and advance() jumps ahead.

    The demo uses it so that timestamps tick while a person types, yet days can be skipped to
    see reminders and overdue alerts.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = (start - datetime.now(UTC)) if start is not None else timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

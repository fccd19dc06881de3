"""The one place the application asks for the current time.

Handlers, storage and background loops never call datetime.now(): they get a Clock, so tests
and the demo can move time forward to see reminders and deadlines without waiting for days.
"""

from __future__ import annotations

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

"""Pacing for broadcasts: at most `rate` requests per `period`, paused as a whole on 429.

Plain Python (no aiogram), with the clock and the sleep injected, so it is unit-tested without
Telegram and without waiting.

Two rules work together:

- **even spacing**: one request every ``period / rate`` seconds, so Telegram sees a steady flow
  rather than bursts;
- **a sliding window counted from completions**: a request may start only when fewer than
  ``rate`` requests are in flight or finished within the last ``period``. Counting from the time
  a request *finished* (not when it was started) makes the guarantee hold where it matters, at
  the server: whatever the network latency, any ``rate + 1`` consecutive requests arrive at
  least ``period`` apart, so no window of ``period`` holds more than ``rate`` of them.

``pause(seconds)`` (on 429 Too Many Requests) stops every caller until the time has passed.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]


class RateLimiter:
    def __init__(
        self,
        rate: float,
        period: float = 1.0,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or period <= 0:
            raise ValueError("rate and period must be positive")
        self.rate = rate
        self.period = period
        self.capacity = max(1, int(rate * period))
        self.interval = period / rate
        self._clock = clock
        self._sleep = sleep
        self._finished: deque[float] = deque()  # completion times within the last period
        self._in_flight = 0
        self._next_at = float("-inf")  # earliest start of the next request (spacing)
        self._paused_until = float("-inf")
        self._turn = asyncio.Lock()  # callers are served in arrival order
        self._released = asyncio.Event()
        self.pauses = 0

    # ----------------------------------------------------------------- state

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def paused_until(self) -> float:
        return self._paused_until

    def pause(self, seconds: float) -> None:
        """Telegram said 429 retry_after=seconds: nobody starts a request before then."""
        self.pauses += 1
        self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))

    # ----------------------------------------------------------------- use

    async def acquire(self) -> None:
        """Wait until a request may start; pair every acquire with a release."""
        async with self._turn:
            while True:
                now = self._clock()
                while self._finished and self._finished[0] <= now - self.period:
                    self._finished.popleft()
                waits = [self._paused_until - now, self._next_at - now]
                if len(self._finished) + self._in_flight >= self.capacity:
                    if not self._finished:
                        # Every slot is in flight: wait for one to come back.
                        self._released.clear()
                        await self._released.wait()
                        continue
                    waits.append(self._finished[0] + self.period - now)
                wait = max(waits)
                if wait <= 0:
                    break
                await self._sleep(wait)
            self._in_flight += 1
            self._next_at = now + self.interval

    def release(self) -> None:
        """The request has been answered (successfully or not)."""
        if self._in_flight <= 0:
            raise RuntimeError("release() without acquire()")
        self._in_flight -= 1
        self._finished.append(self._clock())
        self._released.set()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()

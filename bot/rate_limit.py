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
``pause(seconds, probe=True)`` (Telegram failing) also lets only one request at a time through
afterwards, until ``resume()``: one probe tells whether the server is back, rather than every
waiting caller failing at once.

Spacing is kept on the schedule, not on when a sleeping caller happened to wake up: a caller who
was already waiting when its turn came starts "at" its scheduled time (up to ``tolerance``
late), so the event loop's wake-up delay (small, but at the highest rates a large part of the
spacing between requests) does not add up and slow the whole broadcast down. A caller who
arrives after its turn has passed (the sender was idle) gets no credit: idle time never turns
into a burst. The window rule above is unaffected and still bounds every period.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from bot.clock import Sleep

Clock = Callable[[], float]


class RateLimiter:
    def __init__(
        self,
        rate: float,
        period: float = 1.0,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        tolerance: float = 0.01,
    ) -> None:
        if rate <= 0 or period <= 0:
            raise ValueError("rate and period must be positive")
        self.rate = rate
        self.period = period
        self.capacity = max(1, int(rate * period))
        self.interval = period / rate
        self.tolerance = max(0.0, tolerance)  # how late a waiting caller's turn may be taken as on time
        self._clock = clock
        self._sleep = sleep
        self._finished: deque[float] = deque()  # completion times within the last period
        self._in_flight = 0
        self._next_at = float("-inf")  # earliest start of the next request (spacing)
        self._paused_until = float("-inf")
        self._turn = asyncio.Lock()  # callers are served in arrival order
        self._released = asyncio.Event()
        self._probing = False  # after an outage pause: one request in flight until resume()
        self.pauses = 0

    # ----------------------------------------------------------------- state

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def paused_until(self) -> float:
        return self._paused_until

    @property
    def probing(self) -> bool:
        return self._probing

    def pause(self, seconds: float, *, probe: bool = False) -> None:
        """Nobody starts a request for `seconds` (Telegram said 429 retry_after=seconds, or is
        failing); with `probe`, afterwards only one at a time until resume()."""
        self.pauses += 1
        self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))
        self._probing = self._probing or probe

    def resume(self) -> None:
        """The server answers again: back to the full rate."""
        if self._probing:
            self._probing = False
            self._released.set()

    # ----------------------------------------------------------------- use

    async def acquire(self) -> None:
        """Wait until a request may start; pair every acquire with a release."""
        arrived = self._clock()
        async with self._turn:
            held_back = False  # waited for a pause or the window, not only for spacing
            while True:
                now = self._clock()
                while self._finished and self._finished[0] <= now - self.period:
                    self._finished.popleft()
                spacing = self._next_at - now
                waits = [self._paused_until - now]
                if self._probing and self._in_flight:
                    # One probe at a time while the server is failing: wait for its answer.
                    held_back = True
                    self._released.clear()
                    await self._released.wait()
                    continue
                if len(self._finished) + self._in_flight >= self.capacity:
                    if not self._finished:
                        # Every slot is in flight: wait for one to come back.
                        held_back = True
                        self._released.clear()
                        await self._released.wait()
                        continue
                    waits.append(self._finished[0] + self.period - now)
                wait = max(waits)
                if wait <= 0 and spacing <= 0:
                    break
                held_back = held_back or wait > 0
                await self._sleep(max(wait, spacing))
            self._in_flight += 1
            if arrived <= self._next_at and not held_back:
                # Waiting for this turn: start on the schedule, not when the loop woke us up.
                start = max(self._next_at, now - self.tolerance)
            else:
                start = now
            self._next_at = start + self.interval

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


class OutageBackoff:
    """How long every sender waits while Telegram keeps failing (5xx answers, network errors).

    A single failure pauses nobody (it may concern that one recipient, who is tried again
    later). From the second failure in a row on, the whole broadcast pauses: ``first`` seconds,
    then ``factor`` times longer each time a request sent after the last pause fails as well, at
    most ``cap``. A success ends the outage and resets the back-off.

    Requests are numbered as they start (tickets). A request that was already under way when a
    pause was decided belongs to the same burst of failures: its failure does not lengthen the
    pause, so a few requests in flight at the start of an outage count as one failure.
    """

    def __init__(self, first: float = 1.0, cap: float = 60.0, factor: float = 2.0) -> None:
        if first <= 0 or cap < first or factor < 1:
            raise ValueError("need 0 < first <= cap and factor >= 1")
        self.first = first
        self.cap = cap
        self.factor = factor
        self.consecutive = 0      # failures in a row (requests of one burst count once)
        self.delay = 0.0          # the pause last decided; 0 while there is no outage
        self._burst_until = -1    # tickets up to this one were under way at the last decision

    @property
    def in_outage(self) -> bool:
        return self.delay > 0

    def failure(self, ticket: int, issued: int) -> float:
        """The request numbered `ticket` failed while `issued` requests had been started;
        returns how long everybody should pause from now (0: no pause)."""
        if ticket <= self._burst_until:
            return 0.0
        self.consecutive += 1
        self._burst_until = issued
        if self.consecutive < 2:
            return 0.0
        self.delay = self.first if self.delay == 0 else min(self.cap, self.delay * self.factor)
        return self.delay

    def success(self) -> bool:
        """A request succeeded; True if that ended an outage."""
        ended = self.in_outage
        self.consecutive = 0
        self.delay = 0.0
        self._burst_until = -1
        return ended

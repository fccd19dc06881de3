"""The broadcast rate limiter: even pacing, a window counted from completions, pause on 429."""

from __future__ import annotations

import asyncio

import pytest

from bot.rate_limit import RateLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def windows_ok(starts: list[float], rate: int, period: float = 1.0) -> bool:
    return all(sum(1 for s in starts if t <= s < t + period) <= rate for t in starts)


async def test_requests_are_evenly_spaced() -> None:
    t = FakeTime()
    limiter = RateLimiter(10, clock=t.clock, sleep=t.sleep)
    starts = []
    for _ in range(30):
        async with limiter.slot():
            starts.append(t.now)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert all(gap == pytest.approx(0.1) for gap in gaps)
    assert windows_ok(starts, 10)


async def test_slow_requests_do_not_cause_a_catch_up_burst() -> None:
    t = FakeTime()
    limiter = RateLimiter(10, clock=t.clock, sleep=t.sleep)
    starts = []
    for i in range(20):
        async with limiter.slot():
            starts.append(t.now)
            t.now += 0.5 if i == 5 else 0.0  # one slow answer
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 0.1 - 1e-9


async def test_window_counts_from_completion_so_latency_cannot_overfill_it() -> None:
    """With long answers, rate+1 consecutive requests still start a full period apart."""
    t = FakeTime()
    limiter = RateLimiter(5, clock=t.clock, sleep=t.sleep)
    starts: list[float] = []
    ends: list[float] = []

    async def one(latency: float) -> None:
        async with limiter.slot():
            starts.append(t.now)
            await asyncio.sleep(0)
            t.now += latency
            ends.append(t.now)

    for i in range(12):
        await one(0.15 if i % 2 else 0.01)
    # The server sees a request somewhere between its start and its end: even if each
    # arrived as late as possible, no period may hold more than 5.
    for k in range(len(starts) - 5):
        assert starts[k + 5] >= ends[k] + 1.0 - 1e-9


async def test_pause_stops_everyone_until_retry_after() -> None:
    t = FakeTime()
    limiter = RateLimiter(100, clock=t.clock, sleep=t.sleep)
    async with limiter.slot():
        pass
    limiter.pause(3)
    before = t.now
    async with limiter.slot():
        started = t.now
    assert started - before == pytest.approx(3.0)
    assert limiter.pauses == 1
    # A shorter pause while a longer one runs does not shorten it.
    limiter.pause(5)
    limiter.pause(1)
    before = t.now
    await limiter.acquire()
    assert t.now - before == pytest.approx(5.0)
    limiter.release()


async def test_concurrent_callers_respect_capacity_in_flight() -> None:
    t = FakeTime()
    limiter = RateLimiter(2, clock=t.clock, sleep=t.sleep)
    await limiter.acquire()
    await limiter.acquire()
    assert limiter.in_flight == 2
    third = asyncio.ensure_future(limiter.acquire())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert not third.done()  # both slots are in flight: nobody may start
    limiter.release()
    await third
    assert limiter.in_flight == 2
    limiter.release()
    limiter.release()
    with pytest.raises(RuntimeError):
        limiter.release()


def test_invalid_rate_is_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)


class LateTime(FakeTime):
    """An event loop that wakes sleepers late (as a busy one does)."""

    def __init__(self, late: float) -> None:
        super().__init__()
        self.late = late

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds)
        await asyncio.sleep(0)  # let other callers queue up meanwhile
        self.now += self.late


async def test_late_wake_ups_do_not_slow_the_rate_down() -> None:
    t = LateTime(late=0.0004)  # 40 % of the 1 ms spacing
    limiter = RateLimiter(1000, clock=t.clock, sleep=t.sleep)
    starts = []
    for _ in range(3000):
        await limiter.acquire()
        starts.append(t.now)
        limiter.release()
    assert (len(starts) - 1) / (starts[-1] - starts[0]) == pytest.approx(1000, rel=0.01)
    assert windows_ok(starts[::7], 1000)  # sampled: still never more than the rate per period


async def test_late_wake_up_credit_is_bounded_by_tolerance() -> None:
    t = LateTime(late=0.05)  # far later than the tolerance
    limiter = RateLimiter(1000, clock=t.clock, sleep=t.sleep, tolerance=0.003)
    starts: list[float] = []

    async def one() -> None:
        async with limiter.slot():
            starts.append(t.now)

    await asyncio.gather(*(one() for _ in range(50)))  # all queued from the start
    assert max(b - a for a, b in zip(starts, starts[1:])) >= 0.05  # the late wake-ups happened
    # At most tolerance/interval (3) requests are let through without any spacing after a late wake-up.
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    run = longest = 0
    for gap in gaps:
        run = run + 1 if gap < 0.001 - 1e-9 else 0
        longest = max(longest, run)
    assert 1 <= longest <= 3


async def test_idle_time_earns_no_credit_even_with_late_wake_ups() -> None:
    t = LateTime(late=0.0004)
    limiter = RateLimiter(1000, clock=t.clock, sleep=t.sleep)
    starts = []
    for i in range(10):
        async with limiter.slot():
            starts.append(t.now)
        if i == 4:
            t.now += 0.5  # nobody asked for a while
    assert starts[5] - starts[4] >= 0.5
    assert starts[6] - starts[5] >= 0.001 - 1e-9


# ------------------------------------------------------------------ outages

from bot.rate_limit import OutageBackoff  # noqa: E402


def test_backoff_pauses_from_the_second_failure_in_a_row_growing_to_the_cap() -> None:
    backoff = OutageBackoff(first=1, cap=8)
    issued = 0

    def fail() -> float:
        nonlocal issued
        issued += 1
        return backoff.failure(issued, issued)

    assert fail() == 0  # one failure may be that recipient's own: nobody waits
    assert [fail() for _ in range(6)] == [1, 2, 4, 8, 8, 8]
    assert backoff.in_outage
    assert backoff.success() is True  # the outage is over ...
    assert fail() == 0 and fail() == 1  # ... and the next one starts from the beginning
    assert backoff.success() is True and backoff.success() is False


def test_backoff_counts_requests_already_in_flight_as_one_failure() -> None:
    backoff = OutageBackoff(first=1, cap=60)
    # Tickets 1-3 were sent together; all three fail.
    assert backoff.failure(1, 3) == 0
    assert backoff.failure(2, 3) == 0 and backoff.failure(3, 3) == 0  # same burst
    assert backoff.consecutive == 1
    assert backoff.failure(4, 4) == 1  # the first request sent after knowing: now everybody waits
    assert backoff.failure(5, 5) == 2


def test_backoff_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        OutageBackoff(first=0)
    with pytest.raises(ValueError):
        OutageBackoff(first=10, cap=5)


async def test_after_an_outage_pause_one_probe_at_a_time_until_resumed() -> None:
    t = FakeTime()
    limiter = RateLimiter(100, clock=t.clock, sleep=t.sleep)
    limiter.pause(4, probe=True)
    before = t.now
    await limiter.acquire()  # the probe, after the pause
    assert t.now - before == pytest.approx(4.0)
    second = asyncio.ensure_future(limiter.acquire())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not second.done()  # nobody else while the probe is out
    limiter.release()  # the probe failed (no resume): the next one may probe
    await second
    third = asyncio.ensure_future(limiter.acquire())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not third.done()
    limiter.resume()  # the probe succeeded: full speed again
    await third
    assert limiter.in_flight == 2 and not limiter.probing
    await limiter.acquire()
    assert limiter.in_flight == 3


async def test_a_manual_clock_paces_without_waiting_and_never_stalls_on_sub_microsecond_waits() -> None:
    from datetime import UTC, datetime

    from bot.clock import ManualClock

    clock = ManualClock(datetime(2026, 3, 2, 4, 0, tzinfo=UTC))
    limiter = RateLimiter(1000, clock=clock.monotonic, sleep=clock.sleep)
    begin = clock.monotonic()
    starts = []
    for _ in range(2001):
        async with limiter.slot():
            starts.append(clock.monotonic())
    # Two seconds of pacing on the manual clock, in no real time; datetime's microsecond
    # resolution leaves waits of a fraction of a microsecond, which must still move the clock.
    assert starts[-1] - begin == pytest.approx(2.0, abs=0.01)
    assert windows_ok(starts[::7], 1000)
    await clock.sleep(1e-9)
    assert clock.monotonic() > starts[-1]

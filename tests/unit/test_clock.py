"""Clocks: the only source of \"now\"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock, OffsetClock


def test_offset_clock_flows_and_jumps() -> None:
    start = datetime(2030, 1, 1, 5, 0, tzinfo=UTC)
    clock = OffsetClock(start)
    first = clock.now()
    assert timedelta(0) <= first - start < timedelta(seconds=5)
    clock.advance(timedelta(days=2))
    assert clock.now() - first >= timedelta(days=2)


def test_manual_clock_stands_still_until_moved() -> None:
    clock = ManualClock(datetime(2026, 3, 2, 4, 0, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(timedelta(hours=5))
    assert clock.now() == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

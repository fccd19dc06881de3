"""Claim numbers, statuses and statistics (median time to first reply, on-time share)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.claims import compute_stats, display_status, format_number, parse_number
from bot.config import Settings
from storage.claims import Claim

SETTINGS = Settings(_env_file=None, bot_token="1:abcdefghij", admin_chat_id=-1)  # type: ignore[call-arg]
NOW = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)


def claim(status: str, due: str, registered: datetime, first_reply: datetime | None = None) -> Claim:
    return Claim(1, "2026-0001", 1, "claim", "t", "ru", status, registered.isoformat(), 30, "calendar", due,
                 None, None, first_reply.isoformat() if first_reply else None, None, None, None, None, None, None)


def test_numbers() -> None:
    assert format_number(2026, 7) == "2026-0007"
    assert parse_number("2026-7") == "2026-0007"
    assert parse_number("№ 2026-0007") == "2026-0007"
    assert parse_number("7") is None and parse_number("abc") is None


def test_overdue_is_derived_and_stops_when_answered() -> None:
    reg = datetime(2026, 3, 1, 4, tzinfo=UTC)
    assert display_status(claim("registered", "2026-03-19", reg), date(2026, 3, 20)) == "overdue"
    assert display_status(claim("registered", "2026-03-20", reg), date(2026, 3, 20)) == "registered"
    assert display_status(claim("answered", "2026-03-19", reg), date(2026, 3, 20)) == "answered"


def test_stats_median_and_on_time_share() -> None:
    reg = datetime(2026, 3, 1, 4, tzinfo=UTC)
    items = [
        claim("answered", "2026-03-10", reg, reg + timedelta(hours=2)),
        claim("answered", "2026-03-10", reg, reg + timedelta(hours=4)),
        claim("closed", "2026-03-05", reg, reg + timedelta(days=10)),  # answered late
        claim("registered", "2026-03-15", reg),  # overdue, unanswered
        claim("registered", "2026-04-15", reg),  # still in time: not counted
    ]
    stats = compute_stats(items, NOW, SETTINGS)
    assert stats.by_status == {"registered": 1, "in_progress": 0, "answered": 2, "closed": 1, "overdue": 1}
    assert stats.median_first_reply == timedelta(hours=4)
    assert (stats.answered_on_time, stats.answered_counted) == (2, 4)
    assert stats.on_time_share == 0.5
    assert compute_stats([], NOW, SETTINGS).on_time_share is None


def test_reminders_at_or_beyond_the_term_at_registration_are_skipped() -> None:
    from bot.claims import skipped_reminders

    reg = datetime(2026, 3, 2, 4, tzinfo=UTC)  # Monday 09:00 in Almaty
    settings = Settings(_env_file=None, bot_token="1:abcdefghij", admin_chat_id=-1, reminder_days="7,3,1")  # type: ignore[call-arg]
    assert skipped_reminders(settings, claim("registered", "2026-03-03", reg)) == [7, 3, 1]  # 1 working day
    assert skipped_reminders(settings, claim("registered", "2026-03-05", reg)) == [7, 3]  # 3 working days
    assert skipped_reminders(settings, claim("registered", "2026-04-01", reg)) == []  # 30 calendar days

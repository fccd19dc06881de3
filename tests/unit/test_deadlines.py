"""Deadlines against Kazakhstan's official 2025 and 2026 calendars, on concrete dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.deadlines import (
    OverrideFileError,
    WorkingCalendar,
    days_left,
    due_date,
    load_overrides,
    parse_overrides,
)

ALMATY = ZoneInfo("Asia/Almaty")
CAL = WorkingCalendar.from_files()


def at(day: str, hhmm: str = "10:00") -> datetime:
    """A registration instant given in Almaty local time."""
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=ALMATY)


def working(day: str, n: int, calendar: WorkingCalendar = CAL) -> date:
    return due_date(at(day), n, "working", ALMATY, calendar)


@pytest.mark.parametrize(
    ("registered", "days", "expected"),
    [
        # New Year 2025: 1-2 Jan holidays, Fri 3 Jan off by decree, Sun 5 Jan worked instead.
        ("2024-12-31", 1, "2025-01-05"),
        ("2024-12-31", 2, "2025-01-06"),
        ("2024-12-31", 3, "2025-01-08"),  # 7 Jan, Orthodox Christmas, is off
        # 8 March 2025 is a Saturday: Monday 10 March is off.
        ("2025-03-07", 1, "2025-03-11"),
        # Nauryz 2025: 21-23 March (Fri-Sun) + Mon 24 and Tue 25 in lieu.
        ("2025-03-20", 1, "2025-03-26"),
        ("2025-03-20", 3, "2025-03-28"),
        # 1 May (Thu), 7 May (Wed), 9 May (Fri) 2025.
        ("2025-04-30", 1, "2025-05-02"),
        ("2025-05-06", 1, "2025-05-08"),
        ("2025-05-08", 1, "2025-05-12"),
        # Kurban Ait 2025: Friday 6 June (a religious holiday: never moved).
        ("2025-06-05", 1, "2025-06-09"),
        # Capital Day 6 July 2025 is a Sunday: Monday 7 July off.
        ("2025-07-04", 1, "2025-07-08"),
        # Constitution Day 30 August 2025 is a Saturday: Monday 1 September off.
        ("2025-08-29", 1, "2025-09-02"),
        # Republic Day 25 October 2025 is a Saturday: Monday 27 October off.
        ("2025-10-24", 1, "2025-10-28"),
        # Independence Day 16 December 2025 (Tuesday).
        ("2025-12-15", 1, "2025-12-17"),
        # New Year 2026: 1-2 Jan (Thu-Fri), 7 Jan (Wed).
        ("2025-12-31", 1, "2026-01-05"),
        ("2025-12-31", 3, "2026-01-08"),
        # 8 March 2026 is a Sunday: Monday 9 March off.
        ("2026-03-06", 1, "2026-03-10"),
        # Nauryz 2026: 21-23 March (Sat-Mon) + Tue 24 and Wed 25 in lieu.
        ("2026-03-20", 1, "2026-03-26"),
        ("2026-03-20", 3, "2026-03-30"),
        ("2026-03-22", 3, "2026-03-30"),  # registered on a holiday: counting starts the next day
        # 1 May 2026 (Fri), 7 May (Thu), 9 May (Sat) → Monday 11 May off.
        ("2026-04-30", 1, "2026-05-04"),
        ("2026-05-06", 1, "2026-05-08"),
        ("2026-05-08", 1, "2026-05-12"),
        # Kurban Ait 2026: Wednesday 27 May.
        ("2026-05-26", 1, "2026-05-28"),
        # Capital Day 6 July 2026 is a Monday.
        ("2026-07-03", 1, "2026-07-07"),
        # No Constitution Day on 30 August 2026: the 2026 Constitution (referendum of 15 March
        # 2026, in force 1 July 2026) moved it to 15 March from 2027 (history of Law No. 267-II on
        # adilet.zan.kz; vacanza/holidays PR #3690). Friday 28 August + 1 → Monday 31 August.
        ("2026-08-28", 1, "2026-08-31"),
        # Republic Day 25 October 2026 is a Sunday: Monday 26 October off.
        ("2026-10-23", 1, "2026-10-27"),
        # Independence Day 16 December 2026 (Wednesday).
        ("2026-12-15", 1, "2026-12-17"),
        # An ordinary week: Friday + 1 working day is Monday.
        ("2026-02-06", 1, "2026-02-09"),
    ],
)
def test_working_days_follow_the_official_calendar(registered: str, days: int, expected: str) -> None:
    assert working(registered, days) == date.fromisoformat(expected)


def test_holidays_and_weekends() -> None:
    off = ["2025-01-03", "2025-03-24", "2025-06-06", "2025-09-01", "2026-01-02", "2026-03-09", "2026-03-25", "2026-05-11", "2026-05-27"]
    on = ["2025-01-05", "2025-03-26", "2025-06-05", "2026-03-26", "2026-05-28", "2026-03-02"]
    assert not any(CAL.is_working_day(date.fromisoformat(d)) for d in off)
    assert all(CAL.is_working_day(date.fromisoformat(d)) for d in on)


def test_calendar_days() -> None:
    assert due_date(at("2026-03-02", "09:00"), 30, "calendar", ALMATY) == date(2026, 4, 1)
    assert due_date(at("2026-12-20"), 30, "calendar", ALMATY) == date(2027, 1, 19)
    # A calendar term ignores holidays: 30 days from 20 Feb 2026 end on Sunday 22 March.
    assert due_date(at("2026-02-20"), 30, "calendar", ALMATY) == date(2026, 3, 22)


def test_late_evening_registration_counts_in_almaty_not_utc() -> None:
    # 00:30 on 3 March in Almaty is still 2 March in UTC: the local date counts.
    late = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)
    assert due_date(late, 1, "calendar", ALMATY) == date(2026, 3, 4)
    assert due_date(late, 1, "working", ALMATY, CAL) == date(2026, 3, 4)
    before_midnight = datetime(2026, 3, 2, 18, 59, 59, tzinfo=UTC)  # 23:59:59 in Almaty
    assert due_date(before_midnight, 1, "calendar", ALMATY) == date(2026, 3, 3)
    # Friday 23:30 in Almaty + 1 working day is Monday; the UTC date (Friday) would agree,
    # but Saturday 00:30 in Almaty (Friday in UTC) still gives Monday.
    assert due_date(datetime(2026, 3, 13, 19, 30, tzinfo=UTC), 1, "working", ALMATY, CAL) == date(2026, 3, 16)


def test_overrides_from_a_file(tmp_path: Path) -> None:
    # A hypothetical decree (the README's example): Friday 8 May 2099 off, Saturday 16 May worked.
    extra = tmp_path / "decree.txt"
    extra.write_text("# a decree\n+2099-05-08 rest  # moved\n-2099-05-16 work\n", encoding="utf-8")
    calendar = WorkingCalendar.from_files(extra)
    assert calendar.is_working_day(date(2099, 5, 16))
    assert not calendar.is_working_day(date(2099, 5, 8))
    assert working("2099-05-15", 1, calendar) == date(2099, 5, 16)
    # 7 May (Defender of the Fatherland Day), 8 May (the decree), the weekend, and Monday 11 May
    # off because Victory Day, 9 May, is a Saturday (Law No. 267-II, Art. 5).
    assert working("2099-05-06", 1, calendar) == date(2099, 5, 12)
    assert working("2099-05-06", 1) == date(2099, 5, 8)  # without the decree


# The facts of issue 14, each with its source.
def test_friday_28_august_2026_plus_one_working_day_is_monday_31_august() -> None:
    # 30 August is no holiday in 2026 (2026 Constitution, Constitution Day on 15 March from 2027).
    assert CAL.is_working_day(date(2026, 8, 31))
    assert working("2026-08-28", 1) == date(2026, 8, 31)


def test_15_march_2027_constitution_day_is_a_day_off() -> None:
    # Constitution Day, 15 March (2026 Constitution; Law No. 267-II as amended, vacanza/holidays
    # PR #3690): Monday 15 March 2027 is a holiday.
    assert not CAL.is_working_day(date(2027, 3, 15))
    assert working("2027-03-12", 1) == date(2027, 3, 16)


def test_1_october_2026_plus_30_working_days_is_13_november() -> None:
    # Republic Day, 25 October 2026, is a Sunday: Monday 26 October is off (Law No. 267-II, Art. 5);
    # no other holiday in October-November 2026.
    assert not CAL.is_working_day(date(2026, 10, 26))
    assert working("2026-10-01", 30) == date(2026, 11, 13)


def test_the_builtin_file_holds_no_2026_line() -> None:
    # The old "+2026-08-31 rest" made every 1-day term over that weekend a day late.
    assert not [day for day in CAL.overrides if day.year == 2026]


def test_bad_override_lines_are_named() -> None:
    with pytest.raises(OverrideFileError, match="f.txt:2"):
        parse_overrides("+2026-01-02 rest\n2026-01-03\n", "f.txt")
    with pytest.raises(OverrideFileError):
        parse_overrides("+2026-01-02 work\n")
    with pytest.raises(OverrideFileError):
        load_overrides([Path("/nonexistent/file.txt")])


def test_days_left_and_bad_input() -> None:
    now = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)  # 3 March in Almaty
    assert days_left(date(2026, 3, 3), now, ALMATY) == 0
    assert days_left(date(2026, 3, 10), now, ALMATY) == 7
    assert days_left(date(2026, 3, 1), now, ALMATY) == -2
    with pytest.raises(ValueError):
        due_date(datetime(2026, 3, 2), 1, "calendar", ALMATY)
    with pytest.raises(ValueError):
        due_date(at("2026-03-02"), 1, "lunar", ALMATY)


def test_2026_has_fourteen_weekday_days_off() -> None:
    """A five-day week in 2026: 1, 2, 7 Jan; 9, 23, 24, 25 Mar; 1, 7, 11, 27 May; 6 Jul; 26 Oct;
    16 Dec. The calendar published in 2025 also had Monday 31 August (for Constitution Day on
    Sunday 30 August); the 2026 Constitution, in force 1 July 2026, moved that holiday to 15 March
    from 2027, so 31 August 2026 is a working day (vacanza/holidays PR #3690)."""
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    off = [d.isoformat() for d in days if d.weekday() < 5 and not CAL.is_working_day(d)]
    assert off == [
        "2026-01-01", "2026-01-02", "2026-01-07", "2026-03-09", "2026-03-23", "2026-03-24", "2026-03-25",
        "2026-05-01", "2026-05-07", "2026-05-11", "2026-05-27", "2026-07-06", "2026-10-26",
        "2026-12-16",
    ]

"""Legal deadlines: registration instant + N calendar or working days → the due date.

Plain Python, no aiogram. Working days follow Kazakhstan's calendar: Saturdays and Sundays off,
public holidays (Law No. 267-II of 13 December 2001 "On holidays in the Republic of
Kazakhstan", Art. 5: holidays are days off, and a holiday that falls on a day off makes the next
working day a day off; Labour Code Art. 84(5): the religious holidays — Orthodox Christmas, the
first day of Kurban Ait — are days off and do not move), and the days the Government moves by
decree (Labour Code Art. 85(3)). Sources: https://adilet.zan.kz/rus/docs/Z010000267_ (the law),
https://adilet.zan.kz/rus/docs/K1500000414 (the Labour Code); the article numbers as quoted by
yk-news.kz/node/10882 (Art. 5), inbusiness.kz (Art. 84(5)) and nur.kz/1709587 (Art. 85(3)). Holidays come
from the maintained `holidays` package (vacanza/holidays, which cites the law on adilet.zan.kz);
decree moves it does not know yet come from an overrides file (bot/kz_calendar_overrides.txt,
and optionally the operator's own file named by HOLIDAYS_OVERRIDE_FILE). The format, shown with
a HYPOTHETICAL decree (these dates are made up: copy the real dates from the year's decree)::

    +2099-05-08 rest     # a weekday made a day off by decree
    -2099-05-16 work     # a Saturday made a working day in exchange

Counting (Civil Code of Kazakhstan, chapter 6 "Calculation of terms", Art. 173-174 (article
numbers unverified), https://adilet.zan.kz/rus/docs/K940001000_): a term in days starts on the day after the
registration date, in TIMEZONE. "N calendar days" ends on registration date + N. "N working days"
ends on the N-th working day after the registration date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

DayKind = Literal["calendar", "working"]
DAY_KINDS: tuple[str, ...] = ("calendar", "working")

BUILTIN_OVERRIDES = Path(__file__).resolve().parent / "kz_calendar_overrides.txt"

_LINE = re.compile(r"^([+-])\s*(\d{4}-\d{2}-\d{2})\s+(rest|work)\s*$")


class OverrideFileError(ValueError):
    pass


def parse_overrides(text: str, source: str = "overrides") -> dict[date, bool]:
    """date → True (a day off) / False (a working day). '#' starts a comment."""
    result: dict[date, bool] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _LINE.match(line)
        if not match:
            raise OverrideFileError(
                f"{source}:{number}: expected '+YYYY-MM-DD rest' or '-YYYY-MM-DD work', got {raw.strip()!r}"
            )
        sign, day, kind = match.groups()
        if (sign == "+") != (kind == "rest"):
            raise OverrideFileError(f"{source}:{number}: use '+DATE rest' or '-DATE work'")
        try:
            result[date.fromisoformat(day)] = kind == "rest"
        except ValueError as exc:
            raise OverrideFileError(f"{source}:{number}: {day} is not a date") from exc
    return result


def load_overrides(paths: Iterable[Path | None]) -> dict[date, bool]:
    merged: dict[date, bool] = {}
    for path in paths:
        if path is None:
            continue
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise OverrideFileError(f"cannot read the calendar overrides file {path}: {exc}") from exc
        merged.update(parse_overrides(text, str(path)))  # later files win
    return merged


@dataclass
class WorkingCalendar:
    """Kazakhstan's working days: weekends, public holidays, decree moves, operator overrides."""

    overrides: dict[date, bool] = field(default_factory=dict)
    _holidays: holidays.HolidayBase = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._holidays = holidays.country_holidays("KZ")

    @classmethod
    def from_files(cls, extra: Path | None = None) -> WorkingCalendar:
        return cls(load_overrides([BUILTIN_OVERRIDES, extra]))

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return not self.overrides[day]
        # The library knows some decree moves itself: weekend days made working days.
        self._holidays.get(day)  # populates the year, and with it weekend_workdays
        if day in getattr(self._holidays, "weekend_workdays", set()):
            return True
        if day.weekday() >= 5:
            return False
        return day not in self._holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (start itself never counts)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current, left = start, days
        while left > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                left -= 1
        return current


def due_date(
    registered_at: datetime, days: int, kind: str, tz: ZoneInfo, calendar: WorkingCalendar | None = None
) -> date:
    """The last day on which the answer is in time, as a date in `tz`."""
    if registered_at.tzinfo is None:
        raise ValueError("registered_at must be timezone-aware")
    if days < 0:
        raise ValueError("days must not be negative")
    local_day = registered_at.astimezone(tz).date()
    if kind == "calendar":
        return local_day + timedelta(days=days)
    if kind == "working":
        return (calendar or WorkingCalendar()).add_working_days(local_day, days)
    raise ValueError(f"unknown day kind {kind!r}; expected one of {DAY_KINDS}")


def days_left(due: date, now: datetime, tz: ZoneInfo) -> int:
    """Calendar days from today (in tz) to the due date; 0 = due today, negative = overdue."""
    return (due - now.astimezone(tz).date()).days

"""Showing stored values to people: local times, escaped user text."""

from __future__ import annotations

import html
from datetime import date, datetime
from zoneinfo import ZoneInfo


def esc(text: object) -> str:
    """Escape anything that is not our own markup before it goes into an HTML message."""
    return html.escape(str(text), quote=False)


def local_time(instant: datetime | str, tz: ZoneInfo) -> str:
    """'22.11.2026 14:05:33' in the operator's zone; stored instants are UTC."""
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
    return instant.astimezone(tz).strftime("%d.%m.%Y %H:%M:%S")


def local_date(value: date | datetime | str, tz: ZoneInfo | None = None) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(tz).date() if tz else value.date()
    return value.strftime("%d.%m.%Y")


def utc_offset_label(tz: ZoneInfo, at: datetime) -> str:
    """'UTC+05:00' for the zone at that instant, so a reader knows which clock a time is on."""
    offset = at.astimezone(tz).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"

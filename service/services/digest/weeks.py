"""ISO weeks in a team's time zone: naming, parsing, and their bounds in UTC."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from service.errors import Invalid

__all__ = ["Week", "zone", "week_of", "parse_week"]

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``; an unknown name is the caller's error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(f"unknown time zone {name!r} (use an IANA name such as Europe/Oslo)", field="timezone") from exc


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week, identified by its Monday."""

    monday: dt.date

    @property
    def name(self) -> str:
        year, number, _ = self.monday.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def number(self) -> int:
        return self.monday.isocalendar()[1]

    def shift(self, weeks: int) -> Week:
        return Week(self.monday + dt.timedelta(weeks=weeks))

    def bounds(self, tz: str) -> tuple[dt.datetime, dt.datetime]:
        """Start (Monday 00:00) and end (next Monday 00:00) of the week in ``tz``, in UTC."""
        z = zone(tz)
        start = dt.datetime.combine(self.monday, dt.time(), z)
        end = dt.datetime.combine(self.monday + dt.timedelta(days=7), dt.time(), z)
        return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)

    def last_day(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    def __str__(self) -> str:
        return self.name


def week_of(moment: dt.datetime, tz: str) -> Week:
    """The ISO week in which ``moment`` falls, on the calendar of ``tz``."""
    local = moment.astimezone(zone(tz)).date()
    return Week(local - dt.timedelta(days=local.weekday()))


def parse_week(text: str) -> Week:
    """``2026-W47`` to its Week; a malformed or impossible week is the caller's error."""
    match = _WEEK.match(text.strip())
    if match is None:
        raise Invalid(f"week {text!r} is not of the form 2026-W47", field="week")
    year, number = int(match[1]), int(match[2])
    try:
        return Week(dt.date.fromisocalendar(year, number, 1))
    except ValueError as exc:
        raise Invalid(f"{year} has no week {number}", field="week") from exc

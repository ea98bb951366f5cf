"""Report periods: whole days in the tenant's time zone, both ends inclusive.

A period of days is the half-open interval of instants [first day 00:00, day after the last
00:00) in the zone, so a day across a change to or from daylight saving time has its real 23
or 25 hours, and two adjacent periods never share or lose an instant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

#: The longest period a report covers (a year and a day: a leap year with a day to spare).
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    zone: ZoneInfo

    @property
    def start(self) -> dt.datetime:
        """The first instant of the first day, in UTC. (In UTC, not in the zone: Python subtracts
        and compares two datetimes of the same zone by their wall clocks, so a day across a change
        of daylight saving time would lose or gain its hour.)"""
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=self.zone).astimezone(dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the last day, in UTC."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=self.zone).astimezone(dt.UTC)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def elapsed_seconds(self, now: dt.datetime) -> float:
        """The period's length up to ``now`` (a period that has not ended yet counts so far)."""
        return max(0.0, (min(self.end, now.astimezone(dt.UTC)) - self.start).total_seconds())


def today_in(zone: ZoneInfo, now: dt.datetime) -> dt.date:
    return now.astimezone(zone).date()


def preset(name: str, zone: ZoneInfo, now: dt.datetime) -> Period:
    """``today``, ``week`` (Monday to today), ``month`` (the 1st to today), ``last_month``
    (the whole previous month) or ``last_30`` (the 30 days up to today)."""
    today = today_in(zone, now)
    if name == "today":
        return Period(today, today, zone)
    if name == "week":
        return Period(today - dt.timedelta(days=today.weekday()), today, zone)
    if name == "last_month":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return Period(last.replace(day=1), last, zone)
    if name == "last_30":
        return Period(today - dt.timedelta(days=29), today, zone)
    return Period(today.replace(day=1), today, zone)


def month(year: int, number: int, zone: ZoneInfo) -> Period:
    first = dt.date(year, number, 1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, following - dt.timedelta(days=1), zone)

"""Business-time arithmetic (servicedesk.calendars): SLA clocks and delivery dates.

The property tests compare the module against a brute-force reference written here, which walks
minute by minute and decides each minute from scratch: convert it to the calendar's wall clock with
zoneinfo, pick the local date's intervals (extra day, closure, public holiday, weekday) and look.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from servicedesk import calendars
from servicedesk.calendars import (
    SEARCH_HORIZON,
    BusinessCalendar,
    NoOpeningTimeError,
    OpeningInterval,
    add_business_minutes,
    add_business_time,
    business_days_after,
    business_minutes_between,
    business_time_between,
    is_business_day,
    is_open,
    next_opening,
)

LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")
MEXICO_CITY = ZoneInfo("America/Mexico_City")
MINUTE = timedelta(minutes=1)


def globex() -> BusinessCalendar:
    """The Globex service calendar: Monday to Friday 08:30–17:00 London time, English bank holidays."""
    return BusinessCalendar.weekly_hours(
        "Europe/London", dict.fromkeys(range(5), [(time(8, 30), time(17, 0))]), country="GB", subdivision="ENG"
    )


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- the brute-force reference ------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """A calendar in plain minutes: what the reference reads, and what ``build`` turns into a BusinessCalendar."""

    time_zone: str
    country: str | None
    subdivision: str | None
    weekly: tuple[tuple[tuple[int, int], ...], ...]  # Monday first; (start, end) minutes of the day, end <= 1440
    closures: frozenset[date] = frozenset()
    extra_days: dict[date, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    def build(self) -> BusinessCalendar:
        return BusinessCalendar.weekly_hours(
            self.time_zone,
            {weekday: [_pair(interval) for interval in day] for weekday, day in enumerate(self.weekly)},
            country=self.country,
            subdivision=self.subdivision,
            closures=self.closures,
            extra_days={day: [_pair(interval) for interval in intervals] for day, intervals in self.extra_days.items()},
        )


def _pair(interval: tuple[int, int]) -> tuple[time, time]:
    start, end = interval
    return time(start // 60, start % 60), time(end // 60 % 24, end % 60)  # 1440 → time(0, 0), i.e. 24:00


@cache
def _holiday_calendar(country: str, subdivision: str | None) -> holidays.HolidayBase:
    # The package's own answer to "is this date a holiday?", adding years as they are asked for.
    return holidays.country_holidays(country, subdiv=subdivision)


def reference_is_open(spec: Spec, minute: datetime) -> bool:
    local = minute.astimezone(ZoneInfo(spec.time_zone))
    day = local.date()
    if day in spec.extra_days:
        intervals = spec.extra_days[day]
    elif day in spec.closures or (spec.country and day in _holiday_calendar(spec.country, spec.subdivision)):
        intervals = ()
    else:
        intervals = spec.weekly[day.weekday()]
    minute_of_day = local.hour * 60 + local.minute
    return any(start <= minute_of_day < end for start, end in intervals)


def reference_open_minutes(spec: Spec, start: datetime, minutes: int) -> list[bool]:
    """For each minute of ``[start, start + minutes)``: is it open?"""
    return [reference_is_open(spec, start + k * MINUTE) for k in range(minutes)]


# -- strategies -----------------------------------------------------------------------------------------

# (zone, country, subdivision): Easter-dependent holidays in DE, GB and ES; MX moves holidays to Mondays;
# US moves New Year's Day 2022 (a Saturday) to Friday 31 December 2021, across the year boundary.
REGIONS = [
    ("Europe/Berlin", "DE", None),
    ("Europe/Berlin", "DE", "HE"),
    ("Europe/Berlin", "DE", "BY"),
    ("Europe/London", "GB", "ENG"),
    ("Europe/London", "GB", "SCT"),
    ("Europe/Madrid", "ES", "MD"),
    ("America/Mexico_City", "MX", None),
    ("America/New_York", "US", None),
    ("Europe/Berlin", None, None),
    ("Europe/London", None, None),
    ("America/Mexico_City", None, None),
]

EU_CLOCK_CHANGES = [
    date(2021, 3, 28),
    date(2021, 10, 31),
    date(2023, 3, 26),
    date(2023, 10, 29),
    date(2026, 3, 29),
    date(2026, 10, 25),
]
CLOCK_CHANGES = {
    "Europe/Berlin": EU_CLOCK_CHANGES,
    "Europe/London": EU_CLOCK_CHANGES,
    "Europe/Madrid": EU_CLOCK_CHANGES,
    # DST started 2021-04-04 (also Easter Sunday) and ended for good on 2022-10-30; in 2023 these are
    # ordinary Sundays where the clocks would have changed.
    "America/Mexico_City": [
        date(2021, 4, 4),
        date(2021, 10, 31),
        date(2022, 4, 3),
        date(2022, 10, 30),
        date(2023, 4, 2),
        date(2023, 10, 29),
    ],
    "America/New_York": [
        date(2021, 3, 14),
        date(2021, 11, 7),
        date(2023, 3, 12),
        date(2023, 11, 5),
        date(2026, 3, 8),
        date(2026, 11, 1),
    ],
}
YEAR_ENDS = [date(2020, 12, 31), date(2021, 12, 31), date(2022, 12, 31), date(2023, 12, 31), date(2026, 12, 31)]
GOOD_FRIDAYS = [date(2021, 4, 2), date(2022, 4, 15), date(2023, 4, 7), date(2026, 4, 3)]


@cache
def _holidays_to_visit(country: str, subdivision: str | None) -> list[date]:
    # Only chooses where to look; whether a date is a holiday, the reference asks the package itself.
    return sorted(holidays.country_holidays(country, subdiv=subdivision, years=(2021, 2022, 2023, 2026)))


def anchors(time_zone: str, country: str | None, subdivision: str | None) -> st.SearchStrategy[date]:
    """Dates worth starting near: the zone's clock changes, year ends, Easter, the region's holidays."""
    holiday_dates = _holidays_to_visit(country, subdivision) if country else GOOD_FRIDAYS
    return st.one_of(
        st.sampled_from(CLOCK_CHANGES[time_zone]), st.sampled_from(YEAR_ENDS), st.sampled_from(holiday_dates)
    )


# Interval boundaries (minutes of the day): often ones in or at the ends of the hour that is skipped
# or repeated (01:00–02:00 in London, Mexico City and New York, 02:00–03:00 in Berlin, Madrid and
# Mexico City), midnight and 24:00; otherwise anything.
CLOCK_CHANGE_BOUNDARIES = st.sampled_from([0, 60, 75, 90, 105, 120, 135, 150, 165, 180, 1440])
BOUNDARIES = st.one_of(CLOCK_CHANGE_BOUNDARIES, st.sampled_from([510, 720, 780, 1020, 1410]), st.integers(0, 1440))


def _pairs(points: list[int]) -> tuple[tuple[int, int], ...]:
    ordered = sorted(points)
    return tuple(zip(ordered[0::2], ordered[1::2], strict=False))


DAY_INTERVALS = st.lists(BOUNDARIES, unique=True, max_size=6).map(_pairs)  # 0 to 3 intervals
CLOCK_CHANGE_DAY_INTERVALS = st.lists(CLOCK_CHANGE_BOUNDARIES, unique=True, min_size=2, max_size=6).map(_pairs)


@st.composite
def specs(draw: st.DrawFn, near_clock_change: bool = False) -> tuple[Spec, date]:
    """A random calendar, and a date near which its closures and extra days lie.

    ``near_clock_change``: the date is one of the zone's clock changes, and that weekday's intervals
    begin or end in or next to the skipped or repeated hour.
    """
    time_zone, country, subdivision = draw(st.sampled_from(REGIONS))
    if near_clock_change:
        anchor = draw(st.sampled_from(CLOCK_CHANGES[time_zone]))
    else:
        anchor = draw(anchors(time_zone, country, subdivision))
    near = st.integers(-4, 3).map(lambda days: anchor + timedelta(days=days))
    extra_days = draw(st.dictionaries(near, DAY_INTERVALS.filter(bool), max_size=2))
    closures = draw(st.frozensets(near, max_size=3)) - extra_days.keys()
    weekly = [draw(DAY_INTERVALS) for _ in range(7)]
    if near_clock_change:
        weekly[anchor.weekday()] = draw(CLOCK_CHANGE_DAY_INTERVALS)
    return Spec(time_zone, country, subdivision, tuple(weekly), frozenset(closures), extra_days), anchor


@dataclass(frozen=True)
class Scenario:
    spec: Spec
    start: datetime  # in UTC: arithmetic on a datetime in a ZoneInfo zone adds wall-clock time, not elapsed time
    minutes: int
    in_local_time: bool

    def given(self, instant: datetime) -> datetime:
        """The instant as handed to the module: in UTC or in the calendar's zone (the same instant)."""
        return instant.astimezone(ZoneInfo(self.spec.time_zone)) if self.in_local_time else instant


@st.composite
def scenarios(draw: st.DrawFn, max_window: int = 3 * 1440) -> Scenario:
    """A calendar, a minute-aligned start near an interesting date and a window length in minutes."""
    spec, anchor = draw(specs())
    start = datetime.combine(anchor, time(), tzinfo=UTC) + draw(st.integers(-3 * 1440, 1440)) * MINUTE
    return Scenario(spec, start, draw(st.integers(1, max_window)), draw(st.booleans()))


@st.composite
def clock_change_scenarios(draw: st.DrawFn) -> Scenario:
    """A window of about a day and a half that covers the whole local day of a clock change."""
    spec, anchor = draw(specs(near_clock_change=True))
    local_midnight = datetime.combine(anchor, time(), tzinfo=ZoneInfo(spec.time_zone)).astimezone(UTC)
    start = local_midnight - draw(st.integers(0, 6 * 60)) * MINUTE
    return Scenario(spec, start, 31 * 60 + draw(st.integers(0, 6 * 60)), draw(st.booleans()))


# -- properties against the reference -----------------------------------------------------------------


def check_business_time_between(scenario: Scenario, data: st.DataObject) -> None:
    calendar = scenario.spec.build()
    start, minutes = scenario.start, scenario.minutes
    opens = reference_open_minutes(scenario.spec, start, minutes)
    open_before = [0]  # open minutes in [start, start + k minutes)
    for is_open_minute in opens:
        open_before.append(open_before[-1] + is_open_minute)
    end = start + minutes * MINUTE

    assert business_time_between(calendar, scenario.given(start), scenario.given(end)) == open_before[-1] * MINUTE
    assert business_time_between(calendar, scenario.given(end), scenario.given(start)) == -open_before[-1] * MINUTE
    for k in data.draw(st.lists(st.integers(0, minutes), max_size=10), label="ends (minutes after start)"):
        assert (
            business_time_between(calendar, scenario.given(start), scenario.given(start + k * MINUTE))
            == open_before[k] * MINUTE
        )
    for k in [0, minutes - 1, *data.draw(st.lists(st.integers(0, minutes - 1), max_size=10), label="instants")]:
        assert is_open(calendar, scenario.given(start + k * MINUTE)) is opens[k]


def check_add_business_time(scenario: Scenario, data: st.DataObject) -> None:
    calendar = scenario.spec.build()
    start = scenario.start
    opens = reference_open_minutes(scenario.spec, start, scenario.minutes)
    open_indexes = [k for k, is_open_minute in enumerate(opens) if is_open_minute]
    durations = data.draw(st.lists(st.integers(0, len(open_indexes)), min_size=1, max_size=6), label="business minutes")

    for business_minutes in durations:
        try:
            result = add_business_minutes(calendar, scenario.given(start), business_minutes)
        except NoOpeningTimeError:
            # Nothing open in the window, and beyond it the calendar never opens again: only a calendar
            # without weekly hours (and no extra day ahead) can run out of opening time.
            assert not open_indexes
            assert not any(scenario.spec.weekly)
            continue

        if business_minutes:
            # Due when the last of those minutes has run out.
            assert result == start + (open_indexes[business_minutes - 1] + 1) * MINUTE
        elif open_indexes:
            # Zero business time: the next opening (start itself if open).
            assert result == start + open_indexes[0] * MINUTE
            assert result == next_opening(calendar, scenario.given(start))
        else:
            assert result >= start + scenario.minutes * MINUTE
        assert result.tzinfo is UTC


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.data())
def test_business_time_between_agrees_with_minute_by_minute_reference(scenario: Scenario, data: st.DataObject) -> None:
    check_business_time_between(scenario, data)


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.data())
def test_add_business_time_agrees_with_minute_by_minute_reference(scenario: Scenario, data: st.DataObject) -> None:
    check_add_business_time(scenario, data)


@settings(max_examples=75, deadline=None)
@given(clock_change_scenarios(), st.data())
def test_business_time_between_agrees_with_reference_on_clock_change_days(
    scenario: Scenario, data: st.DataObject
) -> None:
    check_business_time_between(scenario, data)


@settings(max_examples=75, deadline=None)
@given(clock_change_scenarios(), st.data())
def test_add_business_time_agrees_with_reference_on_clock_change_days(scenario: Scenario, data: st.DataObject) -> None:
    check_add_business_time(scenario, data)


def weekly_opening_time(spec: Spec) -> timedelta:
    return sum((end - start for day in spec.weekly for start, end in day), 0) * MINUTE


@settings(max_examples=100, deadline=None)
@given(
    scenarios(max_window=1),
    st.integers(0, 5 * 24 * 60 * 60 * 10**6).map(lambda us: timedelta(microseconds=us)),
    st.integers(0, 60 * 10**6 - 1).map(lambda us: timedelta(microseconds=us)),
)
def test_adding_then_measuring_gives_the_duration_back(
    scenario: Scenario, duration: timedelta, jitter: timedelta
) -> None:
    assume(any(scenario.spec.weekly))
    calendar = scenario.spec.build()
    duration = min(duration, 8 * weekly_opening_time(scenario.spec))  # a sparse calendar needs no years of walking
    start = scenario.start + jitter  # not minute-aligned: the arithmetic is exact to the microsecond

    due = add_business_time(calendar, scenario.given(start), duration)

    assert business_time_between(calendar, scenario.given(start), due) == duration
    assert due - start >= duration  # business time never runs faster than the wall clock


@settings(max_examples=100, deadline=None)
@given(
    scenarios(max_window=1),
    st.lists(st.integers(0, 5 * 24 * 60 * 60), min_size=3, max_size=3).map(sorted),
    st.lists(st.integers(0, 5 * 24 * 60 * 60), min_size=2, max_size=2).map(sorted),
)
def test_business_time_is_monotonic(scenario: Scenario, seconds: list[int], durations: list[int]) -> None:
    assume(any(scenario.spec.weekly))
    calendar = scenario.spec.build()
    first, second, third = (scenario.given(scenario.start + timedelta(seconds=s)) for s in seconds)
    shorter, longer = (min(timedelta(seconds=s), 8 * weekly_opening_time(scenario.spec)) for s in durations)

    def between(start: datetime, end: datetime) -> timedelta:
        return business_time_between(calendar, start, end)

    # A later end measures at least as much; a later start at most as much; measuring is additive.
    assert between(first, second) <= between(first, third)
    assert between(second, third) <= between(first, third)
    assert between(first, second) + between(second, third) == between(first, third)
    # A longer duration is due no earlier; so is the same duration from a later start.
    assert add_business_time(calendar, first, shorter) <= add_business_time(calendar, first, longer)
    assert add_business_time(calendar, first, shorter) <= add_business_time(calendar, second, shorter)
    assert next_opening(calendar, first) <= next_opening(calendar, second)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["UTC", "Europe/Berlin", "Europe/London", "America/Mexico_City"]),
    st.sampled_from(EU_CLOCK_CHANGES + CLOCK_CHANGES["America/Mexico_City"] + YEAR_ENDS),
    st.integers(-3 * 24 * 3600, 3 * 24 * 3600),
    st.integers(0, 10 * 24 * 3600),
)
def test_always_open_gives_the_same_answers_as_seven_whole_days(
    time_zone: str, anchor: date, seconds: int, duration_seconds: int
) -> None:
    always = BusinessCalendar.always_open(time_zone)
    # The same hours, but a (long past) closure takes it off the 24×7 shortcut.
    whole_days = BusinessCalendar.weekly_hours(
        time_zone, dict.fromkeys(range(7), [("00:00", "24:00")]), closures=[date(1900, 1, 1)]
    )
    start = datetime.combine(anchor, time(), tzinfo=UTC) + timedelta(seconds=seconds)
    duration = timedelta(seconds=duration_seconds)
    end = start + duration

    assert add_business_time(always, start, duration) == add_business_time(whole_days, start, duration) == end
    assert business_time_between(always, start, end) == business_time_between(whole_days, start, end) == duration
    assert next_opening(always, start) == next_opening(whole_days, start) == start
    assert is_open(always, start)
    assert is_open(whole_days, start)


# -- product acceptance examples ------------------------------------------------------------------------


def test_incident_opened_late_friday_is_due_monday_morning() -> None:
    # 5 minutes on Friday until 17:00, then 10 from 08:30 on Monday.
    due = add_business_minutes(globex(), london(2026, 11, 20, 16, 55), 15)

    assert due == london(2026, 11, 23, 8, 40)
    assert due.tzinfo is UTC


def test_holidays_package_gives_boxing_day_2026_as_a_monday_substitute_in_england() -> None:
    england = holidays.country_holidays("GB", subdiv="ENG", years=2026)

    assert date(2026, 12, 26).weekday() == 5  # Saturday
    assert england.get(date(2026, 12, 25)) == "Christmas Day"
    assert england.get(date(2026, 12, 28)) == "Boxing Day (observed)"
    assert date(2026, 12, 24) not in england


def test_incident_opened_on_christmas_eve_is_due_after_christmas_and_the_boxing_day_substitute() -> None:
    # 5 minutes on Thursday 24th; Friday 25th is Christmas Day, then the weekend, Monday 28th is the
    # Boxing Day bank holiday (26th is a Saturday); 10 minutes from 08:30 on Tuesday 29th.
    due = add_business_minutes(globex(), london(2026, 12, 24, 16, 55), 15)

    assert due == london(2026, 12, 29, 8, 40)


@pytest.mark.parametrize(
    "created",
    [
        datetime(2026, 3, 29, 1, 55, tzinfo=BERLIN),  # 01:55 CET, five minutes before the clocks jump
        datetime(2026, 3, 29, 1, 55, tzinfo=timezone(timedelta(hours=1))),  # the same instant, as a fixed offset
        datetime(2026, 10, 25, 2, 55, tzinfo=BERLIN),  # the first 02:55 (CEST) of the fall-back night
        datetime(2026, 10, 25, 2, 55, fold=1, tzinfo=BERLIN),  # the second one (CET)
        london(2026, 11, 21, 3, 0),  # Saturday, 03:00
        london(2026, 12, 25, 12, 0),
        datetime(2026, 12, 31, 23, 50, tzinfo=MEXICO_CITY),
    ],
)
def test_always_open_incident_is_due_fifteen_wall_clock_minutes_later(created: datetime) -> None:
    due = add_business_minutes(BusinessCalendar.always_open("Europe/Berlin"), created, 15)

    assert due == created.astimezone(UTC) + timedelta(minutes=15)


def test_always_open_across_the_berlin_spring_forward() -> None:
    # 01:55 CET (UTC+1) is 00:55 UTC; 15 minutes later it is 01:10 UTC, which Berlin's clocks show as 03:10 CEST.
    created = datetime(2026, 3, 29, 1, 55, tzinfo=BERLIN)
    assert created.utcoffset() == timedelta(hours=1)

    due = add_business_minutes(BusinessCalendar.always_open("Europe/Berlin"), created, 15)

    assert due == utc(2026, 3, 29, 1, 10)
    assert due == datetime(2026, 3, 29, 3, 10, tzinfo=BERLIN)
    assert due.astimezone(BERLIN).utcoffset() == timedelta(hours=2)


# 15 and 25 business days after Friday 18 December 2026, Monday to Friday, by hand:
#
# DE (HE): 24 Dec and 31 Dec are working days; 25/26 Dec and 1 Jan are holidays (26 Dec is a Saturday
#   anyway); Epiphany (6 Jan) is not a holiday in Hesse.
#   Dec 21 22 23 24 → 1–4; 28 29 30 31 → 5–8; Jan 4 5 6 7 8 → 9–13; 11 12 → 14, 15 (Tue 12 Jan).
#   Jan 13 14 15 → 16–18; 18–22 → 19–23; 25 26 → 24, 25 (Tue 26 Jan).
# DE (BY): as Hesse, but Epiphany is a holiday in Bavaria, so one day later: Wed 13 Jan, Wed 27 Jan.
# GB (ENG): Monday 28 Dec is the Boxing Day substitute. Dec 21–24 → 1–4; 29 30 31 → 5–7;
#   Jan 4–8 → 8–12; 11 12 13 → 13–15 (Wed 13 Jan). Then 14 15 → 16, 17; 18–22 → 18–22; 25 26 27 → 23–25 (Wed 27 Jan).
# ES (MD): 28 Dec is a working day, Epiphany (Wed 6 Jan) is a holiday: Dec 21–24 → 1–4; 28–31 → 5–8;
#   Jan 4 5 7 8 → 9–12; 11 12 13 → 13–15 (Wed 13 Jan) … 25 on Wed 27 Jan.
# MX: only 25 Dec and 1 Jan (Constitution Day is 1 Feb 2027, later): as Hesse, Tue 12 Jan and Tue 26 Jan.
@pytest.mark.parametrize(
    ("country", "subdivision", "after_15", "after_25"),
    [
        ("DE", "HE", date(2027, 1, 12), date(2027, 1, 26)),
        ("DE", "BY", date(2027, 1, 13), date(2027, 1, 27)),
        ("GB", "ENG", date(2027, 1, 13), date(2027, 1, 27)),
        ("ES", "MD", date(2027, 1, 13), date(2027, 1, 27)),
        ("MX", None, date(2027, 1, 12), date(2027, 1, 26)),
    ],
)
def test_delivery_date_counts_business_days_on_national_holidays(
    country: str, subdivision: str | None, after_15: date, after_25: date
) -> None:
    calendar = BusinessCalendar.for_country(country, subdivision)

    assert business_days_after(calendar, date(2026, 12, 18), 15) == after_15
    assert business_days_after(calendar, date(2026, 12, 18), 25) == after_25


@pytest.mark.parametrize(
    ("country", "subdivision", "closed"),
    [
        ("DE", "HE", {date(2026, 12, 25), date(2027, 1, 1)}),
        ("DE", "BY", {date(2026, 12, 25), date(2027, 1, 1), date(2027, 1, 6)}),
        ("GB", "ENG", {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)}),
        ("ES", "MD", {date(2026, 12, 25), date(2027, 1, 1), date(2027, 1, 6)}),
        ("MX", None, {date(2026, 12, 25), date(2027, 1, 1)}),
    ],
)
def test_national_holidays_differ_between_christmas_and_epiphany(
    country: str, subdivision: str | None, closed: set[date]
) -> None:
    calendar = BusinessCalendar.for_country(country, subdivision)
    weekdays = [
        date(2026, 12, 21) + timedelta(days=k)
        for k in range(17)
        if (date(2026, 12, 21) + timedelta(days=k)).weekday() < 5
    ]

    assert {day for day in weekdays if not is_business_day(calendar, day)} == closed


# -- edge cases ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c, t: add_business_time(c, t, MINUTE),
        lambda c, t: business_time_between(c, t, utc(2026, 11, 20, 12)),
        lambda c, t: business_time_between(c, utc(2026, 11, 20, 12), t),
        next_opening,
        is_open,
    ],
    ids=["add_business_time", "between_start", "between_end", "next_opening", "is_open"],
)
@pytest.mark.parametrize("calendar", [globex(), BusinessCalendar.always_open()], ids=["globex", "24x7"])
def test_naive_datetimes_are_refused(
    call: Callable[[BusinessCalendar, datetime], object], calendar: BusinessCalendar
) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call(calendar, datetime(2026, 11, 20, 12, 0))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (london(2026, 11, 20, 10, 0), london(2026, 11, 20, 10, 0)),  # open: start itself
        (london(2026, 11, 20, 8, 30), london(2026, 11, 20, 8, 30)),  # opening time is open
        (london(2026, 11, 20, 7, 0), london(2026, 11, 20, 8, 30)),  # before opening: the opening
        (london(2026, 11, 20, 17, 0), london(2026, 11, 23, 8, 30)),  # closing time is closed
        (london(2026, 11, 21, 12, 0), london(2026, 11, 23, 8, 30)),  # Saturday
    ],
)
def test_zero_duration_is_due_at_the_next_opening(start: datetime, due: datetime) -> None:
    assert add_business_time(globex(), start, timedelta(0)) == due
    assert next_opening(globex(), start) == due


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (london(2026, 11, 18, 10, 0), 30, london(2026, 11, 18, 10, 30)),  # inside an interval
        (london(2026, 11, 18, 7, 0), 30, london(2026, 11, 18, 9, 0)),  # before opening
        (london(2026, 11, 18, 18, 0), 30, london(2026, 11, 19, 9, 0)),  # after closing
        (london(2026, 11, 18, 16, 45), 15, london(2026, 11, 18, 17, 0)),  # runs out exactly at closing time
        (london(2026, 11, 18, 11, 30), 60, london(2026, 11, 18, 13, 30)),  # across the lunch break
        (london(2026, 11, 18, 12, 30), 60, london(2026, 11, 18, 14, 0)),  # starting in the lunch break
        (london(2026, 11, 18, 9, 0), 7 * 60 + 30, london(2026, 11, 19, 9, 0)),  # a whole day
    ],
)
def test_start_inside_before_and_after_opening_hours(start: datetime, minutes: int, due: datetime) -> None:
    calendar = BusinessCalendar.weekly_hours(
        "Europe/London",
        dict.fromkeys(range(5), [("08:30", "12:00"), ("13:00", "17:00")]),
        country="GB",
        subdivision="ENG",
    )

    assert add_business_minutes(calendar, start, minutes) == due
    assert business_minutes_between(calendar, start, due) == minutes


def test_exact_to_the_microsecond() -> None:
    start = datetime(2026, 11, 20, 16, 59, 59, 500_000, tzinfo=LONDON)

    due = add_business_time(globex(), start, timedelta(seconds=1))

    assert due == datetime(2026, 11, 23, 8, 30, 0, 500_000, tzinfo=LONDON)


def test_extra_opening_day_on_a_sunday() -> None:
    calendar = BusinessCalendar.weekly_hours(
        "Europe/London",
        dict.fromkeys(range(5), [("08:30", "17:00")]),
        country="GB",
        subdivision="ENG",
        extra_days={date(2026, 11, 22): [("10:00", "12:00")]},
    )

    assert add_business_minutes(calendar, london(2026, 11, 20, 16, 55), 15) == london(2026, 11, 22, 10, 10)
    assert business_minutes_between(calendar, london(2026, 11, 21), london(2026, 11, 23)) == 120
    assert is_business_day(calendar, date(2026, 11, 22))
    assert calendar.intervals_on(date(2026, 11, 22)) == (OpeningInterval(time(10), time(12)),)
    assert not is_business_day(globex(), date(2026, 11, 22))
    assert globex().intervals_on(date(2026, 11, 22)) == ()


def test_extra_opening_day_on_a_public_holiday_uses_its_own_hours() -> None:
    calendar = BusinessCalendar.weekly_hours(
        "Europe/London",
        dict.fromkeys(range(5), [("08:30", "17:00")]),
        country="GB",
        subdivision="ENG",
        extra_days={date(2026, 12, 25): [("09:00", "10:00")]},
    )

    assert calendar.is_public_holiday(date(2026, 12, 25))
    assert add_business_minutes(calendar, london(2026, 12, 24, 16, 55), 15) == london(2026, 12, 25, 9, 10)
    assert add_business_minutes(calendar, london(2026, 12, 24, 16, 55), 65) == london(2026, 12, 25, 10, 0)
    assert add_business_minutes(calendar, london(2026, 12, 24, 16, 55), 66) == london(2026, 12, 29, 8, 31)


def test_closure_on_a_weekday() -> None:
    calendar = BusinessCalendar.weekly_hours(
        "Europe/London",
        dict.fromkeys(range(5), [("08:30", "17:00")]),
        country="GB",
        subdivision="ENG",
        closures=[date(2026, 11, 23)],
    )

    assert add_business_minutes(calendar, london(2026, 11, 20, 16, 55), 15) == london(2026, 11, 24, 8, 40)
    assert not is_open(calendar, london(2026, 11, 23, 10, 0))
    assert business_days_after(calendar, date(2026, 11, 20), 1) == date(2026, 11, 24)


def test_measuring_backwards_is_negative() -> None:
    monday, friday = london(2026, 11, 23, 9, 0), london(2026, 11, 20, 16, 0)

    assert business_time_between(globex(), friday, monday) == timedelta(hours=1, minutes=30)
    assert business_time_between(globex(), monday, friday) == -timedelta(hours=1, minutes=30)
    assert business_time_between(globex(), monday, monday) == timedelta(0)


def test_measuring_a_year() -> None:
    # 2026 has 261 weekdays; England has 8 bank holidays on weekdays (28 Dec is the Boxing Day substitute).
    hours = business_time_between(globex(), london(2026, 1, 1), london(2027, 1, 1)) / timedelta(hours=1)

    assert hours == (261 - 8) * 8.5


def test_long_spans_walk_days_not_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = calendars._utc_offset

    def counting(zone: ZoneInfo, instant: datetime) -> timedelta:
        nonlocal calls
        calls += 1
        return real(zone, instant)

    monkeypatch.setattr(calendars, "_utc_offset", counting)

    business_time_between(globex(), london(2026, 1, 1), london(2027, 1, 1))
    assert calls < 3 * 365  # a minute-by-minute walk would take 525,600
    calls = 0
    assert add_business_time(globex(), london(2026, 11, 18, 9), timedelta(hours=8.5) * 25) == london(2026, 12, 23, 9)
    assert calls < 3 * 40


def test_holidays_are_generated_once_per_country_subdivision_and_year(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str | None, object]] = []
    real = holidays.country_holidays

    def counting(
        country: str, subdiv: str | None = None, years: object = None, **kwargs: object
    ) -> holidays.HolidayBase:
        calls.append((country, subdiv, years))
        return real(country, subdiv=subdiv, years=years, **kwargs)  # type: ignore[arg-type]

    calendars._public_holidays.cache_clear()
    monkeypatch.setattr(calendars.holidays, "country_holidays", counting)
    calendar = BusinessCalendar.for_country("DE", "HE")
    calls.clear()  # validation at construction

    for _ in range(3):
        business_days_after(calendar, date(2026, 12, 18), 25)

    assert sorted(calls) == [("DE", "HE", 2026), ("DE", "HE", 2027)]


# Rule for clock changes: open exactly when the wall clock shows an opening time on that date.


@pytest.mark.parametrize(
    ("time_zone", "day", "hours"),
    [
        ("Europe/Berlin", date(2026, 3, 29), 23),
        ("Europe/Berlin", date(2026, 10, 25), 25),
        ("Europe/London", date(2026, 3, 29), 23),
        ("Europe/London", date(2026, 10, 25), 25),
        ("America/Mexico_City", date(2021, 4, 4), 23),
        ("America/Mexico_City", date(2021, 10, 31), 25),
        ("America/Mexico_City", date(2023, 4, 2), 24),  # no DST any more
        ("America/Mexico_City", date(2023, 10, 29), 24),
    ],
)
def test_a_whole_day_lasts_as_long_as_the_wall_clock_day(time_zone: str, day: date, hours: int) -> None:
    zone = ZoneInfo(time_zone)
    calendar = BusinessCalendar.weekly_hours(time_zone, {day.weekday(): [("00:00", "24:00")]})
    midnight = datetime.combine(day, time(), tzinfo=zone)

    assert business_time_between(calendar, midnight - timedelta(days=1), midnight + timedelta(days=2)) == timedelta(
        hours=hours
    )
    assert add_business_time(calendar, midnight, timedelta(hours=hours)) == datetime.combine(
        day + timedelta(days=1), time(), tzinfo=zone
    )


def test_an_interval_starting_in_the_skipped_hour_opens_when_the_clock_resumes() -> None:
    calendar = BusinessCalendar.weekly_hours("Europe/Berlin", {6: [("02:30", "04:00")]})
    saturday = datetime(2026, 3, 28, 12, tzinfo=BERLIN)

    # zoneinfo alone would put 02:30 (fold=0) at 03:30 CEST; the clock shows 03:00 first.
    assert next_opening(calendar, saturday) == datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN) == utc(2026, 3, 29, 1, 0)
    assert business_time_between(calendar, saturday, saturday + timedelta(days=1)) == timedelta(hours=1)


def test_an_interval_in_the_repeated_hour_is_open_both_times_the_clock_shows_it() -> None:
    calendar = BusinessCalendar.weekly_hours("Europe/Berlin", {6: [("01:00", "02:30")]})
    saturday = datetime(2026, 10, 24, 12, tzinfo=BERLIN)

    # 01:00–02:30 CEST (23:00–00:30 UTC) and 02:00–02:30 CET (01:00–01:30 UTC).
    assert business_time_between(calendar, saturday, saturday + timedelta(days=1)) == timedelta(hours=2)
    assert is_open(calendar, utc(2026, 10, 25, 0, 15))
    assert not is_open(calendar, utc(2026, 10, 25, 0, 45))  # 02:45 CEST
    assert is_open(calendar, utc(2026, 10, 25, 1, 15))  # 02:15 CET
    assert add_business_minutes(calendar, saturday, 100) == utc(2026, 10, 25, 1, 10)


def test_a_calendar_that_never_opens_raises_instead_of_looping() -> None:
    never = BusinessCalendar.weekly_hours("Europe/London", {})
    start = london(2026, 11, 20, 9)

    with pytest.raises(NoOpeningTimeError):
        add_business_minutes(never, start, 15)
    with pytest.raises(NoOpeningTimeError):
        next_opening(never, start)
    with pytest.raises(NoOpeningTimeError):
        business_days_after(never, date(2026, 11, 20), 1)
    assert business_time_between(never, start, start + timedelta(days=30)) == timedelta(0)


def test_a_calendar_whose_only_opening_is_past_raises() -> None:
    calendar = BusinessCalendar.weekly_hours("Europe/London", {}, extra_days={date(2020, 1, 6): [("09:00", "17:00")]})

    assert add_business_minutes(calendar, london(2020, 1, 3, 9), 60) == london(2020, 1, 6, 10)
    with pytest.raises(NoOpeningTimeError):
        add_business_minutes(calendar, london(2026, 11, 20, 9), 15)


def test_the_search_gives_up_after_the_horizon() -> None:
    # Open on Mondays only, but every Monday for eleven years is closed: no opening within ten years.
    first_monday = date(2026, 11, 23)
    calendar = BusinessCalendar.weekly_hours(
        "UTC", {0: [("09:00", "10:00")]}, closures=[first_monday + timedelta(weeks=k) for k in range(11 * 53)]
    )
    assert timedelta(days=3652) <= SEARCH_HORIZON

    with pytest.raises(NoOpeningTimeError):
        add_business_minutes(calendar, utc(2026, 11, 20), 1)
    with pytest.raises(NoOpeningTimeError):
        business_days_after(calendar, date(2026, 11, 20), 1)


def test_business_days_after_zero_is_the_day_or_the_next_business_day() -> None:
    calendar = BusinessCalendar.for_country("GB", "ENG")

    assert business_days_after(calendar, date(2026, 11, 20), 0) == date(2026, 11, 20)
    assert business_days_after(calendar, date(2026, 11, 21), 0) == date(2026, 11, 23)
    assert business_days_after(calendar, date(2026, 11, 21), 1) == date(2026, 11, 23)
    assert business_days_after(calendar, date(2026, 11, 20), 1) == date(2026, 11, 23)
    with pytest.raises(ValueError, match="negative"):
        business_days_after(calendar, date(2026, 11, 20), -1)
    with pytest.raises(TypeError):
        business_days_after(calendar, datetime(2026, 11, 20, tzinfo=UTC), 1)


def test_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_time(globex(), london(2026, 11, 20, 9), -MINUTE)


def test_intervals_are_sorted_and_touching_ones_merged() -> None:
    calendar = BusinessCalendar.weekly_hours("UTC", {0: [("13:00", "17:00"), ("08:30", "12:00"), ("12:00", "13:00")]})

    assert calendar.weekly[0] == (OpeningInterval(time(8, 30), time(17, 0)),)
    assert str(calendar.weekly[0][0]) == "08:30–17:00"


@pytest.mark.parametrize(
    "hours",
    [
        {0: [("08:00", "12:00"), ("11:00", "13:00")]},  # overlapping
        {0: [("12:00", "08:00")]},  # ends before it starts
        {0: [("08:00", "08:00")]},  # empty
        {7: [("08:00", "12:00")]},  # no such weekday
        {0: [("08:00", "12:00", "13:00")]},  # not a pair
        {0: [("8h", "12:00")]},  # not a time
    ],
)
def test_bad_opening_hours_are_refused(hours: dict[int, list[tuple[str, str]]]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        BusinessCalendar.weekly_hours("UTC", hours)


def test_midnight_ends_the_day() -> None:
    as_string = BusinessCalendar.weekly_hours("UTC", {0: [("22:00", "24:00")]})
    as_time = BusinessCalendar.weekly_hours("UTC", {0: [(time(22), time(0))]})

    assert as_string == as_time
    assert business_time_between(as_time, utc(2026, 11, 23), utc(2026, 11, 24)) == timedelta(hours=2)
    assert not is_open(as_time, utc(2026, 11, 24, 0, 0))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_zone": "Europe/Londn"}, "time zone"),
        ({"country": "XX"}, "No public holidays"),
        ({"country": "GB", "subdivision": "XYZ"}, "No public holidays"),
        ({"subdivision": "ENG"}, "needs a country"),
        ({"closures": [date(2026, 12, 27)], "extra_days": {date(2026, 12, 27): [("09:00", "12:00")]}}, "both closed"),
    ],
)
def test_bad_calendars_are_refused(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"time_zone": "Europe/London", "hours": {0: [("09:00", "17:00")]}, **kwargs}

    with pytest.raises(ValueError, match=message):
        BusinessCalendar.weekly_hours(**arguments)  # type: ignore[arg-type]


def test_calendars_are_immutable_and_hashable() -> None:
    calendar = globex()

    with pytest.raises(AttributeError):
        calendar.time_zone = "UTC"  # type: ignore[misc]
    assert hash(calendar) == hash(globex())
    assert calendar == globex() != BusinessCalendar.always_open("Europe/London")

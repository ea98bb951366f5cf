"""The business time a met SLA clock records (``SlaClock.business_seconds``), by hand on
Northwind's office hours (08:30–17:00, Monday to Friday, Europe/Berlin) across the end of summer
time (Sunday 25 October 2026) and a pause.

Started Friday 23 October 15:00 CEST (13:00Z): 2 h open that day. Monday 26 October opens at
08:30 CET (07:30Z; in summer time it would have been 06:30Z); waiting for the customer
09:30–10:30 CET (08:30Z–09:30Z); met at 12:00 CET (11:00Z): 3 h 30 min open on Monday, less the
hour paused. Business time 2 h + 3 h 30 min − 1 h = 4 h 30 min (16,200 s); wall-clock 70 h.
"""

from __future__ import annotations

import datetime as dt

import pytest

from servicedesk.models import BusinessCalendar
from servicedesk.tenancy import tenant_context
from tickets.models import SlaClock
from tickets.services import sla
from tickets.services.reference import CalendarCache

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def test_business_seconds_exclude_closed_hours_and_the_pause_across_the_change_of_time(demo):
    with tenant_context(demo.northwind):
        calendar = BusinessCalendar.objects.get(name="Northwind office hours")
        cache = CalendarCache()
        clock = SlaClock(
            calendar=calendar,
            started_at=dt.datetime(2026, 10, 23, 13, 0, tzinfo=UTC),
            paused_since=dt.datetime(2026, 10, 26, 8, 30, tzinfo=UTC),
        )
        sla._end_pause(clock, dt.datetime(2026, 10, 26, 9, 30, tzinfo=UTC), cache)
        assert clock.paused_seconds == 3600
        met = dt.datetime(2026, 10, 26, 11, 0, tzinfo=UTC)
        assert sla.business_seconds(clock, met, cache) == 16_200
    assert (met - clock.started_at).total_seconds() == 70 * 3600


def test_a_target_met_before_its_deferred_start_records_no_business_time(demo):
    with tenant_context(demo.northwind):
        calendar = BusinessCalendar.objects.get(name="Northwind office hours")
        # Started at Monday's opening (a fault raised on Sunday), answered on Sunday night.
        clock = SlaClock(calendar=calendar, started_at=dt.datetime(2026, 10, 26, 7, 30, tzinfo=UTC))
        assert sla.business_seconds(clock, dt.datetime(2026, 10, 25, 22, 0, tzinfo=UTC), CalendarCache()) == 0

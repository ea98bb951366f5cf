"""The date rules of orders and requests, on the calendar of the site concerned.

Pure: no queries. The arithmetic itself is ``servicedesk.calendars``'; this module only says
which calendar and which rule.

- A site's calendar is Monday to Friday, whole days, closed on the public holidays of the
  site's country and subdivision, in the site's time zone
  (``BusinessCalendar.for_country``). Business days and the SSR's "hours on business days"
  are counted on it.
- Order confirmation deadline: the exact delivery date is confirmed within N business days
  of the order confirmation (``Order.CONFIRMATION_BUSINESS_DAYS``: standard 15, ICB 25),
  counted from the site-local date of the confirmation; the date itself is not counted.
- Estimated delivery: the lead time (business days) counted the same way.
- Simple service requests (seed 001, "at least 48 hours ahead, on business days; weekend
  work needs 5 days' notice"): the requested start lies at least the item's lead time
  (48 hours or more) of business-day time after the request, i.e. hours of Saturdays,
  Sundays and public holidays at the site do not count. Work starting on a day that is not a
  business day at the site (a weekend, or a public holiday) needs, in addition, the item's
  weekend notice in calendar days (at least 5).
- The lead time runs on whole business days: seed 001 counts the 48 hours "on business days",
  not in office hours, so a request made on a Saturday may start on Wednesday at 00:00 site
  time (Monday and Tuesday give the 48 hours); one made on Friday at 10:00 on Tuesday at 10:00.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache
from typing import TYPE_CHECKING

from servicedesk import calendars

if TYPE_CHECKING:
    from servicedesk.models import Site

WEEKEND_NOTICE = dt.timedelta(days=5)


@lru_cache(maxsize=256)
def calendar_for(country: str, subdivision: str, time_zone: str) -> calendars.BusinessCalendar:
    """Business days of a place: Mon–Fri, its public holidays, its zone. A subdivision the
    holidays package does not know falls back to the country's national holidays, a country
    it does not know to Monday to Friday without holidays (a date rule never fails on data)."""
    for region in ((country, subdivision or None), (country, None)):
        try:
            return calendars.BusinessCalendar.for_country(*region, time_zone)
        except ValueError:
            continue
    return calendars.BusinessCalendar.weekly_hours(time_zone, dict.fromkeys(range(5), [("00:00", "24:00")]))


def site_calendar(site: Site) -> calendars.BusinessCalendar:
    """The calendar of a site: its country's and subdivision's holidays, its time zone."""
    return calendar_for(site.country, site.subdivision, site.time_zone)


def local_date(time_zone: str, instant: dt.datetime) -> dt.date:
    """The calendar date the clocks of ``time_zone`` show at ``instant``."""
    return instant.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def confirmation_deadline(calendar: calendars.BusinessCalendar, confirmed_on: dt.date, business_days: int) -> dt.date:
    """The last day on which the exact delivery date may be confirmed."""
    return calendars.business_days_after(calendar, confirmed_on, business_days)


def estimated_delivery(calendar: calendars.BusinessCalendar, confirmed_on: dt.date, lead_days: int) -> dt.date:
    """The delivery date a lead time of ``lead_days`` business days gives."""
    return calendars.business_days_after(calendar, confirmed_on, lead_days)


def starts_on_business_day(calendar: calendars.BusinessCalendar, start: dt.datetime) -> bool:
    return calendars.is_business_day(calendar, local_date(calendar.time_zone, start))


def earliest_ssr_start(
    calendar: calendars.BusinessCalendar,
    now: dt.datetime,
    lead_hours: int,
    *,
    on_business_day: bool,
    weekend_notice: dt.timedelta = WEEKEND_NOTICE,
) -> dt.datetime:
    """The earliest allowed start (UTC) of a request made at ``now`` for work starting on a
    business day (``on_business_day``) or on a weekend or holiday at the site.

    The result is itself an allowed start: for business-day work the first business-day
    instant once the lead time has run; otherwise the later of that lead time and the weekend
    notice (5 days unless the item asks for more)."""
    lead = calendars.add_business_time(calendar, now, dt.timedelta(hours=lead_hours))
    if on_business_day:
        return calendars.next_opening(calendar, lead)
    return max(lead, (now + max(weekend_notice, WEEKEND_NOTICE)).astimezone(dt.UTC))


def ssr_start_allowed(
    calendar: calendars.BusinessCalendar,
    now: dt.datetime,
    lead_hours: int,
    start: dt.datetime,
    *,
    weekend_notice: dt.timedelta = WEEKEND_NOTICE,
) -> tuple[bool, dt.datetime]:
    """Whether work may start at ``start`` when asked for at ``now``, and the earliest allowed
    start for work of its kind (business day, or weekend/holiday)."""
    on_business_day = starts_on_business_day(calendar, start)
    earliest = earliest_ssr_start(
        calendar, now, lead_hours, on_business_day=on_business_day, weekend_notice=weekend_notice
    )
    return start >= earliest, earliest

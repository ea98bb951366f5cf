"""Reading a report's period and filters from query parameters (the API and the pages): every
bad parameter is named in one ``InvalidInput``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from reports.periods import MAX_DAYS, Period, preset
from reports.selectors import ReportFilters
from servicedesk.api_params import MAX_INTEGER
from servicedesk.errors import InvalidInput
from tickets.models import Priority, Ticket

ID_FILTERS = {"account": "account_id", "site": "site_id", "product_area": "product_area_id", "team": "team_id"}


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def read_period(params: Mapping[str, str], *, zone: ZoneInfo, now: dt.datetime, errors: dict[str, list[str]]) -> Period:
    """``from`` and ``to`` (YYYY-MM-DD, both inclusive); either missing: the current month so far
    (``from`` alone: up to today; ``to`` alone: its month's first day)."""
    default = preset("month", zone, now)
    first_text, last_text = params.get("from", ""), params.get("to", "")
    first = _date(first_text) if first_text else None
    last = _date(last_text) if last_text else None
    if first_text and first is None:
        errors["from"] = [_("Give a date as YYYY-MM-DD.")]
    if last_text and last is None:
        errors["to"] = [_("Give a date as YYYY-MM-DD.")]
    if first is None and last is not None:
        first = last.replace(day=1)
    first = first or default.first
    last = last or max(default.last, first)
    if "from" not in errors and "to" not in errors:
        if last < first:
            errors["to"] = [_("The end of the period comes before its start.")]
        elif (last - first).days + 1 > MAX_DAYS:
            errors["to"] = [_("A report covers at most %(days)d days.") % {"days": MAX_DAYS}]
    return Period(first, last if last >= first else first, zone)


def read_filters(params: Mapping[str, str], *, errors: dict[str, list[str]]) -> ReportFilters:
    ids: dict[str, int | None] = {}
    for name, attribute in ID_FILTERS.items():
        value = params.get(name, "")
        if not value:
            ids[attribute] = None
        elif value.isascii() and value.isdigit() and int(value) <= MAX_INTEGER:
            ids[attribute] = int(value)
        else:
            errors[name] = [_("Give the number of one %(what)s.") % {"what": name.replace("_", " ")}]
    choices = {"priority": Priority.values, "kind": Ticket.Kind.values}
    chosen: dict[str, tuple[str, ...]] = {}
    for name, allowed in choices.items():
        values = tuple(v for v in params.get(name, "").split(",") if v)
        unknown = [v for v in values if v not in allowed]
        if unknown:
            errors[name] = [_("Choose from: %(choices)s.") % {"choices": ", ".join(allowed)}]
        chosen[name] = values
    return ReportFilters(**ids, priorities=chosen["priority"], kinds=chosen["kind"])


def read_report_query(params: Mapping[str, str], *, zone: ZoneInfo, now: dt.datetime) -> tuple[Period, ReportFilters]:
    errors: dict[str, list[str]] = {}
    period = read_period(params, zone=zone, now=now, errors=errors)
    filters = read_filters(params, errors=errors)
    if errors:
        raise InvalidInput(errors)
    return period, filters

"""Every figure of the managers' dashboard (and of a customer account's monthly report) for one
period and set of filters, gathered once: the pages, their CSV exports and the monthly report
read the same object. About a dozen queries, whatever the number of tickets; the days the daily roll-ups answer
for (``reports.rollup``) are read from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from reports import figures, rollup
from reports.periods import Period
from reports.selectors import ReportFilters, SlaReport, sla_report
from servicedesk.models import User


@dataclass(frozen=True)
class Dashboard:
    period: Period
    filters: ReportFilters
    report: SlaReport
    trend: list[dict[str, Any]]
    trend_by: str
    breaches: list[Any]
    backlog: dict[str, dict[str, int]]
    escalations: dict[tuple[int, str], int]
    durations: dict[str, figures.Durations]
    reopenings: dict[str, Any]
    orders: dict[str, Any]
    availability: list[figures.Availability]

    @property
    def breach_count(self) -> int:
        return sum(target.breached for target in self.report.targets.values())


def build_dashboard(
    *,
    actor: User,
    filters: ReportFilters,
    period: Period,
    now: dt.datetime,
    trend_by: str = "day",
    breach_limit: int = 50,
    every_service: bool = False,
) -> Dashboard:
    cover = rollup.coverage(actor=actor, filters=filters, period=period)
    report = sla_report(actor=actor, filters=filters, period=period, cover=cover)
    a, f = actor, filters
    return Dashboard(
        period=period,
        filters=filters,
        report=report,
        trend=figures.trend(actor=a, filters=f, period=period, by=trend_by, cover=cover),
        trend_by=trend_by,
        breaches=figures.breaches(actor=a, filters=f, period=period, limit=breach_limit),
        backlog=figures.backlog(actor=a, filters=f, now=now),
        escalations=figures.escalations(actor=a, filters=f, period=period),
        durations=figures.durations(actor=a, filters=f, period=period, cover=cover),
        reopenings=figures.reopenings(actor=a, filters=f, period=period, resolved=report.resolved),
        orders=figures.orders_on_time(actor=a, filters=f, period=period),
        availability=figures.availability(actor=a, filters=f, period=period, now=now, every_service=every_service),
    )

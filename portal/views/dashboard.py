"""The managers' pages: the service-level dashboard (period presets, filters, every figure of
``reports.dashboard`` with its chart and table, CSV export of each table) and the tenant's
accounts, sites, staff and teams. Managers and tenant administrators; for anyone else the pages
do not exist."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from escalation.models import EscalationEvent
from portal import charts
from portal.forms.reports import DashboardForm
from portal.templatetags.report_tags import age_label, short_target, trigger_label
from portal.views.access import managers_required, signed_in_user
from reports.dashboard import Dashboard, build_dashboard
from reports.figures import AGE_BUCKETS, DURATION_TARGETS
from reports.periods import Period
from reports.selectors import TARGETS, ReportFilters
from servicedesk.models import Team, User
from servicedesk.selectors import staff_filter_choices, staff_of_tenant

#: Rows a CSV of breaches holds at most (the page shows the latest 50).
CSV_BREACHES = 10_000
#: Services the page lists under availability, the most downtime first (the CSV holds every one:
#: a large desk has thousands with an outage in a month).
AVAILABILITY_ON_PAGE = 20


def _zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.tenant.time_zone if user.tenant else "UTC")


def _dashboard(request: HttpRequest, breach_limit: int) -> tuple[DashboardForm, Dashboard]:
    user = signed_in_user(request)
    form = DashboardForm(request.GET or None, actor=user, zone=_zone(user))
    period = form.period_of()
    dashboard = build_dashboard(
        actor=user,
        filters=form.filters(),
        period=period,
        now=timezone.now(),
        trend_by=form.trend_by,
        breach_limit=breach_limit,
    )
    return form, dashboard


def queue_link(filters: ReportFilters, period: Period | None = None, **extra: Any) -> str:
    """The console queue narrowed like the dashboard (account, site, product area, team, priority,
    kind), every status, oldest first, to the days of ``period`` (those of the event ``extra``
    names with ``dates``) and to ``extra``."""
    base = {
        "account": filters.account_id,
        "site": filters.site_id,
        "product_area": filters.product_area_id,
        "team": filters.team_id,
        "kind": ",".join(filters.kinds),
        "priority": ",".join(filters.priorities),
        "status": "all",
    }
    if period is not None:
        base |= {"date_from": period.first.isoformat(), "date_to": period.last.isoformat()}
    query = {key: value for key, value in {**base, **extra, "sort": "created"}.items() if value}
    return f"{reverse('portal:console-queue')}?{urlencode(query)}"


def queue_links(filters: ReportFilters, period: Period) -> dict[str, str]:
    """The console queue narrowed exactly like the dashboard (account, site, product area, team,
    priority, kind): the tickets opened in the period, those resolved in it (by the days of
    their opening or last resolution in the tenant's zone, as the figures count them), and the
    open ones per priority, oldest first (the backlog); per target those whose target was met
    on time or breached in the period (``"respond met"``, ``"respond breached"``, …), those whose
    response or restoration was met at all (``"respond reached"``: the times), those reopened and
    those surveyed in it; and the orders handed over on their committed date (the orders list).
    Escalations and availability link per cell and service (``queue_link``)."""
    base = {
        "account": filters.account_id,
        "site": filters.site_id,
        "product_area": filters.product_area_id,
        "team": filters.team_id,
        "kind": ",".join(filters.kinds),
    }
    base = {key: value for key, value in base.items() if value}
    chosen = {"priority": ",".join(filters.priorities)} if filters.priorities else {}
    days = {"date_from": period.first.isoformat(), "date_to": period.last.isoformat()}
    queue = reverse("portal:console-queue")

    def link(**extra: Any) -> str:
        return f"{queue}?{urlencode({**base, **extra})}"

    links = {
        "opened": link(status="all", **chosen, dates="created", **days, sort="created"),
        "resolved": link(status="all", **chosen, dates="resolved", **days, sort="created"),
        "open": link(status="open", **chosen, sort="created"),
    }
    for target in TARGETS:
        for outcome in ("met", "breached"):
            # The tickets whose target was decided so in the period (one clock per ticket and target).
            links[f"{target} {outcome}"] = queue_link(filters, period, dates=outcome, target=target)
    for target in DURATION_TARGETS:  # the targets met (on time or late) the times are measured over
        links[f"{target} reached"] = queue_link(filters, period, dates="reached", target=target)
    # Orders know the account and site filters only (reports.figures.orders_on_time).
    orders = {"show": "on_time", "account": filters.account_id, "site": filters.site_id, **days}
    links["orders on time"] = f"{reverse('portal:console-orders')}?{urlencode({k: v for k, v in orders.items() if v})}"
    links["reopened"] = queue_link(filters, period, dates="reopened")
    links["surveyed"] = queue_link(filters, period, dates="surveyed")
    for priority in ("P1", "P2", "P3", "P4"):
        links[priority] = link(status="open", priority=priority, sort="created")
        for bucket, _low, _high in AGE_BUCKETS:
            links[f"{priority} {bucket}"] = link(status="open", priority=priority, age=bucket, sort="created")
    return links


@managers_required
@require_GET
def dashboard_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form, dashboard = _dashboard(request, breach_limit=50)
    buckets = [key for key, _low, _high in AGE_BUCKETS]
    triggers = EscalationEvent.Trigger.values
    links = queue_links(dashboard.filters, dashboard.period)
    period_filters, period = dashboard.filters, dashboard.period
    choices = staff_filter_choices(tenant_id=user.tenant_id) if user.tenant_id is not None else None
    return render(
        request,
        "dashboards/home.html",
        {
            "form": form,
            "dashboard": dashboard,
            "period_label": form.period_label(dashboard.period),
            "attainment_chart": charts.attainment_payload(dashboard.report.targets),
            "trend_chart": charts.trend_payload(dashboard.trend),
            "backlog_chart": charts.backlog_payload(dashboard.backlog),
            "target_rows": [
                {"target": t, "figures": f, "met_link": links[f"{t} met"], "breached_link": links[f"{t} breached"]}
                for t, f in dashboard.report.targets.items()
            ],
            "age_buckets": buckets,
            "backlog_rows": [
                {
                    "priority": p,
                    "cells": [{"count": counts[b], "link": links[f"{p} {b}"]} for b in buckets],
                    "total": sum(counts.values()),
                    "link": links[p],
                }
                for p, counts in dashboard.backlog.items()
            ],
            "triggers": triggers,
            "escalation_rows": [
                {
                    "level": level,
                    "cells": [
                        {
                            "count": dashboard.escalations.get((level, t), 0),
                            "link": queue_link(period_filters, period, dates="escalated", level=level, trigger=t),
                        }
                        for t in triggers
                    ],
                }
                for level in sorted({level for level, _trigger in dashboard.escalations})
            ],
            "availability_rows": [
                {"row": row, "link": queue_link(period_filters, period, dates="outage", service=row.service_id)}
                for row in dashboard.availability[:AVAILABILITY_ON_PAGE]
            ],
            "availability_more": max(0, len(dashboard.availability) - AVAILABILITY_ON_PAGE),
            "times_links": {t: links[f"{t} reached"] for t in DURATION_TARGETS},
            "queue": links,
            "export_query": request.GET.urlencode(),
            # Every account and site of the tenant, counted in its cached reference data (the filter's).
            "account_count": len(choices.accounts) if choices else 0,
            "site_count": len(choices.sites) if choices else 0,
            "staff_count": staff_of_tenant(actor=user).count(),
            "teams": Team.objects.select_related("product_area").order_by("name"),
        },
    )


# --- CSV exports: one per table of the page ------------------------------------------------------

Table = tuple[list[str], list[list[Any]]]


def _targets_table(d: Dashboard) -> Table:
    rows = [[t, short_target(t), f.met, f.breached, f.attainment] for t, f in d.report.targets.items()]
    return [_("target"), _("name"), _("met"), _("breached"), _("attainment")], rows


def _trend_table(d: Dashboard) -> Table:
    header = [_("from")] + [f"{t} {what}" for t in TARGETS for what in (_("met"), _("breached"), _("attainment"))]
    rows = [
        [b["bucket"].isoformat()]
        + [v for t in TARGETS for v in (b["targets"][t].met, b["targets"][t].breached, b["targets"][t].attainment)]
        for b in d.trend
    ]
    return header, rows


def _breaches_table(d: Dashboard) -> Table:
    header = [_("ticket"), _("subject"), _("customer account"), _("priority"), _("target"), _("due"), _("met")]
    rows = [
        [
            c["number"],
            c["subject"],
            c["account"],
            c["priority"],
            c["target"],
            c["due_at"].isoformat(),
            c["met_at"].isoformat() if c["met_at"] else "",
        ]  # fmt: skip
        for c in d.breaches
    ]
    return header, rows


def _backlog_table(d: Dashboard) -> Table:
    keys = [key for key, _low, _high in AGE_BUCKETS]
    header = [_("priority"), *(age_label(key) for key in keys), _("total")]
    rows = [[p, *(b[k] for k in keys), sum(b.values())] for p, b in d.backlog.items()]
    return header, rows


def _escalations_table(d: Dashboard) -> Table:
    rows = [
        [level, trigger, trigger_label(trigger), count] for (level, trigger), count in sorted(d.escalations.items())
    ]
    return [_("level"), _("trigger"), _("name"), _("escalations")], rows


def _times_table(d: Dashboard) -> Table:
    header = [_("target"), _("measured in"), _("count"), _("mean (s)"), _("median (s)"), _("90th percentile (s)")]
    rows = []
    for t, x in d.durations.items():
        rows.append([t, "business", x.business_count, x.business_mean, x.business_median, x.business_p90])
        rows.append([t, "wall-clock", x.count, x.mean, x.median, x.p90])
    return header, rows


def _availability_table(d: Dashboard) -> Table:
    header = [_("service"), _("product"), _("site"), _("outages"), _("downtime (s)"), _("availability")]
    rows = [
        [a.service_id, a.product, a.site, a.outages, round(a.downtime_seconds), a.availability] for a in d.availability
    ]
    return header, rows


def _summary_table(d: Dashboard) -> Table:
    r, o = d.reopenings, d.orders
    rows = [
        [_("tickets opened"), d.report.opened],
        [_("tickets resolved"), d.report.resolved],
        [_("tickets reopened"), r["reopened"]],
        [_("reopen rate"), r["rate"]],
        [_("orders handed over"), o["delivered"]],
        [_("orders with a committed date"), o["committed"]],
        [_("orders handed over on or before their committed date"), o["on_time"]],
        [_("CSAT responses"), d.report.csat["responses"]],
        [_("CSAT average"), d.report.csat["average"]],
    ]
    return [_("figure"), _("value")], rows


TABLES: dict[str, Callable[[Dashboard], Table]] = {
    "summary": _summary_table,
    "targets": _targets_table,
    "trend": _trend_table,
    "breaches": _breaches_table,
    "backlog": _backlog_table,
    "escalations": _escalations_table,
    "times": _times_table,
    "availability": _availability_table,
}


#: A cell a spreadsheet would run as a formula (a ticket's subject is the customer's text).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """The value as a CSV cell: empty for None; text that a spreadsheet would take for a
    formula is prefixed with an apostrophe (numbers stay numbers)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(name: str, table: Table, dashboard: Dashboard) -> HttpResponse:
    period = dashboard.period
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{name}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    header, rows = table
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return response


@managers_required
@require_GET
def dashboard_export(request: HttpRequest, table: str) -> HttpResponse:
    if table not in TABLES:
        raise Http404
    _form, dashboard = _dashboard(request, breach_limit=CSV_BREACHES)
    return csv_response(table, TABLES[table](dashboard), dashboard)

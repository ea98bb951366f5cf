"""The dashboard's figures beyond the report (``reports.selectors``): the trend of attainment,
the breaches, the backlog, escalations, response and restoration times, reopenings, orders
delivered on their committed date and availability per service. Each family is one query (two
or three on SQLite, which has no percentile aggregate), whatever the number of tickets.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate, TruncDay, TruncWeek

from escalation.models import EscalationEvent
from orders.models import Order, Service
from reports import rollup
from reports.periods import Period
from reports.selectors import (
    BREACHED,
    MET,
    TARGETS,
    ReportFilters,
    TargetFigures,
    breached_in,
    clocks_in_scope,
    met_in,
    of_tickets_in_scope,
    ratio,
    tickets_in_scope,
)
from reports.sql import PercentileDisc, SecondsBetween
from servicedesk.db.features import has_ordered_set_aggregates
from servicedesk.models import User
from tickets.models import Priority, SlaClock, SlaTarget, Ticket, TicketEvent

# --- trend ---------------------------------------------------------------------------------------


def trend(
    *, actor: User, filters: ReportFilters, period: Period, by: str = "day", cover: rollup.Coverage | None = None
) -> list[dict[str, Any]]:
    """Met and breached per target per day (or per ISO week, Monday first) of the period, in the
    period's zone: ``[{"bucket": date, "targets": {target: TargetFigures}}]``, every bucket of the
    period present. Two queries per directly counted piece of the period (met by met_at,
    breached by due_at), one for its rolled-up days."""
    cover = cover or rollup.coverage(actor=actor, filters=filters, period=period)
    truncate = TruncWeek if by == "week" else TruncDay

    def bucket_of(day: dt.date) -> dt.date:
        return day - dt.timedelta(days=day.weekday()) if by == "week" else day

    counted: dict[tuple[dt.date, str], dict[str, int]] = {}

    def add(day: dt.date, target: str, key: str, count: int) -> None:
        figures = counted.setdefault((bucket_of(day), target), {"met": 0, "breached": 0})
        figures[key] += count

    for piece in cover.direct:
        for key, condition, instant in (("met", met_in(piece), "met_at"), ("breached", breached_in(piece), "due_at")):
            rows = (
                clocks_in_scope(actor=actor, filters=filters, condition=condition)
                .annotate(bucket=truncate(instant, tzinfo=period.zone))
                .values("bucket", "target")
                .annotate(count=Count("*"))
            )
            for row in rows:
                bucket = row["bucket"]
                day = bucket.astimezone(period.zone).date() if isinstance(bucket, dt.datetime) else bucket
                add(day, row["target"], key, row["count"])
    if cover.rolled:
        rolled = (
            rollup.rolled_rows(cover, filters)
            .exclude(target="")
            .values("day", "target")
            .annotate(met=Sum("met"), breached=Sum("breached"))
        )
        for day_row in rolled:
            add(day_row["day"], day_row["target"], "met", day_row["met"])
            add(day_row["day"], day_row["target"], "breached", day_row["breached"])
    buckets = []
    day = bucket_of(period.first)
    step = dt.timedelta(days=7 if by == "week" else 1)
    while day <= period.last:
        figures = {t: counted.get((day, t), {"met": 0, "breached": 0}) for t in TARGETS}
        buckets.append(
            {"bucket": day, "targets": {t: TargetFigures(f["met"], f["breached"]) for t, f in figures.items()}}
        )
        day += step
    return buckets


# --- breaches ------------------------------------------------------------------------------------


def breaches(*, actor: User, filters: ReportFilters, period: Period, limit: int = 50) -> list[dict[str, Any]]:
    """The latest ``limit`` targets breached in the period (by due instant): per breach its
    ``target``, ``due_at``, ``met_at`` and the ticket's ``number``, ``subject``, ``priority`` and
    ``account`` name, as plain rows (no model instances). One query."""
    clocks = of_tickets_in_scope(
        SlaClock.objects.filter(state=BREACHED, due_at__gte=period.start, due_at__lt=period.end),
        actor=actor,
        filters=filters,
    )
    return list(
        clocks.order_by("-due_at", "-id").values(
            "target",
            "due_at",
            "met_at",
            number=F("ticket__number"),
            subject=F("ticket__subject"),
            priority=F("ticket__priority"),
            account=F("ticket__account__name"),
        )[:limit]  # fmt: skip
    )


# --- backlog -------------------------------------------------------------------------------------

#: Age buckets of open tickets: (key, lower bound in hours, upper bound in hours or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("lt_1d", 0, 24),
    ("1_3d", 24, 72),
    ("3_7d", 72, 168),
    ("7_30d", 168, 720),
    ("gt_30d", 720, None),
)


def backlog(*, actor: User, filters: ReportFilters, now: dt.datetime) -> dict[str, dict[str, int]]:
    """Open tickets now, by priority and age bucket: ``{priority: {bucket: count}}``, zeros
    included. One query (ticket_open_priority_idx, read in its order): per priority, how many
    are younger than each bucket's upper bound, and all; a bucket is the difference of two
    (cheaper than grouping every open ticket by a computed bucket: 20 → 15 ms at 100,000)."""
    bounds = [high for _key, _low, high in AGE_BUCKETS if high is not None]
    younger = {
        f"younger_{hours}": Count("pk", filter=Q(created_at__gt=now - dt.timedelta(hours=hours))) for hours in bounds
    }
    rows = (
        tickets_in_scope(actor=actor, filters=filters)
        .filter(status__in=Ticket.OPEN_STATUSES)
        .values("priority")
        .annotate(**younger, every=Count("pk"))
    )
    table = {str(priority): {key: 0 for key, _low, _high in AGE_BUCKETS} for priority in Priority.values}
    for row in rows:
        # The number younger than each bound, then all: each bucket is its count less the one before.
        reached = [*(row[f"younger_{hours}"] for hours in bounds), row["every"]]
        for (key, _low, _high), count, before in zip(AGE_BUCKETS, reached, [0, *reached[:-1]], strict=True):
            table[row["priority"]][key] = count - before
    return table


# --- escalations ---------------------------------------------------------------------------------


def escalations(*, actor: User, filters: ReportFilters, period: Period) -> dict[tuple[int, str], int]:
    """Escalations (levels reached upwards, skipped levels not counted) in the period, by level
    and trigger. Staff only (a customer sees none). One query (escalationevent_tenant_at_idx)."""
    if not actor.is_desk_staff:
        return {}
    events = of_tickets_in_scope(
        EscalationEvent.objects.filter(
            at__gte=period.start, at__lt=period.end, is_skipped=False, level__gt=F("from_level")
        ).order_by(),
        actor=actor,
        filters=filters,
    )
    rows = events.values("level", "trigger").annotate(count=Count("pk"))
    return {(row["level"], row["trigger"]): row["count"] for row in rows}


# --- times to respond and restore ----------------------------------------------------------------


@dataclass(frozen=True)
class Durations:
    """Seconds from a clock's start to the instant its target was met, over the targets met (on
    time or late) in the period: in wall-clock time (pauses included) and in business time of the
    clock's calendar (pauses excluded; ``SlaClock.business_seconds``, recorded when it was met)."""

    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None
    business_count: int = 0
    business_mean: float | None = None
    business_median: float | None = None
    business_p90: float | None = None


DURATION_TARGETS = (str(SlaTarget.RESPOND), str(SlaTarget.RESTORE))


def durations(
    *, actor: User, filters: ReportFilters, period: Period, cover: rollup.Coverage | None = None
) -> dict[str, Durations]:
    """Mean, median and 90th percentile (nearest rank) of the time to respond and to restore, in
    wall-clock and in business time. One query on PostgreSQL (percentile_disc, an index-only scan
    of slaclock_met_idx); where the roll-ups answer for some days, the counts and sums of those
    days come from them (one query) and the percentiles, which no sum can give, from the clocks
    (one query). On SQLite one more per target, measure and percentile."""
    cover = cover or rollup.coverage(actor=actor, filters=filters, period=period)

    def clocks_met_in(piece: Period) -> QuerySet[Any]:
        return of_tickets_in_scope(
            SlaClock.objects.filter(
                target__in=DURATION_TARGETS,
                state__in=[MET, BREACHED],
                met_at__gte=piece.start,
                met_at__lt=piece.end,
            ).order_by(),
            actor=actor,
            filters=filters,
        ).annotate(seconds=SecondsBetween(F("started_at"), F("met_at")), business=F("business_seconds"))

    sums: dict[str, Any] = {
        "count": Count("pk"),
        "wall": Sum("seconds"),
        "business_count": Count("business"),
        "business_sum": Sum("business", output_field=FloatField()),
    }
    postgres = has_ordered_set_aggregates()
    percentiles: dict[str, Any] = (
        {
            "median": PercentileDisc("seconds", 0.5),
            "p90": PercentileDisc("seconds", 0.9),
            "business_median": PercentileDisc("business", 0.5),
            "business_p90": PercentileDisc("business", 0.9),
        }
        if postgres
        else {}
    )
    zero = {"count": 0, "wall": 0.0, "business_count": 0, "business_sum": 0.0}
    rows: dict[str, dict[str, Any]] = {target: dict(zero) for target in DURATION_TARGETS}

    def add(row: dict[str, Any]) -> None:
        totals = rows[row["target"]]
        for key in zero:
            totals[key] += row[key] or 0

    whole = clocks_met_in(period)
    if cover.rolled:
        for piece in cover.direct:
            for row in clocks_met_in(piece).values("target").annotate(**sums):
                add(row)
        rolled = (
            rollup.rolled_rows(cover, filters)
            .filter(target__in=DURATION_TARGETS)
            .values("target")
            .annotate(
                count=Sum("timed"),
                wall_us=Sum("wall_microseconds"),
                business_count=Sum("business_timed"),
                business_sum=Sum("business_seconds"),
            )
        )
        for row in rolled:
            add({**row, "wall": row["wall_us"] / 1_000_000})
        for target, median, p90, business_median, business_p90 in _percentiles(cover, filters, clocks_met_in):
            rows[target].update(
                {"median": median, "p90": p90, "business_median": business_median, "business_p90": business_p90}
            )
    else:
        for row in whole.values("target").annotate(**sums, **percentiles):
            add(row)
            rows[row["target"]].update({key: row[key] for key in percentiles})
    result = {}
    for target in DURATION_TARGETS:
        row = rows[target]
        if not row["count"]:
            result[target] = Durations()
            continue
        if not postgres:
            ordered = whole.filter(target=target)
            wall = ordered.order_by("seconds").values_list("seconds", flat=True)
            business = ordered.filter(business__isnull=False).order_by("business").values_list("business", flat=True)
            row["median"], row["p90"] = (_nearest_rank(wall, row["count"], f) for f in (0.5, 0.9))
            row["business_median"], row["business_p90"] = (
                (_nearest_rank(business, row["business_count"], f) for f in (0.5, 0.9))
                if row["business_count"]
                else (None, None)
            )
        business_count = row["business_count"]
        result[target] = Durations(
            row["count"],
            row["wall"] / row["count"],
            row["median"],
            row["p90"],
            business_count,
            row["business_sum"] / business_count if business_count else None,
            None if row["business_median"] is None else float(row["business_median"]),
            None if row["business_p90"] is None else float(row["business_p90"]),
        )
    return result


#: The percentiles of the durations of a period, from the values the roll-ups hold for its
#: rolled-up days and the clocks of the other days, sorted together.
PERCENTILES = """
SELECT target,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY seconds), percentile_disc(0.9) WITHIN GROUP (ORDER BY seconds),
    percentile_disc(0.5) WITHIN GROUP (ORDER BY business), percentile_disc(0.9) WITHIN GROUP (ORDER BY business)
FROM ({parts}) AS durations
GROUP BY target
"""
ROLLED_DURATIONS = """SELECT r.target, v.seconds, v.business
FROM ({rows}) AS r(target, wall_values, business_values), unnest(r.wall_values, r.business_values) AS v(seconds, business)"""
CLOCK_DURATIONS = "SELECT * FROM ({clocks}) AS p(target, seconds, business)"


def _percentiles(
    cover: rollup.Coverage, filters: ReportFilters, clocks_met_in: Any
) -> list[tuple[str, float, float, float | None, float | None]]:
    """Median and 90th percentile per duration target, wall-clock and business, over the rolled-up
    days' values and the other days' clocks. One query (PostgreSQL only: roll-ups exist there)."""
    rolled = rollup.rolled_rows(cover, filters).filter(target__in=DURATION_TARGETS)
    sql, params = rolled.values("target", "wall_values", "business_values").query.sql_with_params()
    # Only SQL the ORM compiled is put together here; every value is a parameter.
    parts = [ROLLED_DURATIONS.format(rows=sql)]
    every = list(params)
    for piece in cover.direct:
        sql, params = clocks_met_in(piece).values("target", "seconds", "business").query.sql_with_params()
        parts.append(CLOCK_DURATIONS.format(clocks=sql))
        every.extend(params)
    with connection.cursor() as cursor:
        cursor.execute(PERCENTILES.format(parts=" UNION ALL ".join(parts)), every)
        return cursor.fetchall()


def _nearest_rank(ordered: QuerySet[Any], count: int, fraction: float) -> float:
    """The value at rank ceil(fraction × count) of ``ordered`` (what percentile_disc returns)."""
    offset = max(0, math.ceil(fraction * count) - 1)
    return float(ordered[offset])


# --- reopenings ----------------------------------------------------------------------------------


def reopenings(*, actor: User, filters: ReportFilters, period: Period, resolved: int) -> dict[str, Any]:
    """Tickets reopened in the period (each once however often) and their share of the tickets
    resolved in it. One query (ticketevent_reopen_idx)."""
    events = of_tickets_in_scope(
        TicketEvent.objects.filter(
            kind=TicketEvent.Kind.TRANSITION,
            field="status",
            from_value=Ticket.Status.RESOLVED,
            to_value=Ticket.Status.IN_PROGRESS,
            at__gte=period.start,
            at__lt=period.end,
        ).order_by(),
        actor=actor,
        filters=filters,
    )
    reopened = events.aggregate(tickets=Count("ticket_id", distinct=True))["tickets"]
    return {"reopened": reopened, "resolved": resolved, "rate": ratio(reopened, resolved)}


# --- orders --------------------------------------------------------------------------------------


def orders_on_time(*, actor: User, filters: ReportFilters, period: Period) -> dict[str, Any]:
    """Orders handed over in the period: how many, how many had a committed date, and how many of
    those were handed over on or before it (the day in the period's zone). Orders know the
    account and site filters only. One query."""
    orders = Order.objects.visible_to(actor).filter(handed_over_at__gte=period.start, handed_over_at__lt=period.end)
    if filters.account_id is not None:
        orders = orders.filter(account_id=filters.account_id)
    if filters.site_id is not None:
        orders = orders.filter(site_id=filters.site_id)
    committed = Q(committed_delivery_on__isnull=False)
    figures = orders.order_by().aggregate(
        delivered=Count("pk"),
        committed=Count("pk", filter=committed),
        on_time=Count(
            "pk", filter=committed & Q(committed_delivery_on__gte=TruncDate("handed_over_at", tzinfo=period.zone))
        ),
    )
    return {**figures, "rate": ratio(figures["on_time"], figures["committed"])}


# --- availability --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    service_pk: int
    service_id: str
    product: str
    site: str
    outages: int
    downtime_seconds: float
    availability: float | None


#: The union of each service's outage intervals (in seconds from the period's start; each row
#: stands for ``outages`` incidents): an interval that begins after every earlier one has ended
#: opens a new island; an island's downtime is its latest end less its earliest start. Window
#: functions both databases have.
UNION_OF_OUTAGES = """
SELECT service_id, SUM(outages), SUM(island_end - island_start) FROM (
    SELECT service_id, SUM(outages) AS outages, MIN(began) AS island_start, MAX(ended) AS island_end FROM (
        SELECT service_id, began, ended, outages,
            SUM(CASE WHEN ended_before IS NULL OR began > ended_before THEN 1 ELSE 0 END)
            OVER (PARTITION BY service_id ORDER BY began, ended ROWS UNBOUNDED PRECEDING) AS island
        FROM (
            SELECT service_id, began, ended, outages, MAX(ended)
                OVER (PARTITION BY service_id ORDER BY began, ended ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                AS ended_before
            FROM ({outages}) AS outage
        ) AS ordered
    ) AS numbered
    GROUP BY service_id, island
) AS islands
GROUP BY service_id
"""


def outage_downtime(
    *, actor: User, filters: ReportFilters, period: Period, now: dt.datetime
) -> dict[int, tuple[int, float]]:
    """Per service: the service-affecting incidents (impact ``outage``) that overlap the period
    and their downtime in it, from the problem's start (or the ticket's creation) to its
    restoration (or now), clipped to the period. Overlapping outages of one service count once:
    the downtime is the length of the union of their intervals. One query (the outages are read
    from ticket_outage_restored_idx, the union is taken by window functions)."""
    end = min(period.end, now)
    start_of_outage = Coalesce("problem_started_at", "created_at")
    restored = Coalesce("resolved_at", Value(now, output_field=DateTimeField()))
    origin = Value(period.start, output_field=DateTimeField())
    began = Greatest("began_at", origin)

    def outages(still: Q) -> QuerySet[Any]:
        return (
            tickets_in_scope(actor=actor, filters=filters)
            .filter(kind=Ticket.Kind.INCIDENT, impact="outage", service__isnull=False)
            .filter(still)
            .annotate(began_at=start_of_outage)
            .filter(began_at__lt=end)
            .annotate(
                began=SecondsBetween(origin, began),
                # Never before its start (a restoration recorded before the problem began).
                ended=SecondsBetween(
                    origin, Greatest(Least(restored, Value(end, output_field=DateTimeField())), began)
                ),
            )
        )

    # Restored after the period began, or not restored yet: two range scans of the index (with
    # OR, the whole tenant's outages were read and filtered). The outages not restored yet all
    # end at the same instant (``end``, or where one begins if that is later), so a service's
    # make one interval, from the earliest start to that end: one row per service with their
    # number, not a row each for the window functions to sort (a large desk has tens of
    # thousands open), and its seconds computed once per service from the earliest and latest
    # start (both functions grow with the start, so they commute with MIN and MAX).
    restored_in_period = (
        outages(Q(resolved_at__gt=period.start))
        .annotate(outages=Value(1, output_field=IntegerField()))
        .values("service_id", "began", "ended", "outages")
    )
    now_or_end = Least(Value(now, output_field=DateTimeField()), Value(end, output_field=DateTimeField()))
    still_down = (
        outages(Q(resolved_at__isnull=True, status__in=Ticket.OPEN_STATUSES))
        .order_by()
        .values("service_id")
        .annotate(
            first=SecondsBetween(origin, Greatest(Min("began_at"), origin)),
            last=SecondsBetween(origin, Greatest(now_or_end, Greatest(Max("began_at"), origin))),
            outages=Count("*"),
        )
        .values("service_id", "first", "last", "outages")
    )
    overlapping = restored_in_period.union(still_down, all=True)
    inner, params = overlapping.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(UNION_OF_OUTAGES.format(outages=inner), params)
        rows = cursor.fetchall()
    return {service: (int(count), max(0.0, float(down or 0.0))) for service, count, down in rows}


def availability(
    *, actor: User, filters: ReportFilters, period: Period, now: dt.datetime, every_service: bool = False
) -> list[Availability]:
    """Availability per service over the period so far: 1 − downtime / the period's seconds (to
    4 places, never below 0). Without ``every_service`` only the services with downtime, most
    downtime first (the dashboard); with it, every service the actor sees in the filters' account
    and site, worst first (a customer's report). Two queries."""
    downtime = outage_downtime(actor=actor, filters=filters, period=period, now=now)
    services = Service.objects.visible_to(actor).order_by("service_id")
    if filters.account_id is not None:
        services = services.filter(account_id=filters.account_id)
    if filters.site_id is not None:
        services = services.filter(site_id=filters.site_id)
    if filters.product_area_id is not None:
        services = services.filter(product_area_id=filters.product_area_id)
    if not every_service:
        services = services.filter(pk__in=list(downtime))
    seconds = period.elapsed_seconds(now)
    rows = []
    # Rows, not model instances: a large desk has thousands of services with an outage a month.
    for pk, service_id, product, site in services.values_list("pk", "service_id", "product", "site__name"):
        outages, down = downtime.get(pk, (0, 0.0))
        share = None if seconds == 0 else max(0.0, round(1 - min(down, seconds) / seconds, 4))
        rows.append(Availability(pk, service_id, product, site, outages, down, share))
    rows.sort(key=lambda row: (-row.downtime_seconds, row.service_id))
    return rows

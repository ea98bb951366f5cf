"""Daily roll-ups of the report's counts (PostgreSQL): what ``DailyFigures`` holds, how the beat
task keeps it, and which days of a period the reports may read from it.

What a day holds: per target and per combination of the ticket's priority, kind, product area
and team, the clocks met on time on that day, breached (at their due instant) on it and met at
all (with the sum of their durations, wall-clock and business), and the tickets opened and
resolved on it — exactly what ``reports.selectors`` and ``reports.figures`` count for a period,
so a period's figure is the sum of its days'.

When the reports use it: for desk staff (whose scope is the whole tenant) with no account or
site filter (those narrow the tickets so far that counting them directly is fast), on the days
of the period that are rolled up (``RollupState.since``–``through``, in the tenant's zone) and
not marked dirty since (``RollupDirtyDay``, written by the triggers of ``reports.triggers``). The
other days are counted directly, as before. A roll-up therefore never answers for a day whose
clocks or tickets changed after it was rolled up; tests/reports/test_rollup.py compares every
figure with the direct count after changes of every kind.

How it is kept: ``roll_up`` (the beat task, every few minutes) rolls up again the dirty days,
then extends the range forwards to yesterday and backwards to the tenant's first ticket, a
week per transaction (a week of a tenant with a million tickets a year takes well under a
second), within a time budget; what is left is done on the next run.

On SQLite (``make run``) nothing is rolled up: the reports count directly.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from reports.models import DailyFigures, RollupDirtyDay, RollupState
from reports.periods import Period, today_in
from reports.triggers import LOCK_KEY
from servicedesk.db.features import has_triggers_and_arrays
from servicedesk.models import Tenant, User
from servicedesk.tenancy import create_kwargs
from tickets.models import Ticket

#: Days rolled up in one transaction.
CHUNK_DAYS = 7
#: A period split into more directly counted pieces than this is counted directly as a whole.
MAX_DIRECT_PIECES = 3

ROLL_UP = """
INSERT INTO reports_dailyfigures (
    tenant_id, day, target, priority, kind, product_area, team, met, breached, timed, wall_microseconds,
    business_timed, business_seconds, wall_values, business_values, opened, resolved
)
SELECT %(tenant)s, day, target, priority, kind, area, team,
    SUM(met), SUM(breached), SUM(timed), SUM(wall), SUM(business_timed), SUM(business),
    COALESCE(ARRAY_AGG(wall_value) FILTER (WHERE timed = 1 AND target IN ('respond', 'restore')), '{}'),
    COALESCE(ARRAY_AGG(business_value) FILTER (WHERE timed = 1 AND target IN ('respond', 'restore')), '{}'),
    SUM(opened), SUM(resolved)
FROM (
    SELECT (c.met_at AT TIME ZONE %(zone)s)::date AS day, c.target, t.priority, t.kind,
        COALESCE(t.product_area_id, 0) AS area, COALESCE(t.team_id, 0) AS team,
        CASE WHEN c.state = 'met' THEN 1 ELSE 0 END AS met, 0 AS breached, 1 AS timed,
        (EXTRACT(EPOCH FROM (c.met_at - c.started_at)) * 1000000)::bigint AS wall,
        CASE WHEN c.business_seconds IS NULL THEN 0 ELSE 1 END AS business_timed,
        COALESCE(c.business_seconds, 0) AS business,
        -- The same expressions as reports.figures.durations reads, so the percentiles agree.
        EXTRACT(EPOCH FROM (c.met_at - c.started_at))::double precision AS wall_value,
        c.business_seconds::double precision AS business_value, 0 AS opened, 0 AS resolved
    FROM tickets_slaclock c JOIN tickets_ticket t ON t.id = c.ticket_id
    WHERE c.tenant_id = %(tenant)s AND c.met_at >= %(start)s AND c.met_at < %(end)s
        AND c.state IN ('met', 'breached')
    UNION ALL
    SELECT (c.due_at AT TIME ZONE %(zone)s)::date, c.target, t.priority, t.kind,
        COALESCE(t.product_area_id, 0), COALESCE(t.team_id, 0), 0, 1, 0, 0, 0, 0, NULL, NULL, 0, 0
    FROM tickets_slaclock c JOIN tickets_ticket t ON t.id = c.ticket_id
    WHERE c.tenant_id = %(tenant)s AND c.state = 'breached' AND c.due_at >= %(start)s AND c.due_at < %(end)s
    UNION ALL
    SELECT (t.created_at AT TIME ZONE %(zone)s)::date, '', t.priority, t.kind,
        COALESCE(t.product_area_id, 0), COALESCE(t.team_id, 0), 0, 0, 0, 0, 0, 0, NULL, NULL, 1, 0
    FROM tickets_ticket t
    WHERE t.tenant_id = %(tenant)s AND t.created_at >= %(start)s AND t.created_at < %(end)s
    UNION ALL
    SELECT (t.resolved_at AT TIME ZONE %(zone)s)::date, '', t.priority, t.kind,
        COALESCE(t.product_area_id, 0), COALESCE(t.team_id, 0), 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 1
    FROM tickets_ticket t
    WHERE t.tenant_id = %(tenant)s AND t.resolved_at >= %(start)s AND t.resolved_at < %(end)s
) AS counted
GROUP BY day, target, priority, kind, area, team
"""


def supported() -> bool:
    return has_triggers_and_arrays()


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """How a period is counted: ``rolled`` day ranges (first, last) from ``DailyFigures`` and
    ``direct`` periods from the clocks and tickets themselves. Together they are the period's
    days, each once."""

    rolled: tuple[tuple[dt.date, dt.date], ...]
    direct: tuple[Period, ...]


def direct(period: Period) -> Coverage:
    return Coverage((), (period,))


def applies(actor: User, filters: Any) -> bool:
    """Whether the roll-ups can count for ``actor`` with ``filters`` (a ``ReportFilters``: typed
    loosely, as reports.selectors imports this module)."""
    return supported() and actor.is_desk_staff and filters.account_id is None and filters.site_id is None


def coverage(*, actor: User, filters: Any, period: Period) -> Coverage:
    """Which days of ``period`` the roll-ups answer for (see the module's docstring). One query
    (the range and the dirty days in it), none where they cannot apply."""
    if not applies(actor, filters):
        return direct(period)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT s.zone, s.since, s.through, ARRAY(
                   SELECT d.day FROM reports_rollupdirtyday d
                   WHERE d.tenant_id = s.tenant_id AND d.day BETWEEN %s AND %s ORDER BY d.day)
               FROM reports_rollupstate s WHERE s.tenant_id = %s""",
            [period.first, period.last, actor.tenant_id],
        )
        row = cursor.fetchone()
    if row is None:
        return direct(period)
    zone, since, through, dirty = row
    if since is None or zone != period.zone.key:
        return direct(period)
    return split(period, since, through, set(dirty))


def split(period: Period, since: dt.date, through: dt.date, dirty: set[dt.date]) -> Coverage:
    """``period`` as the clean rolled-up day ranges within ``since``–``through`` and the rest."""
    rolled: list[tuple[dt.date, dt.date]] = []
    pieces: list[Period] = []
    day = period.first
    while day <= period.last:
        clean = since <= day <= through and day not in dirty
        end = day
        while end < period.last:
            following = end + dt.timedelta(days=1)
            if (since <= following <= through and following not in dirty) != clean:
                break
            end = following
        if clean:
            rolled.append((day, end))
        else:
            pieces.append(Period(day, end, period.zone))
        day = end + dt.timedelta(days=1)
    if len(pieces) > MAX_DIRECT_PIECES:
        return direct(period)
    return Coverage(tuple(rolled), tuple(pieces))


def rolled_rows(cover: Coverage, filters: Any) -> QuerySet[DailyFigures]:
    """The roll-up rows of ``cover``'s rolled days, narrowed like the tickets by ``filters``."""
    days = Q()
    for first, last in cover.rolled:
        days |= Q(day__gte=first, day__lte=last)
    return by_dimensions(DailyFigures.objects.filter(days).order_by(), filters, area="product_area", team="team")


def by_dimensions(rows: QuerySet[Any], filters: Any, *, area: str, team: str) -> QuerySet[Any]:
    """``rows`` (tickets, or roll-up rows) narrowed to the filters' product area, team,
    priorities and kinds; ``area`` and ``team`` name the two columns on ``rows``."""
    if filters.product_area_id is not None:
        rows = rows.filter(**{area: filters.product_area_id})
    if filters.team_id is not None:
        rows = rows.filter(**{team: filters.team_id})
    if filters.priorities:
        rows = rows.filter(priority__in=filters.priorities)
    if filters.kinds:
        rows = rows.filter(kind__in=filters.kinds)
    return rows


# --- keeping -------------------------------------------------------------------------------------


def _bounds(first: dt.date, last: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    period = Period(first, last, zone)
    return period.start, period.end


def _recount(tenant_id: int, zone: ZoneInfo, first: dt.date, last: dt.date) -> None:
    """Roll up the days ``first``–``last`` afresh (inside the caller's transaction)."""
    start, end = _bounds(first, last, zone)
    DailyFigures.objects.filter(day__gte=first, day__lte=last).delete()
    with connection.cursor() as cursor:
        cursor.execute(ROLL_UP, {"tenant": tenant_id, "zone": zone.key, "start": start, "end": end})


def _lock_frontier(tenant_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_KEY, tenant_id])


def _state_for_update() -> RollupState | None:
    return RollupState.objects.select_for_update().first()


def _first_day(zone: ZoneInfo) -> dt.date | None:
    """The day (in ``zone``) of the tenant's first ticket: nothing is counted before it."""
    first = Ticket.objects.order_by("created_at").values_list("created_at", flat=True).first()
    return None if first is None else first.astimezone(zone).date()


def _ranges(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    ranges: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if ranges and ranges[-1][1] + dt.timedelta(days=1) == day:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def roll_up(
    tenant: Tenant, *, now: dt.datetime, budget_seconds: float = 120.0, backward: bool = True
) -> dict[str, int]:
    """Keep the current tenant's roll-ups (call inside its ``tenant_context``): roll up the dirty
    days again, then extend the range to yesterday and (with ``backward``) back to the first
    ticket, a chunk per transaction, until ``budget_seconds`` are spent. Returns the days rolled
    up per kind."""
    done = {"dirty": 0, "forward": 0, "backward": 0}
    if not supported():
        return done
    zone = ZoneInfo(tenant.time_zone)
    yesterday = today_in(zone, now) - dt.timedelta(days=1)
    deadline = time.monotonic() + budget_seconds

    with transaction.atomic():
        _lock_frontier(tenant.pk)
        state = _state_for_update()
        if state is None:
            state = RollupState.objects.create(**create_kwargs(zone=zone.key))
        elif state.zone != zone.key:  # the tenant moved: its days are other days now
            DailyFigures.objects.all().delete()
            RollupDirtyDay.objects.all().delete()
            state.zone, state.since, state.through = zone.key, None, None
            state.save(update_fields=["zone", "since", "through"])

    # Dirty days, with the range held still (the state row shared) against a move of zone.
    while time.monotonic() < deadline:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM reports_rollupstate WHERE tenant_id = %s FOR SHARE", [tenant.pk])
            days = list(
                RollupDirtyDay.objects.order_by("day")
                .select_for_update(skip_locked=True)
                .values_list("day", flat=True)[:CHUNK_DAYS]
            )
            if not days:
                break
            RollupDirtyDay.objects.filter(day__in=days).delete()
            for first, last in _ranges(days):
                _recount(tenant.pk, zone, first, last)
            done["dirty"] += len(days)

    first_day = _first_day(zone)
    while time.monotonic() < deadline:
        with transaction.atomic():
            _lock_frontier(tenant.pk)
            state = _state_for_update()
            if state is None:  # deleted meanwhile (the tenant is going)
                break
            if state.since is None:
                if first_day is None or first_day > yesterday:
                    break
                last = yesterday
                first = max(first_day, last - dt.timedelta(days=CHUNK_DAYS - 1))
                _recount(tenant.pk, zone, first, last)
                state.since, state.through = first, last
                done["forward"] += (last - first).days + 1
            elif state.through is not None and state.through < yesterday:
                first = state.through + dt.timedelta(days=1)
                last = min(yesterday, state.through + dt.timedelta(days=CHUNK_DAYS))
                _recount(tenant.pk, zone, first, last)
                state.through = last
                done["forward"] += (last - first).days + 1
            elif backward and first_day is not None and state.since > first_day:
                last = state.since - dt.timedelta(days=1)
                first = max(first_day, state.since - dt.timedelta(days=CHUNK_DAYS))
                _recount(tenant.pk, zone, first, last)
                state.since = first
                done["backward"] += (last - first).days + 1
            else:
                break
            state.save(update_fields=["since", "through"])
    return done

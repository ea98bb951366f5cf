"""The SLA sweep: warnings and breaches, each recorded exactly once.

Run by beat every minute (tickets.tasks.sla_sweep_task). Due clocks are claimed with
``SELECT … FOR UPDATE SKIP LOCKED`` in batches, so several workers share a sweep and a clock
another worker holds is skipped, not waited for. Each clock's ``warned_at`` / ``breached_at``
and ``next_check_at`` change in the same transaction that records the alert, and a unique key
on (clock, kind) backs that up: a duplicate beat, a retried task or two workers at once record
nothing twice. A worker that was down catches up on its next run: everything due since is
due now. The alerts of a batch go to one notification task after commit
(``tickets.services.notifications.send_sla_notifications_on_commit``).

Two ways to settle, with the same rules (tests run both on PostgreSQL):
- On PostgreSQL, one statement per batch across tenants (``servicedesk.cross_tenant``): it
  claims due rows of every tenant through the partial index on ``next_check_at``, updates
  them, and inserts each alert and timeline event with the clock's own ``tenant_id``. Nothing
  is read into Python but the alerts to mail.
  (bench/sla_sweep.py: per-tenant transactions from Python managed ~500 clocks/s.)
- Elsewhere (SQLite under ``make run``), tenant by tenant inside each tenant's wall.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from servicedesk import cross_tenant
from servicedesk.db.names import Table
from servicedesk.tenancy import tenant_context
from tickets.models import SlaAlert, SlaClock, TicketEvent
from tickets.services.notifications import send_sla_notifications_on_commit
from tickets.services.sla import next_check

BATCH_SIZE = 2000


@dataclass
class SweepResult:
    clocks: int = 0
    warnings: int = 0
    breaches: int = 0
    tenant_ids: set[int] = field(default_factory=set)

    @property
    def tenants(self) -> int:
        """Tenants with an alert (in-database) or with due clocks (per tenant)."""
        return len(self.tenant_ids)


def due_tenants(now: dt.datetime) -> list[int]:
    """Tenants with at least one due clock (across tenants; reads only)."""
    due = cross_tenant.across_tenants(SlaClock).filter(next_check_at__lte=now)
    return list(due.order_by().values_list("tenant_id", flat=True).distinct())


def _sweep_batch(now: dt.datetime, batch_size: int, result: SweepResult) -> int:
    """One transaction in the current tenant: claim up to batch_size due clocks and settle them."""
    with transaction.atomic():
        clocks = list(
            SlaClock.objects.filter(next_check_at__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("next_check_at")[:batch_size]
        )
        alerts, events = [], []
        for clock in clocks:
            if clock.state == SlaClock.State.RUNNING and clock.warned_at is None and now >= clock.warn_at:
                clock.warned_at = now
                alerts.append(SlaAlert(tenant_id=clock.tenant_id, clock=clock, kind=SlaAlert.Kind.WARNING, at=now))
                events.append(_event(clock, TicketEvent.Kind.SLA_WARNING, now))
            if clock.state == SlaClock.State.RUNNING and clock.breached_at is None and now >= clock.due_at:
                clock.breached_at = clock.due_at
                clock.state = SlaClock.State.BREACHED
                alerts.append(SlaAlert(tenant_id=clock.tenant_id, clock=clock, kind=SlaAlert.Kind.BREACH, at=now))
                events.append(_event(clock, TicketEvent.Kind.SLA_BREACH, now))
            clock.next_check_at = next_check(clock)
        if clocks:
            SlaClock.objects.bulk_update(clocks, ["warned_at", "breached_at", "state", "next_check_at"])
            SlaAlert.objects.bulk_create(alerts, ignore_conflicts=True)
            TicketEvent.objects.bulk_create(events)
            result.warnings += sum(a.kind == SlaAlert.Kind.WARNING for a in alerts)
            result.breaches += sum(a.kind == SlaAlert.Kind.BREACH for a in alerts)
            if alerts:
                send_sla_notifications_on_commit({clocks[0].tenant_id: [c.pk for c in clocks]})
        result.clocks += len(clocks)
        return len(clocks)


def _event(clock: SlaClock, kind: str, now: dt.datetime) -> TicketEvent:
    return TicketEvent(
        tenant_id=clock.tenant_id, ticket_id=clock.ticket_id, kind=kind, at=now, field=clock.target,
        to_value=clock.due_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"), internal=True,
    )  # fmt: skip


# One batch, settled in the database. The new values are decided once (``decided``) and the
# next check follows the same rule as tickets.services.sla.next_check. Names come from the
# models, states and kinds are parameters (``_SETTLE_VALUES``).
_SETTLE_SQL = """
WITH due AS (
    SELECT {c.id} FROM {c}
    WHERE {c.next_check_at} <= %(now)s
    ORDER BY {c.next_check_at}
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
),
decided AS (
    SELECT c.{c.id},
           (c.{c.state} = %(running)s AND c.{c.warned_at} IS NULL AND %(now)s >= c.{c.warn_at}) AS warn_now,
           (c.{c.state} = %(running)s AND c.{c.breached_at} IS NULL AND %(now)s >= c.{c.due_at}) AS breach_now
    FROM {c} c JOIN due USING ({c.id})
),
updated AS (
    UPDATE {c} c SET
        {c.warned_at} = CASE WHEN d.warn_now THEN %(now)s ELSE c.{c.warned_at} END,
        {c.breached_at} = CASE WHEN d.breach_now THEN c.{c.due_at} ELSE c.{c.breached_at} END,
        {c.state} = CASE WHEN d.breach_now THEN %(breached)s ELSE c.{c.state} END,
        {c.next_check_at} = CASE
            WHEN d.breach_now OR c.{c.state} <> %(running)s THEN NULL
            WHEN c.{c.warned_at} IS NULL AND NOT d.warn_now AND c.{c.warn_at} < c.{c.due_at} THEN c.{c.warn_at}
            WHEN c.{c.breached_at} IS NULL THEN c.{c.due_at}
            ELSE NULL
        END
    FROM decided d
    WHERE c.{c.id} = d.{c.id}
    RETURNING c.{c.id} AS id, c.{c.tenant} AS tenant_id, c.{c.ticket} AS ticket_id, c.{c.target} AS target,
              c.{c.due_at} AS due_at, d.warn_now, d.breach_now
),
alerts AS (
    INSERT INTO {a} ({a.tenant}, {a.clock}, {a.kind}, {a.at}, {a.notified_at})
    SELECT tenant_id, id, %(warning)s, %(now)s, NULL::timestamptz FROM updated WHERE warn_now
    UNION ALL
    SELECT tenant_id, id, %(breach)s, %(now)s, NULL::timestamptz FROM updated WHERE breach_now
    ON CONFLICT DO NOTHING
    RETURNING {a.tenant} AS tenant_id, {a.clock} AS clock_id, {a.kind} AS kind
),
events AS (
    INSERT INTO {e}
        ({e.tenant}, {e.ticket}, {e.kind}, {e.actor}, {e.at}, {e.field}, {e.from_value}, {e.to_value}, {e.reason},
         {e.internal})
    SELECT u.tenant_id, u.ticket_id, CASE a.kind WHEN %(warning)s THEN %(sla_warning)s ELSE %(sla_breach)s END,
           NULL, %(now)s, u.target, '',
           to_char(u.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), '', true
    FROM alerts a JOIN updated u ON u.id = a.clock_id
    RETURNING 1
)
SELECT NULL::bigint, NULL::bigint, NULL::text, (SELECT count(*) FROM updated)
UNION ALL
SELECT tenant_id, clock_id, kind, NULL FROM alerts
""".format(c=Table(SlaClock), a=Table(SlaAlert), e=Table(TicketEvent))  # noqa: S608 - names are the models'
_SETTLE_VALUES = {
    "running": SlaClock.State.RUNNING.value,
    "breached": SlaClock.State.BREACHED.value,
    "warning": SlaAlert.Kind.WARNING.value,
    "breach": SlaAlert.Kind.BREACH.value,
    "sla_warning": TicketEvent.Kind.SLA_WARNING.value,
    "sla_breach": TicketEvent.Kind.SLA_BREACH.value,
}


def _settle_in_database(now: dt.datetime, batch_size: int, result: SweepResult) -> int:
    """One batch across tenants on the system connection; returns how many clocks it settled."""
    with cross_tenant.atomic(), cross_tenant.cursor() as cursor:
        cursor.execute(_SETTLE_SQL, {"now": now, "limit": batch_size, **_SETTLE_VALUES})
        rows = cursor.fetchall()
        settled = next(count for tenant_id, _clock, _kind, count in rows if tenant_id is None)
        by_tenant: dict[int, list[int]] = {}
        for tenant_id, clock_id, kind, _count in rows:
            if tenant_id is None:
                continue
            by_tenant.setdefault(tenant_id, []).append(clock_id)
            result.warnings += kind == SlaAlert.Kind.WARNING
            result.breaches += kind == SlaAlert.Kind.BREACH
        send_sla_notifications_on_commit(by_tenant, across_tenants=True)
    result.clocks += settled
    result.tenant_ids.update(by_tenant)
    return int(settled)


def sweep_sla_clocks(
    *,
    now: dt.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    tenant_ids: Iterable[int] | None = None,
    in_database: bool | None = None,
) -> SweepResult:
    """Settle every clock due at ``now`` (default: the clock's now). On PostgreSQL in the
    database across tenants; otherwise, or for ``tenant_ids`` only, tenant by tenant."""
    now = now or timezone.now()
    result = SweepResult()
    if in_database is None:
        in_database = tenant_ids is None and cross_tenant.supports_set_based_sweeps()
    if in_database:
        while _settle_in_database(now, batch_size, result) == batch_size:
            pass
        return result
    for tenant_id in due_tenants(now) if tenant_ids is None else tenant_ids:
        result.tenant_ids.add(tenant_id)
        with tenant_context(tenant_id):
            while _sweep_batch(now, batch_size, result) == batch_size:
                pass
    return result

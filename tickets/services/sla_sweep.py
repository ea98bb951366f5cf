"""The SLA sweep: warnings and breaches, each recorded exactly once.

Run by beat every minute (tickets.tasks.sla_sweep_task). Due clocks are claimed with
``SELECT … FOR UPDATE SKIP LOCKED`` in batches, so several workers share a sweep and a clock
another worker holds is skipped, not waited for. Each clock's ``warned_at`` / ``breached_at``
and ``next_check_at`` change in the same transaction that records the alert, and a unique key
on (clock, kind) backs that up: a duplicate beat, a retried task or two workers at once record
nothing twice. A worker that was down catches up on its next run: everything due since is
due now.

Two ways to settle, with the same rules (tests run both on PostgreSQL):
- On PostgreSQL, one statement per batch on the system connection — the explicit
  cross-tenant path: it claims due rows of every tenant through the partial index on
  ``next_check_at``, updates them, and inserts each alert and timeline event with the clock's
  own ``tenant_id``. Nothing is read into Python but the alerts to mail.
  (bench/sla_sweep.py: per-tenant transactions from Python managed ~500 clocks/s.)
- Elsewhere (SQLite under ``make run``), tenant by tenant inside each tenant's wall.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.utils import timezone

from servicedesk.db.aliases import SYSTEM_DB
from servicedesk.tenancy import tenant_context
from tickets.models import SlaAlert, SlaClock, TicketEvent
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
    """Tenants with at least one due clock (system connection; reads only)."""
    due = SlaClock.objects.across_tenants().filter(next_check_at__lte=now)
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
                tenant_id = clocks[0].tenant_id
                transaction.on_commit(lambda: _notify(tenant_id, [c.pk for c in clocks]))
        result.clocks += len(clocks)
        return len(clocks)


def _event(clock: SlaClock, kind: str, now: dt.datetime) -> TicketEvent:
    return TicketEvent(
        tenant_id=clock.tenant_id, ticket_id=clock.ticket_id, kind=kind, at=now, field=clock.target,
        to_value=clock.due_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"), internal=True,
    )  # fmt: skip


# One batch, settled in the database. The new values are decided once (``decided``) and the
# next check follows the same rule as tickets.services.sla.next_check.
_SETTLE_SQL = """
WITH due AS (
    SELECT id FROM tickets_slaclock
    WHERE next_check_at <= %(now)s
    ORDER BY next_check_at
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
),
decided AS (
    SELECT c.id,
           (c.state = 'running' AND c.warned_at IS NULL AND %(now)s >= c.warn_at) AS warn_now,
           (c.state = 'running' AND c.breached_at IS NULL AND %(now)s >= c.due_at) AS breach_now
    FROM tickets_slaclock c JOIN due USING (id)
),
updated AS (
    UPDATE tickets_slaclock c SET
        warned_at = CASE WHEN d.warn_now THEN %(now)s ELSE c.warned_at END,
        breached_at = CASE WHEN d.breach_now THEN c.due_at ELSE c.breached_at END,
        state = CASE WHEN d.breach_now THEN 'breached' ELSE c.state END,
        next_check_at = CASE
            WHEN d.breach_now OR c.state <> 'running' THEN NULL
            WHEN c.warned_at IS NULL AND NOT d.warn_now AND c.warn_at < c.due_at THEN c.warn_at
            WHEN c.breached_at IS NULL THEN c.due_at
            ELSE NULL
        END
    FROM decided d
    WHERE c.id = d.id
    RETURNING c.id, c.tenant_id, c.ticket_id, c.target, c.due_at, d.warn_now, d.breach_now
),
alerts AS (
    INSERT INTO tickets_slaalert (tenant_id, clock_id, kind, at, notified_at)
    SELECT tenant_id, id, 'warning', %(now)s, NULL::timestamptz FROM updated WHERE warn_now
    UNION ALL
    SELECT tenant_id, id, 'breach', %(now)s, NULL::timestamptz FROM updated WHERE breach_now
    ON CONFLICT DO NOTHING
    RETURNING tenant_id, clock_id, kind
),
events AS (
    INSERT INTO tickets_ticketevent
        (tenant_id, ticket_id, kind, actor_id, at, field, from_value, to_value, reason, internal)
    SELECT u.tenant_id, u.ticket_id, CASE a.kind WHEN 'warning' THEN 'sla_warning' ELSE 'sla_breach' END,
           NULL, %(now)s, u.target, '',
           to_char(u.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), '', true
    FROM alerts a JOIN updated u ON u.id = a.clock_id
    RETURNING 1
)
SELECT NULL::bigint, NULL::bigint, NULL::text, (SELECT count(*) FROM updated)
UNION ALL
SELECT tenant_id, clock_id, kind, NULL FROM alerts
"""


def _settle_in_database(now: dt.datetime, batch_size: int, result: SweepResult) -> int:
    """One batch across tenants on the system connection; returns how many clocks it settled."""
    with transaction.atomic(using=SYSTEM_DB), connections[SYSTEM_DB].cursor() as cursor:
        cursor.execute(_SETTLE_SQL, {"now": now, "limit": batch_size})
        rows = cursor.fetchall()
        settled = next(count for tenant_id, _clock, _kind, count in rows if tenant_id is None)
        by_tenant: dict[int, list[int]] = {}
        for tenant_id, clock_id, kind, _count in rows:
            if tenant_id is None:
                continue
            by_tenant.setdefault(tenant_id, []).append(clock_id)
            result.warnings += kind == SlaAlert.Kind.WARNING
            result.breaches += kind == SlaAlert.Kind.BREACH
        if by_tenant:
            transaction.on_commit(lambda: _notify_each(by_tenant), using=SYSTEM_DB)
    result.clocks += settled
    result.tenant_ids.update(by_tenant)
    return int(settled)


def _notify_each(clock_ids_by_tenant: dict[int, list[int]]) -> None:
    """One task for the whole batch; it works through the tenants one wall at a time."""
    from tickets.tasks import notify_sla_alert_batch_task  # noqa: PLC0415 - tasks import services

    notify_sla_alert_batch_task.delay(clock_ids_by_tenant={str(t): ids for t, ids in clock_ids_by_tenant.items()})


def _notify(tenant_id: int, clock_ids: list[int]) -> None:
    from tickets.tasks import notify_sla_alerts_task  # noqa: PLC0415 - tasks import services

    with tenant_context(tenant_id):
        notify_sla_alerts_task.delay(clock_ids=clock_ids)


def in_database_available() -> bool:
    return connections[SYSTEM_DB].vendor == "postgresql"


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
        in_database = tenant_ids is None and in_database_available()
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

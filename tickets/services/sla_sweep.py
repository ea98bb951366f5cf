"""The SLA sweep: warnings and breaches, each recorded exactly once.

Run by beat every minute (tickets.tasks.sla_sweep_task). It finds the tenants with due
clocks through the system connection (one range scan of the partial index on
``next_check_at``), then works tenant by tenant inside the tenant's wall: it claims due
clocks with ``SELECT … FOR UPDATE SKIP LOCKED`` in batches, so several workers share a sweep
and a clock another worker holds is skipped, not waited for. Each clock's ``warned_at`` /
``breached_at`` and ``next_check_at`` change in the same transaction that records the alert,
and a unique key on (clock, kind) backs that up: a duplicate beat, a retried task or two
workers at once record nothing twice. A worker that was down catches up on its next run:
everything due since is due now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from servicedesk.tenancy import tenant_context
from tickets.models import SlaAlert, SlaClock, TicketEvent
from tickets.services.sla import next_check

BATCH_SIZE = 500


@dataclass
class SweepResult:
    tenants: int = 0
    clocks: int = 0
    warnings: int = 0
    breaches: int = 0


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
        to_value=clock.due_at.isoformat(), internal=True,
    )  # fmt: skip


def _notify(tenant_id: int, clock_ids: list[int]) -> None:
    from tickets.tasks import notify_sla_alerts_task  # noqa: PLC0415 - tasks import services

    with tenant_context(tenant_id):
        notify_sla_alerts_task.delay(clock_ids=clock_ids)


def sweep_sla_clocks(
    *, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE, tenant_ids: Iterable[int] | None = None
) -> SweepResult:
    """Settle every clock due at ``now`` (default: the clock's now), tenant by tenant; all
    tenants with due clocks, or only ``tenant_ids``."""
    now = now or timezone.now()
    result = SweepResult()
    for tenant_id in due_tenants(now) if tenant_ids is None else tenant_ids:
        result.tenants += 1
        with tenant_context(tenant_id):
            while _sweep_batch(now, batch_size, result) == batch_size:
                pass
    return result

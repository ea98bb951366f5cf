"""The escalation sweep: escalation by age and by SLA breach, unanswered attempts, each
recorded exactly once.

Run by beat every minute (escalation.tasks.escalation_sweep_task), in two phases:

1. Discovery (system connection, reads only): open tickets of escalation-enabled tenants
   that have no open timer yet, created since the last complete discovery (less a margin for
   transactions that committed late). One query over ``ticket_tenant_status_idx``
   (tenant, status, created_at): per tenant and open status a short range scan of the newest
   tickets, anti-joined with the timers' unique (tenant, ticket) index. Each such ticket gets
   a timer, due at once. Without a watermark (the first run, or ``tenant_ids`` given, or the
   daily ``full`` run) every open ticket is considered, which also picks up re-opened tickets
   whose timers were closed.
2. Due timers are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` in batches, so several
   workers share a sweep and a timer another worker holds is skipped, not waited for. On
   PostgreSQL a batch takes due timers of any tenant across tenants (``servicedesk.cross_tenant``,
   the partial index ``ticketesc_next_check_idx``), decides each inside its own tenant's
   configuration and records the whole batch in one statement per table, each row with its own
   ``tenant_id``; elsewhere, or for ``tenant_ids``, the tenants with due timers come from one
   range scan of that index, then tenant by tenant inside each tenant's wall. Each timer's
   level, attempts and ``next_check_at`` change in the same transaction that records its
   events, and unique keys on (ticket, round, level) and (event, number) back that up: a
   duplicate beat, a retried task or two workers at once record nothing twice. A worker that
   was down catches up on its next run: a ticket goes straight to the level its age warrants,
   the levels in between recorded as skipped.

What is due is decided by escalation.services.decisions (on escalation.services.rules) and
written by escalation.services.recording; the tickets' levels and timeline lines by the
tickets app (tickets.services.escalation_level). Notifications are handed to one task when
each batch's transaction commits; it works through the batch's tenants one wall at a time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from escalation.models import (
    DiscoveryWatermark,
    EscalationAttempt,
    EscalationEvent,
    EscalationSettings,
    TicketEscalation,
)
from escalation.services.config import TenantConfig
from escalation.services.decisions import Change, Escalator
from escalation.services.notifications import send_notifications_on_commit
from escalation.services.recording import level_changes, record_escalations, save_timers
from escalation.services.timers import breach_instants, for_rules, start_timers
from servicedesk import cross_tenant
from servicedesk.db.statistics import analyze_if_behind
from servicedesk.tenancy import tenant_context
from tickets.models import Ticket
from tickets.services.escalation_level import record_escalation_levels

BATCH_SIZE = 500
DISCOVERY_BATCH = 2_000
# Tickets are stamped when their transaction starts and seen when it commits: look this far
# behind the last complete discovery so a slow commit is not missed.
DISCOVERY_MARGIN = dt.timedelta(minutes=10)
WATERMARK = "escalation-discovery"


@dataclass
class SweepResult:
    tenants: int = 0
    discovered: int = 0
    timers: int = 0
    escalations: int = 0  # levels reached (not skipped)
    skipped: int = 0
    attempts: int = 0
    tenant_ids: set[int] = field(default_factory=set)
    statistics_checked: bool = field(default=False, compare=False, repr=False)


def enabled_tenants() -> list[int]:
    """Tenants whose escalation is switched on (across tenants; reads only)."""
    enabled = cross_tenant.across_tenants(EscalationSettings).filter(is_enabled=True)
    return list(enabled.order_by("tenant_id").values_list("tenant_id", flat=True))


def undiscovered(tenants: list[int] | None, since: dt.datetime | None, limit: int) -> dict[int, list[int]]:
    """Open tickets without an open timer, by tenant: of these tenants across tenants
    (system connection), or of the current tenant (``tenants`` None, default connection)."""
    if tenants == []:
        return {}
    if tenants is None:
        tickets, timers = Ticket.objects.all(), TicketEscalation.objects.all()
    else:
        tickets = cross_tenant.across_tenants(Ticket).filter(tenant_id__in=tenants)
        timers = cross_tenant.across_tenants(TicketEscalation)
    open_timer = timers.filter(tenant_id=OuterRef("tenant_id"), ticket_id=OuterRef("pk"), closed_at__isnull=True)
    tickets = tickets.filter(status__in=Ticket.OPEN_STATUSES)
    if since is not None:
        tickets = tickets.filter(created_at__gte=since - DISCOVERY_MARGIN)
    found: dict[int, list[int]] = defaultdict(list)
    for tenant_id, ticket_id in tickets.filter(~Exists(open_timer)).order_by().values_list("tenant_id", "pk")[:limit]:
        found[tenant_id].append(ticket_id)
    return found


def _start_all(find: Callable[[], dict[int, list[int]]], now: dt.datetime) -> int:
    started = 0
    while True:
        found = find()
        progress = 0
        for tenant_id, ticket_ids in found.items():
            with tenant_context(tenant_id):
                progress += start_timers(ticket_ids=ticket_ids, now=now)
        started += progress
        # Fewer than a batch: that was all. No progress: the rest changed meanwhile (closed).
        if sum(len(ids) for ids in found.values()) < DISCOVERY_BATCH or progress == 0:
            return started


def discover(
    *, now: dt.datetime, tenant_ids: Iterable[int] | None = None, full: bool = False, result: SweepResult | None = None
) -> int:
    """Give every open ticket found by discovery its timer; returns how many were started.

    Across tenants (system connection) from the watermark, or every open ticket when there is
    none or ``full``; with ``tenant_ids``, every open ticket of those tenants, each inside its
    own wall (the watermark stays as it is)."""
    started = 0
    if tenant_ids is not None:
        for tenant_id in tenant_ids:
            with tenant_context(tenant_id):
                if EscalationSettings.objects.filter(is_enabled=True).exists():
                    started += _start_all(lambda: undiscovered(None, None, DISCOVERY_BATCH), now)
    else:
        mark = None if full else DiscoveryWatermark.objects.filter(name=WATERMARK).first()
        since = mark.value if mark is not None else None
        tenants = enabled_tenants()
        started = _start_all(lambda: undiscovered(tenants, since, DISCOVERY_BATCH), now)
        if mark is None or mark.value < now:
            DiscoveryWatermark.objects.update_or_create(name=WATERMARK, defaults={"value": now})
    if result is not None:
        result.discovered += started
    return started


def due_tenants(now: dt.datetime) -> list[int]:
    """Tenants with at least one due timer (across tenants; reads only)."""
    due = cross_tenant.across_tenants(TicketEscalation).filter(next_check_at__lte=now)
    return list(due.order_by().values_list("tenant_id", flat=True).distinct())


def _sweep_batch(escalator: Escalator, batch_size: int, result: SweepResult) -> int:
    """One transaction in the current tenant: claim up to batch_size due timers and settle them."""
    with transaction.atomic():
        timers = _claim(escalator.now, batch_size, across_tenants=False)
        if not timers:
            return 0
        tenant_id = timers[0].tenant_id
        event_ids = _settle({tenant_id: escalator}, timers, escalator.now, result, across_tenants=False)
        send_notifications_on_commit(event_ids)
        return len(timers)


def _claim(now: dt.datetime, batch_size: int, *, across_tenants: bool) -> list[TicketEscalation]:
    """Up to batch_size timers due at ``now``, locked; a timer another sweep holds is skipped.

    The timers alone, then the events awaiting acknowledgement (few) by primary key: joined
    into the claim, the events table was read once per batch for every due timer, by a
    sequential scan when its statistics said it was empty."""
    timers = list(
        cross_tenant.rows_of(TicketEscalation, across_tenants=across_tenants)
        .filter(next_check_at__lte=now)
        .select_for_update(of=("self",), skip_locked=True)
        .order_by("next_check_at")[:batch_size]
    )
    waiting = {t.ack_event_id for t in timers if t.ack_event_id is not None}
    if waiting:
        events = (
            cross_tenant.rows_of(EscalationEvent, across_tenants=across_tenants)
            .select_related("level_ref")
            .in_bulk(waiting)
        )
        for timer in timers:
            if timer.ack_event_id is not None:
                # Gone meanwhile (its ticket deleted): none awaited, as SET NULL would leave it.
                timer.ack_event = events.get(timer.ack_event_id)
    return timers


def _settle(
    escalators: Mapping[int, Escalator],
    timers: list[TicketEscalation],
    now: dt.datetime,
    result: SweepResult,
    *,
    across_tenants: bool,
) -> dict[int, list[int]]:
    """Decide every claimed timer by its tenant's escalator, record the changes (the tickets'
    levels and timeline lines through the tickets app) and save the timers, inside the current
    tenant or across tenants; returns, per tenant, the events whose notifications to send."""
    rows = cross_tenant.rows_of(Ticket, across_tenants=across_tenants).filter(pk__in=[t.ticket_id for t in timers])
    tickets = {t.pk: t for t in for_rules(rows)}
    instants = breach_instants(
        (
            (t.tenant_id, t.ticket_id)
            for t in timers
            if escalators[t.tenant_id].watches_breaches(t, tickets.get(t.ticket_id))
        ),
        across_tenants=across_tenants,
    )
    changes: list[Change] = []
    for timer in timers:
        ticket = tickets.get(timer.ticket_id)
        if ticket is None:  # gone (deleted): nothing left to escalate
            timer.closed_at, timer.next_check_at = now, None
            continue
        change = escalators[timer.tenant_id].advance(timer, ticket, instants.get(ticket.pk, []))
        if change is not None:
            changes.append(change)
    event_ids = record_escalations(escalators, changes, now, across_tenants=across_tenants)
    record_escalation_levels(level_changes(changes), now=now, across_tenants=across_tenants)
    save_timers(timers, across_tenants=across_tenants)
    _count(changes, timers, result)
    return event_ids


def _count(changes: list[Change], timers: list[TicketEscalation], result: SweepResult) -> None:
    for change in changes:
        result.escalations += sum(not e.is_skipped and e.pk is not None for e in change.events)
        result.skipped += sum(e.is_skipped and e.pk is not None for e in change.events)
    result.attempts += sum(
        len(c.attempts)
        + (c.timer.ack_event is not None and c.timer.ack_attempts == 1 and c.start_attempts_on is not None)
        for c in changes
    )
    result.timers += len(timers)


def _sweep_batch_across_tenants(
    configs: dict[int, TenantConfig], now: dt.datetime, batch_size: int, result: SweepResult
) -> int:
    """One transaction on the system connection: claim up to batch_size due timers of any
    tenant, decide each inside its own tenant's configuration, and record every change in one
    set of statements, each row with its own tenant_id. (Tenant by tenant, a sweep paid about
    ten round trips per tenant: bench/escalation_sweep.py.)"""
    with cross_tenant.atomic():
        timers = _claim(now, batch_size, across_tenants=True)
        if not timers:
            return 0
        missing = sorted({t.tenant_id for t in timers} - configs.keys())
        configs.update(TenantConfig.load_many(missing))
        escalators = {tenant_id: Escalator(configs[tenant_id], now) for tenant_id in {t.tenant_id for t in timers}}
        event_ids = _settle(escalators, timers, now, result, across_tenants=True)
        result.tenant_ids.update(escalators)
        send_notifications_on_commit(event_ids, across_tenants=True)
        return len(timers)


def sweep_escalations(
    *,
    now: dt.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    tenant_ids: Iterable[int] | None = None,
    discovery: bool = True,
    across_tenants: bool | None = None,
) -> SweepResult:
    """Start timers for new tickets, then settle every timer due at ``now`` (default: the
    clock's now). On PostgreSQL in batches across tenants on the system connection; otherwise,
    or for ``tenant_ids`` only, tenant by tenant inside each tenant's wall."""
    now = now or timezone.now()
    result = SweepResult()
    only = None if tenant_ids is None else list(tenant_ids)
    if discovery:
        discover(now=now, tenant_ids=only, result=result)
    if across_tenants is None:
        across_tenants = only is None and cross_tenant.supports_set_based_sweeps()
    if across_tenants:
        loaded: dict[int, TenantConfig] = {}
        while _sweep_batch_across_tenants(loaded, now, batch_size, result) == batch_size:
            _check_statistics(result)
        result.tenants = len(result.tenant_ids)
        return result
    tenants = due_tenants(now) if only is None else only
    # Across tenants, the configurations come in one go from the system connection; a sweep
    # of named tenants reads each inside its own wall.
    configs = TenantConfig.load_many(tenants) if only is None else {}
    for tenant_id in tenants:
        result.tenants += 1
        with tenant_context(tenant_id):
            escalator = Escalator(configs.get(tenant_id) or TenantConfig.load(), now)
            while _sweep_batch(escalator, batch_size, result) == batch_size:
                _check_statistics(result)
    return result


def _check_statistics(result: SweepResult) -> None:
    """Once per sweep, after a batch that recorded events and before the next batch: analyse
    the event and attempt tables if their planner statistics know of fewer rows than this
    sweep has written (fresh from ``migrate``, or vacuumed while empty), so the foreign-key
    checks of the batches to come are planned on the index, not as scans of a table that
    keeps growing (``servicedesk.db.statistics``)."""
    events = result.escalations + result.skipped
    if result.statistics_checked or not events:
        return
    result.statistics_checked = True
    analyze_if_behind({EscalationEvent: events, EscalationAttempt: result.attempts})

"""Each open ticket's escalation timer: created for new tickets, re-opened with them, closed
when they close, and looked at again when something it depends on changed; and what the rules
read of its ticket (``for_rules``) and of the ticket's SLA clocks (``breach_instants``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from escalation.models import TicketEscalation
from servicedesk import cross_tenant
from servicedesk.db.names import Table
from tickets.models import SlaClock, Ticket

# What a person's escalation changes on a timer (the sweep: recording.SWEPT_FIELDS).
TIMER_FIELDS = [
    "level", "round", "baseline_at", "baseline_level", "breaches_handled_until", "ack_event", "ack_attempts",
    "ack_due_at", "last_customer_escalation_at", "next_check_at", "closed_at",
]  # fmt: skip

# What the rules read of a ticket: no text columns.
TICKET_FIELDS = (
    "id", "tenant_id", "status", "priority", "account_id", "created_at", "escalation_level", "service_id", "team_id",
)  # fmt: skip


def for_rules(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """These tickets as the rules read them: no text columns, and the product area they
    escalate in (their service's, else their team's) as ``escalation_area``, one model
    instance per ticket (``config.product_area_of``)."""
    return tickets.only(*TICKET_FIELDS).annotate(
        escalation_area=Coalesce("service__product_area_id", "team__product_area_id")
    )


def tickets_for_rules(ids: Iterable[int]) -> QuerySet[Ticket]:
    return for_rules(Ticket.objects.filter(pk__in=list(ids)))


# Across tenants: one join on the clocks' (tenant, ticket) unique index (a list of ticket ids
# alone has no index to use).
_BREACH_INSTANTS_SQL = """
SELECT c.{c.ticket}, coalesce(c.{c.breached_at}, c.{c.due_at})
  FROM {c} c
  JOIN unnest(%s::bigint[], %s::bigint[]) AS k(tenant_id, ticket_id)
    ON c.{c.tenant} = k.tenant_id AND c.{c.ticket} = k.ticket_id
 WHERE c.{c.breached_at} IS NOT NULL OR c.{c.state} = %s
""".format(c=Table(SlaClock))


def breach_instants(pairs: Iterable[tuple[int, int]], *, across_tenants: bool = False) -> dict[int, list[dt.datetime]]:
    """Per ticket of these (tenant id, ticket id) pairs, the instants its SLA clocks breached
    at, or fall due at while running: what a breach is judged by. Inside the current tenant, or
    across tenants (a sweep's batch)."""
    pairs = list(pairs)
    found: dict[int, list[dt.datetime]] = {}
    if not pairs:
        return found
    if across_tenants:
        with cross_tenant.cursor() as cursor:
            cursor.execute(
                _BREACH_INSTANTS_SQL, [[t for t, _ in pairs], [k for _, k in pairs], SlaClock.State.RUNNING.value]
            )
            rows = cursor.fetchall()
    else:
        rows = list(
            SlaClock.objects.filter(tenant_id__in={t for t, _ in pairs}, ticket_id__in=[k for _, k in pairs])
            .filter(Q(breached_at__isnull=False) | Q(state=SlaClock.State.RUNNING))
            .values_list("ticket_id", Coalesce("breached_at", "due_at"))
        )
    for ticket_id, instant in rows:
        found.setdefault(ticket_id, []).append(instant)
    return found


def new_timer(ticket: Ticket, now: dt.datetime) -> TicketEscalation:
    """A timer for a ticket that has none: age counts from the ticket's creation (or from now,
    at the level it already has). Due at once, so the sweep settles it on its next run."""
    level = ticket.escalation_level
    return TicketEscalation(
        tenant_id=ticket.tenant_id, ticket=ticket, level=level, baseline_at=ticket.created_at if level == 0 else now,
        baseline_level=level, created_at=now, next_check_at=min(now, ticket.created_at),
    )  # fmt: skip


def _reopen(timer: TicketEscalation, now: dt.datetime) -> None:
    timer.closed_at = None
    timer.baseline_at, timer.baseline_level = now, timer.level
    timer.ack_event, timer.ack_attempts, timer.ack_due_at = None, 0, None
    timer.next_check_at = now


def start_timers(*, ticket_ids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Give these tickets of the current tenant a timer (or re-open a closed one) if they are
    open; returns how many were started. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        tickets = list(tickets_for_rules(ticket_ids).filter(status__in=Ticket.OPEN_STATUSES))
        existing = {
            t.ticket_id: t
            for t in TicketEscalation.objects.filter(ticket_id__in=[t.pk for t in tickets]).select_for_update()
        }
        reopened = [existing[t.pk] for t in tickets if t.pk in existing and existing[t.pk].closed_at is not None]
        for timer in reopened:
            _reopen(timer, now)
        TicketEscalation.objects.bulk_update(
            reopened,
            ["closed_at", "baseline_at", "baseline_level", "ack_event", "ack_attempts", "ack_due_at", "next_check_at"],
        )
        new = [new_timer(t, now) for t in tickets if t.pk not in existing]
        TicketEscalation.objects.bulk_create(new, ignore_conflicts=True)
    return len(new) + len(reopened)


def start_new_ticket_timer(*, ticket: Ticket, now: dt.datetime) -> TicketEscalation:
    """The timer of a ticket being opened, due at once (call inside the opening transaction:
    nothing else can have given the uncommitted ticket a timer, so this is one INSERT)."""
    timer = new_timer(ticket, now)
    timer.save(force_insert=True)
    return timer


def lock_timer(*, ticket: Ticket, now: dt.datetime) -> TicketEscalation:
    """The ticket's timer, created if missing, locked (call inside a transaction, before
    touching the ticket row: the sweep takes the locks in the same order)."""
    TicketEscalation.objects.bulk_create([new_timer(ticket, now)], ignore_conflicts=True)
    return (
        TicketEscalation.objects.select_for_update(of=("self",))
        .select_related("ack_event__level_ref")
        .get(ticket_id=ticket.pk)
    )


@transaction.atomic
def sync_ticket_escalation(*, ticket: Ticket, now: dt.datetime | None = None) -> TicketEscalation:
    """Something the ticket's escalation depends on changed (it opened, closed, re-opened, or
    its priority or SLA clocks changed): the sweep looks at it again on its next run. The
    function the tickets layer's domain event calls."""
    now = now or timezone.now()
    timer = lock_timer(ticket=ticket, now=now)
    status = Ticket.objects.filter(pk=ticket.pk).values_list("status", flat=True).first()
    if status in Ticket.OPEN_STATUSES:
        if timer.closed_at is not None:
            _reopen(timer, now)
        else:
            # Look again now, or earlier if a check was already due: never postpone one.
            timer.next_check_at = min(now, timer.next_check_at or now)
    else:
        timer.closed_at = timer.closed_at or now
        timer.next_check_at, timer.ack_due_at = None, None
    timer.save(update_fields=["closed_at", "baseline_at", "baseline_level", "ack_event", "ack_attempts",
                              "ack_due_at", "next_check_at"])  # fmt: skip
    return timer


def look_again_at_priority(*, priority: str, now: dt.datetime) -> int:
    """The escalation thresholds of a priority changed: every open timer of a ticket of that
    priority is due now, so the next sweep decides it by the new thresholds (a lowered one
    escalates at once; a raised one only moves the next check). Returns how many timers."""
    return (
        TicketEscalation.objects.filter(closed_at__isnull=True, ticket__priority=priority)
        .filter(Q(next_check_at__isnull=True) | Q(next_check_at__gt=now))
        .update(next_check_at=now)
    )

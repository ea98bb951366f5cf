"""Service-level clocks: started when a ticket opens, paused while the desk waits for the
customer, met by the lifecycle, recomputed when what they depend on changes.

Rules (each has a test in tests/tickets/test_sla_clocks.py):
- Targets: every ticket has ``respond``; incidents have ``callback`` and ``restore``
  (complaints and enquiries restore nothing). Budgets come from the most specific policy for the service's
  contract tier and the ticket kind; a target the policy leaves empty is not tracked.
- A clock counts business time on its policy's calendar from ``started_at``: the ticket's
  creation, or, for a fault that affects no service raised while the desk is closed, the next
  opening of the tenant's business calendar.
- ``due_at`` = started_at + budget + business time paused; ``warn_at`` the same with
  ``warning_percent`` of the budget. Both are recomputed from the start, so a pause is never
  lost and never counted twice.
- Waiting for the customer pauses ``restore`` (never ``respond``); resuming adds the business
  time paused. Acknowledging meets ``respond``; a logged call-back meets ``callback``;
  resolving meets ``restore``; reopening resumes ``restore`` and counts the time it was
  resolved as paused. Cancelling stops every clock.
- A clock met after its due instant is ``breached`` (``met_at`` still says when). Meeting a target
  records ``business_seconds``: business time from the start to ``met_at``, pauses excluded.
- The ticket carries the earliest ``due_at`` and ``warn_at`` of its counting clocks (running
  or breached, not met, paused or stopped) as ``next_due_at`` and ``next_warn_at`` (NULL when
  none counts), and the time between them as ``next_warn_lead``, written here in the
  transaction that changes the clocks; the agents' queues sort and filter by them. The sweep's warnings and breaches change neither.
- A change of priority, contract or policy recomputes the running clocks from their start
  with the new budget, pauses kept; a met or stopped clock stays as it was. A clock that was
  breached and is not due any more under the new budget runs again (its alert stays on
  record).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from orders.selectors import entitlement_of
from servicedesk import calendars
from servicedesk.dispatch import send_on_commit
from servicedesk.models import BusinessCalendar
from servicedesk.tenancy import require_tenant_id
from tickets.events import ticket_changed
from tickets.models import PREFETCHED_CLOCKS, SlaClock, SlaPolicy, SlaTarget, Ticket
from tickets.services.reference import CalendarCache, IntakeReference

State = SlaClock.State


def targets_for(kind: str) -> list[str]:
    targets = [SlaTarget.RESPOND]
    if kind == Ticket.Kind.INCIDENT:
        targets += [SlaTarget.CALLBACK, SlaTarget.RESTORE]
    return [str(t) for t in targets]


def contract_tier_of(ticket: Ticket) -> str:
    if ticket.service is None:
        return ""
    contract = entitlement_of(ticket.service, ticket.created_at)
    return contract.tier if contract else ""


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    """The most specific active policy: tier and kind, tier, kind, then the catch-all."""
    tier = contract_tier_of(ticket)
    candidates = SlaPolicy.objects.select_related("calendar").filter(
        Q(contract_tier__in=[tier, ""]) & Q(ticket_kind__in=[ticket.kind, ""]), is_active=True
    )
    ranked = sorted(candidates, key=lambda p: (p.contract_tier == "", p.ticket_kind == ""))
    return ranked[0] if ranked else None


def clock_start(
    ticket: Ticket, policy: SlaPolicy, cache: CalendarCache, office: BusinessCalendar | None
) -> dt.datetime:
    start = ticket.created_at
    deferrable = ticket.kind == Ticket.Kind.INCIDENT and ticket.impact == "none" and policy.defer_outside_hours
    if deferrable and office is not None:
        start = calendars.next_opening(cache.get(office), start)
    return start


def _budget(clock: SlaClock) -> dt.timedelta:
    return dt.timedelta(minutes=clock.budget_minutes, seconds=clock.paused_seconds)


def schedule(clock: SlaClock, cache: CalendarCache) -> None:
    """Set due_at, warn_at and next_check_at from the clock's start, budget and pauses."""
    calendar = cache.get(clock.calendar)
    paused = dt.timedelta(seconds=clock.paused_seconds)
    clock.due_at = calendars.add_business_time(calendar, clock.started_at, _budget(clock))
    warn_budget = dt.timedelta(minutes=clock.budget_minutes * clock.warning_percent / 100) + paused
    clock.warn_at = calendars.add_business_time(calendar, clock.started_at, warn_budget)
    clock.next_check_at = next_check(clock)


def next_check(clock: SlaClock) -> dt.datetime | None:
    if clock.state != State.RUNNING:
        return None
    if clock.warned_at is None and clock.warn_at < clock.due_at:
        return clock.warn_at
    if clock.breached_at is None:
        return clock.due_at
    return None


def plan_clocks(ticket: Ticket, reference: IntakeReference) -> list[SlaClock]:
    """The new ticket's clocks under its policy, from the tenant's reference data (policies,
    calendars and the office calendar), not yet saved; the ticket's due instants set from them,
    so they are written with its insert. Save the ticket, then ``start_clocks`` (call both
    inside the creating transaction)."""
    clocks = _planned_clocks(ticket, reference)
    ticket.next_due_at, ticket.next_warn_at = due_instants(clocks)
    ticket.next_warn_lead = warn_lead(ticket.next_due_at, ticket.next_warn_at)
    return clocks


def start_clocks(clocks: list[SlaClock]) -> list[SlaClock]:
    """Save the clocks ``plan_clocks`` planned, once their ticket is saved."""
    return SlaClock.objects.bulk_create(clocks)


def _planned_clocks(ticket: Ticket, reference: IntakeReference) -> list[SlaClock]:
    cache = reference.calendars
    policy = reference.policy_for(tier=contract_tier_of(ticket), kind=ticket.kind)
    if policy is None:
        return []
    start = clock_start(ticket, policy, cache, reference.office_calendar)
    clocks = []
    for target in targets_for(ticket.kind):
        budget = policy.budget_minutes(target, ticket.priority)
        if budget is None:
            continue
        clock = SlaClock(
            tenant_id=ticket.tenant_id, ticket=ticket, target=target, policy=policy, calendar=policy.calendar,
            started_at=start, budget_minutes=budget, warning_percent=policy.warning_percent,
        )  # fmt: skip
        schedule(clock, cache)
        clocks.append(clock)
    return clocks


def counts(clock: SlaClock) -> bool:
    """Whether the clock counts towards the ticket's next due instant: running, or breached and
    still not met (overdue)."""
    return clock.met_at is None and clock.state in (State.RUNNING, State.BREACHED)


def due_instants(clocks: Iterable[SlaClock]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The earliest due and warning instants of the counting clocks; (None, None) when none counts."""
    counting = [clock for clock in clocks if counts(clock)]
    if not counting:
        return None, None
    return min(clock.due_at for clock in counting), min(clock.warn_at for clock in counting)


def warn_lead(due: dt.datetime | None, warn: dt.datetime | None) -> dt.timedelta | None:
    """How long before its next due instant the ticket is warned (``next_warn_lead``)."""
    return None if due is None or warn is None else due - warn


def track_due_instants(ticket: Ticket, clocks: Iterable[SlaClock] | None = None) -> None:
    """Write the ticket's ``next_due_at`` and ``next_warn_at`` from ``clocks`` (all of its
    clocks; None: read them) when they changed. Call inside the transaction that changed the
    clocks, with the ticket as read under its row lock."""
    if clocks is None:
        clocks = SlaClock.objects.filter(ticket=ticket).only("state", "met_at", "due_at", "warn_at")
    due, warn = due_instants(clocks)
    if (ticket.next_due_at, ticket.next_warn_at) != (due, warn):
        lead = warn_lead(due, warn)
        Ticket.objects.filter(pk=ticket.pk).update(next_due_at=due, next_warn_at=warn, next_warn_lead=lead)
        ticket.next_due_at, ticket.next_warn_at, ticket.next_warn_lead = due, warn, lead


def _clocks(ticket: Ticket) -> list[SlaClock]:
    """Every clock of the ticket, locked (at most one per target: the next due instant is
    computed from all of them)."""
    return list(SlaClock.objects.filter(ticket=ticket).select_related("calendar").select_for_update())


_FIELDS = [
    "state", "paused_seconds", "paused_since", "due_at", "warn_at", "met_at", "business_seconds", "breached_at",
    "next_check_at",
]  # fmt: skip


def _save(ticket: Ticket, clocks: list[SlaClock], every: list[SlaClock]) -> None:
    """Save the changed ``clocks`` and the ticket's due instants from ``every`` clock."""
    if clocks:
        SlaClock.objects.bulk_update(clocks, _FIELDS)
    track_due_instants(ticket, every)


def _end_pause(clock: SlaClock, now: dt.datetime, cache: CalendarCache) -> None:
    if clock.paused_since is None:
        return
    paused = calendars.business_time_between(cache.get(clock.calendar), clock.paused_since, now)
    clock.paused_seconds += max(0, int(paused.total_seconds()))
    clock.paused_since = None


def pause(ticket: Ticket, now: dt.datetime) -> None:
    """Waiting for the customer: the restore clock stops counting."""
    every = _clocks(ticket)
    clocks = [c for c in every if c.target == SlaTarget.RESTORE and c.state == State.RUNNING]
    for clock in clocks:
        clock.state, clock.paused_since, clock.next_check_at = State.PAUSED, now, None
    _save(ticket, clocks, every)


def resume(ticket: Ticket, now: dt.datetime) -> None:
    """Work goes on: the restore clock counts again, its due instant moved by the pause."""
    cache = CalendarCache()
    every = _clocks(ticket)
    clocks = [c for c in every if c.target == SlaTarget.RESTORE and c.state == State.PAUSED]
    for clock in clocks:
        _end_pause(clock, now, cache)
        clock.state = State.RUNNING
        schedule(clock, cache)
        _refresh_breach(clock, now)
    _save(ticket, clocks, every)


def reopen(ticket: Ticket, resolved_at: dt.datetime | None, now: dt.datetime) -> None:
    """A reopened ticket: the restore clock runs again; the time it stood resolved counts as
    paused."""
    cache = CalendarCache()
    every = _clocks(ticket)
    clocks = [c for c in every if c.target == SlaTarget.RESTORE and c.state in (State.MET, State.BREACHED)]
    for clock in clocks:
        clock.paused_since = resolved_at or clock.met_at
        _end_pause(clock, now, cache)
        clock.met_at, clock.business_seconds = None, None
        clock.state = State.RUNNING
        schedule(clock, cache)
        _refresh_breach(clock, now)
    _save(ticket, clocks, every)


def meet(ticket: Ticket, target: str, now: dt.datetime) -> None:
    """The target is met now (in time, or late: then the clock is breached)."""
    cache = CalendarCache()
    every = _clocks(ticket)
    clocks = [c for c in every if c.target == target and c.met_at is None and c.state != State.STOPPED]
    for clock in clocks:
        _end_pause(clock, now, cache)
        if clock.state == State.PAUSED:
            clock.state = State.RUNNING
            schedule(clock, cache)
        clock.met_at = now
        clock.business_seconds = business_seconds(clock, now, cache)
        if now > clock.due_at:
            clock.breached_at = clock.breached_at or clock.due_at
            clock.state = State.BREACHED
        else:
            clock.state = State.MET
        clock.next_check_at = None
    _save(ticket, clocks, every)


def business_seconds(clock: SlaClock, met_at: dt.datetime, cache: CalendarCache) -> int:
    """Business time on the clock's calendar from its start to ``met_at``, less the business time
    it spent paused (0 when met before it started: a deferred start)."""
    elapsed = calendars.business_time_between(cache.get(clock.calendar), clock.started_at, met_at)
    return max(0, int(elapsed.total_seconds()) - clock.paused_seconds)


def stop(ticket: Ticket, now: dt.datetime) -> None:
    """The ticket was cancelled: nothing is due any more."""
    every = _clocks(ticket)
    clocks = [c for c in every if c.met_at is None and c.state != State.STOPPED]
    for clock in clocks:
        _end_pause(clock, now, CalendarCache())
        clock.state, clock.next_check_at = State.STOPPED, None
    _save(ticket, clocks, every)


def _refresh_breach(clock: SlaClock, now: dt.datetime) -> None:
    """After a recomputation: breached when the new due instant has passed; running again
    when it has not (the recorded alert stays)."""
    if clock.met_at is not None or clock.state in (State.PAUSED, State.STOPPED):
        return
    if clock.due_at < now:
        clock.state = State.BREACHED
        clock.breached_at = clock.breached_at or clock.due_at
        clock.next_check_at = None
    else:
        clock.state = State.RUNNING
        clock.breached_at = None
        clock.next_check_at = next_check(clock)


def recompute(ticket: Ticket, now: dt.datetime) -> None:
    """Priority, contract or policy changed: new budgets from the current policy, counted
    from each clock's start with its pauses kept. Met and stopped clocks stay as they were;
    targets the new policy adds start now. Clocks under a deactivated policy keep it (its
    budgets as they are now): deactivating a policy only keeps it from new tickets."""
    cache = CalendarCache()
    every = _clocks(ticket)
    kept_ids = {c.policy_id for c in every if c.policy_id is not None}
    kept = SlaPolicy.objects.select_related("calendar").filter(pk__in=kept_ids, is_active=False).first()
    policy = kept or policy_for(ticket)
    existing = {c.target: c for c in every}
    changed = []
    for target, clock in existing.items():
        if clock.met_at is not None or clock.state == State.STOPPED or policy is None:
            continue
        budget = policy.budget_minutes(target, ticket.priority)
        if budget is None:
            continue
        clock.policy, clock.calendar = policy, policy.calendar
        clock.budget_minutes, clock.warning_percent = budget, policy.warning_percent
        if clock.state == State.PAUSED:
            saved = clock.next_check_at
            schedule(clock, cache)
            clock.next_check_at = saved
        else:
            schedule(clock, cache)
            _refresh_breach(clock, now)
        changed.append(clock)
    if changed:
        SlaClock.objects.bulk_update(changed, [*_FIELDS, "policy", "calendar", "budget_minutes", "warning_percent"])
    track_due_instants(ticket, every)


def summary(ticket: Ticket) -> dict[str, Any]:
    """The API's ``sla`` object, from prefetched clocks: per target its due_at, met_at, state."""
    clocks = getattr(ticket, PREFETCHED_CLOCKS, None)  # a list's (tickets.selectors.with_clocks)
    return {
        clock.target: {"due_at": clock.due_at, "met_at": clock.met_at, "state": clock.state}
        for clock in (ticket.sla_clocks.all() if clocks is None else clocks)
    }


def recompute_running_clocks(
    *, now: dt.datetime, calendar_id: int | None = None, policy_id: int | None = None, service_id: int | None = None
) -> int:
    """A business calendar (hours, holidays, closures, extra days), an SLA policy or a
    service's contracts changed:
    every ticket with a clock on it still running or paused is recomputed by the rule above
    (the current policy's budgets, from each clock's start, pauses kept). Returns how many
    tickets. The administration's changes run it in a task after they commit
    (``queue_recompute``); escalation looks at each ticket again after commit
    (``ticket_changed``)."""
    clocks = SlaClock.objects.filter(met_at__isnull=True, state__in=[State.RUNNING, State.PAUSED])
    if calendar_id is not None:
        clocks = clocks.filter(calendar_id=calendar_id)
    if policy_id is not None:
        clocks = clocks.filter(policy_id=policy_id)
    if service_id is not None:
        clocks = clocks.filter(ticket__service_id=service_id)
    ticket_ids = clocks.order_by().values_list("ticket_id", flat=True).distinct()
    tickets = list(Ticket.objects.filter(pk__in=list(ticket_ids)).order_by("pk").select_for_update(of=("self",)))
    for ticket in tickets:
        recompute(ticket, now)
        ticket_changed(ticket)
    return len(tickets)


#: The task that recomputes running clocks after a calendar, policy or contract changed.
RECOMPUTE_CLOCKS_TASK = "tickets.tasks.recompute_clocks_task"


def queue_recompute(
    *, calendar_id: int | None = None, policy_id: int | None = None, service_id: int | None = None
) -> None:
    """Recompute the running clocks on a changed calendar, policy or service (its contracts) in
    a task, once the change commits: the admin's request does not wait for (or lock) every
    ticket on it. The task runs ``recompute_running_clocks`` inside the current tenant; run
    twice, it comes to the same clocks (each is recomputed from its start, pauses kept)."""
    send_on_commit(
        RECOMPUTE_CLOCKS_TASK,
        tenant_id=require_tenant_id(),
        calendar_id=calendar_id,
        policy_id=policy_id,
        service_id=service_id,
    )

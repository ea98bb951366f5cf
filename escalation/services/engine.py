"""The rules that move a ticket up (and down) its matrix, shared by the sweep and the manual
escalation services. Everything here runs inside the tenant's context and under the lock of
the ``TicketEscalation`` rows it is given.

Rules (each has a test in tests/escalation/):
- Age: level k is reached when the ticket's age since the timer's baseline passes the
  threshold of k for the ticket's priority (``EscalationPolicy.level_minutes``), counted on
  the policy's business calendar, or in wall-clock time when it has none.
- Breach: an SLA clock breached (or running past its due instant) since the last breach
  acted on raises the ticket to at least the policy's ``breach_level``.
- Catch-up: a ticket goes straight to the level its age (or breach) warrants; the levels in
  between are recorded as skipped, and only the level reached is notified.
- Unanswered: a level's contacts are tried one after another, each given the tenant's time
  to acknowledge; after ``attempts_per_level`` unanswered attempts the ticket goes to the next
  level (at the top level, the escalation manager is told instead).
- Exactly once: every level reached is an ``EscalationEvent`` unique per (ticket, round,
  level), every attempt unique per (event, number); the timer's row lock serialises the
  changes, and the unique keys back it up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from escalation.models import EscalationAttempt, EscalationContact, EscalationEvent, EscalationPolicy, TicketEscalation
from escalation.services.config import TenantConfig, product_area_of
from servicedesk import calendars
from servicedesk.tenancy import tenant_context
from tickets.models import SlaClock, Ticket, TicketEvent

Trigger = EscalationEvent.Trigger

TIMER_FIELDS = [
    "level", "round", "baseline_at", "baseline_level", "breaches_handled_until", "ack_event", "ack_attempts",
    "ack_due_at", "last_customer_escalation_at", "next_check_at", "closed_at",
]  # fmt: skip


def level_due_at(
    timer: TicketEscalation, policy: EscalationPolicy, level: int, calendar: calendars.BusinessCalendar | None
) -> dt.datetime | None:
    """When the ticket reaches ``level`` by age, counted from the timer's baseline; None if
    the policy has no threshold for it or the baseline is already there."""
    minutes: list[int] = list(policy.level_minutes or [])
    if level <= timer.baseline_level or level > len(minutes):
        return None
    base = minutes[timer.baseline_level - 1] if 1 <= timer.baseline_level <= len(minutes) else 0
    delta = dt.timedelta(minutes=max(0, minutes[level - 1] - base))
    if calendar is None:
        return timer.baseline_at + delta
    return calendars.add_business_time(calendar, timer.baseline_at, delta)


def _breaches(timer: TicketEscalation, clocks: Iterable[SlaClock], now: dt.datetime) -> tuple[bool, dt.datetime | None]:
    """(an SLA breach not yet acted on has happened by now, the next instant a running clock
    falls due). A clock running past its due instant counts as breached before the SLA sweep
    records it."""
    breached, upcoming = False, None
    for clock in clocks:
        if clock.breached_at is not None:
            instant = clock.breached_at
        elif clock.state == SlaClock.State.RUNNING:
            instant = clock.due_at
        else:
            continue
        if timer.breaches_handled_until is not None and instant <= timer.breaches_handled_until:
            continue
        if instant <= now:
            breached = True
        elif upcoming is None or instant < upcoming:
            upcoming = instant
    return breached, upcoming


@dataclass
class Change:
    """What one operation did to one timer: the events and attempts it adds, and the level
    the ticket ends at (for the ticket row and its timeline)."""

    timer: TicketEscalation
    ticket: Ticket
    from_level: int
    events: list[EscalationEvent] = field(default_factory=list)
    # Attempts on events that already exist (an acknowledgement timed out).
    attempts: list[EscalationAttempt] = field(default_factory=list)
    # Start attempts on this (new) event's level once it has a primary key.
    start_attempts_on: EscalationEvent | None = None
    actor_id: int | None = None
    comment: str = ""


class Escalator:
    """Decides and records escalations for one tenant at one instant."""

    def __init__(self, config: TenantConfig, now: dt.datetime) -> None:
        self.config = config
        self.now = now

    # --- reading the configuration for a ticket ----------------------------------------------

    def matrix_of(self, ticket: Ticket) -> int | None:
        return self.config.matrix_for(ticket.account_id)

    def policy_of(self, ticket: Ticket) -> EscalationPolicy | None:
        matrix_id = self.matrix_of(ticket)
        return None if matrix_id is None else self.config.policy(matrix_id, ticket.priority)

    def top_of(self, ticket: Ticket) -> int:
        matrix_id = self.matrix_of(ticket)
        return 0 if matrix_id is None else self.config.top_level(matrix_id)

    def age_level(self, timer: TicketEscalation, ticket: Ticket) -> int:
        """The highest level the ticket's age warrants now (0 when none)."""
        policy = self.policy_of(ticket)
        if policy is None or not self.config.settings.is_enabled:
            return 0
        calendar = self.config.calendar(policy)
        warranted = 0
        for level in range(timer.baseline_level + 1, self.top_of(ticket) + 1):
            due = level_due_at(timer, policy, level, calendar)
            if due is None or due > self.now:
                break
            warranted = level
        return warranted

    def next_check(self, timer: TicketEscalation, ticket: Ticket, clocks: Sequence[SlaClock]) -> dt.datetime | None:
        """The next instant anything can happen to the timer: the next level by age, a running
        SLA clock falling due (when a breach would raise the level), an acknowledgement
        timing out. None when nothing is pending."""
        if timer.closed_at is not None:
            return None
        candidates = [] if timer.ack_due_at is None else [timer.ack_due_at]
        policy = self.policy_of(ticket)
        if policy is not None and self.config.settings.is_enabled:
            top = self.top_of(ticket)
            if timer.level < top:
                due = level_due_at(
                    timer, policy, max(timer.level, timer.baseline_level) + 1, self.config.calendar(policy)
                )
                if due is not None:
                    candidates.append(due)
            if policy.breach_level and timer.level < min(policy.breach_level, top):
                _, upcoming = _breaches(timer, clocks, self.now)
                if upcoming is not None:
                    candidates.append(upcoming)
        return min(candidates) if candidates else None

    # --- deciding -----------------------------------------------------------------------------

    def raise_to(
        self,
        change: Change,
        target: int,
        trigger: str,
        *,
        reason: str = "",
        comment: str = "",
        actor_id: int | None = None,
    ) -> EscalationEvent:
        """Record the levels from the timer's level up to ``target``: the ones in between as
        skipped, ``target`` as reached (its contacts are tried once it is saved)."""
        timer, ticket = change.timer, change.ticket
        matrix_id = self.matrix_of(ticket)
        area = product_area_of(ticket)
        event = None
        for number in range(timer.level + 1, target + 1):
            row = None if matrix_id is None else self.config.level_row(matrix_id, number, area)
            event = EscalationEvent(
                tenant_id=timer.tenant_id, ticket_id=ticket.pk, round=timer.round, level=number,
                from_level=change.from_level, level_ref=row, title=row.title if row else "", trigger=trigger,
                is_skipped=number < target, actor_id=actor_id, reason=reason, comment=comment, at=self.now,
            )  # fmt: skip
            change.events.append(event)
        assert event is not None  # noqa: S101 - callers pass a target above the current level
        timer.level = target
        timer.ack_event, timer.ack_attempts, timer.ack_due_at = None, 0, None
        change.start_attempts_on = event
        change.actor_id, change.comment = actor_id, comment
        return event

    def lower_to(self, change: Change, target: int, *, actor_id: int, comment: str) -> EscalationEvent:
        """A de-escalation: a new round starts at ``target``; age counts from now; breaches so
        far are set aside; no attempt is pending any more."""
        timer, ticket = change.timer, change.ticket
        matrix_id = self.matrix_of(ticket)
        row = (
            None
            if matrix_id is None or target == 0
            else self.config.level_row(matrix_id, target, product_area_of(ticket))
        )
        timer.round += 1
        event = EscalationEvent(
            tenant_id=timer.tenant_id, ticket_id=ticket.pk, round=timer.round, level=target,
            from_level=timer.level, level_ref=row, title=row.title if row else "", trigger=Trigger.AGENT,
            actor_id=actor_id, comment=comment, at=self.now,
        )  # fmt: skip
        change.events.append(event)
        timer.level = target
        timer.baseline_at, timer.baseline_level = self.now, target
        timer.breaches_handled_until = self.now
        timer.ack_event, timer.ack_attempts, timer.ack_due_at = None, 0, None
        change.actor_id, change.comment = actor_id, comment
        return event

    def _contacts_for(self, event: EscalationEvent) -> list[EscalationContact]:
        if event.level_ref_id is None:
            return []
        matrix_id = event.level_ref.matrix_id if event.level_ref is not None else None
        return [] if matrix_id is None else self.config.contacts(matrix_id, event.level_ref_id)

    def _attempt(
        self, event: EscalationEvent, number: int, contact: EscalationContact, *, manager: bool = False
    ) -> EscalationAttempt:
        return EscalationAttempt(
            tenant_id=event.tenant_id, event=event, number=number, contact=contact, name=contact.display_name[:200],
            role=contact.role, email=contact.display_email, phone=contact.display_phone, user=contact.user,
            is_manager=manager, at=self.now, ack_due_at=None if manager else self.now + self.config.acknowledge_within(),
        )  # fmt: skip

    def first_attempt(self, timer: TicketEscalation, event: EscalationEvent) -> EscalationAttempt | None:
        """Try the first contact of the level just reached; the timer waits for its answer."""
        contacts = self._contacts_for(event)
        if not contacts:
            return None
        attempt = self._attempt(event, 1, contacts[0])
        timer.ack_event, timer.ack_attempts, timer.ack_due_at = event, 1, attempt.ack_due_at
        return attempt

    def advance(self, timer: TicketEscalation, ticket: Ticket, clocks: Sequence[SlaClock]) -> Change | None:
        """What is due for this timer now (the sweep's rule). Changes the timer in place;
        returns what to record, or None when only the timer changed."""
        change = Change(timer=timer, ticket=ticket, from_level=timer.level)
        if ticket.status not in Ticket.OPEN_STATUSES:
            timer.closed_at, timer.ack_due_at, timer.next_check_at = self.now, None, None
            return None
        top = self.top_of(ticket)
        target, trigger = timer.level, ""
        manager_attempt = None
        if timer.ack_due_at is not None and timer.ack_due_at <= self.now and timer.ack_event is not None:
            contacts = self._contacts_for(timer.ack_event)
            if timer.ack_attempts < self.config.settings.attempts_per_level and contacts:
                contact = contacts[timer.ack_attempts % len(contacts)]
                timer.ack_attempts += 1
                attempt = self._attempt(timer.ack_event, timer.ack_attempts, contact)
                timer.ack_due_at = attempt.ack_due_at
                change.attempts.append(attempt)
            elif timer.level < top:
                target, trigger = timer.level + 1, Trigger.UNANSWERED
            else:
                timer.ack_due_at = None
                managers = self.config.contacts(self.matrix_of(ticket) or 0, None)
                if managers:
                    manager_attempt = self._attempt(
                        timer.ack_event, self.config.settings.attempts_per_level + 1, managers[0], manager=True
                    )
                    change.attempts.append(manager_attempt)
        by_age = self.age_level(timer, ticket)
        if by_age > target:
            target, trigger = by_age, Trigger.AGE
        policy = self.policy_of(ticket)
        if policy is not None and policy.breach_level and self.config.settings.is_enabled:
            breached, _ = _breaches(timer, clocks, self.now)
            if breached:
                timer.breaches_handled_until = self.now
                floor = min(policy.breach_level, top)
                if floor > target:
                    target, trigger = floor, Trigger.BREACH
        if target > timer.level:
            self.raise_to(change, target, trigger)
        timer.next_check_at = self.next_check(timer, ticket, clocks)
        if not change.events and not change.attempts:
            return None
        return change

    # --- recording ----------------------------------------------------------------------------

    def record(self, changes: Sequence[Change]) -> list[int]:
        """Save the events, attempts, ticket levels and timeline lines of these changes (the
        timers are saved by the caller). Returns the events whose notifications to send."""
        tenant_id = self.config.settings.tenant_id
        return record_changes({tenant_id: self}, changes, self.now).get(tenant_id, [])


def _objects(model: Any, db: str) -> Any:
    """The model's rows: the tenant manager inside a tenant, or every tenant's on ``db``."""
    return model.objects if db == DEFAULT_DB_ALIAS else model._base_manager.db_manager(db)


def record_changes(
    escalators: Mapping[int, Escalator], changes: Sequence[Change], now: dt.datetime, db: str = DEFAULT_DB_ALIAS
) -> dict[int, list[int]]:
    """Record the changes of one or more tenants in one set of statements on ``db`` (the
    tenant's wall on the default connection, or a cross-tenant batch on the system one).
    Returns, per tenant, the events whose notifications to send."""
    changes = [c for c in changes if c.events or c.attempts]
    if not changes:
        return {}
    new_events = [e for c in changes for e in c.events]
    # ignore_conflicts: the (ticket, round, level) key is the last guard against a duplicate;
    # the rows read back are the ones this call inserted (the instant is this operation's).
    _objects(EscalationEvent, db).bulk_create(new_events, ignore_conflicts=True)
    saved = {
        (e.ticket_id, e.round, e.level): e
        for e in _objects(EscalationEvent, db).filter(
            ticket_id__in={e.ticket_id for e in new_events}, at=now
        ).select_related("level_ref")
    } if new_events else {}  # fmt: skip
    attempts: list[EscalationAttempt] = []
    notify: dict[int, set[int]] = {}
    for change in changes:
        escalator = escalators[change.timer.tenant_id]
        tenant_notify = notify.setdefault(change.timer.tenant_id, set())
        for event in change.events:
            stored = saved.get((event.ticket_id, event.round, event.level))
            event.pk = stored.pk if stored is not None else None
        target = change.start_attempts_on
        if target is not None and target.pk is not None:
            tenant_notify.add(target.pk)
            attempt = escalator.first_attempt(change.timer, target)
            if attempt is not None:
                attempts.append(attempt)
        elif target is not None:
            # Another operation recorded this level already: do not try its contacts again.
            change.timer.ack_event, change.timer.ack_attempts, change.timer.ack_due_at = None, 0, None
        for attempt in change.attempts:
            attempts.append(attempt)
            tenant_notify.add(attempt.event.pk)
        for event in change.events:
            if event.pk is not None and event.level < change.from_level:
                tenant_notify.add(event.pk)
        timer = change.timer
        if timer.ack_due_at is not None and (timer.next_check_at is None or timer.ack_due_at < timer.next_check_at):
            timer.next_check_at = timer.ack_due_at
    _objects(EscalationAttempt, db).bulk_create(attempts, ignore_conflicts=True)
    _update_tickets(changes, now, db)
    return {tenant_id: sorted(ids) for tenant_id, ids in notify.items() if ids}


def _update_tickets(changes: Sequence[Change], now: dt.datetime, db: str) -> None:
    by_level: dict[int, list[int]] = {}
    lines = []
    for change in changes:
        level = change.timer.level
        if level == change.from_level:
            continue
        by_level.setdefault(level, []).append(change.ticket.pk)
        lines.append(
            TicketEvent(
                tenant_id=change.timer.tenant_id,
                ticket_id=change.ticket.pk,
                kind=TicketEvent.Kind.FIELD_CHANGED,
                actor_id=change.actor_id,
                at=now,
                field="escalation_level",
                from_value=str(change.from_level),
                to_value=str(level),
                reason=change.comment[:2000],
            )  # fmt: skip
        )
    # The ticket's public field, written as a plain UPDATE: escalation is not an edit of
    # the ticket, so its version (optimistic concurrency of edits) stays as it is.
    for level, ticket_ids in by_level.items():
        _objects(Ticket, db).filter(pk__in=ticket_ids).update(escalation_level=level, updated_at=now)
    _objects(TicketEvent, db).bulk_create(lines)


def send_notifications_on_commit(tenant_id: int, event_ids: list[int], using: str = DEFAULT_DB_ALIAS) -> None:
    """Hand the notifications of these events to a task once the transaction commits."""
    if not event_ids:
        return

    def send() -> None:
        from escalation.tasks import notify_escalation_task  # noqa: PLC0415 - tasks import services

        with tenant_context(tenant_id):
            notify_escalation_task.delay(event_ids=event_ids)

    transaction.on_commit(send, using=using)


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()

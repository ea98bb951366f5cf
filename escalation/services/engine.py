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

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from escalation.models import EscalationAttempt, EscalationContact, EscalationEvent, EscalationPolicy, TicketEscalation
from escalation.services.config import TenantConfig, product_area_of
from servicedesk import calendars
from servicedesk.db.bulk import insert_rows
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


def breach_instants(pairs: Iterable[tuple[int, int]], db: str = DEFAULT_DB_ALIAS) -> dict[int, list[dt.datetime]]:
    """Per ticket of these (tenant id, ticket id) pairs, the instants its SLA clocks breached
    at, or fall due at while running: what a breach is judged by. Inside the tenant's wall on
    the default connection; across tenants on PostgreSQL's system connection one join on the
    clocks' (tenant, ticket) unique index (a list of ticket ids alone has no index to use)."""
    pairs = list(pairs)
    found: dict[int, list[dt.datetime]] = {}
    if not pairs:
        return found
    connection = connections[db]
    if db != DEFAULT_DB_ALIAS and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT c.ticket_id, coalesce(c.breached_at, c.due_at)
                      FROM {SlaClock._meta.db_table} c
                      JOIN unnest(%s::bigint[], %s::bigint[]) AS k(tenant_id, ticket_id)
                        ON c.tenant_id = k.tenant_id AND c.ticket_id = k.ticket_id
                     WHERE c.breached_at IS NOT NULL OR c.state = %s""",  # noqa: S608 - the model's table
                [[t for t, _ in pairs], [k for _, k in pairs], SlaClock.State.RUNNING.value],
            )
            rows = cursor.fetchall()
    else:
        rows = list(
            rows_of(SlaClock, db)
            .filter(tenant_id__in={t for t, _ in pairs}, ticket_id__in=[k for _, k in pairs])
            .filter(Q(breached_at__isnull=False) | Q(state=SlaClock.State.RUNNING))
            .values_list("ticket_id", Coalesce("breached_at", "due_at"))
        )
    for ticket_id, instant in rows:
        found.setdefault(ticket_id, []).append(instant)
    return found


def _breaches(
    timer: TicketEscalation, instants: Iterable[dt.datetime], now: dt.datetime
) -> tuple[bool, dt.datetime | None]:
    """(an SLA breach not yet acted on has happened by now, the next instant a running clock
    falls due), from ``breach_instants``. A clock running past its due instant counts as
    breached before the SLA sweep records it."""
    breached, upcoming = False, None
    for instant in instants:
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

    def next_check(
        self, timer: TicketEscalation, ticket: Ticket, instants: Sequence[dt.datetime]
    ) -> dt.datetime | None:
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
                _, upcoming = _breaches(timer, instants, self.now)
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
        # Foreign keys by id: assigning the objects costs more than the rest of the row.
        return EscalationAttempt(
            tenant_id=event.tenant_id, event_id=event.pk, number=number, contact_id=contact.pk,
            name=contact.display_name[:200], role=contact.role, email=contact.display_email,
            phone=contact.display_phone, user_id=contact.user_id,
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

    def advance(self, timer: TicketEscalation, ticket: Ticket, instants: Sequence[dt.datetime]) -> Change | None:
        """What is due for this timer now (the sweep's rule), given the ticket's
        ``breach_instants``. Changes the timer in place; returns what to record, or None when
        only the timer changed."""
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
            breached, _ = _breaches(timer, instants, self.now)
            if breached:
                timer.breaches_handled_until = self.now
                floor = min(policy.breach_level, top)
                if floor > target:
                    target, trigger = floor, Trigger.BREACH
        if target > timer.level:
            self.raise_to(change, target, trigger)
        timer.next_check_at = self.next_check(timer, ticket, instants)
        if not change.events and not change.attempts:
            return None
        return change

    # --- recording ----------------------------------------------------------------------------

    def record(self, changes: Sequence[Change]) -> list[int]:
        """Save the events, attempts, ticket levels and timeline lines of these changes (the
        timers are saved by the caller). Returns the events whose notifications to send."""
        tenant_id = self.config.settings.tenant_id
        return record_changes({tenant_id: self}, changes, self.now).get(tenant_id, [])


def rows_of(model: Any, db: str) -> Any:
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
    _insert_events([e for c in changes for e in c.events], now, db)
    attempts: list[EscalationAttempt] = []
    notify: dict[int, set[int]] = {}
    for change in changes:
        escalator = escalators[change.timer.tenant_id]
        tenant_notify = notify.setdefault(change.timer.tenant_id, set())
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
            tenant_notify.add(attempt.event_id)
        for event in change.events:
            if event.pk is not None and event.level < change.from_level:
                tenant_notify.add(event.pk)
        timer = change.timer
        if timer.ack_due_at is not None and (timer.next_check_at is None or timer.ack_due_at < timer.next_check_at):
            timer.next_check_at = timer.ack_due_at
    _insert(EscalationAttempt, attempts, db, ignore_conflicts=True)
    _update_tickets(changes, now, db)
    return {tenant_id: sorted(ids) for tenant_id, ids in notify.items() if ids}


def _insert(model: Any, objs: Sequence[Any], db: str, *, ignore_conflicts: bool = False) -> None:
    if connections[db].vendor == "postgresql":
        insert_rows(objs, using=db, ignore_conflicts=ignore_conflicts)
    else:
        rows_of(model, db).bulk_create(objs, ignore_conflicts=ignore_conflicts)


def _insert_events(events: Sequence[EscalationEvent], now: dt.datetime, db: str) -> None:
    """Insert these events and give each its primary key; one whose (ticket, round, level)
    another operation recorded first is left out and keeps None (the unique key is the last
    guard against a duplicate)."""
    if not events:
        return
    if connections[db].vendor == "postgresql":
        inserted = insert_rows(events, using=db, ignore_conflicts=True, returning=("id", "ticket", "round", "level"))
    else:
        rows_of(EscalationEvent, db).bulk_create(events, ignore_conflicts=True)
        # Without RETURNING for the rows inserted: the ones at this operation's instant.
        inserted = rows_of(EscalationEvent, db).filter(
            ticket_id__in={e.ticket_id for e in events}, at=now
        ).values_list("pk", "ticket_id", "round", "level")  # fmt: skip
    ids = {(ticket_id, round_, level): pk for pk, ticket_id, round_, level in inserted}
    for event in events:
        event.pk = ids.get((event.ticket_id, event.round, event.level))


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
        rows_of(Ticket, db).filter(pk__in=ticket_ids).update(escalation_level=level, updated_at=now)
    _insert(TicketEvent, lines, db)


def send_notifications_on_commit(event_ids_by_tenant: Mapping[int, list[int]], using: str = DEFAULT_DB_ALIAS) -> None:
    """Hand the notifications of these events (of one tenant or a cross-tenant batch) to one
    task once the transaction commits; the task works through the tenants one wall at a
    time. (A task per tenant per batch cost more than the rest of a sweep:
    bench/escalation_sweep.py.)"""
    batch = {str(tenant_id): ids for tenant_id, ids in event_ids_by_tenant.items() if ids}
    if not batch:
        return

    def send() -> None:
        from escalation.tasks import notify_escalations_task  # noqa: PLC0415 - tasks import services

        notify_escalations_task.delay(event_ids_by_tenant=batch)

    transaction.on_commit(send, using=using)


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()

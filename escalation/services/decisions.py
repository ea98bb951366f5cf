"""What happens to a ticket's escalation: for each due timer (the sweep) or on a person's
request (escalation.services.manual), the levels reached or skipped, the contacts tried, and
the timer's new state. Decided in memory under the lock of the ``TicketEscalation`` rows
given, inside the tenant's configuration; escalation.services.recording writes it down.

Rules (each has a test in tests/escalation/), on top of escalation.services.rules:
- Catch-up: a ticket goes straight to the level its age (or breach) warrants; the levels in
  between are recorded as skipped, and only the level reached is notified.
- Unanswered: a level's contacts are tried one after another, each given the tenant's time
  to acknowledge; after ``attempts_per_level`` unanswered attempts the ticket goes to the next
  level (at the top level, the escalation manager is told instead).
- De-escalation starts a new round at the lower level: age counts from then, breaches so far
  are set aside.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from escalation.models import EscalationAttempt, EscalationContact, EscalationEvent, TicketEscalation
from escalation.services.config import product_area_of
from escalation.services.rules import Rules
from tickets.models import Ticket

Trigger = EscalationEvent.Trigger


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


class Escalator(Rules):
    """Decides escalations for one tenant at one instant."""

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
        """The levels from the timer's level up to ``target``: the ones in between as skipped,
        ``target`` as reached (its contacts are tried once it is recorded)."""
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
                    change.attempts.append(
                        self._attempt(
                            timer.ack_event, self.config.settings.attempts_per_level + 1, managers[0], manager=True
                        )
                    )
        by_age = self.age_level(timer, ticket)
        if by_age > target:
            target, trigger = by_age, Trigger.AGE
        floor = self.breach_floor(timer, ticket, instants)
        if floor is not None:
            timer.breaches_handled_until = self.now
            if floor > target:
                target, trigger = floor, Trigger.BREACH
        if target > timer.level:
            self.raise_to(change, target, trigger)
        timer.next_check_at = self.next_check(timer, ticket, instants)
        if not change.events and not change.attempts:
            return None
        return change

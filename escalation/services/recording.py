"""Writing down what escalation.services.decisions decided: the events and attempts (in one
statement per table, ``servicedesk.db.bulk``) and the timers. The tickets' levels and timeline
lines are the tickets app's to write (tickets.services.escalation_level); ``level_changes``
says what they are.

Each writes inside the current tenant on the default connection, or a batch across tenants
(``across_tenants``: the sweep's batch on the system connection), each row with its own
``tenant_id``.

Exactly once: every level reached is an ``EscalationEvent`` unique per (ticket, round,
level), every attempt unique per (event, number); the timer's row lock serialises the changes,
and the unique keys back it up: an event another operation recorded first is left out, and its
contacts are not tried again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from escalation.models import EscalationAttempt, EscalationEvent, TicketEscalation
from escalation.services.decisions import Change, Escalator
from servicedesk.cross_tenant import rows_of
from servicedesk.db.bulk import insert_rows, update_rows
from tickets.services.escalation_level import LevelChange

# What the sweep changes on a timer (the rest only people change).
SWEPT_FIELDS = (
    "level", "breaches_handled_until", "ack_event", "ack_attempts", "ack_due_at", "next_check_at", "closed_at",
)  # fmt: skip


def record_escalations(
    escalators: Mapping[int, Escalator],
    changes: Sequence[Change],
    now: dt.datetime,
    *,
    across_tenants: bool = False,
) -> dict[int, list[int]]:
    """Record the events and attempts of these changes (of one or more tenants) in one
    statement per table, and try the first contact of each level newly reached. Returns, per
    tenant, the events whose notifications to send."""
    changes = [c for c in changes if c.events or c.attempts]
    if not changes:
        return {}
    _insert_events([e for c in changes for e in c.events], across_tenants=across_tenants)
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
    insert_rows(rows_of(EscalationAttempt, across_tenants=across_tenants), attempts, ignore_conflicts=True)
    return {tenant_id: sorted(ids) for tenant_id, ids in notify.items() if ids}


def _insert_events(events: Sequence[EscalationEvent], *, across_tenants: bool) -> None:
    """Insert these events and give each its primary key; one whose (ticket, round, level)
    another operation recorded first is left out and keeps None (the unique key is the last
    guard against a duplicate)."""
    inserted = insert_rows(
        rows_of(EscalationEvent, across_tenants=across_tenants),
        events,
        ignore_conflicts=True,
        returning=("id", "ticket", "round", "level"),
    )
    ids = {(ticket_id, round_, level): pk for pk, ticket_id, round_, level in inserted}
    for event in events:
        event.pk = ids.get((event.ticket_id, event.round, event.level))


def level_changes(changes: Sequence[Change]) -> list[LevelChange]:
    """The tickets whose escalation level these changes moved, for their timelines."""
    return [
        LevelChange(
            tenant_id=c.timer.tenant_id,
            ticket_id=c.ticket.pk,
            from_level=c.from_level,
            to_level=c.timer.level,
            actor_id=c.actor_id,
            reason=c.comment,
        )  # fmt: skip
        for c in changes
        if (c.events or c.attempts) and c.timer.level != c.from_level
    ]


def save_timers(timers: Sequence[TicketEscalation], *, across_tenants: bool = False) -> None:
    """Write the swept fields of these (locked) timers in one statement."""
    update_rows(rows_of(TicketEscalation, across_tenants=across_tenants), timers, SWEPT_FIELDS)

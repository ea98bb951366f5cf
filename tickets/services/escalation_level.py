"""A ticket's escalation level and the timeline line that records each change of it, written by
the tickets app for the escalation app (which decides the levels: escalation.services).

The level is the ticket's public field, written as a plain ``UPDATE``: escalation is not an
edit of the ticket, so its ``version`` (optimistic concurrency of edits) stays as it is. Call
under the lock of the ticket's escalation timer (the escalation services hold it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from servicedesk.cross_tenant import rows_of
from servicedesk.db.bulk import insert_rows
from tickets.models import Ticket, TicketEvent

MAX_REASON = 2000


@dataclass(frozen=True)
class LevelChange:
    """A ticket moved from one escalation level to another, by whom (None: the sweep) and why."""

    tenant_id: int
    ticket_id: int
    from_level: int
    to_level: int
    actor_id: int | None = None
    reason: str = ""


def _line(change: LevelChange, now: dt.datetime) -> TicketEvent:
    return TicketEvent(
        tenant_id=change.tenant_id, ticket_id=change.ticket_id, kind=TicketEvent.Kind.FIELD_CHANGED,
        actor_id=change.actor_id, at=now, field="escalation_level", from_value=str(change.from_level),
        to_value=str(change.to_level), reason=change.reason[:MAX_REASON],
    )  # fmt: skip


def record_escalation_levels(changes: Sequence[LevelChange], *, now: dt.datetime, across_tenants: bool = False) -> None:
    """Set these tickets' levels and add their timeline lines in one set of statements: one
    ``UPDATE`` per level reached and one ``INSERT`` of the lines (a sweep's batch). Inside the
    current tenant, or across tenants (``across_tenants``: the sweep's batch on the system connection),
    each line with its ticket's ``tenant_id``. A change that keeps the level records nothing.

    ``updated_at`` stays as it is: it tells when someone last changed the ticket, so "least
    recently updated" still finds the tickets nobody touched, escalated or not; and with no
    indexed column written, the sweep's update can stay on its page (a HOT update, no new entry
    in any of the tickets' indexes)."""
    changes = [c for c in changes if c.to_level != c.from_level]
    by_level: dict[int, list[int]] = defaultdict(list)
    for change in changes:
        by_level[change.to_level].append(change.ticket_id)
    tickets = rows_of(Ticket, across_tenants=across_tenants)
    for level, ticket_ids in by_level.items():
        tickets.filter(pk__in=ticket_ids).update(escalation_level=level)
    insert_rows(rows_of(TicketEvent, across_tenants=across_tenants), [_line(c, now) for c in changes])


def record_escalation_level(
    *, ticket: Ticket, from_level: int, to_level: int, actor_id: int | None, reason: str, now: dt.datetime
) -> TicketEvent | None:
    """Set one ticket's level (a person escalated or lowered it) and add its timeline line;
    None when the level stays as it is. Inside the ticket's tenant."""
    if to_level == from_level:
        return None
    Ticket.objects.filter(pk=ticket.pk).update(escalation_level=to_level, updated_at=now)
    ticket.escalation_level = to_level
    change = LevelChange(
        tenant_id=ticket.tenant_id, ticket_id=ticket.pk, from_level=from_level, to_level=to_level,
        actor_id=actor_id, reason=reason,
    )  # fmt: skip
    line = _line(change, now)
    line.save(force_insert=True)
    return line

"""The lines of a ticket's timeline, one function per kind of line.

Each writes one line and returns it. Call them inside the transaction of the change they
record, with the instant the change was made (``at``): lines of one change share it and are
read in the order they were written. Internal lines are shown to staff only.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from servicedesk.models import User
from tickets.models import Ticket, TicketEvent


def shown(value: object) -> str:
    """How a field's value reads on a line (nothing for None; a related object by its name)."""
    return "" if value is None else str(value)


def _line(
    ticket: Ticket, kind: str, actor: User | None, at: dt.datetime, *, internal: bool = False, **values: str
) -> TicketEvent:
    return TicketEvent.objects.create(
        tenant_id=ticket.tenant_id, ticket=ticket, kind=kind, actor=actor, at=at, internal=internal, **values
    )


def record_opening(*, ticket: Ticket, actor: User, at: dt.datetime) -> TicketEvent:
    """The ticket was opened (through its channel)."""
    return _line(
        ticket, TicketEvent.Kind.CREATED, actor, at, to_value=ticket.status, reason=ticket.get_channel_display()
    )


def record_status_change(*, ticket: Ticket, actor: User, at: dt.datetime, before: str, reason: str = "") -> TicketEvent:
    """The status went from ``before`` to the ticket's current one."""
    return _line(
        ticket,
        TicketEvent.Kind.TRANSITION,
        actor,
        at,
        field="status",
        from_value=before,
        to_value=ticket.status,
        reason=reason[:2000],
    )


def record_field_change(
    *, ticket: Ticket, actor: User, at: dt.datetime, field: str, before: object, after: object, internal: bool = False
) -> TicketEvent:
    """A field of the ticket (or of what hangs off it, e.g. its RFO) changed."""
    return _line(
        ticket,
        TicketEvent.Kind.FIELD_CHANGED,
        actor,
        at,
        internal=internal,
        field=field,
        from_value=shown(before),
        to_value=shown(after),
    )


def record_priority_change(
    *, ticket: Ticket, actor: User, at: dt.datetime, before: str, reason: str = ""
) -> TicketEvent:
    """The priority changed to the ticket's current one: an override of the matrix if the
    ticket says so, otherwise the matrix's (again)."""
    kind = TicketEvent.Kind.PRIORITY_OVERRIDDEN if ticket.priority_overridden else TicketEvent.Kind.FIELD_CHANGED
    return _line(ticket, kind, actor, at, field="priority", from_value=before, to_value=ticket.priority, reason=reason)


def record_assignment(
    *, ticket: Ticket, actor: User, at: dt.datetime, field: str, before: object, after: object
) -> TicketEvent:
    """The team or the assignee (``field``) changed."""
    return _line(
        ticket, TicketEvent.Kind.ASSIGNED, actor, at, field=field, from_value=shown(before), to_value=shown(after)
    )


def record_comment(*, ticket: Ticket, actor: User, at: dt.datetime, internal: bool) -> TicketEvent:
    """A public reply, or an internal note (an internal line)."""
    return _line(
        ticket,
        TicketEvent.Kind.COMMENTED,
        actor,
        at,
        internal=internal,
        to_value=_("internal note") if internal else _("reply"),
    )


def record_attachment(*, ticket: Ticket, actor: User, at: dt.datetime, name: str, internal: bool) -> TicketEvent:
    """A file was attached (a staff-only file: an internal line)."""
    return _line(ticket, TicketEvent.Kind.ATTACHMENT_ADDED, actor, at, internal=internal, to_value=name)


def record_merge(*, source: Ticket, target: Ticket, actor: User, at: dt.datetime, before: str) -> None:
    """``source`` (its status was ``before``) was merged into ``target`` and closed: a line on
    each, naming the other."""
    _line(source, TicketEvent.Kind.MERGED, actor, at, field="into", from_value=before, to_value=target.number)
    _line(target, TicketEvent.Kind.MERGED, actor, at, field="from", to_value=source.number)


def record_callback(*, ticket: Ticket, actor: User, at: dt.datetime, note: str = "") -> TicketEvent:
    """A specialist called the customer back."""
    return _line(ticket, TicketEvent.Kind.CALLBACK, actor, at, reason=note[:2000])

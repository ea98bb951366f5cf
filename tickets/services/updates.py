"""Changing a ticket: one use case per kind of change, each on the version the caller read.

Every use case locks the ticket, refuses a stale ``version`` (StaleTicket) and a closed or
cancelled ticket (TicketClosed), validates its input once, saves only the fields it changes
(and a new version: all of these are fields the customer sees) and writes one timeline line
per changed field. A call that changes nothing writes nothing and keeps the version.

``ticket`` comes from an accessor that applied the actor's walls (get_ticket_for); the row is
locked here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import Team, User
from servicedesk.selectors import staff_of_tenant
from tickets.events import ticket_changed
from tickets.models import Impact, Priority, Ticket, Urgency
from tickets.rendering import render_markdown
from tickets.services import sla, timeline
from tickets.services.conversation import search_document_for
from tickets.services.intake import clean_contacts, priority_for
from tickets.services.lifecycle import bump


class StaleTicket(Conflict):
    """The ticket changed after the caller read it."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _("Someone else changed this ticket after you loaded it. Reload it and apply your change again."),
            code="stale_version",
            current_version=current_version,
        )


class TicketClosed(Conflict):
    """Closed and cancelled tickets keep what they say."""

    def __init__(self) -> None:
        super().__init__(_("A closed or cancelled ticket cannot be changed."), code="ticket_closed")


class DeskOnlyChange(PermissionRefused):
    """A customer asked to change what only the desk changes."""

    def __init__(self, fields: Sequence[str]) -> None:
        super().__init__(_("You cannot change: %(fields)s.") % {"fields": ", ".join(fields)})
        self.fields = list(fields)


class InvalidDetails(InvalidInput):
    """Subject, description, reference, contacts or occurrence, by field."""


class InvalidAssessment(InvalidInput):
    """Impact or urgency not one of the choices."""


class InvalidAssignment(InvalidInput):
    """No such team or an inactive one, or the assignee is not active staff of this desk."""


class InvalidPriority(InvalidInput):
    """Not a priority, or a priority other than the matrix's without a reason."""


def _desk_only(actor: User, fields: Sequence[str]) -> None:
    if not actor.is_desk_staff:
        raise DeskOnlyChange(fields)


def _lock(ticket: Ticket, version: int) -> Ticket:
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.version != version:
        raise StaleTicket(locked.version)
    if locked.status in (Ticket.Status.CLOSED, Ticket.Status.CANCELLED):
        raise TicketClosed
    return locked


def _changed(ticket: Ticket, values: dict[str, Any]) -> dict[str, Any]:
    """Set the values that differ on ``ticket``; returns each changed field's value before."""
    before = {}
    for name, value in values.items():
        if getattr(ticket, name) != value:
            before[name] = getattr(ticket, name)
            setattr(ticket, name, value)
    return before


def _save(ticket: Ticket, fields: list[str], now: dt.datetime) -> None:
    ticket.save(update_fields=[*fields, *bump(ticket, now)])


@transaction.atomic
def edit_ticket_details(
    *,
    ticket: Ticket,
    actor: User,
    version: int,
    subject: str | None = None,
    description: str | None = None,
    customer_reference: str | None = None,
    contacts: dict[str, Any] | None = None,
    occurrence: str | None = None,
) -> Ticket:
    """Change what the ticket says (None: leave as is); the customer and the desk alike.
    Raises StaleTicket, TicketClosed or InvalidDetails (naming every bad field)."""
    locked = _lock(ticket, version)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if subject is not None:
        values["subject"] = subject.strip()
        if not values["subject"] or len(values["subject"]) > Ticket.MAX_SUBJECT:
            errors["subject"] = [_("Give a short description of at most 200 characters.")]
    if description is not None:
        values["description"] = description.strip()
        if not values["description"] or len(values["description"]) > Ticket.MAX_DESCRIPTION:
            errors["description"] = [
                _("Describe the problem (at most %(max)d characters).") % {"max": Ticket.MAX_DESCRIPTION}
            ]
    if customer_reference is not None:
        values["customer_reference"] = customer_reference.strip()[: Ticket.MAX_CUSTOMER_REFERENCE]
    if occurrence is not None:
        if occurrence not in ("", *Ticket.Occurrence.values):
            errors["occurrence"] = [_("Choose permanent or intermittent.")]
        values["occurrence"] = occurrence
    if contacts is not None:
        values["contacts"] = clean_contacts(contacts, errors)
    if errors:
        raise InvalidDetails(errors)

    now = timezone.now()
    before = _changed(locked, values)
    if not before:
        return locked
    fields = list(before)
    if "description" in before:
        locked.description_html = render_markdown(locked.description)
        fields.append("description_html")
    if {"subject", "description"} & set(before):
        locked.search_document = search_document_for(locked)
        fields.append("search_document")
    _save(locked, fields, now)
    for name, value in before.items():
        timeline.record_field_change(
            ticket=locked, actor=actor, at=now, field=name, before=value, after=getattr(locked, name)
        )
    return locked


@transaction.atomic
def reassess_ticket(
    *, ticket: Ticket, actor: User, version: int, impact: str | None = None, urgency: str | None = None
) -> Ticket:
    """The desk changes impact or urgency (None: leave as is); the priority follows the
    matrix unless it is overridden. Raises DeskOnlyChange, StaleTicket, TicketClosed or
    InvalidAssessment."""
    _desk_only(actor, [name for name, value in (("impact", impact), ("urgency", urgency)) if value is not None])
    locked = _lock(ticket, version)
    errors: dict[str, list[str]] = {}
    if impact is not None and impact not in Impact.values:
        errors["impact"] = [_("Choose outage, degradation or none.")]
    if urgency is not None and urgency not in Urgency.values:
        errors["urgency"] = [_("Choose high, medium or low.")]
    if errors:
        raise InvalidAssessment(errors)

    now = timezone.now()
    before = _changed(locked, {"impact": impact or locked.impact, "urgency": urgency or locked.urgency})
    if not before:
        return locked
    priority_before = locked.priority
    if not locked.priority_overridden:
        locked.priority = priority_for(impact=locked.impact, urgency=locked.urgency)
    _save(locked, [*before, *(["priority"] if locked.priority != priority_before else [])], now)
    for name, value in before.items():
        timeline.record_field_change(
            ticket=locked, actor=actor, at=now, field=name, before=value, after=getattr(locked, name)
        )
    if locked.priority != priority_before:
        timeline.record_priority_change(ticket=locked, actor=actor, at=now, before=priority_before)
        _priority_changed(locked, now)
    return locked


@transaction.atomic
def override_priority(*, ticket: Ticket, actor: User, version: int, priority: str, reason: str = "") -> Ticket:
    """The desk sets the priority: one other than the matrix's is an override and says why;
    the matrix's own ends an override. Raises DeskOnlyChange, StaleTicket, TicketClosed or
    InvalidPriority."""
    _desk_only(actor, ["priority"])
    locked = _lock(ticket, version)
    if priority not in Priority.values:
        raise InvalidPriority.single("priority", _("Choose P1, P2, P3 or P4."))
    reason = (reason or "").strip()
    overridden = priority != priority_for(impact=locked.impact, urgency=locked.urgency)
    if overridden and not reason:
        raise InvalidPriority.single("priority_reason", _("Say why the priority differs from the matrix."))
    if priority == locked.priority:
        return locked
    kept_reason = reason[: Ticket.MAX_PRIORITY_REASON] if overridden else ""
    now = timezone.now()
    before = locked.priority
    locked.priority, locked.priority_overridden, locked.priority_reason = priority, overridden, kept_reason
    _save(locked, ["priority", "priority_overridden", "priority_reason"], now)
    timeline.record_priority_change(ticket=locked, actor=actor, at=now, before=before, reason=reason)
    _priority_changed(locked, now)
    return locked


def _priority_changed(ticket: Ticket, now: dt.datetime) -> None:
    sla.recompute(ticket, now)
    ticket_changed(ticket)


@transaction.atomic
def assign_ticket(*, ticket: Ticket, actor: User, version: int, team_id: int | None, assignee_id: int | None) -> Ticket:
    """The desk gives the ticket to a team and an agent or manager of this desk (None: none).
    An inactive team or a deactivated person gets no ticket (the ones they have stay theirs:
    keeping them is no change). Raises DeskOnlyChange, StaleTicket, TicketClosed or
    InvalidAssignment."""
    _desk_only(actor, ["team", "assignee"])
    locked = _lock(ticket, version)
    errors: dict[str, list[str]] = {}
    team = Team.objects.filter(pk=team_id).first() if team_id is not None else None
    if team_id is not None and team is None:
        errors["team"] = [_("There is no such team.")]
    elif team is not None and not team.is_active and team.pk != locked.team_id:
        # An inactive team keeps the tickets it has; it gets no new ones.
        errors["team"] = [_("%(team)s is inactive: choose an active team.") % {"team": team.name}]
    # None unassigns; any number names a user (0 is none of the desk's, not "nobody").
    assignee = staff_of_tenant(actor=actor).filter(pk=assignee_id).first() if assignee_id is not None else None
    if assignee_id is not None and assignee is None:
        errors["assignee"] = [_("Assign the ticket to an agent or manager of this desk.")]
    elif assignee is not None and not assignee.is_active and assignee.pk != locked.assignee_id:
        errors["assignee"] = [
            _("%(person)s is deactivated: choose an active agent or manager.")
            % {"person": assignee.full_name or assignee.email}
        ]
    if errors:
        raise InvalidAssignment(errors)

    now = timezone.now()
    before = _changed(locked, {"team": team, "assignee": assignee})
    if not before:
        return locked
    _save(locked, list(before), now)
    for name, value in before.items():
        timeline.record_assignment(
            ticket=locked, actor=actor, at=now, field=name, before=value, after=getattr(locked, name)
        )
    return locked

"""Changing a ticket's fields, with optimistic concurrency and a timeline entry per field."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import Team, User
from servicedesk.selectors import staff_of_tenant
from tickets.events import ticket_changed
from tickets.models import Impact, Priority, Ticket, TicketEvent, Urgency
from tickets.rendering import render_markdown
from tickets.services import sla
from tickets.services.conversation import search_document_for
from tickets.services.intake import MAX_DESCRIPTION, _clean_contacts, priority_for
from tickets.services.lifecycle import bump

CUSTOMER_FIELDS = {"subject", "description", "customer_reference", "contacts", "occurrence"}
STAFF_FIELDS = CUSTOMER_FIELDS | {"impact", "urgency", "priority", "priority_reason", "team", "assignee"}


def _display(value: Any) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def update_ticket(*, ticket: Ticket, actor: User, version: int, changes: dict[str, Any]) -> Ticket:
    """Apply ``changes`` if ``version`` is still the ticket's version; otherwise Conflict and
    nothing changes. ``team`` and ``assignee`` are ids (None to clear). A priority other than
    the matrix's is an override and needs ``priority_reason``."""
    allowed = STAFF_FIELDS if actor.is_desk_staff else CUSTOMER_FIELDS
    refused = sorted(set(changes) - allowed)
    if refused:
        raise PermissionRefused(_("You cannot change: %(fields)s.") % {"fields": ", ".join(refused)})
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.version != version:
        raise Conflict(
            _("Someone else changed this ticket after you loaded it. Reload it and apply your change again."),
            code="stale_version",
            current_version=locked.version,
        )
    if locked.status in (Ticket.Status.CLOSED, Ticket.Status.CANCELLED):
        raise Conflict(_("A closed or cancelled ticket cannot be changed."), code="ticket_closed")

    errors: dict[str, list[str]] = {}
    new: dict[str, Any] = {}
    if "subject" in changes:
        subject = str(changes["subject"] or "").strip()
        if not subject or len(subject) > 200:
            errors["subject"] = [_("Give a short description of at most 200 characters.")]
        new["subject"] = subject
    if "description" in changes:
        description = str(changes["description"] or "").strip()
        if not description or len(description) > MAX_DESCRIPTION:
            errors["description"] = [_("Describe the problem (at most %(max)d characters).") % {"max": MAX_DESCRIPTION}]
        new["description"] = description
    if "customer_reference" in changes:
        new["customer_reference"] = str(changes["customer_reference"] or "").strip()[:100]
    if "occurrence" in changes:
        if changes["occurrence"] not in ("", *Ticket.Occurrence.values):
            errors["occurrence"] = [_("Choose permanent or intermittent.")]
        new["occurrence"] = changes["occurrence"]
    if "contacts" in changes:
        new["contacts"] = _clean_contacts(changes["contacts"] or {}, errors)
    if "impact" in changes:
        if changes["impact"] not in Impact.values:
            errors["impact"] = [_("Choose outage, degradation or none.")]
        new["impact"] = changes["impact"]
    if "urgency" in changes:
        if changes["urgency"] not in Urgency.values:
            errors["urgency"] = [_("Choose high, medium or low.")]
        new["urgency"] = changes["urgency"]
    if "team" in changes:
        team = Team.objects.filter(pk=changes["team"]).first() if changes["team"] is not None else None
        if changes["team"] is not None and team is None:
            errors["team"] = [_("There is no such team.")]
        new["team"] = team
    if "assignee" in changes:
        assignee = staff_of_tenant(actor=actor).filter(pk=changes["assignee"]).first() if changes["assignee"] else None
        if changes["assignee"] and assignee is None:
            errors["assignee"] = [_("Assign the ticket to an agent or manager of this desk.")]
        new["assignee"] = assignee
    if errors:
        raise InvalidInput(errors)  # type: ignore[arg-type]

    impact = new.get("impact", locked.impact)
    urgency = new.get("urgency", locked.urgency)
    matrix_priority = priority_for(impact=impact, urgency=urgency)
    reason = str(changes.get("priority_reason") or "").strip()
    if "priority" in changes:
        if changes["priority"] not in Priority.values:
            raise InvalidInput.single("priority", _("Choose P1, P2, P3 or P4."))
        if changes["priority"] != matrix_priority:
            if not reason:
                raise InvalidInput.single("priority_reason", _("Say why the priority differs from the matrix."))
            new.update(priority=changes["priority"], priority_overridden=True, priority_reason=reason[:500])
        else:
            new.update(priority=matrix_priority, priority_overridden=False, priority_reason="")
    elif ("impact" in new or "urgency" in new) and not locked.priority_overridden:
        new["priority"] = matrix_priority

    now = timezone.now()
    overriding = new.get("priority_overridden", locked.priority_overridden)
    events = []
    for name, value in new.items():
        if getattr(locked, name) == value:
            continue
        before = getattr(locked, name)
        setattr(locked, name, value)
        if name in {"priority_overridden", "priority_reason"}:
            continue
        kind = TicketEvent.Kind.FIELD_CHANGED
        if name == "priority" and overriding:
            kind = TicketEvent.Kind.PRIORITY_OVERRIDDEN
        elif name in {"team", "assignee"}:
            kind = TicketEvent.Kind.ASSIGNED
        events.append(
            TicketEvent(
                tenant_id=locked.tenant_id,
                ticket=locked,
                kind=kind,
                actor=actor,
                at=now,
                field=name,
                from_value=_display(before),
                to_value=_display(value),
                reason=reason if name == "priority" else "",
            )  # fmt: skip
        )
    if not events:
        return locked
    if "description" in new:
        locked.description_html = render_markdown(locked.description)
    if {"subject", "description"} & set(new):
        locked.search_document = search_document_for(locked)
    bump(locked, now)
    locked.save()
    TicketEvent.objects.bulk_create(events)
    if "priority" in new and any(e.field == "priority" for e in events):
        sla.recompute(locked, now)
        ticket_changed(locked)
    return locked

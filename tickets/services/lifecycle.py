"""Moving a ticket through its lifecycle (the graph is on the model)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import User
from tickets.events import ticket_changed
from tickets.models import SlaTarget, Ticket
from tickets.services import sla, timeline

ACTIONS = ("acknowledge", "start_work", "wait_for_customer", "resume", "resolve", "close", "reopen", "cancel")
# Resolving and cancelling say why: the customer reads it.
REASON_REQUIRED = {"resolve", "cancel"}


def available_actions(*, ticket: Ticket, actor: User) -> list[str]:
    """The lifecycle actions ``actor`` may take on ``ticket`` now, in graph order."""
    return [
        name
        for name in ACTIONS
        if can_proceed(getattr(ticket, name)) and has_transition_perm(getattr(ticket, name), actor)
    ]


def _may_ever(ticket: Ticket, actor: User, action: str) -> bool:
    """Whether the actor's role allows ``action`` from some status (permission only)."""
    transitions = Ticket._meta.get_field("status").get_all_transitions(Ticket)
    return any(candidate.name == action and candidate.has_perm(ticket, actor) for candidate in transitions)


def bump(ticket: Ticket, now: dt.datetime) -> list[str]:
    """Mark a change the customer can see: a new version and updated_at. Returns the fields
    to save. Internal changes (notes, staff-only files) do not call it: the version and
    updated_at are what the customer reads and writes against, so they must not tell of
    what the customer cannot see."""
    ticket.version += 1
    ticket.updated_at = now
    return ["version", "updated_at"]


@transaction.atomic
def transition_ticket(*, ticket: Ticket, actor: User, action: str, reason: str = "") -> Ticket:
    """Run lifecycle ``action`` on ``ticket`` for ``actor`` and record it on the timeline.

    ``ticket`` must come from an accessor that checked the actor's walls; the row is locked
    here. Raises InvalidInput (unknown action, missing reason), PermissionRefused (the role
    never may) or Conflict (not possible from the current status)."""
    if action not in ACTIONS:
        raise InvalidInput.single("action", _("Unknown action; use one of: %(a)s.") % {"a": ", ".join(ACTIONS)})
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise InvalidInput.single("reason", _("Say why; the customer sees it."))
    locked = Ticket.objects.select_for_update().select_related("tenant").get(pk=ticket.pk)
    if action not in available_actions(ticket=locked, actor=actor):
        if not _may_ever(locked, actor, action):
            raise PermissionRefused(_("You may not %(action)s this ticket.") % {"action": action.replace("_", " ")})
        raise Conflict(
            _("A ticket that is %(status)s cannot be %(action)s now.")
            % {"status": locked.get_status_display().lower(), "action": action.replace("_", " ")},
            code="transition_not_allowed",
            status=locked.status,
            actions=available_actions(ticket=locked, actor=actor),
        )
    now = timezone.now()
    before, resolved_at = locked.status, locked.resolved_at
    getattr(locked, action)()
    fields = ["status", "resolved_at", "closed_at", *bump(locked, now)]
    locked.save(update_fields=fields)
    timeline.record_status_change(ticket=locked, actor=actor, at=now, before=before, reason=reason)
    apply_to_clocks(locked, action, now, resolved_at=resolved_at)
    ticket_changed(locked)
    return locked


def apply_to_clocks(ticket: Ticket, action: str, now: dt.datetime, resolved_at: dt.datetime | None = None) -> None:
    """What a lifecycle action means for the ticket's service-level clocks."""
    if action in ("acknowledge", "start_work"):
        sla.meet(ticket, SlaTarget.RESPOND, now)
    elif action == "wait_for_customer":
        sla.pause(ticket, now)
    elif action == "resume":
        sla.resume(ticket, now)
    elif action == "resolve":
        sla.meet(ticket, SlaTarget.RESPOND, now)
        sla.meet(ticket, SlaTarget.RESTORE, now)
    elif action == "reopen":
        sla.reopen(ticket, resolved_at, now)
    elif action == "cancel":
        sla.stop(ticket, now)

"""One change applied to a selection of tickets, ticket by ticket, each through its own use
case (assignment, a lifecycle action, an internal note) in its own transaction: a refusal of
one ticket (a stale version, a transition its status does not allow, a ticket the actor cannot
see) leaves the others done, and the caller gets one outcome per ticket saying which and why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import User
from tickets.models import Ticket
from tickets.services.conversation import add_comment
from tickets.services.lifecycle import transition_ticket
from tickets.services.updates import StaleTicket, assign_ticket

#: The most tickets one bulk action changes (a queue page shows 50).
MAX_SELECTION = 100


@dataclass(frozen=True)
class Selected:
    """A ticket as the agent saw it when choosing it: its number and the version they read."""

    number: str
    version: int


@dataclass(frozen=True)
class Outcome:
    number: str
    #: "done", or why not: "not_found", "stale_version", "transition_not_allowed", "invalid", "refused", …
    code: str
    #: the refusal in words (empty when done)
    detail: str = ""
    ticket: Ticket | None = None

    @property
    def is_done(self) -> bool:
        return self.code == "done"


Change = Callable[[Ticket, int], object]


def apply_in_bulk(*, actor: User, selection: Sequence[Selected], change: Change) -> list[Outcome]:
    """Apply ``change(ticket, version)`` (one use case call) to each selected ticket the actor
    may see, in the selection's order; a ticket outside the actor's walls is "not found" and
    untouched, as if it did not exist."""
    if len(selection) > MAX_SELECTION:
        raise InvalidInput.single("tickets", _("Choose at most %(count)d tickets at once.") % {"count": MAX_SELECTION})
    visible = {ticket.number: ticket for ticket in Ticket.objects.visible_to(actor).filter(
        number__in=[chosen.number for chosen in selection]
    )}  # fmt: skip
    outcomes = []
    for chosen in selection:
        ticket = visible.get(chosen.number)
        if ticket is None:
            outcomes.append(Outcome(chosen.number, "not_found", _("There is no such ticket.")))
            continue
        try:
            change(ticket, chosen.version)
        except InvalidInput as invalid:
            detail = " ".join(message for messages in invalid.errors.values() for message in messages)
            outcomes.append(Outcome(chosen.number, "invalid", detail, ticket))
        except Conflict as conflict:
            outcomes.append(Outcome(chosen.number, conflict.code, conflict.detail, ticket))
        except PermissionRefused as refusal:
            outcomes.append(Outcome(chosen.number, "refused", str(refusal), ticket))
        else:
            outcomes.append(Outcome(chosen.number, "done", "", ticket))
    return outcomes


def assign_change(*, actor: User, team_id: int | None = None, assignee_id: int | None = None, keep: str) -> Change:
    """Assign each ticket to ``assignee_id`` (``keep="team"``: its team stays) or to ``team_id``
    (``keep="assignee"``: its assignee stays), on the version the agent read."""

    def change(ticket: Ticket, version: int) -> object:
        team = ticket.team_id if keep == "team" else team_id
        assignee = ticket.assignee_id if keep == "assignee" else assignee_id
        return assign_ticket(ticket=ticket, actor=actor, version=version, team_id=team, assignee_id=assignee)

    return change


def transition_change(*, actor: User, action: str, reason: str) -> Change:
    """Run a lifecycle action on each ticket still at the version the agent read (a ticket
    changed since is refused as stale, as every versioned change is)."""

    def change(ticket: Ticket, version: int) -> object:
        if ticket.version != version:
            raise StaleTicket(ticket.version)
        return transition_ticket(ticket=ticket, actor=actor, action=action, reason=reason)

    return change


def note_change(*, actor: User, body: str) -> Change:
    """Add the same internal note to each ticket (notes do not change a ticket's version)."""

    def change(ticket: Ticket, version: int) -> object:
        return add_comment(ticket=ticket, actor=actor, body=body, internal=True)

    return change

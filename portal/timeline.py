"""A ticket's timeline in words: one sentence per line, in the reader's language, for the
customer portal and the agents' console alike.

Every kind of line the tickets and escalation apps write (``TicketEvent.Kind``, and the fields
a ``field_changed`` line names) reads as a sentence; a stored code never reaches the page.
Each line carries its audience: ``CUSTOMER`` lines are what a customer may read, ``DESK``
lines (internal notes and files, SLA warnings and breaches, problem links) only staff. The
selector already keeps internal rows from customers; ``lines_for`` drops desk-only kinds too,
so a line written without the flag still stays with the desk.

Presentation only: the values come from the rows ``timeline_for`` returned (their actors
joined), nothing is fetched per line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.display import choice_label
from tickets.models import Rfo, SlaTarget, Ticket, TicketEvent

Kind = TicketEvent.Kind
Status = Ticket.Status

CUSTOMER = "customer"
DESK = "desk"

#: Kinds only the desk reads, whatever their ``internal`` flag says.
DESK_ONLY_KINDS = frozenset({Kind.SLA_WARNING, Kind.SLA_BREACH})
#: Fields whose changes only the desk reads (a problem record is the desk's own).
DESK_ONLY_FIELDS = frozenset({"problem"})

# Ticket kinds retired into enquiries (tickets migration 0005) still read as words.
_RETIRED_KINDS = {
    "service_request": gettext_lazy("Service request"),
    "change_request": gettext_lazy("Change request"),
}

# A status change reads as what happened, by the status reached (and where it came from).
_REACHED = {
    Status.ACKNOWLEDGED: gettext_lazy("The desk acknowledged the ticket."),
    Status.IN_PROGRESS: gettext_lazy("Work on the ticket started."),
    Status.WAITING_FOR_CUSTOMER: gettext_lazy("The desk is waiting for an answer from the customer."),
    Status.RESOLVED: gettext_lazy("The ticket was resolved."),
    Status.CLOSED: gettext_lazy("The ticket was closed."),
    Status.CANCELLED: gettext_lazy("The ticket was cancelled."),
}
_RESUMED = gettext_lazy("Work on the ticket resumed.")
_REOPENED = gettext_lazy("The ticket was reopened.")

# Reasons the services write themselves (in the language of whoever caused them): shown in
# the reader's language instead. The msgids must match the services' strings exactly.
_SYSTEM_REASONS: tuple[Promise, ...] = (gettext_lazy("The customer replied."),)


@dataclass(frozen=True)
class TimelineLine:
    at: dt.datetime
    actor: str
    text: str
    #: What the person wrote with the change (a reason, a note), or a system reason translated.
    reason: str
    internal: bool
    audience: str

    @property
    def for_customer(self) -> bool:
        return self.audience == CUSTOMER


def audience_of(event: TicketEvent) -> str:
    if event.internal or event.kind in DESK_ONLY_KINDS or event.field in DESK_ONLY_FIELDS:
        return DESK
    return CUSTOMER


def _quoted(value: str) -> str:
    return _("“%(value)s”") % {"value": value}


def _local(value: str) -> str:
    """A stored instant (ISO 8601) as a date and time in the reader's zone and format."""
    parsed = parse_datetime(value)
    if parsed is None:
        return value
    return formats.date_format(timezone.localtime(parsed), "SHORT_DATETIME_FORMAT")


def _target(code: str) -> str:
    return str(dict(SlaTarget.choices).get(code, code))


def _status_sentence(event: TicketEvent) -> str:
    before, after = event.from_value, event.to_value
    if after == Status.IN_PROGRESS and before == Status.WAITING_FOR_CUSTOMER:
        return str(_RESUMED)
    if after == Status.IN_PROGRESS and before in (Status.RESOLVED, Status.CLOSED):
        return str(_REOPENED)
    if after in _REACHED:
        return str(_REACHED[after])  # type: ignore[index]
    return _("The status changed from %(from)s to %(to)s.") % {
        "from": _quoted(choice_label("status", before)),
        "to": _quoted(choice_label("status", after)),
    }


def _level_sentence(before: str, after: str) -> str:
    try:
        low, high = int(before or 0), int(after or 0)
    except ValueError:
        low, high = 0, 0
    if high > low:
        return _("The ticket was escalated from level %(from)s to level %(to)s.") % {"from": low, "to": high}
    if high == 0:
        return _("The escalation was withdrawn (back to level 0 from level %(from)s).") % {"from": low}
    return _("The escalation was lowered from level %(from)s to level %(to)s.") % {"from": low, "to": high}


def _rfo_sentence(after: str) -> str:
    if after == Rfo.Status.PUBLISHED:
        return _("The reason for outage report was published.")
    return _("A reason for outage report was requested.")


def _kind_label(value: str) -> str:
    return str(_RETIRED_KINDS[value]) if value in _RETIRED_KINDS else choice_label("kind", value)


def _field_label(name: str) -> str:
    try:
        return str(Ticket._meta.get_field(name).verbose_name).capitalize()
    except Exception:  # noqa: BLE001 - a field since removed still shows by name
        return name


def _field_sentence(event: TicketEvent) -> str:
    field, before, after = event.field, event.from_value, event.to_value
    if field == "escalation_level":
        return _level_sentence(before, after)
    if field == "rfo":
        return _rfo_sentence(after)
    if field == "problem":
        if not after:
            return _("Unlinked from problem %(number)s.") % {"number": before}
        return _("Linked to problem %(number)s.") % {"number": after}
    if field == "description":
        return _("The description was changed.")
    if field == "contacts":
        return _("The contacts were changed.")
    if field == "subject":
        return _("The subject was changed to %(to)s.") % {"to": _quoted(after)}
    if field == "kind":
        return _("The kind changed from %(from)s to %(to)s.") % {
            "from": _quoted(_kind_label(before)),
            "to": _quoted(_kind_label(after)),
        }
    if field == "priority":
        return _("The priority changed from %(from)s to %(to)s.") % {
            "from": _quoted(choice_label("priority", before)),
            "to": _quoted(choice_label("priority", after)),
        }
    if field == "impact":
        return _("The impact changed from %(from)s to %(to)s.") % {
            "from": _quoted(choice_label("impact", before)),
            "to": _quoted(choice_label("impact", after)),
        }
    if field == "urgency":
        return _("The urgency changed from %(from)s to %(to)s.") % {
            "from": _quoted(choice_label("urgency", before)),
            "to": _quoted(choice_label("urgency", after)),
        }
    if not before:
        return _("%(field)s set to %(to)s.") % {"field": _field_label(field), "to": _quoted(after)}
    if not after:
        return _("%(field)s cleared (was %(from)s).") % {"field": _field_label(field), "from": _quoted(before)}
    return _("%(field)s changed from %(from)s to %(to)s.") % {
        "field": _field_label(field),
        "from": _quoted(before),
        "to": _quoted(after),
    }


def _assignment_sentence(event: TicketEvent) -> str:
    after = event.to_value
    if event.field == "team":
        if after:
            return _("The ticket was passed to the team %(team)s.") % {"team": _quoted(after)}
        return _("The ticket was taken off its team.")
    if after:
        return _("%(person)s took the ticket on.") % {"person": after}
    return _("Nobody is assigned to the ticket any more.")


def _merge_sentence(event: TicketEvent) -> str:
    if event.field == "from":
        return _("%(number)s was merged into this ticket.") % {"number": event.to_value}
    if event.actor is None:
        return _("Merged into %(number)s by the desk.") % {"number": event.to_value}
    return _("Merged into %(number)s by %(person)s.") % {"number": event.to_value, "person": event.actor.full_name}


def sentence(event: TicketEvent) -> str:
    """What the line says, in the active language."""
    kind = event.kind
    if kind == Kind.CREATED:
        return _("The ticket was opened.")
    if kind == Kind.TRANSITION:
        return _status_sentence(event)
    if kind == Kind.COMMENTED:
        return _("An internal note was added.") if event.internal else _("A reply was added.")
    if kind == Kind.ATTACHMENT_ADDED:
        if event.internal:
            return _("A file for the desk only was attached: %(name)s.") % {"name": event.to_value}
        return _("A file was attached: %(name)s.") % {"name": event.to_value}
    if kind == Kind.CALLBACK:
        return _("A specialist called the customer back.")
    if kind == Kind.SLA_WARNING:
        return _("The %(target)s target is close to being missed (due %(due)s).") % {
            "target": _quoted(_target(event.field)),
            "due": _local(event.to_value),
        }
    if kind == Kind.SLA_BREACH:
        return _("The %(target)s target was missed (due %(due)s).") % {
            "target": _quoted(_target(event.field)),
            "due": _local(event.to_value),
        }
    if kind == Kind.PRIORITY_OVERRIDDEN:
        return _("The desk set the priority to %(to)s (it was %(from)s).") % {
            "to": _quoted(choice_label("priority", event.to_value)),
            "from": _quoted(choice_label("priority", event.from_value)),
        }
    if kind == Kind.ASSIGNED:
        return _assignment_sentence(event)
    if kind == Kind.MERGED:
        return _merge_sentence(event)
    return _field_sentence(event)


@lru_cache(maxsize=1)
def _system_reason_sources() -> dict[str, Promise]:
    """Each system reason as written in every language the desk speaks → the reason."""
    found: dict[str, Promise] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for reason in _SYSTEM_REASONS:
                found[str(reason)] = reason
    return found


def reason_of(event: TicketEvent) -> str:
    """The reason or note on the line: a system reason in the reader's language, what a person
    wrote as they wrote it. A new ticket's line records its channel, which the page shows
    elsewhere."""
    if event.kind == Kind.CREATED:
        return ""
    reason = event.reason or ""
    known = _system_reason_sources().get(reason.strip())
    return str(known) if known is not None else reason


def timeline_line(event: TicketEvent) -> TimelineLine:
    actor = event.actor.full_name if event.actor is not None else _("The desk")
    return TimelineLine(
        at=event.at,
        actor=actor,
        text=sentence(event),
        reason=reason_of(event),
        internal=event.internal,
        audience=audience_of(event),
    )


def lines_for(events: Iterable[TicketEvent], *, staff: bool) -> list[TimelineLine]:
    """The lines a reader sees, in the order they happened (the selector's ``at, id``): all of
    them for the desk, the customer's audience for everyone else."""
    lines = [timeline_line(event) for event in events]
    return lines if staff else [line for line in lines if line.for_customer]

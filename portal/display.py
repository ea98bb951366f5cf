"""How a ticket reads on a page: its answers, contacts, lifecycle buttons and timeline lines.

Presentation only. Every value here comes from rows the selectors already returned; nothing
is fetched per row (the questionnaire of the ticket's service type is one query).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.models import Impact, Priority, QuestionnaireField, Ticket, TicketEvent, Urgency, contact_fields
from tickets.questionnaires import describe
from tickets.services.lifecycle import REASON_REQUIRED

FT = QuestionnaireField.FieldType

ACTION_LABELS = {
    "acknowledge": gettext_lazy("Acknowledge"),
    "start_work": gettext_lazy("Start work"),
    "wait_for_customer": gettext_lazy("Wait for the customer"),
    "resume": gettext_lazy("Resume work"),
    "resolve": gettext_lazy("Resolve"),
    "close": gettext_lazy("Close"),
    "reopen": gettext_lazy("Reopen"),
    "cancel": gettext_lazy("Cancel the ticket"),
}
# What a customer reads on the same buttons.
CUSTOMER_ACTION_LABELS = {
    **ACTION_LABELS,
    "close": gettext_lazy("Confirm the resolution and close"),
    "reopen": gettext_lazy("Reopen: the problem is not solved"),
    "resume": gettext_lazy("I have answered: resume work"),
}
# Actions that cannot be undone ask for a second click; the ones that need a reason ask for it.
DESTRUCTIVE = {"cancel"}

_CHOICE_LABELS: dict[str, dict[str, Any]] = {
    "status": dict(Ticket.Status.choices),
    "impact": dict(Impact.choices),
    "urgency": dict(Urgency.choices),
    "priority": dict(Priority.choices),
    "occurrence": dict(Ticket.Occurrence.choices),
    "kind": dict(Ticket.Kind.choices),
}


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    needs_reason: bool
    destructive: bool

    @property
    def confirms(self) -> bool:
        """Shown as a disclosure with a second button rather than a single button."""
        return self.needs_reason or self.destructive


def actions_for_page(names: list[str], *, customer: bool) -> list[Action]:
    labels = CUSTOMER_ACTION_LABELS if customer else ACTION_LABELS
    return [
        Action(
            name=name, label=str(labels[name]), needs_reason=name in REASON_REQUIRED, destructive=name in DESTRUCTIVE
        )
        for name in names
    ]


def choice_label(field: str, value: str) -> str:
    """The label of a stored choice value (status codes in events, for instance)."""
    if not value:
        return "—"
    return str(_CHOICE_LABELS.get(field, {}).get(value, value))


def _local(value: str) -> str:
    parsed = parse_datetime(value)
    if parsed is None:
        return value
    return formats.date_format(timezone.localtime(parsed), "SHORT_DATETIME_FORMAT")


def answers_for_page(ticket: Ticket, language: str) -> list[dict[str, str]]:
    """The questionnaire answers as question and answer text, in the reader's language."""
    if not ticket.answers:
        return []
    questions: list[dict[str, Any]] = []
    if ticket.service is not None:
        rows = QuestionnaireField.objects.filter(service_type_id=ticket.service.service_type_id)
        questions = [describe(question, language) for question in rows]
    rows_out = []
    seen = set()
    for question in questions:
        if question["name"] not in ticket.answers:
            continue
        seen.add(question["name"])
        value = ticket.answers[question["name"]]
        if question["type"] == FT.DATETIME_LIST:
            text = ", ".join(_local(str(item)) for item in (value if isinstance(value, list) else [value]))
        elif question["choices"]:
            text = next((c["label"] for c in question["choices"] if c["value"] == value), str(value))
        else:
            text = str(value)
        rows_out.append({"question": question["label"], "answer": text})
    # Answers to questions since removed from the questionnaire are still shown, by name.
    for name, value in ticket.answers.items():
        if name not in seen:
            rows_out.append({"question": name, "answer": ", ".join(value) if isinstance(value, list) else str(value)})
    return rows_out


def contacts_for_page(ticket: Ticket) -> list[dict[str, str]]:
    return [
        {"role": str(label), **ticket.contacts[role]}
        for role, label in contact_fields().items()
        if isinstance(ticket.contacts.get(role), dict)
    ]


@dataclass(frozen=True)
class TimelineLine:
    at: dt.datetime
    actor: str
    text: str
    reason: str
    internal: bool


def _field_label(name: str) -> str:
    try:
        return str(Ticket._meta.get_field(name).verbose_name).capitalize()
    except Exception:  # noqa: BLE001 - a field since removed still shows by name
        return name


def timeline_line(event: TicketEvent) -> TimelineLine:
    kind = event.kind
    if kind == TicketEvent.Kind.CREATED:
        text = _("Ticket opened")
    elif kind == TicketEvent.Kind.TRANSITION:
        text = _("Status: %(from)s → %(to)s") % {
            "from": choice_label("status", event.from_value),
            "to": choice_label("status", event.to_value),
        }
    elif kind == TicketEvent.Kind.COMMENTED:
        text = _("Internal note added") if event.internal else _("Reply added")
    elif kind == TicketEvent.Kind.ATTACHMENT_ADDED:
        text = _("File attached: %(name)s") % {"name": event.to_value}
    elif event.field in {"description", "contacts"}:
        text = _("%(field)s changed") % {"field": _field_label(event.field)}
    else:
        if kind == TicketEvent.Kind.PRIORITY_OVERRIDDEN:
            label = _("Priority overridden")
        elif event.field == "team":
            label = _("Team")
        elif event.field == "assignee":
            label = _("Assignee")
        else:
            label = _field_label(event.field)
        text = _("%(field)s: %(from)s → %(to)s") % {
            "field": label,
            "from": choice_label(event.field, event.from_value),
            "to": choice_label(event.field, event.to_value),
        }
    actor = event.actor.full_name if event.actor is not None else _("the desk")
    # A new ticket's event records the channel as its reason; the page shows the channel elsewhere.
    reason = "" if kind == TicketEvent.Kind.CREATED else event.reason
    return TimelineLine(at=event.at, actor=actor, text=text, reason=reason, internal=event.internal)

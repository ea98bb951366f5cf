"""How a ticket reads on a page: its answers, contacts and lifecycle buttons (its timeline lines:
portal.timeline).

Presentation only. Every value here comes from rows the selectors already returned; nothing
is fetched per row (the questionnaire of the ticket's service type is one query).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from tickets.models import Impact, Priority, QuestionnaireField, Ticket, Urgency, contact_fields
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

"""The new-ticket form: the draft, the contacts, and the intake questionnaire of the chosen
service's type, whose questions become ``answer_<name>`` fields.

Lenient like every ticket form (see portal.forms.tickets): open_ticket decides what is valid.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import conditional_escape
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _

from orders.models import Service
from orders.selectors import entitlement_of, services_visible_to
from portal.forms.tickets import ServiceErrorsMixin
from servicedesk.models import User
from tickets.models import Impact, QuestionnaireField, Ticket, Urgency, contact_fields
from tickets.questionnaires import describe
from tickets.services.intake import TicketDraft

FT = QuestionnaireField.FieldType


class LocalDateTimeInput(forms.DateTimeInput):
    """A datetime-local input: the browser sends ``2026-11-20T08:10`` in the user's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateTimeListField(forms.CharField):
    """One date and time per line, in the user's time zone; cleaned to ISO 8601 with the zone,
    as the questionnaire's "dates and times" answers are stored."""

    widget = forms.Textarea(attrs={"rows": 3})

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        items = []
        for line in str(text).splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                parsed = parse_datetime(line)
            except ValueError:  # well formed but impossible, e.g. 2026-02-30
                parsed = None
            if parsed is None:
                raise forms.ValidationError(
                    _("Give one date and time per line, like %(example)s.") % {"example": "2026-11-20 14:05"},
                    code="invalid",
                )
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)
            items.append(parsed.isoformat())
        return items


def _answer_field(question: dict[str, Any]) -> forms.Field:
    """A form field for one described questionnaire question (see tickets.questionnaires.describe)."""
    label = question["label"]
    # Django renders help texts unescaped (they are usually the developer's); these are the
    # tenant's, so they are escaped here.
    help_text = conditional_escape(question["help_text"])
    kind = question["type"]
    common: dict[str, Any] = {"label": label, "help_text": help_text, "required": False}
    if kind == FT.YES_NO:
        choices = [(c["value"], c["label"]) for c in question["choices"]]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == FT.CHOICE:
        choices = [("", _("Choose…")), *((c["value"], c["label"]) for c in question["choices"])]
        return forms.ChoiceField(choices=choices, **common)
    if kind == FT.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == FT.IP_ADDRESS:
        attrs = {"autocomplete": "off", "spellcheck": "false", "placeholder": "192.0.2.10"}
        return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
    if kind == FT.PHONE:
        return forms.CharField(widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}), **common)
    if kind == FT.DATETIME_LIST:
        return DateTimeListField(**common)
    return forms.CharField(**common)


def answer_field_name(question_name: str) -> str:
    return f"answer_{question_name}"


CONTACT_PARTS = ("name", "email", "phone")


class NewTicketForm(ServiceErrorsMixin, forms.Form):
    """Opening a ticket from the portal: the draft, the contacts and the intake questionnaire
    of the chosen service's type (its questions become ``answer_<name>`` fields)."""

    kind = forms.ChoiceField(label=_("What kind of ticket is it?"), choices=Ticket.Kind.choices)
    service = forms.ChoiceField(
        label=_("Service"),
        required=False,
        help_text=_("Required for an incident. Services without a current contract are marked."),
    )
    subject = forms.CharField(
        label=_("Short description"), required=False, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happens, since when, what you have tried. Markdown is allowed."),
    )
    impact = forms.ChoiceField(label=_("Impact"), choices=[("", _("Not stated")), *Impact.choices], required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.MEDIUM)
    problem_started_at = forms.DateTimeField(label=_("Problem started"), required=False, widget=LocalDateTimeInput)
    occurrence = forms.ChoiceField(
        label=_("Occurrence"), choices=[("", _("Not stated")), *Ticket.Occurrence.choices], required=False
    )
    customer_reference = forms.CharField(
        label=_("Your reference"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 100}),
        help_text=_("Your own incident or order number, if you have one."),
    )

    error_fields = {"service_id": "service"}

    def __init__(self, *args: Any, actor: User, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.language = language
        now = timezone.now()
        # One query for the services and one for their contracts (prefetched by the selector).
        self.services = list(self.services_offered(actor).order_by("site__name", "service_id"))
        self.entitled = {service.service_id: entitlement_of(service, now) is not None for service in self.services}
        not_covered = _("no current contract")
        cast(forms.ChoiceField, self.fields["service"]).choices = [
            ("", _("No particular service")),
            *(
                (
                    service.service_id,
                    f"{service.service_id} · {service.product} ({service.site.name})"
                    + ("" if self.entitled[service.service_id] else f" — {not_covered}"),
                )
                for service in self.services
            ),
        ]
        zone = timezone.get_current_timezone_name()
        self.fields["problem_started_at"].help_text = _("In your time zone (%(zone)s).") % {"zone": zone}
        error_fields = dict(self.error_fields)
        self.contact_labels = contact_fields()
        for role in self.contact_labels:
            for part, part_label in zip(CONTACT_PARTS, (_("Name"), _("E-mail"), _("Phone")), strict=True):
                widget_type = {"name": "text", "email": "email", "phone": "tel"}[part]
                self.fields[f"contact_{role}_{part}"] = forms.CharField(
                    label=part_label, required=False, widget=forms.TextInput(attrs={"type": widget_type})
                )
            error_fields[f"contacts.{role}"] = f"contact_{role}_name"
        self.service_obj = next((s for s in self.services if s.service_id == self._raw("service")), None)
        self.questions: list[dict[str, Any]] = []
        # The fault questionnaire is for incidents: a complaint or an enquiry is not asked about
        # power, numbers or when the problem started (small jobs go through the catalogue).
        self.is_incident = (self._raw("kind") or Ticket.Kind.INCIDENT) == Ticket.Kind.INCIDENT
        if self.service_obj is not None and self.is_incident:
            questions = QuestionnaireField.objects.filter(
                service_type_id=self.service_obj.service_type_id, is_active=True
            )
            self.questions = [describe(question, language) for question in questions]
        for question in self.questions:
            name = answer_field_name(question["name"])
            self.fields[name] = _answer_field(question)
            error_fields[f"answers.{question['name']}"] = name
        self.error_fields = error_fields
        # The service and the answers other questions depend on reload the questionnaire when
        # they change (one delegated htmx listener in the template reads this mark).
        controlling = {q["shown_when"]["field"] for q in self.questions if q["shown_when"]}
        for name in ["kind", "service", *(answer_field_name(n) for n in controlling)]:
            if name in self.fields:
                self.fields[name].widget.attrs["data-reloads"] = "true"

    def services_offered(self, actor: User) -> QuerySet[Service]:
        """The services the form offers: the actor's (a customer's own inventory)."""
        return services_visible_to(actor=actor)

    def _raw(self, name: str) -> str:
        """What the browser sent for ``name`` (or the initial value), before cleaning."""
        source = self.data if self.is_bound else self.initial
        value = source.get(name) if hasattr(source, "get") else None
        if value is None and not self.is_bound:
            field = self.fields.get(name)
            value = field.initial if field is not None else None
        return "" if value is None else str(value)

    # --- what the template shows -----------------------------------------------------------

    @property
    def service_is_entitled(self) -> bool:
        return self.service_obj is None or self.entitled[self.service_obj.service_id]

    @property
    def has_unentitled_services(self) -> bool:
        return not all(self.entitled.values())

    def contact_groups(self) -> list[dict[str, Any]]:
        groups = []
        for role, label in self.contact_labels.items():
            fields = [self[f"contact_{role}_{part}"] for part in CONTACT_PARTS]
            groups.append(
                {
                    "role": role,
                    "label": label,
                    "fields": fields,
                    "errors": fields[0].errors,
                    "filled": any(self._raw(f"contact_{role}_{part}") for part in CONTACT_PARTS),
                }
            )
        return groups

    def error_summary(self) -> list[dict[str, str]]:
        """The first error of each field, in the form's order, with the id to jump to."""
        summary = []
        for name in self.fields:
            if not self.errors.get(name):
                continue
            bound = self[name]
            label = str(bound.label)
            if name.startswith("contact_"):
                label = str(self.contact_labels.get(name.split("_")[1], label))
            summary.append({"id": bound.id_for_label, "label": label, "message": str(self.errors[name][0])})
        return summary

    @property
    def more_contacts_open(self) -> bool:
        """The contacts after the call-back one start folded, unless they hold something."""
        return any(group["filled"] or group["errors"] for group in self.contact_groups()[1:])

    def question_rows(self) -> list[dict[str, Any]]:
        """The questions with their bound fields; ``applies`` follows the answers given so far
        (as the service decides it), ``controls`` marks questions that others depend on."""
        answers = {q["name"]: self._raw(answer_field_name(q["name"])) for q in self.questions}
        controlling = {q["shown_when"]["field"] for q in self.questions if q["shown_when"]}
        labels = {q["name"]: q for q in self.questions}
        rows = []
        for question in self.questions:
            condition = question["shown_when"]
            applies = not condition or answers.get(condition["field"]) in condition.get("in", [])
            bound = self[answer_field_name(question["name"])]
            condition_text = ""
            if condition:
                source = labels.get(condition["field"])
                choice_labels = {c["value"]: c["label"] for c in source["choices"]} if source else {}
                condition_text = _("Only if “%(question)s” is %(answers)s.") % {
                    "question": source["label"] if source else condition["field"],
                    "answers": get_text_list([str(choice_labels.get(v, v)) for v in condition.get("in", [])], _("or")),
                }
            rows.append(
                {
                    "question": question,
                    "field": bound,
                    "applies": applies,
                    # A question that does not apply stays visible when it holds an answer or
                    # an error, so nothing the user typed is hidden from them.
                    "visible": applies or bool(answers.get(question["name"])) or bool(self.is_bound and bound.errors),
                    "controls": question["name"] in controlling,
                    "condition": condition_text,
                    "is_choice_group": question["type"] == FT.YES_NO,
                }
            )
        return rows

    # --- what the service gets ------------------------------------------------------------------

    def to_draft(self) -> TicketDraft:
        data = self.cleaned_data
        contacts = {}
        for role in self.contact_labels:
            entry = {part: data.get(f"contact_{role}_{part}", "") for part in CONTACT_PARTS}
            if any(entry.values()):
                contacts[role] = entry
        answers: dict[str, Any] = {}
        for question in self.questions:
            value = data.get(answer_field_name(question["name"]))
            if value not in (None, "", []):
                answers[question["name"]] = value
        return TicketDraft(
            kind=data["kind"],
            subject=data.get("subject", ""),
            description=data.get("description", ""),
            service_id=data.get("service") or None,
            impact=data.get("impact") or None,
            urgency=data.get("urgency") or Urgency.MEDIUM,
            problem_started_at=data.get("problem_started_at"),
            occurrence=data.get("occurrence", ""),
            customer_reference=data.get("customer_reference", ""),
            contacts=contacts,
            answers=answers,
            channel=Ticket.Channel.PORTAL,
        )

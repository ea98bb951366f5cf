"""The console's problem pages' forms: the list's filters, a new problem (from incidents), a
problem's changes, linking an incident and publishing a reason for outage.

Like the ticket forms (portal.forms.tickets) they only parse what the browser sends; the rules
live in tickets.services.problems, whose InvalidInput errors come back onto these forms.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from portal.forms.tickets import ServiceErrorsMixin
from tickets.models import Problem

NUMBER_SEPARATORS = re.compile(r"[\s,;]+")


def ticket_numbers(values: list[str]) -> list[str]:
    """The ticket numbers in ``values`` (each may hold several, separated by spaces, commas or
    semicolons), upper-cased, each once, in the order given."""
    numbers: list[str] = []
    for value in values:
        for number in NUMBER_SEPARATORS.split(value.strip().upper()):
            if number and number not in numbers:
                numbers.append(number)
    return numbers


class ErrorSummaryMixin:
    """The first error of each field with the id to jump to (the page's error summary)."""

    def error_summary(self) -> list[dict[str, str]]:
        form: Any = self
        summary = []
        for name in form.fields:
            if form.errors.get(name):
                bound = form[name]
                summary.append({"id": bound.id_for_label, "label": str(bound.label), "message": form.errors[name][0]})
        return summary


class ProblemListForm(forms.Form):
    STATUS_CHOICES = [("active", _("Under investigation or known error")), *Problem.Status.choices, ("all", _("All"))]

    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)

    def value(self, name: str, default: str = "") -> str:
        """The valid value of ``name``, or ``default`` (a bad filter is ignored)."""
        if not self.is_valid() and name in self.errors:
            return default
        return str(self.cleaned_data.get(name) or default)

    def statuses(self) -> tuple[str, ...]:
        status = self.value("status", "active")
        if status == "active":
            return (Problem.Status.OPEN, Problem.Status.KNOWN_ERROR)
        return () if status == "all" else (status,)

    @property
    def is_filtered(self) -> bool:
        return bool(self.value("q") or self.value("status", "active") != "active")


class ProblemFieldsForm(ErrorSummaryMixin, ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), required=False)
    analysis = forms.ChoiceField(label=_("Analysis"), choices=Problem.Analysis.choices, required=False)
    root_cause = forms.CharField(label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    workaround = forms.CharField(label=_("Workaround"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    preventive_measures = forms.CharField(
        label=_("Preventive measures"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def changes(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.fields if name != "version"}


class NewProblemForm(ProblemFieldsForm):
    """A new problem and the incidents behind it: chosen from the tenant's recent incidents
    (checkboxes) or typed as numbers."""

    incidents = forms.MultipleChoiceField(
        label=_("Recent incidents"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other_incidents = forms.CharField(
        label=_("Other incidents"),
        required=False,
        help_text=_("Incident numbers, separated by spaces or commas, e.g. INC-000042."),
    )

    field_order = ["title", "analysis", "incidents", "other_incidents", "root_cause", "workaround"]
    error_fields = {"ticket": "other_incidents"}

    def __init__(self, *args: Any, recent: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["incidents"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        data = self.data
        chosen = data.getlist("incidents") if isinstance(data, MultiValueDict) else self.initial.get("incidents", [])
        # A chosen incident stays offered (and checked) even when it is no longer among the recent.
        offered = dict(recent)
        field.choices = [*recent, *((number, number) for number in chosen if number not in offered)]

    def incident_numbers(self) -> list[str]:
        return ticket_numbers([*self.cleaned_data.get("incidents", []), self.cleaned_data.get("other_incidents", "")])

    def changes(self) -> dict[str, str]:
        changes = super().changes()
        changes.pop("incidents", None)
        changes.pop("other_incidents", None)
        return changes


class ProblemForm(ProblemFieldsForm):
    """A problem's fields on the version they were read on."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label=_("Status"), choices=Problem.Status.choices, required=False)

    field_order = ["title", "status", "analysis", "root_cause", "workaround", "preventive_measures"]


class LinkIncidentForm(ErrorSummaryMixin, ServiceErrorsMixin, forms.Form):
    ticket = forms.CharField(label=_("Incident number"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "link_%s")  # beside the problem's form on one page
        super().__init__(*args, **kwargs)

    def clean_ticket(self) -> str:
        numbers = ticket_numbers([self.cleaned_data.get("ticket", "")])
        if len(numbers) != 1:
            raise forms.ValidationError(_("Give one incident number, e.g. INC-000042."), code="required")
        return numbers[0]


class RfoForm(ErrorSummaryMixin, ServiceErrorsMixin, forms.Form):
    summary = forms.CharField(
        label=_("What happened and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The customer reads this. Markdown: **bold**, lists, links."),
    )
    preventive_measures = forms.CharField(
        label=_("Preventive measures"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    problem = forms.ChoiceField(label=_("Problem behind it"), required=False)

    def __init__(self, *args: Any, problems: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["problem"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("None")), *problems]

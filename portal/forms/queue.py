"""The agents' queue: which queue and filters (from the query string), a saved view's name,
and a bulk action on the chosen rows. Lenient fields, as in portal.forms.tickets: the rules
are the services'."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.display import ACTION_LABELS
from portal.forms.tickets import QueueForm, ServiceErrorsMixin
from portal.forms.widgets import LongSelect, python_inputs
from servicedesk.models import Team, User
from servicedesk.selectors import staff_of_tenant
from tickets.selectors import QUEUES, TicketFilters
from tickets.services.bulk import MAX_SELECTION, Selected
from tickets.services.lifecycle import ACTIONS

QUEUE_LABELS = {
    "mine": _("Mine"),
    "team": _("My teams'"),
    "unassigned": _("Unassigned"),
    "breaching": _("Breaching soon"),
    "breached": _("Breached"),
    "escalated": _("Escalated"),
    "waiting": _("Waiting for customer"),
    "open": _("All open"),
}


class ConsoleQueueForm(QueueForm):
    """The queue form with the queue to show (``queue``) and the next due instant as the
    default order. The queue's own status condition comes first; a status filter narrows it."""

    SORT_CHOICES = [("due", _("Next due first")), *QueueForm.SORT_CHOICES]

    queue = forms.ChoiceField(choices=list(QUEUE_LABELS.items()), required=False)
    sort = forms.ChoiceField(label=_("Order"), choices=SORT_CHOICES, required=False)

    field_order = QueueForm.field_order
    default_renderer = python_inputs

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].widget = forms.HiddenInput()
        # Every filter's options written in Python, as the long ones: a template per option cost
        # the page about a millisecond per select.
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = LongSelect(attrs=field.widget.attrs, choices=field.widget.choices)

    @property
    def queue_name(self) -> str:
        return self.value("queue", "open")

    def filters(self) -> TicketFilters:
        return replace(super().filters(), sort=self.value("sort", "due"))

    @property
    def is_filtered(self) -> bool:
        return super().is_filtered or self.value("sort", "due") != "due"


class SavedViewForm(ServiceErrorsMixin, forms.Form):
    default_renderer = python_inputs
    name = forms.CharField(label=_("Name of the view"), required=False, max_length=None)
    query = forms.CharField(widget=forms.HiddenInput, required=False)


BULK_ACTIONS = [
    ("assign_me", _("Assign to me")),
    ("assign_team", _("Assign to a team")),
    ("assign_agent", _("Assign to an agent")),
    ("transition", _("Change the status")),
    ("note", _("Add an internal note")),
]


class BulkActionForm(ServiceErrorsMixin, forms.Form):
    """A bulk action and its details; the tickets come as ``NUMBER:VERSION`` values (what the
    agent saw when choosing them)."""

    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTIONS, widget=LongSelect)
    team = forms.ChoiceField(label=_("Team"), required=False, widget=LongSelect)
    assignee = forms.ChoiceField(label=_("Agent"), required=False, widget=LongSelect)
    transition = forms.ChoiceField(
        label=_("New status"), required=False, choices=[("", "—"), *((a, ACTION_LABELS[a]) for a in ACTIONS)]
    )
    reason = forms.CharField(
        label=_("Reason (the customer reads it)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, actor: User, with_choices: bool = True, **kwargs: Any) -> None:
        """``with_choices=False``: no teams or agents to choose (the queue page shows the action only)."""
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.actor = actor
        if not with_choices:
            return
        # Only the active teams and people get tickets (tickets.services.updates.assign_ticket).
        active_teams = Team.objects.filter(is_active=True).order_by("name")
        teams = [(str(pk), name) for pk, name in active_teams.values_list("pk", "name")]
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", "—"), *teams]
        staff = [
            (str(pk), full_name or email)
            for pk, full_name, email in staff_of_tenant(actor=actor)
            .filter(is_active=True)
            .order_by("full_name")
            .values_list("pk", "full_name", "email")
        ]
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [("", "—"), *staff]

    def selection(self) -> list[Selected]:
        """The chosen tickets, each once, in the order sent; a value that is not NUMBER:VERSION
        is left out."""
        chosen: dict[str, Selected] = {}
        for value in self.data.getlist("ticket") if hasattr(self.data, "getlist") else []:
            number, _sep, version = str(value).rpartition(":")
            if number and version.isdigit() and len(number) <= 20:
                chosen.setdefault(number, Selected(number=number, version=int(version)))
        return list(chosen.values())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        selection = self.selection()
        if not selection:
            self.add_error(None, _("Choose at least one ticket."))
        elif len(selection) > MAX_SELECTION:
            self.add_error(None, _("Choose at most %(count)d tickets at once.") % {"count": MAX_SELECTION})
        action = data.get("action")
        if action == "assign_team" and not data.get("team"):
            self.add_error("team", _("Choose a team."))
        if action == "assign_agent" and not data.get("assignee"):
            self.add_error("assignee", _("Choose an agent."))
        if action == "transition" and not data.get("transition"):
            self.add_error("transition", _("Choose the new status."))
        if action == "note" and not (data.get("body") or "").strip():
            self.add_error("body", _("Write the note."))
        return data

    def error_summary(self) -> list[dict[str, str]]:
        return [
            {"id": self[name].id_for_label, "label": str(self[name].label), "message": str(self.errors[name][0])}
            for name in self.fields
            if self.errors.get(name)
        ]


__all__ = ["BULK_ACTIONS", "QUEUES", "QUEUE_LABELS", "BulkActionForm", "ConsoleQueueForm", "SavedViewForm"]

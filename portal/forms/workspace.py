"""The console workspace's own forms: taking a ticket, logging a call-back, merging a
duplicate, linking a problem. Lenient like every ticket form (portal.forms.tickets): the
services decide what is valid."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.tickets import ServiceErrorsMixin, VersionedForm
from tickets.models import Problem, Ticket


class TakeForm(VersionedForm):
    """Assign the ticket to the signed-in agent (the team stays)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "take_%s")
        super().__init__(*args, **kwargs)


class CallbackForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(
        label=_("What was said"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only the desk sees it, on the history."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "callback_%s")
        super().__init__(*args, **kwargs)


class MergeForm(VersionedForm):
    target = forms.ChoiceField(label=_("Merge into"), required=False)
    confirm = forms.BooleanField(label=_("Yes, this ticket is a duplicate: merge and close it"), required=False)

    def __init__(self, *args: Any, candidates: list[Ticket], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "merge_%s")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["target"]).choices = [
            ("", _("Choose a ticket…")),
            *((t.number, f"{t.number} · {t.subject}") for t in candidates),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("target"):
            self.add_error("target", _("Choose the ticket to merge this one into."))
        if not data.get("confirm"):
            self.add_error("confirm", _("Confirm that this ticket is a duplicate."))
        return data


class ProblemLinkForm(ServiceErrorsMixin, forms.Form):
    problem = forms.ChoiceField(label=_("An existing problem"), required=False)
    title = forms.CharField(
        label=_("Or a new problem, titled"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )

    def __init__(self, *args: Any, problems: list[Problem], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "problem_%s")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["problem"]).choices = [
            ("", _("None: create a new one")),
            *((p.number, f"{p.number} · {p.title}") for p in problems),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("problem") and not (data.get("title") or "").strip():
            self.add_error("problem", _("Choose a problem, or give the new one a title."))
        if data.get("problem") and (data.get("title") or "").strip():
            self.add_error("title", _("Choose a problem or give a new title, not both."))
        return data

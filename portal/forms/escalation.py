"""The escalation forms: a customer escalates to the next level with a reason; desk staff
move a ticket up or down, saying why. escalate_ticket and deescalate_ticket decide the rest."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy

from escalation.models import EscalationEvent


class ErrorsTiedMixin:
    """Each field with errors names them (``<auto_id>_errors``, the template's element) in its
    ``aria-describedby``, so a screen reader reads the error with the field."""

    def tie_errors(self) -> None:
        form = cast(forms.Form, self)
        for name, field in form.fields.items():
            if name in form.errors and not isinstance(field.widget, forms.RadioSelect):
                bound = form[name]
                field.widget.attrs["aria-describedby"] = f"{bound.auto_id}_errors"


class EscalateForm(ErrorsTiedMixin, forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why do you escalate?"), choices=EscalationEvent.Reason.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        help_text=gettext_lazy("Required when the reason is “Other”. The desk's escalation contacts read it."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StaffEscalationForm(ErrorsTiedMixin, forms.Form):
    direction = forms.ChoiceField(
        label=gettext_lazy("Change"), choices=[("up", gettext_lazy("Escalate")), ("down", gettext_lazy("De-escalate"))]
    )
    level = forms.IntegerField(label=gettext_lazy("To level"), required=False, min_value=0)
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), required=False, choices=[("", "—"), *EscalationEvent.Reason.choices]
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

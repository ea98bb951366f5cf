"""The escalation forms: a customer escalates to the next level with a reason; desk staff
move a ticket up or down, saying why. escalate_ticket and deescalate_ticket decide the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from escalation.models import EscalationEvent


class EscalateForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Why do you escalate?"), choices=EscalationEvent.Reason.choices)
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StaffEscalationForm(forms.Form):
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

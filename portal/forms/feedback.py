"""The survey's answer form: a score from 1 to 5 as radio buttons and a comment. The rule
(which scores are valid) is the service's; its errors come back next to the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.tickets import ServiceErrorsMixin

SCORE_CHOICES = [
    ("1", _("1 – very dissatisfied")),
    ("2", _("2 – dissatisfied")),
    ("3", _("3 – neither")),
    ("4", _("4 – satisfied")),
    ("5", _("5 – very satisfied")),
]


class SurveyAnswerForm(ServiceErrorsMixin, forms.Form):
    score = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=SCORE_CHOICES, required=False, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What went well, what should we do better?"),
    )

    def error_summary(self) -> list[dict[str, str]]:
        """The first error of each field, with the id to jump to."""
        summary = []
        for name in self.fields:
            if self.errors.get(name):
                bound = self[name]
                target = f"{bound.auto_id}_0" if name == "score" else bound.id_for_label
                summary.append({"id": target, "label": str(bound.label), "message": str(self.errors[name][0])})
        return summary

"""The shared folder's upload form. The rules (size, type judged from the content, the
site one of the account's) are the services'; their errors come back next to the fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.forms.tickets import ServiceErrorsMixin
from servicedesk.models import Site


class DocumentForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(label=_("File"), required=False, help_text=_("A PDF, an image, a text file or an archive."))
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, empty_value=None, required=False)
    description = forms.CharField(label=_("Description (optional)"), required=False)

    def __init__(self, *args: Any, sites: QuerySet[Site], whole_account: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(pk), name) for pk, name in sites.order_by("name").values_list("pk", "name")]
        field = cast(forms.TypedChoiceField, self.fields["site"])
        if whole_account:
            field.choices = [("", _("The whole account")), *choices]
        else:
            # A user restricted to some sites files documents for one of them.
            field.choices = choices
        field.help_text = _("Who sees the file: everyone of the account, or the people of that site.")

    def error_summary(self) -> list[dict[str, str]]:
        return [
            {"id": self[name].id_for_label, "label": str(self[name].label), "message": str(self.errors[name][0])}
            for name in self.fields
            if self.errors.get(name)
        ]

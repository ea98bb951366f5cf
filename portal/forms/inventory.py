"""The inventory list's filters, from the query string (a bad value is ignored, never an
error page)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import ServiceType
from orders.selectors import InventoryFilters
from servicedesk.models import User
from servicedesk.selectors import sites_visible_to


class InventoryListForm(forms.Form):
    CONTRACT_CHOICES = [
        ("", _("Any contract state")),
        ("entitled", _("Covered by a contract")),
        ("not_entitled", _("Not covered (expired or none)")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Service ID, product, circuit ID or serial number."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, empty_value=None, required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)
    contract = forms.ChoiceField(label=_("Contract"), choices=CONTRACT_CHOICES, required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = [
            (str(pk), name) for pk, name in sites_visible_to(actor=actor).order_by("name").values_list("pk", "name")
        ]
        cast(forms.ChoiceField, self.fields["site"]).choices = [("", _("All sites")), *sites]
        types = [(code, name) for code, name in ServiceType.objects.order_by("name").values_list("code", "name")]
        cast(forms.ChoiceField, self.fields["type"]).choices = [("", _("All types")), *types]

    def value(self, name: str) -> Any:
        """The valid value of ``name``, or None."""
        if not self.is_valid() and name in self.errors:
            return None
        return self.cleaned_data.get(name)

    def filters(self) -> InventoryFilters:
        self.is_valid()
        return InventoryFilters(
            q=self.value("q") or "",
            site_id=self.value("site"),
            type_code=self.value("type") or "",
            contract=self.value("contract") or "",
        )

    @property
    def is_filtered(self) -> bool:
        return self.filters() != InventoryFilters()

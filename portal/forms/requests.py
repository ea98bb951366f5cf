"""The requests pages' forms: ordering a simple service request from the catalogue, asking
for a change, and deciding on a change request's quote.

They parse what the browser sends; the rules (lead times, weekend notice, the item's fields,
who may do what) are orders.services' and come back as InvalidInput, put next to the fields
with ``add_service_errors``.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from orders.models import CatalogueItem
from orders.services.changes import ChangeDraft
from orders.services.ssr import SsrDraft
from portal.forms.tickets import ServiceErrorsMixin
from servicedesk.models import User
from servicedesk.selectors import sites_visible_to

ANSWER_PREFIX = "answer_"


def _sites(actor: User) -> list[tuple[str, Any]]:
    return [("", _("Choose a site")), *((str(site.pk), site.name) for site in sites_visible_to(actor=actor))]


def _services(actor: User) -> list[tuple[str, Any]]:
    from orders.selectors import services_visible_to  # noqa: PLC0415 - keeps the forms' imports light

    rows = services_visible_to(actor=actor).order_by("site__name", "service_id")
    return [
        ("", _("No particular service")),
        *((s.service_id, f"{s.service_id} · {s.product} ({s.site.name})") for s in rows),
    ]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class SsrForm(ServiceErrorsMixin, forms.Form):
    """An SSR of one catalogue item: where, when, the item's own fields, a reference."""

    error_fields = {"requested_start": "requested_start"}

    site = forms.ChoiceField(label=_("Site"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    requested_start = forms.DateTimeField(
        label=_("Start of the work"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("In your time zone."),
    )
    customer_reference = forms.CharField(label=_("Your reference"), required=False, max_length=100)
    notes = forms.CharField(label=_("Notes for the desk"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, actor: User, item: CatalogueItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        cast(forms.ChoiceField, self.fields["site"]).choices = _sites(actor)
        cast(forms.ChoiceField, self.fields["service"]).choices = _services(actor)
        language = (translation.get_language() or "en")[:2]
        for spec in item.fields or []:
            if not isinstance(spec, dict) or not spec.get("name"):
                continue
            labels = spec.get("labels") or {}
            label = str(labels.get(language) or labels.get("en") or spec["name"])
            name = f"{ANSWER_PREFIX}{spec['name']}"
            kind = spec.get("type", "text")
            if kind == "choice":
                choices = [("", "—"), *((str(c), str(c)) for c in spec.get("choices") or [])]
                field: forms.Field = forms.ChoiceField(label=label, choices=choices, required=False)
            elif kind == "yes_no":
                field = forms.ChoiceField(
                    label=label, choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], required=False
                )
            elif kind == "number":
                attrs = {key: spec[key] for key in ("min", "max") if spec.get(key) is not None}
                field = forms.CharField(label=label, required=False, widget=forms.NumberInput(attrs=attrs))
            else:
                field = forms.CharField(label=label, required=False)
            field.required_by_item = bool(spec.get("required"))  # type: ignore[attr-defined]
            self.fields[name] = field
            self.error_fields = {**self.error_fields, f"answers.{spec['name']}": name}

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(ANSWER_PREFIX)]

    def to_draft(self) -> SsrDraft:
        data = self.cleaned_data
        start = data.get("requested_start")
        if start is not None and timezone.is_naive(start):
            start = timezone.make_aware(start, timezone.get_current_timezone())
        site = data.get("site") or ""
        return SsrDraft(
            item=self.item.code,
            requested_start=start,
            site_id=int(site) if str(site).isdigit() else None,
            service=data.get("service") or "",
            answers={
                name.removeprefix(ANSWER_PREFIX): value
                for name, value in data.items()
                if name.startswith(ANSWER_PREFIX) and value not in (None, "")
            },
            customer_reference=data.get("customer_reference") or "",
            notes=data.get("notes") or "",
        )


class ChangeRequestForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Short title"), required=False)
    description = forms.CharField(
        label=_("What should change?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Where, what and by when; anything the planners should know (access, people on site)."),
    )
    site = forms.ChoiceField(label=_("Site"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    customer_reference = forms.CharField(label=_("Your reference"), required=False, max_length=100)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["site"]).choices = _sites(actor)
        cast(forms.ChoiceField, self.fields["service"]).choices = _services(actor)

    def to_draft(self) -> ChangeDraft:
        data = self.cleaned_data
        site = data.get("site") or ""
        return ChangeDraft(
            title=data.get("title") or "",
            description=data.get("description") or "",
            site_id=int(site) if str(site).isdigit() else None,
            service=data.get("service") or "",
            customer_reference=data.get("customer_reference") or "",
        )


class DecisionForm(ServiceErrorsMixin, forms.Form):
    """Accept or decline a quote (declining needs a reason), or withdraw a request in planning."""

    ACTIONS = ("accept", "decline", "cancel")

    action = forms.ChoiceField(choices=[(name, name) for name in ACTIONS])
    reason = forms.CharField(label=_("Why?"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CancelSsrForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Why do you cancel?"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

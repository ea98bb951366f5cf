"""The console's order pages' forms: the next step of an order, its plan (a planned date per
step, the IDs of each line), the committed delivery date, completing a simple service request
and quoting a change request.

They only parse what the browser sends; the rules live in orders.services, whose
InvalidInput errors come back onto these forms (``add_service_errors``). Every change of an
order or a change request names the version it was made on: a stale one is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orders.models import Order, OrderLine, OrderStep
from orders.selectors import OrderFilters
from portal.forms.problems import ErrorSummaryMixin
from portal.forms.tickets import ServiceErrorsMixin
from portal.forms.widgets import LongSelect
from servicedesk.models import User
from servicedesk.selectors import account_choices, sites_visible_to

#: Each lifecycle action of an order in words (the button that takes it).
ORDER_ACTION_LABELS = {
    "validate": _("Validate the order (the dates are computed)"),
    "start_coordination": _("Start customer coordination"),
    "start_delivery": _("Start delivery"),
    "start_configuration": _("Start configuration"),
    "start_commissioning": _("Start commissioning"),
    "hand_over": _("Hand over (the services go into the customer's inventory)"),
    "start_billing": _("Start billing"),
    "hold": _("Put on hold"),
    "resume": _("Resume"),
    "cancel": pgettext_lazy("order", "Cancel the order"),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class VersionedForm(ErrorSummaryMixin, ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class OrderStepForm(VersionedForm):
    """The next step: one of the actions the order offers the actor now."""

    action = forms.ChoiceField(label=_("Next step"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to hold or cancel; the customer reads it."),
    )

    def __init__(self, *args: Any, actions: list[str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "step_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        # Any action parses (the service refuses one the order does not offer now, in its
        # words); the list offers the ones it does.
        field.choices = list(ORDER_ACTION_LABELS.items())
        if actions is not None:
            field.widget.choices = [(action, ORDER_ACTION_LABELS[action]) for action in actions]


class DeliveryDateForm(VersionedForm):
    date = forms.DateField(label=_("Committed delivery date"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when a confirmed date moves; the customer reads it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "committed_%s")
        super().__init__(*args, **kwargs)


class OrderPlanForm(VersionedForm):
    """A planned date per step and, per line, the service ID a new service gets and the
    circuit ID (fields ``planned_<step>``, ``service_id_<line id>``, ``circuit_id_<line id>``)."""

    def __init__(self, *args: Any, steps: list[OrderStep], lines: list[OrderLine], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "plan_%s")
        super().__init__(*args, **kwargs)
        self.steps, self.lines = steps, lines
        self.error_fields = {}
        for step in steps:
            name = f"planned_{step.step}"
            self.fields[name] = forms.DateField(label=step.get_step_display(), required=False, widget=DateInput)
            self.error_fields[f"planned.{step.step}"] = name
        for index, line in enumerate(lines):
            circuit = f"circuit_id_{line.pk}"
            if line.action != OrderLine.Action.MODIFY:
                name = f"service_id_{line.pk}"
                self.fields[name] = forms.CharField(
                    label=_("Line %(position)d: service ID") % {"position": line.position}, required=False
                )
                self.error_fields[f"lines.{index}.service_id"] = name
            self.fields[circuit] = forms.CharField(
                label=_("Line %(position)d: circuit ID") % {"position": line.position}, required=False
            )
            self.error_fields[f"lines.{index}"] = circuit

    @classmethod
    def initial_for(cls, order: Order, steps: list[OrderStep], lines: list[OrderLine]) -> dict[str, Any]:
        initial: dict[str, Any] = {"version": order.version}
        initial.update({f"planned_{step.step}": step.planned_on for step in steps})
        for line in lines:
            initial[f"service_id_{line.pk}"] = line.planned_service_id
            initial[f"circuit_id_{line.pk}"] = line.circuit_id
        return initial

    def step_fields(self) -> list[forms.BoundField]:
        return [self[f"planned_{step.step}"] for step in self.steps]

    def line_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(("service_id_", "circuit_id_"))]

    def planned(self) -> dict[str, dt.date | None]:
        return {step.step: self.cleaned_data.get(f"planned_{step.step}") for step in self.steps}

    def line_ids(self) -> list[tuple[int, str | None, str]]:
        return [
            (
                line.pk,
                self.cleaned_data.get(f"service_id_{line.pk}") if f"service_id_{line.pk}" in self.fields else None,
                self.cleaned_data.get(f"circuit_id_{line.pk}", ""),
            )
            for line in self.lines
        ]


class CompleteSsrForm(ErrorSummaryMixin, ServiceErrorsMixin, forms.Form):
    price = forms.DecimalField(
        label=_("Price to bill"),
        required=False,
        max_digits=10,
        decimal_places=2,
        help_text=_("Empty: the quoted price."),
    )
    note = forms.CharField(
        label=_("Note to the customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the price differs from the quote."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "complete_%s")
        super().__init__(*args, **kwargs)


class ReasonForm(ErrorSummaryMixin, ServiceErrorsMixin, forms.Form):
    """Cancelling a simple service request: why (the customer reads it)."""

    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "cancel_%s")
        super().__init__(*args, **kwargs)


#: Each action the desk takes on a change request in words (the quote has its own form).
CHANGE_ACTION_LABELS = {
    "schedule": _("Schedule the work (the account's contacts get the planned-work notice)"),
    "complete": _("Record the work as done"),
    "cancel": pgettext_lazy("change request", "Cancel the change request"),
}


class ChangeActionForm(VersionedForm):
    action = forms.ChoiceField(label=_("Next step"), choices=list(CHANGE_ACTION_LABELS.items()))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to cancel; the customer reads it."),
    )

    def __init__(self, *args: Any, actions: list[str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "change_%s")
        super().__init__(*args, **kwargs)
        if actions is not None:
            self.fields["action"].widget.choices = [
                (action, CHANGE_ACTION_LABELS[action]) for action in actions if action in CHANGE_ACTION_LABELS
            ]


class QuoteChangeForm(VersionedForm):
    cost = forms.CharField(label=_("Cost"), required=False)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    planned_start = forms.DateTimeField(label=_("Planned start"), required=False, widget=DateTimeInput)
    planned_end = forms.DateTimeField(label=_("Planned end"), required=False, widget=DateTimeInput)
    note = forms.CharField(label=_("Note to the customer"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "quote_%s")
        super().__init__(*args, **kwargs)


class HandedOverForm(forms.Form):
    """The console's orders handed over on or before their committed date in some days, of an
    account or site (the dashboard's "orders on their committed date"), from the query string.
    A bad value is an error next to its field and does not filter."""

    date_from = forms.DateField(label=_("Handed over from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    account = forms.ChoiceField(label=_("Customer account"), required=False, widget=LongSelect)
    site = forms.ChoiceField(label=_("Site"), required=False, widget=LongSelect)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        accounts = account_choices(actor=actor)
        cast(forms.ChoiceField, self.fields["account"]).choices = [("", _("All accounts")), *accounts]
        sites = sites_visible_to(actor=actor).order_by("account__name", "name")
        cast(forms.ChoiceField, self.fields["site"]).choices = [
            ("", _("All sites")),
            *(
                (str(pk), f"{name} ({account})")
                for pk, name, account in sites.values_list("pk", "name", "account__name")
            ),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data

    def _value(self, name: str) -> Any:
        self.is_valid()
        return None if name in self.errors else self.cleaned_data.get(name)

    def filters(self) -> OrderFilters:
        """The orders handed over on time in the chosen days of the tenant's zone, midnight to
        midnight, as the dashboard counts them."""
        zone = ZoneInfo(self.actor.tenant.time_zone if self.actor.tenant else "UTC")
        first, last = self._value("date_from"), self._value("date_to")
        if first and last and last < first:
            first = last = None
        account, site = self._value("account"), self._value("site")
        return OrderFilters(
            account_id=int(account) if account else None,
            site_id=int(site) if site else None,
            handed_over_from=dt.datetime.combine(first, dt.time.min, tzinfo=zone) if first else None,
            handed_over_until=(
                dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone) if last else None
            ),
            on_committed_date=True,
            zone=zone,
        )

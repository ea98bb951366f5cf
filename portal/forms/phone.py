"""Logging a phone call as a ticket (the console's intake): the portal's new-ticket form, for
a customer account the agent chooses, with who called and the fault record's facts (caller
name, company, phone, product, serial number; seed 004). The same intake rules, questionnaire
and priority matrix apply (tickets.services.intake.open_ticket), on channel ``phone``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from orders.models import Service
from orders.selectors import services_visible_to
from portal.forms.intake import NewTicketForm
from portal.forms.widgets import LongSelect
from servicedesk.models import CustomerAccount, User
from servicedesk.selectors import accounts_visible_to
from tickets.models import Ticket
from tickets.services.intake import TicketDraft


class ServiceChoiceField(forms.ChoiceField):
    """The chosen account's services as choices, any service ID accepted: the intake service
    looks it up inside the agent's walls and names a service of another account with every
    other problem of the call at once."""

    def valid_value(self, value: Any) -> bool:
        return True


class PhoneTicketForm(NewTicketForm):
    account = forms.ChoiceField(label=_("Customer account"), required=False, widget=LongSelect)
    customer_user = forms.ChoiceField(
        label=_("Customer user calling"),
        required=False,
        help_text=_("If the caller has a portal account. Their name and phone fill the caller's fields left empty."),
    )
    caller_name = forms.CharField(
        label=_("Caller name"), required=False, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    caller_company = forms.CharField(
        label=_("Company"), required=False, widget=forms.TextInput(attrs={"maxlength": 200}),
        help_text=_("Empty: the customer account's name."),
    )  # fmt: skip
    caller_phone = forms.CharField(
        label=_("Caller phone"), required=False, widget=forms.TextInput(attrs={"type": "tel", "maxlength": 40})
    )
    product_name = forms.CharField(
        label=_("Product"), required=False, widget=forms.TextInput(attrs={"maxlength": 200}),
        help_text=_("Empty: the service's product."),
    )  # fmt: skip
    serial_number = forms.CharField(
        label=_("Serial number"), required=False, widget=forms.TextInput(attrs={"maxlength": 60}),
        help_text=_("Empty: the service's serial number."),
    )  # fmt: skip

    error_fields = {**NewTicketForm.error_fields, "account": "account"}

    def __init__(self, *args: Any, actor: User, language: str, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, language=language, **kwargs)
        self.fields["customer_reference"].label = _("Customer reference")
        self.fields["customer_reference"].help_text = _("The customer's own incident or order number, if any.")
        lenient = ServiceChoiceField(
            label=self.fields["service"].label,
            required=False,
            help_text=self.fields["service"].help_text,
            choices=cast(forms.ChoiceField, self.fields["service"]).choices,
        )
        lenient.widget.attrs.update(self.fields["service"].widget.attrs)
        self.fields["service"] = lenient
        accounts = [
            (str(pk), name) for pk, name in accounts_visible_to(actor=actor).order_by("name").values_list("pk", "name")
        ]
        cast(forms.ChoiceField, self.fields["account"]).choices = [("", _("Choose the account…")), *accounts]
        self.account_obj = self._account(actor)
        users = (
            User.objects.filter(customer_account=self.account_obj, is_active=True).order_by("full_name")
            if self.account_obj is not None
            else User.objects.none()
        )
        self.account_users = {str(user.pk): user for user in users}
        cast(forms.ChoiceField, self.fields["customer_user"]).choices = [
            ("", _("Someone without a portal account")),
            *((pk, f"{user.full_name} ({user.email})") for pk, user in self.account_users.items()),
        ]
        order = ["account", "customer_user", "caller_name", "caller_company", "caller_phone", "kind", "service"]
        self.order_fields([*order, "product_name", "serial_number"])

    def _account(self, actor: User) -> CustomerAccount | None:
        raw = self._raw("account")
        if not raw.isdigit():
            return None
        return accounts_visible_to(actor=actor).filter(pk=int(raw)).first()

    def services_offered(self, actor: User) -> QuerySet[Service]:
        """The chosen account's services only (none before an account is chosen)."""
        raw = self._raw("account")
        services = services_visible_to(actor=actor)
        return services.filter(account_id=int(raw)) if raw.isdigit() else services.none()

    def to_draft(self) -> TicketDraft:
        data = self.cleaned_data
        user = self.account_users.get(str(data.get("customer_user") or ""))
        account = self.account_obj
        draft = super().to_draft()
        if user is not None and "callback" not in draft.contacts:
            # The customer user who called is the one to call back, unless someone else was named.
            draft.contacts["callback"] = {"name": user.full_name, "email": user.email, "phone": user.phone}
        return replace(
            draft,
            # None: the service names the missing account with every other problem at once.
            account_id=int(data["account"]) if data.get("account") else None,
            channel=Ticket.Channel.PHONE,
            caller_name=data.get("caller_name") or (user.full_name if user else ""),
            caller_company=data.get("caller_company") or (account.name if account else ""),
            caller_phone=data.get("caller_phone") or (user.phone if user else ""),
            product_name=data.get("product_name", ""),
            serial_number=data.get("serial_number", ""),
        )

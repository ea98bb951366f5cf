"""The report pages' forms: the managers' dashboard (period and filters) and the customers'
reports (month and site). They read the query string; a bad period is shown next to its field
and the page shows the default period meanwhile."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from portal.forms.filter_choices import offer_accounts_and_sites, search_field
from portal.forms.widgets import LongSelect, python_inputs, set_flat_choices
from reports.periods import MAX_DAYS, Period, month, preset
from reports.selectors import ReportFilters
from servicedesk.models import ProductArea, Site, Team, User
from servicedesk.selectors import accounts_visible_to, staff_filter_choices
from tickets.models import Priority, Ticket


def _choices(rows: Any, empty: Any) -> list[tuple[str, Any]]:
    return [("", empty), *((str(pk), name) for pk, name in rows)]


class DashboardForm(forms.Form):
    PERIODS = [
        ("today", _("Today")),
        ("week", _("This week")),
        ("month", _("This month")),
        ("last_month", _("Last month")),
        ("custom", _("Custom")),
    ]

    # Every select and input written in Python (the queue's widgets and renderer): through the
    # templates the filter cost the page about 8 ms.
    default_renderer = python_inputs

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False, initial="month", widget=LongSelect)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    product_area = forms.ChoiceField(label=_("Product area"), required=False, widget=LongSelect)
    # A large tenant's accounts and sites are searched, the matches offered (filter_choices).
    account_q = search_field(_("Find an account"))
    account = forms.ChoiceField(label=_("Customer account"), required=False, widget=LongSelect)
    site_q = search_field(_("Find a site"))
    site = forms.ChoiceField(label=_("Site"), required=False, widget=LongSelect)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any")), *Priority.choices], required=False, widget=LongSelect
    )
    team = forms.ChoiceField(label=_("Team"), required=False, widget=LongSelect)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Ticket.Kind.choices], required=False, widget=LongSelect
    )
    trend = forms.ChoiceField(
        label=_("Trend"),
        choices=[("day", _("per day")), ("week", _("per week"))],
        required=False,
        widget=LongSelect,
    )

    def __init__(self, *args: Any, actor: User, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("period"):
            # Filters without a period show this month, and the period's choice says so.
            self.data = {**{key: self.data.get(key) for key in self.data}, "period": "month"}
        self.actor, self.zone = actor, zone
        fields = self.fields
        if actor.is_desk_staff and actor.tenant_id is not None:
            # The whole tenant's from its cached reference data in one read, not four queries and
            # their rows on every dashboard page; of a large tenant's accounts and sites (400 and a
            # thousand) only the chosen and the matches of a search are written into the page.
            choices = staff_filter_choices(tenant_id=actor.tenant_id)
            set_flat_choices(fields["product_area"], [("", _("All product areas")), *choices.product_areas])
            set_flat_choices(fields["team"], [("", _("Any team")), *choices.teams])
            offer_accounts_and_sites(self, choices)
            return
        del fields["account_q"], fields["site_q"]
        cast(forms.ChoiceField, fields["product_area"]).choices = _choices(
            ProductArea.objects.order_by("name").values_list("pk", "name"), _("All product areas")
        )
        cast(forms.ChoiceField, fields["account"]).choices = _choices(
            accounts_visible_to(actor=actor).order_by("name").values_list("pk", "name"), _("All accounts")
        )
        sites = Site.objects.visible_to(actor).order_by("account__name", "name")
        cast(forms.ChoiceField, fields["site"]).choices = [
            ("", _("All sites")),
            *(
                (str(pk), f"{name} ({account})")
                for pk, name, account in sites.values_list("pk", "name", "account__name")
            ),
        ]
        cast(forms.ChoiceField, fields["team"]).choices = _choices(
            Team.objects.order_by("name").values_list("pk", "name"), _("Any team")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start and "start" not in self.errors:
                self.add_error("start", _("Give the first day of the period."))
            if not end and "end" not in self.errors:
                self.add_error("end", _("Give the last day of the period."))
            if start and end:
                if end < start:
                    self.add_error("end", _("The end of the period comes before its start."))
                elif (end - start).days + 1 > MAX_DAYS:
                    self.add_error("end", _("A report covers at most %(days)d days.") % {"days": MAX_DAYS})
        return data

    def error_summary(self) -> list[dict[str, str]]:
        return [
            {"id": self[name].id_for_label, "label": str(self[name].label), "message": str(errors[0])}
            for name, errors in self.errors.items()
            if name in self.fields
        ]

    def _valid(self, name: str) -> Any:
        if not self.is_valid() and name in self.errors:
            return None
        return self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None

    def period_of(self, now: dt.datetime | None = None) -> Period:
        """The chosen period in the tenant's zone; this month while the choice of period is
        invalid (a bad filter does not undo a good period: it is ignored, and shown)."""
        now = now or timezone.now()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        period_errors = any(name in self.errors for name in ("period", "start", "end"))
        if data.get("period") == "custom" and not period_errors:
            return Period(data["start"], data["end"], self.zone)
        chosen = data.get("period") if not period_errors else None
        return preset(chosen if chosen and chosen != "custom" else "month", self.zone, now)

    def filters(self) -> ReportFilters:
        def number(name: str) -> int | None:
            value = self._valid(name)
            return int(value) if value else None

        priority, kind = self._valid("priority"), self._valid("kind")
        return ReportFilters(
            account_id=number("account"),
            site_id=number("site"),
            product_area_id=number("product_area"),
            team_id=number("team"),
            priorities=(priority,) if priority else (),
            kinds=(kind,) if kind else (),
        )

    @property
    def trend_by(self) -> str:
        return self._valid("trend") or "day"

    def period_label(self, period: Period) -> str:
        first = formats.date_format(period.first, "SHORT_DATE_FORMAT")
        last = formats.date_format(period.last, "SHORT_DATE_FORMAT")
        return first if period.first == period.last else f"{first} – {last}"


def recent_months(zone: ZoneInfo, now: dt.datetime, count: int = 13) -> list[tuple[str, Period]]:
    """This month and the ``count - 1`` before it, newest first, keyed ``YYYY-MM``."""
    today = now.astimezone(zone).date()
    year, number = today.year, today.month
    months = []
    for _index in range(count):
        months.append((f"{year:04d}-{number:02d}", month(year, number, zone)))
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
    return months


class CustomerReportForm(forms.Form):
    """The customer's reports: a month (this one and the twelve before) and, when the user sees
    several sites, one of them."""

    month = forms.ChoiceField(label=_("Month"), required=False)
    site = forms.ChoiceField(label=_("Site"), required=False)

    def __init__(self, *args: Any, actor: User, zone: ZoneInfo, now: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor, self.zone = actor, zone
        self.months = dict(recent_months(zone, now))
        cast(forms.ChoiceField, self.fields["month"]).choices = [
            (key, formats.date_format(period.first, "YEAR_MONTH_FORMAT")) for key, period in self.months.items()
        ]
        sites = list(Site.objects.visible_to(actor).order_by("name").values_list("pk", "name"))
        self.sites = sites
        if len(sites) > 1:
            cast(forms.ChoiceField, self.fields["site"]).choices = _choices(sites, _("All your sites"))
        else:
            del self.fields["site"]

    def period(self) -> Period:
        chosen = self.cleaned_data.get("month") if self.is_valid() else None
        return self.months.get(chosen or "", next(iter(self.months.values())))

    def filters(self) -> ReportFilters:
        site = self.cleaned_data.get("site") if self.is_valid() and "site" in self.fields else None
        return ReportFilters(site_id=int(site) if site else None)

"""The ticket pages' forms: the lists' filters and the ticket page's forms (the new-ticket
form is in portal.forms.intake).

They only parse what the browser sends. The rules (what is required, what a valid answer is,
who may do what) live in the services; their InvalidInput errors are put back onto these
forms with ``add_service_errors``. So the fields are lenient (``required=False``, no
max_length checks): one submission shows every problem at once, in the service's words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalation.models import EscalationEvent
from portal.forms.filter_choices import offer_accounts_and_sites, search_field
from portal.forms.widgets import LongSelect, set_flat_choices
from portal.templatetags.report_tags import age_label
from reports.behind import EVENTS, TARGET_EVENTS, tickets_behind
from reports.figures import AGE_BUCKETS
from servicedesk.models import Team, User
from servicedesk.selectors import StaffFilterChoices, staff_filter_choices, staff_of_tenant
from tickets.models import Priority, SlaTarget, Ticket
from tickets.selectors import TicketFilters
from tickets.services.lifecycle import ACTIONS


class ServiceErrorsMixin:
    """Puts a service's InvalidInput errors (keyed by field name) next to the form's fields."""

    #: service error key → form field name, where they differ
    error_fields: dict[str, str] = {}

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        form = cast(forms.Form, self)
        for key, messages in errors.items():
            name = self.error_fields.get(key, key)
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)


class TicketListForm(forms.Form):
    """The customer's list: filters, search and order, from the query string."""

    STATUS_CHOICES = [("all", _("All")), ("open", _("Open")), ("closed", _("Resolved, closed or cancelled"))]
    SORT_CHOICES = [
        ("-created", _("Newest first")),
        ("created", _("Oldest first")),
        ("-updated", _("Recently updated")),
        ("updated", _("Least recently updated")),
    ]

    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *Ticket.Kind.choices], required=False)
    sort = forms.ChoiceField(label=_("Order"), choices=SORT_CHOICES, required=False)

    default_status = "all"
    STATUS_GROUPS: dict[str, tuple[str, ...]] = {
        "open": Ticket.OPEN_STATUSES,
        "closed": (Ticket.Status.RESOLVED, Ticket.Status.CLOSED, Ticket.Status.CANCELLED),
    }

    def value(self, name: str, default: str = "") -> str:
        """The valid value of ``name``, or ``default`` (a bad filter is ignored, never an error page)."""
        if not self.is_valid() and name in self.errors:
            return default
        return str(self.cleaned_data.get(name) or default)

    def filters(self) -> TicketFilters:
        """The chosen filters and order, for ``tickets.selectors.filter_tickets``."""
        self.is_valid()
        status = self.value("status", self.default_status)
        statuses: tuple[str, ...] = ()
        if status in self.STATUS_GROUPS:
            statuses = tuple(self.STATUS_GROUPS[status])
        elif status in Ticket.Status.values:
            statuses = (status,)
        kind = self.value("kind")
        return TicketFilters(
            statuses=statuses, kinds=(kind,) if kind else (), q=self.value("q"), sort=self.value("sort", "-created")
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.value("q") or self.value("kind") or self.value("status", self.default_status) != "all")


class CustomerTicketListForm(TicketListForm):
    """The customer's list with the filters a customer needs beyond status and kind: priority,
    site and service (choices from what the user may see)."""

    priority = forms.ChoiceField(label=_("Priority"), choices=[("", _("Any")), *Priority.choices], required=False)
    site = forms.ChoiceField(label=_("Site"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False, widget=LongSelect)
    sort = forms.ChoiceField(
        label=_("Order"),
        choices=[*TicketListForm.SORT_CHOICES, ("priority", _("Priority, most urgent first"))],
        required=False,
    )

    field_order = ["q", "status", "kind", "priority", "site", "service", "sort"]

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        from orders.selectors import services_visible_to  # noqa: PLC0415 - the inventory's selector
        from servicedesk.selectors import sites_visible_to  # noqa: PLC0415

        super().__init__(*args, **kwargs)
        sites = sites_visible_to(actor=actor).order_by("name").values_list("pk", "name")
        cast(forms.ChoiceField, self.fields["site"]).choices = [
            ("", _("All sites")),
            *((str(pk), n) for pk, n in sites),
        ]
        services = services_visible_to(actor=actor).order_by("service_id").values_list("service_id", "product")
        cast(forms.ChoiceField, self.fields["service"]).choices = [
            ("", _("All services")),
            *((service_id, f"{service_id} · {product}") for service_id, product in services),
        ]

    def filters(self) -> TicketFilters:
        priority, site = self.value("priority"), self.value("site")
        return replace(
            super().filters(),
            priorities=(priority,) if priority else (),
            site_id=int(site) if site.isdigit() else None,
            service_id=self.value("service"),
        )

    @property
    def is_filtered(self) -> bool:
        return super().is_filtered or any(self.value(name) for name in ("priority", "site", "service"))


class QueueForm(TicketListForm):
    """The agents' queue: the customer's filters and more, choices from the actor's tenant."""

    SORT_CHOICES = [*TicketListForm.SORT_CHOICES, ("priority", _("Priority, most urgent first"))]

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("open", _("Open")), *Ticket.Status.choices, ("all", _("All"))],
        required=False,
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=[("", _("Any")), *Priority.choices], required=False)
    team = forms.ChoiceField(label=_("Team"), required=False, widget=LongSelect)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, widget=LongSelect)
    account = forms.ChoiceField(label=_("Customer account"), required=False, widget=LongSelect)
    site = forms.ChoiceField(label=_("Site"), required=False, widget=LongSelect)
    # Searches among the accounts and sites of a large tenant (only the matches are offered).
    account_q = search_field(_("Find an account"))
    site_q = search_field(_("Find a site"))
    product_area = forms.ChoiceField(label=_("Product area"), required=False)
    dates = forms.ChoiceField(
        label=_("Dates of"),
        choices=[
            ("created", _("Opening")),
            ("resolved", _("Resolution")),
            ("met", _("A target met on time")),
            ("breached", _("A target breached")),
            ("reached", _("A target met, on time or late")),
            ("reopened", _("Reopening")),
            ("escalated", _("Escalation")),
            ("outage", _("Outage (down during the days)")),
            ("surveyed", _("Survey answer")),
        ],
        required=False,
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    target = forms.ChoiceField(
        label=_("Service-level target"), choices=[("", _("Any target")), *SlaTarget.choices], required=False
    )
    level = forms.IntegerField(label=_("Escalation level"), min_value=1, max_value=99, required=False)
    trigger = forms.ChoiceField(
        label=_("Escalation trigger"),
        choices=[("", _("Any trigger")), *EscalationEvent.Trigger.choices],
        required=False,
    )
    service = forms.CharField(label=_("Service ID"), required=False, max_length=100)
    age = forms.ChoiceField(label=_("Age"), required=False)
    sort = forms.ChoiceField(label=_("Order"), choices=SORT_CHOICES, required=False)

    field_order = [
        "q", "status", "priority", "kind", "team", "assignee", "account_q", "account", "site_q", "site",
        "product_area", "dates",
        "target", "level", "trigger", "service", "date_from", "date_to", "age", "sort",
    ]  # fmt: skip
    #: Narrowing filters beyond the search and the status (the queue is "filtered" with any).
    NARROWING = (
        "kind", "priority", "team", "assignee", "account", "site", "product_area", "date_from", "date_to", "age",
        "target", "level", "trigger", "service",
    )  # fmt: skip
    default_status = "open"
    STATUS_GROUPS = {"open": Ticket.OPEN_STATUSES}

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        # Rows as tuples, not model instances, the teams, accounts, sites and product areas from
        # the tenant's cached reference data (one read): a large tenant has hundreds of accounts
        # and a thousand sites, of which only a few are written into the page (filter_choices).
        choices = staff_filter_choices(tenant_id=actor.tenant_id) if actor.tenant_id is not None else None
        teams = choices.teams if choices else []
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", _("Any team")), *teams]
        staff = [
            (str(pk), full_name or email)
            for pk, full_name, email in staff_of_tenant(actor=actor)
            .order_by("full_name")
            .values_list("pk", "full_name", "email")
        ]
        set_flat_choices(self.fields["assignee"], [
            ("", _("Anyone or no one")),
            ("mine", _("Assigned to me")),
            ("unassigned", _("Unassigned")),
            *staff,
        ])  # fmt: skip
        self._offer_accounts_and_sites(choices)
        areas = choices.product_areas if choices else []
        cast(forms.ChoiceField, self.fields["product_area"]).choices = [("", _("All product areas")), *areas]
        cast(forms.ChoiceField, self.fields["age"]).choices = [
            ("", _("Any age")),
            *((key, age_label(key)) for key, _low, _high in AGE_BUCKETS),
        ]

    def _offer_accounts_and_sites(self, choices: StaffFilterChoices | None) -> None:
        """Every account and site of the tenant is a valid value (a saved view or a link names
        any); the page offers a few of a large tenant's (``portal.forms.filter_choices``), the
        chosen ones with their names, and asks for more as the agent types or picks an account."""
        if choices is None:
            set_flat_choices(self.fields["account"], [("", _("All accounts"))])
            set_flat_choices(self.fields["site"], [("", _("All sites"))])
            del self.fields["account_q"], self.fields["site_q"]
            return
        offer_accounts_and_sites(self, choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The end of the period comes before its start."))
        if data.get("target") and data.get("dates") not in TARGET_EVENTS:
            self.add_error("target", _("A target narrows the tickets by its outcome: choose it under “Dates of”."))
        for name in ("level", "trigger"):
            if data.get(name) and data.get("dates") != "escalated":
                self.add_error(name, _("This narrows the escalations: choose “Escalation” under “Dates of”."))
        from orders.selectors import services_visible_to  # noqa: PLC0415 - the inventory's selector

        service = (data.get("service") or "").strip()
        if service and not services_visible_to(actor=self.actor).filter(service_id=service).exists():
            self.add_error("service", _("No service has this ID."))
        return data

    def _day(self, name: str) -> dt.date | None:
        if not self.is_valid() and name in self.errors:
            return None
        return self.cleaned_data.get(name)

    def date_range(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The chosen days as instants: from the first day's midnight to the midnight after the
        last, in the tenant's zone (the days of the dashboard's periods)."""
        zone = ZoneInfo(self.actor.tenant.time_zone if self.actor.tenant else "UTC")
        first, last = self._day("date_from"), self._day("date_to")
        if first and last and last < first:
            return None, None
        start = dt.datetime.combine(first, dt.time.min, tzinfo=zone).astimezone(dt.UTC) if first else None
        end = None
        if last:
            end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone).astimezone(dt.UTC)
        return start, end

    def age_range(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """An age bucket of the dashboard's backlog as creation instants: created after now less
        its upper bound, and no later than now less its lower bound (``reports.figures.backlog``)."""
        bounds = {key: (low, high) for key, low, high in AGE_BUCKETS}.get(self.value("age"))
        if bounds is None:
            return None, None
        now, (low, high) = timezone.now(), bounds
        after = None if high is None else now - dt.timedelta(hours=high)
        return after, now - dt.timedelta(hours=low)

    def filters(self) -> TicketFilters:
        priority, team, account = self.value("priority"), self.value("team"), self.value("account")
        site, area = self.value("site"), self.value("product_area")
        dates_from, dates_until = self.date_range()
        created_after, created_not_after = self.age_range()
        assignee = self.value("assignee")  # "mine", "unassigned" or a staff user's id
        assignee_id = self.actor.pk if assignee == "mine" else None
        if assignee not in ("", "mine", "unassigned"):
            assignee_id = int(assignee)
        if self.value("dates") in EVENTS:  # the days are the event's, not the ticket's
            dates_from = dates_until = None
        return replace(
            super().filters(),
            priorities=(priority,) if priority else (),
            # Another tenant's or an unknown service: the error is next to the field and the
            # filter (inside the walls) matches nothing.
            service_id=str(self.data.get("service") or "").strip()[:100],
            team_id=int(team) if team else None,
            assignee_id=assignee_id,
            unassigned=assignee == "unassigned",
            account_id=int(account) if account else None,
            site_id=int(site) if site else None,
            product_area_id=int(area) if area else None,
            dates_from=dates_from,
            dates_until=dates_until,
            by_resolution=self.value("dates") == "resolved",
            among=self.tickets_behind(),
            created_after=created_after,
            created_not_after=created_not_after,
        )

    def tickets_behind(self) -> Any:
        """With "Dates of" an event (``reports.behind.EVENTS``): the ids of the tickets with such
        an event in the chosen days (a target's, an escalation's narrowed as chosen); else None."""
        event = self.value("dates")
        if event not in EVENTS:
            return None
        start, end = self.date_range()
        level = self.value("level")
        return tickets_behind(
            event,
            start=start,
            end=end,
            target=self.value("target") if event in TARGET_EVENTS else "",
            level=int(level) if level.isdigit() and event == "escalated" else None,
            trigger=self.value("trigger") if event == "escalated" else "",
            now=timezone.now(),
        )

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.value("q")
            or self.value("status", self.default_status) != self.default_status
            or any(self.value(name) for name in self.NARROWING)
            or self.value("dates") in EVENTS  # the tickets with that event, whatever the days
        )


class CommentForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(label=_("Your reply"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files from one ``<input type="file" multiple>`` (a list, maybe empty)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReplyForm(CommentForm):
    """A public reply and, in the same form, the files that go with it."""

    error_fields = {"files": "attachments"}

    attachments = MultipleFileField(label=_("Files"), required=False)


class AttachmentForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(label=_("File"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is None:
            raise forms.ValidationError(_("Choose a file to attach."), code="required")
        return upload


class StaffAttachmentForm(AttachmentForm):
    internal = forms.BooleanField(label=_("Staff only (the customer does not see it)"), required=False)


class TransitionForm(ServiceErrorsMixin, forms.Form):
    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VersionedForm(ServiceErrorsMixin, forms.Form):
    """A change to a ticket that names the version it was made on (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # When the page was shown: a stale save lists what others changed since then.
    seen_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)


class _AnyIdChoiceField(forms.ChoiceField):
    """Offers its choices; accepts any id (or blank), which the service then checks, naming the
    field (a team deactivated since the page was shown: "… is inactive")."""

    def valid_value(self, value: Any) -> bool:
        return value in ("", None) or (str(value).isdigit() and len(str(value)) <= 18)


class AssignmentForm(VersionedForm):
    """Offers the active teams and people of the desk, and the ticket's own team and assignee
    even when inactive (a ticket keeps them; the service refuses giving it to inactive ones)."""

    team = _AnyIdChoiceField(label=_("Team"), required=False)
    assignee = _AnyIdChoiceField(label=_("Assignee"), required=False)

    def __init__(self, *args: Any, actor: User, ticket: Ticket | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "assignment_%s")  # beside the priority form on one page
        super().__init__(*args, **kwargs)
        self.actor, self.ticket = actor, ticket
        current_team = ticket.team_id if ticket is not None else None
        current_assignee = ticket.assignee_id if ticket is not None else None
        inactive = _("%(name)s (inactive)")
        teams = [
            (str(pk), name if active else inactive % {"name": name})
            for pk, name, active in Team.objects.filter(Q(is_active=True) | Q(pk=current_team))
            .order_by("name")
            .values_list("pk", "name", "is_active")
        ]
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", _("No team")), *teams]
        staff = [
            (str(pk), (full_name or email) if active else inactive % {"name": full_name or email})
            for pk, full_name, email, active in staff_of_tenant(actor=actor)
            .filter(Q(is_active=True) | Q(pk=current_assignee))
            .order_by("full_name")
            .values_list("pk", "full_name", "email", "is_active")
        ]
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [("", _("Unassigned")), *staff]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "team_id": int(data["team"]) if data.get("team") else None,
            "assignee_id": int(data["assignee"]) if data.get("assignee") else None,
        }


class PriorityForm(VersionedForm):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    priority_reason = forms.CharField(
        label=_("Reason for a priority other than the matrix's"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "priority_%s")  # beside the assignment form on one page
        super().__init__(*args, **kwargs)

    def changes(self) -> dict[str, Any]:
        return {
            "priority": self.cleaned_data["priority"],
            "reason": self.cleaned_data.get("priority_reason", ""),
        }

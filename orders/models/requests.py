"""Requests that are not orders: simple service requests (SSR) from the tenant's catalogue,
and change requests that need planning, a quote and the customer's acceptance (seed 001)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from orders.models.common import Guard
from orders.models.inventory import Service
from servicedesk.models import CustomerAccount, CustomerOwned, Site, TenantOwned, User
from servicedesk.timeline import TimelineEntry
from servicedesk.walls import CustomerWall

# Seed 001: an SSR is submitted at least 48 hours ahead, counted on business days; work at
# weekends needs 5 days' notice.
MIN_SSR_LEAD_HOURS = 48
MIN_WEEKEND_NOTICE_DAYS = 5
#: The languages an item's name and description may be given in besides the default ones.
ITEM_LANGUAGES = ("de", "en", "es")


def _staff(obj: Any, user: Any) -> bool:
    return user.is_desk_staff


class CatalogueItem(TenantOwned):
    """An entry of the tenant's SSR catalogue: what can be asked for, at what price, with which
    details, and how far ahead (at least 48 business hours; an item may need more)."""

    code = models.SlugField(_("code"), max_length=40, db_index=False)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("In the desk's default language; shown where no translation is given.")
    )
    description = models.TextField(_("description"), blank=True)
    # The name and description per language (blank: the default ones above are shown).
    name_de = models.CharField(_("name (German)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # [{"name": "vlan", "type": "text" | "number" | "choice" | "yes_no", "required": bool,
    #   "labels": {"en": …, "de": …, "es": …}, "choices": ["…", …], "min": 1, "max": 4094}]
    # (min and max: a number's bounds, each optional)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    lead_time_hours = models.PositiveSmallIntegerField(
        _("lead time (business hours)"),
        default=MIN_SSR_LEAD_HOURS,
        help_text=_("How far ahead a request must be made, counted on the site's business days."),
    )
    weekend_notice_days = models.PositiveSmallIntegerField(
        _("weekend notice (days)"),
        default=MIN_WEEKEND_NOTICE_DAYS,
        help_text=_(
            "How many days ahead work on a weekend or public holiday at the site must be asked for (at least 5)."
        ),
    )
    is_active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("catalogue item")
        verbose_name_plural = _("SSR catalogue")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="catalogue_item_code_unique_per_tenant"),
            models.CheckConstraint(
                condition=Q(lead_time_hours__gte=MIN_SSR_LEAD_HOURS), name="catalogue_item_lead_time_minimum"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="catalogue_item_price_not_negative"),
            models.CheckConstraint(
                condition=Q(weekend_notice_days__gte=MIN_WEEKEND_NOTICE_DAYS),
                name="catalogue_item_weekend_notice_minimum",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str | None) -> str:
        """The name in ``language`` (``de``, ``de-at``, …), else the default one."""
        code = (language or "")[:2]
        translated = str(getattr(self, f"name_{code}", "") or "") if code in ITEM_LANGUAGES else ""
        return translated or self.name

    def description_in(self, language: str | None) -> str:
        """The description in ``language``, else the default one."""
        code = (language or "")[:2]
        translated = str(getattr(self, f"description_{code}", "") or "") if code in ITEM_LANGUAGES else ""
        return translated or self.description

    @property
    def shown_name(self) -> str:
        """The name in the active language (what pages and mails show)."""
        return self.name_in(translation.get_language())

    @property
    def shown_description(self) -> str:
        """The description in the active language."""
        return self.description_in(translation.get_language())


class SimpleServiceRequest(ConcurrentTransitionMixin, CustomerOwned):
    """A simple service request: confirmed with its SSR ID when it is accepted, done at the
    requested time, and billed with the month it was completed in."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("SSR ID"), max_length=20)
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="requests", db_index=False)
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.CONFIRMED, protected=True)
    account = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="ssrs", db_index=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="ssrs", db_index=False)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="ssrs", db_index=False
    )
    requested_start = models.DateTimeField(_("requested start"))
    answers = models.JSONField(_("details"), default=dict, blank=True)
    customer_reference = models.CharField(_("your reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The catalogue price when the request was confirmed; ``price`` is what is billed.
    quoted_price = models.DecimalField(_("quoted price"), max_digits=10, decimal_places=2)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(_("confirmed"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    completion_note = models.TextField(_("completion note"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    wall = CustomerWall(account="account", site="site", opener="created_by")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("simple service request")
        verbose_name_plural = _("simple service requests")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="ssr_number_unique_per_tenant"),
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gte=0), name="ssr_price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["tenant", "account", "-created_at"], name="ssr_tenant_account_idx"),
            models.Index(fields=["tenant", "site"], name="ssr_tenant_site_idx"),
            # The monthly billing report: completed requests by completion time.
            models.Index(fields=["tenant", "completed_at"], name="ssr_tenant_completed_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @transition(
        field=status,
        source=Status.CONFIRMED,
        target=Status.COMPLETED,
        permission=_staff,
        conditions=[
            Guard(
                lambda r: timezone.now() >= r.requested_start,
                _("The work cannot be completed before its requested start."),
            )
        ],
    )
    def complete(self, at: dt.datetime) -> None:
        self.completed_at = at

    @transition(
        field=status,
        source=Status.CONFIRMED,
        target=Status.CANCELLED,
        permission=lambda r, u: u.is_desk_staff or (u.is_customer and timezone.now() < r.requested_start),
    )
    def cancel(self, at: dt.datetime) -> None:
        """Staff cancel a confirmed request; a customer only before the work is due to start."""
        self.cancelled_at = at


class ChangeRequest(ConcurrentTransitionMixin, CustomerOwned):
    """A change that needs planning (moving an antenna or a rack): the desk plans it and quotes
    cost and schedule, the customer accepts or declines, the desk schedules the planned work
    (the account's contacts get a notice) and does it."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        QUOTED = "quoted", _("Quoted, awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.PLANNING, Status.QUOTED, Status.ACCEPTED, Status.SCHEDULED)

    number = models.CharField(_("number"), max_length=20)
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNING, protected=True)
    account = models.ForeignKey(
        CustomerAccount, on_delete=models.PROTECT, related_name="change_requests", db_index=False
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="change_requests", db_index=False)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="change_requests", db_index=False
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    customer_reference = models.CharField(_("your reference"), max_length=100, blank=True)

    quoted_cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    quote_note = models.TextField(_("quote"), blank=True)
    quoted_at = models.DateTimeField(_("quoted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("accepted or declined"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    notice_sent_at = models.DateTimeField(_("planned-work notice sent"), null=True, blank=True)
    completed_at = models.DateTimeField(_("done"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    wall = CustomerWall(account="account", site="site", opener="created_by")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="change_request_number_unique_per_tenant"),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gt=models.F("planned_start")),
                name="change_request_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(quoted_cost__isnull=True) | Q(quoted_cost__gte=Decimal("0")),
                name="change_request_cost_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"], name="cr_tenant_status_idx"),
            models.Index(fields=["tenant", "account", "-created_at"], name="cr_tenant_account_idx"),
            models.Index(fields=["tenant", "site"], name="cr_tenant_site_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    # --- Lifecycle (orders.services.changes runs it) ------------------------------------------

    @transition(field=status, source=[Status.PLANNING, Status.QUOTED], target=Status.QUOTED, permission=_staff)
    def quote(self, at: dt.datetime) -> None:
        """State the cost and the schedule (again, while the customer has not decided)."""
        self.quoted_at = at

    @transition(field=status, source=Status.QUOTED, target=Status.ACCEPTED, permission=lambda c, u: u.is_customer)
    def accept(self, at: dt.datetime) -> None:
        self.decided_at = at

    @transition(field=status, source=Status.QUOTED, target=Status.DECLINED, permission=lambda c, u: u.is_customer)
    def decline(self, at: dt.datetime) -> None:
        self.decided_at = at

    @transition(field=status, source=Status.ACCEPTED, target=Status.SCHEDULED, permission=_staff)
    def schedule(self, at: dt.datetime) -> None:
        """The planned work is fixed; the account's contacts are told (on commit)."""

    @transition(
        field=status,
        source=Status.SCHEDULED,
        target=Status.DONE,
        permission=_staff,
        conditions=[
            Guard(
                lambda c: c.planned_start is not None and timezone.now() >= c.planned_start,
                _("The work cannot be done before its scheduled start."),
            )
        ],
    )
    def complete(self, at: dt.datetime) -> None:
        self.completed_at = at

    @transition(
        field=status,
        source=list(OPEN_STATUSES),
        target=Status.CANCELLED,
        permission=lambda c, u: u.is_desk_staff or (u.is_customer and c.status == ChangeRequest.Status.PLANNING),
    )
    def cancel(self, at: dt.datetime) -> None:
        """Staff cancel an open change request; a customer withdraws one still in planning
        (a quoted one they decline)."""
        self.cancelled_at = at


class ChangeRequestEvent(TimelineEntry):
    """One line of a change request's timeline (the columns and the order: servicedesk.timeline)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Requested")
        TRANSITION = "transition", _("Status changed")
        QUOTED = "quoted", _("Quoted")
        NOTICE_SENT = "notice_sent", _("Planned-work notice sent")

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What a line says, as data: {"cost": "1450.00", "currency": "EUR", "start": ISO instant,
    # "end": …} on "quoted"; {"start": …, "end": …} on the transition to "scheduled".
    params = models.JSONField(default=dict, blank=True)

    class Meta(TimelineEntry.Meta):
        indexes = [models.Index(fields=["tenant", "change_request", "at"], name="crevent_tenant_cr_idx")]

    def __str__(self) -> str:
        return f"{self.change_request_id} {self.kind}"

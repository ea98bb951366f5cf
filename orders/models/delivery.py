"""Orders and their delivery: the lifecycle from receipt to billing, each step's planned and
actual dates, the timeline, the suppliers and the tenant's lead-time table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from orders.dates import local_date
from orders.models.common import Guard
from orders.models.inventory import Contract, Service, ServiceType
from servicedesk.models import CustomerAccount, CustomerOwned, ProductArea, Site, TenantOwned, User
from servicedesk.timeline import TimelineEntry
from servicedesk.validators import validate_country_code
from servicedesk.walls import CustomerWall


def _staff(order: Any, user: Any) -> bool:
    return user.is_desk_staff


class Supplier(TenantOwned):
    """A carrier or access provider the desk orders leased lines from."""

    name = models.CharField(_("name"), max_length=200)
    # Inactive: offered for no new order; the orders that name it keep it.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="supplier_name_unique_per_tenant")]

    def __str__(self) -> str:
        return self.name


class LeadTime(TenantOwned):
    """One row of the tenant's lead-time table: business days from order confirmation to
    delivery in a country, for a bandwidth band (empty ends are open; both empty: any
    bandwidth, and the only rows that match an order line without a bandwidth) and a
    supplier (empty: any). The most specific matching row wins (``orders.selectors``)."""

    country = models.CharField(_("country"), max_length=2, validators=[validate_country_code])
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, null=True, blank=True, related_name="lead_times", db_index=False
    )
    min_mbps = models.PositiveIntegerField(_("from (Mbit/s)"), null=True, blank=True)
    max_mbps = models.PositiveIntegerField(_("up to (Mbit/s)"), null=True, blank=True)
    business_days = models.PositiveSmallIntegerField(_("lead time (business days)"))

    class Meta:
        ordering = ["country", "min_mbps", "id"]
        verbose_name = _("lead time")
        verbose_name_plural = _("lead times")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_mbps__isnull=True) | Q(max_mbps__isnull=True) | Q(max_mbps__gte=models.F("min_mbps")),
                name="lead_time_band_ordered",
            )
        ]
        # The calculator's look-up: every row of one country.
        indexes = [models.Index(fields=["tenant", "country"], name="leadtime_tenant_country_idx")]

    def __str__(self) -> str:
        return f"{self.country} {self.min_mbps or 0}–{self.max_mbps or '∞'} Mbit/s: {self.business_days} days"

    def matches(self, bandwidth_mbps: int | None) -> bool:
        if bandwidth_mbps is None:
            return self.min_mbps is None and self.max_mbps is None
        return (self.min_mbps is None or self.min_mbps <= bandwidth_mbps) and (
            self.max_mbps is None or bandwidth_mbps <= self.max_mbps
        )


class Order(ConcurrentTransitionMixin, CustomerOwned):
    """A customer order: one or more services (lines) to deliver to the account's sites."""

    class Kind(models.TextChoices):
        STANDARD = "standard", _("Standard")
        ICB = "icb", _("Individual case based (ICB)")
        AUTOMATED = "automated", _("Automated (high volume)")
        LEASED_LINE = "leased_line", _("Leased line from a supplier")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        VALIDATED = "validated", _("Validated")
        CUSTOMER_COORDINATION = "customer_coordination", _("Customer coordination")
        DELIVERY = "delivery", _("Delivery")
        CONFIGURATION = "configuration", _("Configuration")
        COMMISSIONING = "commissioning", _("Commissioning")
        HANDED_OVER = "handed_over", _("Handed over")
        BILLING_STARTED = "billing_started", _("Billing started")
        ON_HOLD = "on_hold", _("On hold")
        CANCELLED = "cancelled", _("Cancelled")

    # The fixed steps of seed 000, in order; each has a planned and an actual date (OrderStep).
    STEPS = (
        Status.RECEIVED,
        Status.VALIDATED,
        Status.CUSTOMER_COORDINATION,
        Status.DELIVERY,
        Status.CONFIGURATION,
        Status.COMMISSIONING,
        Status.HANDED_OVER,
        Status.BILLING_STARTED,
    )
    # Before handover: what can be held or cancelled, and what can be late.
    ACTIVE_STEPS = STEPS[:6]
    OPEN_STATUSES = (*ACTIVE_STEPS, Status.ON_HOLD)

    # Business days from confirmation within which the exact delivery date is confirmed
    # (seed 000: standard 15, ICB 25). Automated orders are standard services ordered in
    # volume; leased lines depend on a supplier's survey, like ICB.
    CONFIRMATION_BUSINESS_DAYS = {Kind.STANDARD: 15, Kind.ICB: 25, Kind.AUTOMATED: 15, Kind.LEASED_LINE: 25}
    # Kinds a customer may place; automated orders come from the desk's integrations and
    # leased lines are ordered by the desk from a supplier.
    CUSTOMER_KINDS = (Kind.STANDARD, Kind.ICB)

    # The limits of what an order says, in one place: the columns below, the services' checks
    # and the API's serializers read them.
    MAX_TITLE = 200
    MAX_NOTES = 10_000
    MAX_CUSTOMER_REFERENCE = 100

    number = models.CharField(_("number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STANDARD)
    status = FSMField(_("status"), max_length=24, choices=Status.choices, default=Status.RECEIVED, protected=True)
    # The step an order on hold returns to.
    held_from = models.CharField(max_length=24, choices=Status.choices, blank=True)
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    notes = models.TextField(_("notes"), blank=True)
    customer_reference = models.CharField(_("your reference"), max_length=MAX_CUSTOMER_REFERENCE, blank=True)

    account = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="orders", db_index=False)
    # The delivery site: its national holidays and time zone govern the order's dates.
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="orders", db_index=False)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="orders", db_index=False
    )
    order_manager = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="managed_orders", db_index=False
    )
    contract_tier = models.CharField(
        _("contract tier"), max_length=20, choices=Contract.Tier.choices, default=Contract.Tier.BUSINESS_HOURS
    )

    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmation_due_on = models.DateField(_("delivery date to be confirmed by"), null=True, blank=True)
    estimated_delivery_on = models.DateField(_("estimated delivery"), null=True, blank=True)
    committed_delivery_on = models.DateField(_("committed delivery date"), null=True, blank=True)
    delivery_date_confirmed_at = models.DateTimeField(_("delivery date confirmed"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    billing_started_on = models.DateField(_("billing started"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # Optimistic concurrency: every update names the version it read; a stale one is refused.
    version = models.PositiveIntegerField(default=1)

    wall = CustomerWall(account="account", site="site", opener="created_by")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="order_number_unique_per_tenant")]
        indexes = [
            # Staff lists (open, late or all orders), newest first, a page at a time (keyset).
            models.Index(fields=["tenant", "-created_at", "-id"], name="order_tenant_created_idx"),
            # The tenant's orders in one status, newest first.
            models.Index(fields=["tenant", "status", "-created_at"], name="order_tenant_status_idx"),
            # The customer's list: one account's orders, newest first.
            models.Index(fields=["tenant", "account", "-created_at", "-id"], name="order_tenant_account_idx"),
            models.Index(fields=["tenant", "site"], name="order_tenant_site_idx"),
            # An order manager's work list.
            models.Index(fields=["tenant", "order_manager", "status"], name="order_tenant_manager_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    # --- Lifecycle ----------------------------------------------------------------------------
    # The graph below is the one source of the actions the API offers and accepts. Transitions
    # change the state and stamp it with the instant ``at`` the service passes; orders.services.
    # delivery locks the row, runs one, stamps the step's actual date, saves, and writes the
    # timeline (and, at handover, the inventory).

    @transition(
        field=status,
        source=Status.RECEIVED,
        target=Status.VALIDATED,
        permission=_staff,
        conditions=[
            Guard(
                lambda o: o.kind != Order.Kind.LEASED_LINE or o.supplier_id is not None,
                _("A leased-line order names its supplier before it is validated."),
            )
        ],
    )
    def validate(self, at: dt.datetime) -> None:
        """The order confirmation: the dates follow from it."""
        self.confirmed_at = at

    @transition(field=status, source=Status.VALIDATED, target=Status.CUSTOMER_COORDINATION, permission=_staff)
    def start_coordination(self, at: dt.datetime) -> None:
        pass

    @transition(
        field=status,
        source=Status.CUSTOMER_COORDINATION,
        target=Status.DELIVERY,
        permission=_staff,
        conditions=[
            Guard(
                lambda o: o.committed_delivery_on is not None,
                _("Confirm the exact delivery date with the customer first."),
            )
        ],
    )
    def start_delivery(self, at: dt.datetime) -> None:
        pass

    @transition(field=status, source=Status.DELIVERY, target=Status.CONFIGURATION, permission=_staff)
    def start_configuration(self, at: dt.datetime) -> None:
        pass

    @transition(field=status, source=Status.CONFIGURATION, target=Status.COMMISSIONING, permission=_staff)
    def start_commissioning(self, at: dt.datetime) -> None:
        pass

    @transition(
        field=status,
        source=Status.COMMISSIONING,
        target=Status.HANDED_OVER,
        permission=_staff,
        conditions=[
            Guard(
                lambda o: o.kind != Order.Kind.LEASED_LINE or all(line.circuit_id for line in o.lines.all()),
                _("Every line of a leased-line order needs the supplier's circuit ID before handover."),
            )
        ],
    )
    def hand_over(self, at: dt.datetime) -> None:
        """Creates or changes the inventory (orders.services.delivery does, in the same transaction)."""
        self.handed_over_at = at

    @transition(field=status, source=Status.HANDED_OVER, target=Status.BILLING_STARTED, permission=_staff)
    def start_billing(self, at: dt.datetime) -> None:
        self.billing_started_on = local_date(self.site.time_zone, at)

    @transition(field=status, source=list(ACTIVE_STEPS), target=Status.ON_HOLD, permission=_staff)
    def hold(self, at: dt.datetime) -> None:
        self.held_from = self.status

    @transition(field=status, source=Status.ON_HOLD, target=RETURN_VALUE(*ACTIVE_STEPS), permission=_staff)
    def resume(self, at: dt.datetime) -> str:
        previous, self.held_from = self.held_from, ""
        return previous

    @transition(
        field=status,
        source=list(OPEN_STATUSES),
        target=Status.CANCELLED,
        permission=lambda o, u: u.is_desk_staff or (u.is_customer and o.status == Order.Status.RECEIVED),
    )
    def cancel(self, at: dt.datetime) -> None:
        """Staff cancel any open order; a customer only before it is validated."""
        self.cancelled_at = at
        self.held_from = ""


class OrderLine(TenantOwned):
    """One service of an order: a new one to provide, or an existing one to change. Handover
    creates or updates the inventory row."""

    class Action(models.TextChoices):
        PROVIDE = "provide", _("Provide a new service")
        MODIFY = "modify", _("Change an existing service")

    # The limits of the IDs a line carries (columns, services' checks and serializers alike).
    MAX_SERVICE_ID = 40
    MAX_CIRCUIT_ID = 60

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    position = models.PositiveSmallIntegerField()
    action = models.CharField(_("action"), max_length=8, choices=Action.choices, default=Action.PROVIDE)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", db_index=False)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+", db_index=False)
    product = models.CharField(_("product"), max_length=200)
    product_area = models.ForeignKey(
        ProductArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    bandwidth_mbps = models.PositiveIntegerField(_("bandwidth (Mbit/s)"), null=True, blank=True)
    # The inventory row: the service to change (from the start), or the one handover created.
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="order_lines", db_index=False
    )
    # The service ID a new service will get (empty: numbered SVC-… at handover).
    planned_service_id = models.CharField(_("service ID"), max_length=MAX_SERVICE_ID, blank=True)
    circuit_id = models.CharField(_("circuit ID"), max_length=MAX_CIRCUIT_ID, blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "order", "position"], name="order_line_unique_position"),
            models.CheckConstraint(
                condition=~Q(action="modify") | Q(service__isnull=False), name="order_line_modify_names_service"
            ),
        ]
        # A service's order history.
        indexes = [models.Index(fields=["tenant", "service"], name="orderline_tenant_service_idx")]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.position} {self.product}"


class OrderStep(TenantOwned):
    """One step of an order's delivery: when it is planned (a date, set by the desk) and when
    it actually happened (the instant the order reached it)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="steps", db_index=False)
    step = models.CharField(_("step"), max_length=24, choices=Order.Status.choices)
    position = models.PositiveSmallIntegerField()
    planned_on = models.DateField(_("planned"), null=True, blank=True)
    actual_at = models.DateTimeField(_("actual"), null=True, blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("order step")
        verbose_name_plural = _("order steps")
        constraints = [models.UniqueConstraint(fields=["tenant", "order", "step"], name="order_step_unique")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.step}"


class OrderEvent(TimelineEntry):
    """One line of an order's timeline (the columns and the order: servicedesk.timeline)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Received")
        TRANSITION = "transition", _("Status changed")
        FIELD_CHANGED = "field_changed", _("Field changed")
        DATES = "dates", _("Dates computed")
        PLANNED = "planned", _("Step planned")
        DELIVERY_DATE = "delivery_date", _("Delivery date confirmed")
        INVENTORY = "inventory", _("Inventory changed")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What a line written by the desk itself says, as data (rendered in the reader's language by
    # the pages): {"kind": "standard"} on "created", {"due": "YYYY-MM-DD", "estimate": …} on "dates".
    params = models.JSONField(default=dict, blank=True)

    class Meta(TimelineEntry.Meta):
        indexes = [models.Index(fields=["tenant", "order", "at"], name="orderevent_tenant_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.field}"

"""Reads of orders, suppliers and lead times, each inside the actor's walls; lateness and the
lead-time calculator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from orders import dates
from orders.models import LeadTime, Order, OrderEvent, OrderLine, Supplier
from servicedesk.models import Site, User
from servicedesk.walls import get_visible_or_404

LIST_RELATED = ("tenant", "account", "site", "supplier", "order_manager")


def orders_visible_to(*, actor: User) -> QuerySet[Order]:
    """Staff see their tenant's orders. A customer user sees the account's; a user restricted
    to some sites sees the orders for those sites and the ones they placed themselves."""
    return (
        Order.objects.visible_to(actor)
        .select_related(*LIST_RELATED)
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("site", "service_type", "service", "product_area").order_by(
                    "position"
                ),
            ),
            "steps",
        )
    )


def get_order_for(*, actor: User, number: str) -> Order:
    """The order with that number, if the actor may see it; otherwise 404, as if it did not exist."""
    return get_visible_or_404(orders_visible_to(actor=actor), number=number)


@dataclass(frozen=True)
class OrderFilters:
    """What an order list is narrowed to (the API's list and the portal's and console's
    lists); an empty field does not filter. An id that is not a number on input is -1,
    which matches nothing."""

    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    account_id: int | None = None
    site_id: int | None = None
    order_manager_id: int | None = None
    #: True: only the late ones (see ``lateness``); False: only the others
    late: bool | None = None
    #: handed over in [handed_over_from, handed_over_until)
    handed_over_from: dt.datetime | None = None
    handed_over_until: dt.datetime | None = None
    #: only the orders handed over on or before their committed date, the day of the handover
    #: in ``zone`` (the dashboard's "orders on their committed date")
    on_committed_date: bool = False
    zone: dt.tzinfo | None = None


def filter_orders(*, actor: User, filters: OrderFilters, now: dt.datetime | None = None) -> QuerySet[Order]:
    """The orders the actor may see, narrowed to ``filters`` (lateness at ``now``, default the
    clock's), newest first."""
    orders = orders_visible_to(actor=actor).order_by("-created_at", "-id")
    if filters.statuses:
        orders = orders.filter(status__in=filters.statuses)
    if filters.kinds:
        orders = orders.filter(kind__in=filters.kinds)
    if filters.account_id is not None:
        orders = orders.filter(account_id=filters.account_id)
    if filters.site_id is not None:
        orders = orders.filter(site_id=filters.site_id)
    if filters.order_manager_id is not None:
        orders = orders.filter(order_manager_id=filters.order_manager_id)
    if filters.late is not None:
        orders = filter_late(orders, now=now or timezone.now(), late=filters.late)
    if filters.handed_over_from is not None:
        orders = orders.filter(handed_over_at__gte=filters.handed_over_from)
    if filters.handed_over_until is not None:
        orders = orders.filter(handed_over_at__lt=filters.handed_over_until)
    if filters.on_committed_date:
        handed_over_on = TruncDate("handed_over_at", tzinfo=filters.zone or dt.UTC)
        orders = orders.filter(handed_over_at__isnull=False, committed_delivery_on__gte=handed_over_on)
    return orders


def order_timeline(*, actor: User, order: Order) -> QuerySet[OrderEvent]:
    """Every change of an order the actor can see (the order came through ``get_order_for``)."""
    return OrderEvent.objects.filter(order=order).select_related("actor")


# --- Lateness ---------------------------------------------------------------------------------
# An open order (received … commissioning, or on hold) is late
# - against the confirmation deadline: the exact delivery date is still not confirmed and the
#   deadline day has ended at the delivery site;
# - against the committed date: it is not handed over and the committed day has ended there.
# A handed-over or cancelled order is never flagged. Computed on read, from the clock's now.


@dataclass(frozen=True)
class Lateness:
    confirmation: bool
    delivery: bool

    @property
    def any(self) -> bool:
        return self.confirmation or self.delivery


def lateness(order: Order, *, now: dt.datetime) -> Lateness:
    """Whether ``order`` is late at ``now`` (uses the selected site; no query)."""
    if not order.is_open:
        return Lateness(confirmation=False, delivery=False)
    today = dates.local_date(order.site.time_zone, now)
    confirmation = (
        order.committed_delivery_on is None
        and order.confirmation_due_on is not None
        and order.confirmation_due_on < today
    )
    delivery = order.committed_delivery_on is not None and order.committed_delivery_on < today
    return Lateness(confirmation=confirmation, delivery=delivery)


def _late_condition(time_zones: Iterable[str], now: dt.datetime) -> Q:
    """The database form of ``lateness(...).any``: one branch per site time zone, each with
    that zone's date today."""
    condition = Q(pk__in=[])
    for zone in time_zones:
        today = dates.local_date(zone, now)
        condition |= Q(site__time_zone=zone) & (
            Q(committed_delivery_on__isnull=True, confirmation_due_on__lt=today) | Q(committed_delivery_on__lt=today)
        )
    return Q(status__in=Order.OPEN_STATUSES) & condition


def filter_late(orders: QuerySet[Order], *, now: dt.datetime, late: bool = True) -> QuerySet[Order]:
    """The orders that are (or, with ``late=False``, are not) late at ``now``."""
    zones = sorted(set(Site.objects.values_list("time_zone", flat=True)))
    condition = _late_condition(zones, now)
    return orders.filter(condition) if late else orders.exclude(condition)


# --- Suppliers and the lead-time table ------------------------------------------------------


def suppliers_visible_to(*, actor: User) -> QuerySet[Supplier]:
    """The tenant's suppliers, for the desk."""
    return Supplier.objects.all() if actor.is_desk_staff else Supplier.objects.none()


def lead_times_visible_to(*, actor: User) -> QuerySet[LeadTime]:
    """The tenant's lead-time table, for the desk."""
    rows = LeadTime.objects.select_related("supplier")
    return rows if actor.is_desk_staff else rows.none()


def get_lead_time_for(*, actor: User, pk: int) -> LeadTime:
    return get_visible_or_404(lead_times_visible_to(actor=actor), pk=pk)


def _specificity(row: LeadTime) -> tuple[int, int, float, int]:
    """Smaller is more specific: a supplier's own row before an any-supplier row, an exact
    bandwidth before a band, a narrower band before a wider one (open ends are infinitely
    wide), then the older row."""
    exact = row.min_mbps is not None and row.min_mbps == row.max_mbps
    if row.min_mbps is None and row.max_mbps is None:
        width = float("inf")
    elif row.min_mbps is None or row.max_mbps is None:
        width = float("1e12")
    else:
        width = float(row.max_mbps - row.min_mbps)
    return (row.supplier_id is None, not exact, width, row.pk)


def best_lead_time(rows: Iterable[LeadTime], *, bandwidth_mbps: int | None, supplier_id: int | None) -> LeadTime | None:
    """The most specific row that matches the bandwidth and the supplier (rows of one country)."""
    candidates = [
        row
        for row in rows
        if (row.supplier_id is None or row.supplier_id == supplier_id) and row.matches(bandwidth_mbps)
    ]
    return min(candidates, key=_specificity, default=None)


def lead_time_for(*, country: str, bandwidth_mbps: int | None, supplier_id: int | None) -> LeadTime | None:
    """The lead-time row that applies (call inside the tenant)."""
    return best_lead_time(
        LeadTime.objects.filter(country=country), bandwidth_mbps=bandwidth_mbps, supplier_id=supplier_id
    )


@dataclass(frozen=True)
class DeliveryEstimate:
    """What the calculator says for one site, bandwidth and supplier, confirmed on a day."""

    confirmed_on: dt.date
    confirmation_due_on: dt.date
    lead_time: LeadTime | None
    estimated_delivery_on: dt.date | None


def delivery_estimate(
    *, site: Site, kind: str, bandwidth_mbps: int | None, supplier_id: int | None, confirmed_on: dt.date
) -> DeliveryEstimate:
    """The confirmation deadline and the estimated delivery date of an order confirmed on
    ``confirmed_on`` at ``site`` (national holidays of the site's country and subdivision)."""
    calendar = dates.site_calendar(site)
    row = lead_time_for(country=site.country, bandwidth_mbps=bandwidth_mbps, supplier_id=supplier_id)
    return DeliveryEstimate(
        confirmed_on=confirmed_on,
        confirmation_due_on=dates.confirmation_deadline(
            calendar, confirmed_on, Order.CONFIRMATION_BUSINESS_DAYS[Order.Kind(kind)]
        ),
        lead_time=row,
        estimated_delivery_on=dates.estimated_delivery(calendar, confirmed_on, row.business_days) if row else None,
    )

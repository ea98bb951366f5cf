"""An order's dates, from its confirmation: when the exact delivery date must be confirmed
by, and when the lead-time table says it will be delivered (rules in ``orders.dates``)."""

from __future__ import annotations

from orders import dates
from orders.models import LeadTime, Order, OrderLine
from orders.selectors import best_lead_time


def date_order(order: Order) -> None:
    """Set ``confirmation_due_on`` and ``estimated_delivery_on`` from ``confirmed_at``, on the
    delivery site's calendar (the caller saves)."""
    assert order.confirmed_at is not None  # noqa: S101 - called on confirmation
    confirmed_on = dates.local_date(order.site.time_zone, order.confirmed_at)
    order.confirmation_due_on = dates.confirmation_deadline(
        dates.site_calendar(order.site), confirmed_on, Order.CONFIRMATION_BUSINESS_DAYS[Order.Kind(order.kind)]
    )
    estimate_order(order)


def estimate_order(order: Order) -> None:
    """Set ``estimated_delivery_on``: the latest of the lines' estimates, each from the lead
    time for its site's country, its bandwidth and the order's supplier, counted on its site's
    calendar. None when any line has no lead time in the table (the caller saves)."""
    if order.confirmed_at is None:
        order.estimated_delivery_on = None
        return
    confirmed_on = dates.local_date(order.site.time_zone, order.confirmed_at)
    rows_by_country: dict[str, list[LeadTime]] = {}
    estimates = []
    for line in OrderLine.objects.filter(order=order).select_related("site"):
        country = line.site.country
        if country not in rows_by_country:
            rows_by_country[country] = list(LeadTime.objects.filter(country=country))
        row = best_lead_time(
            rows_by_country[country], bandwidth_mbps=line.bandwidth_mbps, supplier_id=order.supplier_id
        )
        if row is None:
            order.estimated_delivery_on = None
            return
        estimates.append(dates.estimated_delivery(dates.site_calendar(line.site), confirmed_on, row.business_days))
    order.estimated_delivery_on = max(estimates, default=None)

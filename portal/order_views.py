"""Order pages: customers follow their orders' delivery (seed 000: "the customer follows the
status of the order in the portal"); the desk sees the tenant's orders with late ones flagged.
Read-only: orders change through the API's services."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from orders.models import Order
from orders.selectors import OrderFilters, filter_orders, get_order_for, lateness, order_timeline
from portal.views import role_required, signed_in_user
from servicedesk.models import User

PAGE_SIZE = 25
STAFF = (User.Role.AGENT, User.Role.MANAGER, User.Role.ADMIN)


def _order_list(request: HttpRequest, *, console: bool) -> HttpResponse:
    actor = signed_in_user(request)
    now = timezone.now()
    shown = request.GET.get("show", "open")
    if shown == "open":
        filters = OrderFilters(statuses=Order.OPEN_STATUSES)
    elif shown == "late":
        filters = OrderFilters(late=True)
    else:
        shown, filters = "all", OrderFilters()
    orders = filter_orders(actor=actor, filters=filters, now=now)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(order, lateness(order, now=now)) for order in page]
    return render(request, "orders/list.html", {"page": page, "rows": rows, "shown": shown, "console": console})


def _order_page(request: HttpRequest, number: str, *, console: bool) -> HttpResponse:
    actor = signed_in_user(request)
    order = get_order_for(actor=actor, number=number)
    context: dict[str, Any] = {
        "order": order,
        "late": lateness(order, now=timezone.now()),
        "steps": sorted(order.steps.all(), key=lambda step: step.position),
        "lines": order.lines.all(),
        "timeline": order_timeline(actor=actor, order=order),
        "console": console,
    }
    return render(request, "orders/detail.html", context)


@role_required(User.Role.CUSTOMER)
def customer_orders(request: HttpRequest) -> HttpResponse:
    return _order_list(request, console=False)


@role_required(User.Role.CUSTOMER)
def customer_order(request: HttpRequest, number: str) -> HttpResponse:
    return _order_page(request, number, console=False)


@role_required(*STAFF)
def console_orders(request: HttpRequest) -> HttpResponse:
    return _order_list(request, console=True)


@role_required(*STAFF)
def console_order(request: HttpRequest, number: str) -> HttpResponse:
    return _order_page(request, number, console=True)

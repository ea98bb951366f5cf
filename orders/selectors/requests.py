"""Reads of the SSR catalogue, simple service requests, change requests and the monthly SSR
billing report, each inside the actor's walls."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.db.models import QuerySet

from orders.models import CatalogueItem, ChangeRequest, ChangeRequestEvent, SimpleServiceRequest
from servicedesk.models import User
from servicedesk.walls import get_visible_or_404


def catalogue_visible_to(*, actor: User) -> QuerySet[CatalogueItem]:
    """The items on offer; the desk also sees the ones withdrawn."""
    items = CatalogueItem.objects.all()
    if actor.is_desk_staff:
        return items
    if not actor.is_customer:
        return items.none()
    return items.filter(is_active=True)


def get_catalogue_item_for(*, actor: User, code: str) -> CatalogueItem:
    return get_visible_or_404(catalogue_visible_to(actor=actor), code=code)


@dataclass(frozen=True)
class RequestFilters:
    """What a list of simple service requests or change requests is narrowed to; an empty
    field does not filter. An id that is not a number on input is -1, which matches nothing."""

    statuses: tuple[str, ...] = ()
    account_id: int | None = None
    site_id: int | None = None


R = TypeVar("R", SimpleServiceRequest, ChangeRequest)


def _narrowed(requests: QuerySet[R], filters: RequestFilters) -> QuerySet[R]:
    if filters.statuses:
        requests = requests.filter(status__in=filters.statuses)
    if filters.account_id is not None:
        requests = requests.filter(account_id=filters.account_id)
    if filters.site_id is not None:
        requests = requests.filter(site_id=filters.site_id)
    return requests


def ssrs_visible_to(*, actor: User) -> QuerySet[SimpleServiceRequest]:
    """Staff see the tenant's requests; a customer user the account's (a site-restricted user
    those of their sites and their own)."""
    return SimpleServiceRequest.objects.visible_to(actor).select_related(
        "item", "account", "site", "service", "completed_by"
    )


def get_ssr_for(*, actor: User, number: str) -> SimpleServiceRequest:
    """The request with that SSR ID, if the actor may see it; otherwise 404."""
    return get_visible_or_404(ssrs_visible_to(actor=actor), number=number)


def filter_ssrs(*, actor: User, filters: RequestFilters) -> QuerySet[SimpleServiceRequest]:
    """The simple service requests the actor may see, narrowed to ``filters``."""
    return _narrowed(ssrs_visible_to(actor=actor), filters)


def change_requests_visible_to(*, actor: User) -> QuerySet[ChangeRequest]:
    """Walls as for orders and SSRs (the account's; a site-restricted user those of their
    sites and their own)."""
    return ChangeRequest.objects.visible_to(actor).select_related("account", "site", "service", "decided_by")


def get_change_request_for(*, actor: User, number: str) -> ChangeRequest:
    return get_visible_or_404(change_requests_visible_to(actor=actor), number=number)


def filter_change_requests(*, actor: User, filters: RequestFilters) -> QuerySet[ChangeRequest]:
    """The change requests the actor may see, narrowed to ``filters``."""
    return _narrowed(change_requests_visible_to(actor=actor), filters)


def change_request_timeline(*, actor: User, change_request: ChangeRequest) -> QuerySet[ChangeRequestEvent]:
    return ChangeRequestEvent.objects.filter(change_request=change_request).select_related("actor")


# --- The monthly SSR billing report ---------------------------------------------------------


@dataclass(frozen=True)
class BillingLine:
    account: str
    number: str
    completed_at: dt.datetime
    site: str
    item_code: str
    item_name: str
    price: Decimal
    currency: str


@dataclass
class BillingReport:
    """Completed SSRs of one month (in the tenant's time zone), by account; totals per
    account and currency, and over all accounts per currency."""

    month: dt.date
    time_zone: str
    lines: list[BillingLine] = field(default_factory=list)
    account_totals: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    totals: dict[str, Decimal] = field(default_factory=dict)


def month_bounds(month: dt.date, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``month`` and of the month after, in ``time_zone``."""
    zone = zoneinfo.ZoneInfo(time_zone)
    start = dt.datetime(month.year, month.month, 1, tzinfo=zone)
    following = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone)
    return start, following


def ssr_billing_report(*, actor: User, month: dt.date, account_id: int | None = None) -> BillingReport:
    """The SSRs completed in ``month`` that the actor may see: staff every account's (or one),
    a customer user only their own account's. Months run in the tenant's time zone."""
    time_zone = actor.tenant.time_zone if actor.tenant else "UTC"
    start, end = month_bounds(month, time_zone)
    requests = ssrs_visible_to(actor=actor).filter(
        status=SimpleServiceRequest.Status.COMPLETED, completed_at__gte=start, completed_at__lt=end
    )
    if account_id is not None:
        requests = requests.filter(account_id=account_id)
    report = BillingReport(month=month.replace(day=1), time_zone=time_zone)
    account_totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for ssr in requests.order_by("account__name", "completed_at", "number"):
        price = ssr.price if ssr.price is not None else ssr.quoted_price
        assert ssr.completed_at is not None  # noqa: S101 - completed requests have it (filtered above)
        report.lines.append(
            BillingLine(
                account=ssr.account.name,
                number=ssr.number,
                completed_at=ssr.completed_at,
                site=ssr.site.name,
                item_code=ssr.item.code,
                item_name=ssr.item.shown_name,  # in the reader's language, else the default name
                price=price,
                currency=ssr.currency,
            )
        )
        account_totals[(ssr.account.name, ssr.currency)] += price
        totals[ssr.currency] += price
    report.account_totals = dict(account_totals)
    report.totals = dict(totals)
    return report

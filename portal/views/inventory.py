"""The customer's inventory: services per site with their contracts, filters, a CSV export
of exactly the rows the list shows, and one service's page. Customer users only; a service
of another site, account or tenant does not exist for them (404)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from orders.models import Contract, Service
from orders.selectors import entitlement_of, filter_inventory, get_service_for
from portal.forms.inventory import InventoryListForm
from portal.views.access import customer_required, signed_in_user
from servicedesk.keyset import keyset_page

INVENTORY_PAGE_SIZE = 50
# By site, then service ID (unique per tenant): the list's index leads with the account and site.
INVENTORY_ORDERING = ("site_id", "service_id", "id")


@dataclass(frozen=True)
class InventoryRow:
    service: Service
    #: the contract or warranty that covers the service today, if any
    current: Contract | None
    #: the latest contract of any date (for "ended on" when none covers it now)
    latest: Contract | None

    @property
    def contract(self) -> Contract | None:
        return self.current or self.latest


def _row(service: Service, now: dt.datetime) -> InventoryRow:
    contracts = list(service.contracts.all())  # prefetched, newest first
    return InventoryRow(
        service=service, current=entitlement_of(service, now), latest=contracts[0] if contracts else None
    )


@customer_required
@require_GET
def customer_inventory(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    form = InventoryListForm(request.GET, actor=actor)
    now = timezone.now()
    page = keyset_page(
        filter_inventory(actor=actor, filters=form.filters(), now=now),
        ordering=INVENTORY_ORDERING,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=INVENTORY_PAGE_SIZE,
    )
    rows = [_row(service, now) for service in page]
    return render(request, "portal/inventory.html", {"form": form, "page": page, "rows": rows})


def _contract_words(row: InventoryRow) -> tuple[str, str]:
    contract = row.contract
    if contract is None:
        return _("None"), ""
    words = f"{contract.get_kind_display()} · {contract.get_tier_display()}"
    if contract.reference:
        words = f"{words} ({contract.reference})"
    ends = date_format(contract.valid_until, "SHORT_DATE_FORMAT") if contract.valid_until else _("open-ended")
    return words, ends


@customer_required
@require_GET
def customer_inventory_csv(request: HttpRequest) -> HttpResponse:
    """Every row the list shows under the same filters (all its pages), one line per service."""
    actor = signed_in_user(request)
    form = InventoryListForm(request.GET, actor=actor)
    now = timezone.now()
    services = filter_inventory(actor=actor, filters=form.filters(), now=now).order_by(*INVENTORY_ORDERING)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="inventory.csv"'
    writer = csv.writer(response)
    writer.writerow([
        _("Site"), _("Service ID"), _("Type"), _("Product"), _("Circuit ID"), _("Serial number"),
        _("Contract"), _("Contract ends"), _("Covered today"),
    ])  # fmt: skip
    for service in services:
        row = _row(service, now)
        contract, ends = _contract_words(row)
        writer.writerow([
            service.site.name, service.service_id, service.service_type.name, service.product,
            service.circuit_id, service.serial_number, contract, ends, _("yes") if row.current else _("no"),
        ])  # fmt: skip
    return response


@customer_required
@require_GET
def customer_service(request: HttpRequest, service_id: str) -> HttpResponse:
    actor = signed_in_user(request)
    service = get_service_for(actor=actor, service_id=service_id)
    now = timezone.now()
    return render(
        request,
        "portal/service_detail.html",
        {"service": service, "row": _row(service, now), "contracts": list(service.contracts.all())},
    )

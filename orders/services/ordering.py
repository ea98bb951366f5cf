"""Placing an order (changing one: orders.services.editing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import (
    Contract,
    Order,
    OrderLine,
    OrderStep,
    Service,
    ServiceType,
    Supplier,
)
from orders.selectors import services_visible_to
from orders.services import numbering, timeline
from servicedesk.errors import InvalidInput
from servicedesk.models import ProductArea, Site, User
from servicedesk.selectors import sites_visible_to, staff_of_tenant

MAX_LINES = 50


@dataclass
class LineDraft:
    """One service to deliver. ``service`` names an existing service (by its service ID) to
    change; without it the line provides a new service. The line's site defaults to the
    order's (or, for a change, the service's)."""

    service_type: str = ""
    product: str = ""
    site_id: int | None = None
    bandwidth_mbps: int | None = None
    service: str = ""
    product_area_id: int | None = None


@dataclass
class OrderDraft:
    """What a caller orders. References are ids as given; ``place_order`` resolves them inside
    the actor's walls."""

    title: str
    site_id: int | None
    lines: list[LineDraft] = field(default_factory=list)
    kind: str = Order.Kind.STANDARD
    account_id: int | None = None
    supplier_id: int | None = None
    order_manager_id: int | None = None
    contract_tier: str = Contract.Tier.BUSINESS_HOURS
    customer_reference: str = ""
    notes: str = ""


def bump(order: Order, now: dt.datetime) -> list[str]:
    """Mark a change: a new version and updated_at. Returns the fields to save."""
    order.version += 1
    order.updated_at = now
    return ["version", "updated_at"]


def _resolve_lines(actor: User, draft: OrderDraft, site: Site | None, errors: dict[str, list[str]]) -> list[OrderLine]:
    if not draft.lines:
        errors["lines"] = [_("Order at least one service.")]
        return []
    if len(draft.lines) > MAX_LINES:
        errors["lines"] = [_("At most %(max)d lines per order.") % {"max": MAX_LINES}]
        return []
    visible_sites = sites_visible_to(actor=actor)
    lines = []
    for position, line in enumerate(draft.lines, start=1):
        key = f"lines.{position - 1}"
        existing: Service | None = None
        if line.service:
            existing = services_visible_to(actor=actor).filter(service_id=line.service).first()
            if existing is None:
                errors[f"{key}.service"] = [_("There is no service %(id)s.") % {"id": line.service}]
                continue
        line_site = site
        if line.site_id is not None:
            line_site = visible_sites.filter(pk=line.site_id).first()
            if line_site is None:
                errors[f"{key}.site"] = [_("There is no such site.")]
                continue
        elif existing is not None:
            line_site = existing.site
        if line_site is None:
            continue
        if site is not None and line_site.account_id != site.account_id:
            errors[f"{key}.site"] = [_("Every site of an order belongs to the same customer account.")]
            continue
        if existing is not None and existing.site_id != line_site.pk:
            errors[f"{key}.site"] = [_("The service is at another site.")]
            continue
        service_type = ServiceType.objects.filter(code=line.service_type).first() if line.service_type else None
        if service_type is None and existing is not None:
            service_type = existing.service_type
        if service_type is None:
            errors[f"{key}.service_type"] = [_("Choose a service type (e.g. mpls, internet, voice).")]
            continue
        product = (line.product or "").strip() or (existing.product if existing else "")
        if not product or len(product) > 200:
            errors[f"{key}.product"] = [_("Name the product (at most 200 characters).")]
            continue
        if line.bandwidth_mbps is not None and not 0 < line.bandwidth_mbps <= 1_000_000:
            errors[f"{key}.bandwidth_mbps"] = [_("Give the bandwidth in Mbit/s, 1 to 1,000,000.")]
            continue
        area = None
        if line.product_area_id is not None:
            area = ProductArea.objects.filter(pk=line.product_area_id).first()
            if area is None:
                errors[f"{key}.product_area"] = [_("There is no such product area.")]
                continue
        lines.append(
            OrderLine(
                position=position,
                action=OrderLine.Action.MODIFY if existing else OrderLine.Action.PROVIDE,
                site=line_site,
                service_type=service_type,
                product=product,
                product_area=area or (existing.product_area if existing else None),
                bandwidth_mbps=line.bandwidth_mbps,
                service=existing,
            )
        )
    return lines


@transaction.atomic
def place_order(*, actor: User, draft: OrderDraft, now: dt.datetime | None = None) -> Order:
    """Validate ``draft`` inside the actor's walls and record the order as received, or raise
    InvalidInput naming every bad field. Nothing is written unless everything is valid."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    title = (draft.title or "").strip()
    if not title or len(title) > Order.MAX_TITLE:
        errors["title"] = [_("Give the order a title of at most 200 characters.")]
    if draft.kind not in Order.Kind.values:
        errors["kind"] = [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(Order.Kind.values)}]
    elif not actor.is_desk_staff and draft.kind not in Order.CUSTOMER_KINDS:
        errors["kind"] = [_("Automated and leased-line orders are placed by the desk.")]
    if draft.contract_tier not in Contract.Tier.values:
        errors["contract_tier"] = [_("Choose one of: %(t)s.") % {"t": ", ".join(Contract.Tier.values)}]

    site = sites_visible_to(actor=actor).filter(pk=draft.site_id).first() if draft.site_id is not None else None
    if site is None:
        errors["site"] = [_("Name the delivery site.") if draft.site_id is None else _("There is no such site.")]
    elif draft.account_id is not None and draft.account_id != site.account_id:
        errors["account"] = [_("The site belongs to another customer account.")]

    supplier = manager = None
    if draft.supplier_id is not None:
        if not actor.is_desk_staff:
            errors["supplier"] = [_("The desk chooses the supplier.")]
        else:
            supplier = Supplier.objects.filter(pk=draft.supplier_id).first()
            if supplier is None:
                errors["supplier"] = [_("There is no such supplier.")]
            elif not supplier.is_active:
                errors["supplier"] = [_("This supplier is deactivated: it takes no new orders.")]
    if draft.order_manager_id is not None:
        if not actor.is_desk_staff:
            errors["order_manager"] = [_("The desk assigns the order manager.")]
        else:
            manager = staff_of_tenant(actor=actor).filter(pk=draft.order_manager_id).first()
            if manager is None:
                errors["order_manager"] = [_("The order manager is an agent or manager of this desk.")]
    lines = _resolve_lines(actor, draft, site, errors)
    if errors or site is None:
        raise InvalidInput(errors)

    order = Order(
        tenant_id=site.tenant_id,
        number=numbering.next_number(prefix=numbering.ORDER),
        kind=draft.kind,
        title=title,
        notes=(draft.notes or "").strip()[: Order.MAX_NOTES],
        customer_reference=(draft.customer_reference or "").strip()[: Order.MAX_CUSTOMER_REFERENCE],
        account_id=site.account_id,
        site=site,
        supplier=supplier,
        order_manager=manager or (actor if actor.is_desk_staff else None),
        contract_tier=draft.contract_tier,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    order.save()
    for line in lines:
        line.tenant_id = order.tenant_id
        line.order = order
    OrderLine.objects.bulk_create(lines)
    OrderStep.objects.bulk_create(
        OrderStep(
            tenant_id=order.tenant_id,
            order=order,
            step=step,
            position=position,
            actual_at=now if step == Order.Status.RECEIVED else None,
        )
        for position, step in enumerate(Order.STEPS)
    )
    timeline.record_order_placed(order=order, actor=actor, at=now)
    return order

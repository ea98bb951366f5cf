"""Placing an order and changing its details (optimistic concurrency, a timeline entry per
change)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import (
    Contract,
    Order,
    OrderEvent,
    OrderLine,
    OrderStep,
    Service,
    ServiceType,
    Supplier,
)
from orders.selectors import services_visible_to
from orders.services import numbering
from orders.services.schedule import estimate_order
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import ProductArea, Site, User
from servicedesk.selectors import sites_visible_to, staff_of_tenant

MAX_LINES = 50
CUSTOMER_FIELDS = {"customer_reference"}
STAFF_FIELDS = {
    "title",
    "notes",
    "customer_reference",
    "supplier",
    "order_manager",
    "contract_tier",
    "planned",
    "lines",
}


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
    if not title or len(title) > 200:
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
    if draft.order_manager_id is not None:
        if not actor.is_desk_staff:
            errors["order_manager"] = [_("The desk assigns the order manager.")]
        else:
            manager = staff_of_tenant(actor=actor).filter(pk=draft.order_manager_id).first()
            if manager is None:
                errors["order_manager"] = [_("The order manager is an agent or manager of this desk.")]
    lines = _resolve_lines(actor, draft, site, errors)
    if errors or site is None:
        raise InvalidInput(errors)  # type: ignore[arg-type]

    order = Order(
        tenant_id=site.tenant_id,
        number=numbering.next_number(prefix=numbering.ORDER),
        kind=draft.kind,
        title=title,
        notes=(draft.notes or "").strip()[:10_000],
        customer_reference=(draft.customer_reference or "").strip()[:100],
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
    OrderEvent.objects.create(
        tenant_id=order.tenant_id, order=order, kind=OrderEvent.Kind.CREATED, actor=actor, at=now,
        to_value=order.status, reason=order.get_kind_display(),
    )  # fmt: skip
    return order


def _display(value: Any) -> str:
    return "" if value is None else str(value)


def _parse_day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput.single("planned", _("Give dates as YYYY-MM-DD.")) from None


@transaction.atomic
def update_order(
    *, order: Order, actor: User, version: int, changes: dict[str, Any], now: dt.datetime | None = None
) -> Order:
    """Apply ``changes`` if ``version`` is still the order's version; otherwise Conflict and
    nothing changes. ``supplier`` and ``order_manager`` are ids (None clears); ``planned``
    maps steps to dates (None clears); ``lines`` gives, per line id, the ``service_id`` a new
    service will get and the ``circuit_id``. A new supplier after confirmation re-estimates
    the delivery date."""
    now = now or timezone.now()
    allowed = STAFF_FIELDS if actor.is_desk_staff else CUSTOMER_FIELDS
    refused = sorted(set(changes) - allowed)
    if refused:
        raise PermissionRefused(_("You cannot change: %(fields)s.") % {"fields": ", ".join(refused)})
    locked = Order.objects.select_for_update(of=("self",)).select_related("site").get(pk=order.pk)
    if locked.version != version:
        raise Conflict(
            _("Someone else changed this order after you loaded it. Reload it and apply your change again."),
            code="stale_version",
            current_version=locked.version,
        )
    if not locked.is_open:
        raise Conflict(_("A handed-over or cancelled order cannot be changed."), code="order_closed")

    errors: dict[str, list[str]] = {}
    new: dict[str, Any] = {}
    if "title" in changes:
        title = str(changes["title"] or "").strip()
        if not title or len(title) > 200:
            errors["title"] = [_("Give the order a title of at most 200 characters.")]
        new["title"] = title
    if "notes" in changes:
        new["notes"] = str(changes["notes"] or "").strip()[:10_000]
    if "customer_reference" in changes:
        new["customer_reference"] = str(changes["customer_reference"] or "").strip()[:100]
    if "contract_tier" in changes:
        if changes["contract_tier"] not in Contract.Tier.values:
            errors["contract_tier"] = [_("Choose one of: %(t)s.") % {"t": ", ".join(Contract.Tier.values)}]
        new["contract_tier"] = changes["contract_tier"]
    if "supplier" in changes:
        supplier = Supplier.objects.filter(pk=changes["supplier"]).first() if changes["supplier"] is not None else None
        if changes["supplier"] is not None and supplier is None:
            errors["supplier"] = [_("There is no such supplier.")]
        new["supplier"] = supplier
    if "order_manager" in changes:
        manager = (
            staff_of_tenant(actor=actor).filter(pk=changes["order_manager"]).first()
            if changes["order_manager"] is not None
            else None
        )
        if changes["order_manager"] is not None and manager is None:
            errors["order_manager"] = [_("The order manager is an agent or manager of this desk.")]
        new["order_manager"] = manager
    planned: dict[str, dt.date | None] = {}
    for step, day in dict(changes.get("planned") or {}).items():
        if step not in Order.STEPS:
            errors[f"planned.{step}"] = [_("Not a step of an order.")]
            continue
        planned[step] = _parse_day(day)
    line_changes = _line_changes(locked, changes.get("lines") or [], errors)
    if errors:
        raise InvalidInput(errors)  # type: ignore[arg-type]

    events: list[OrderEvent] = []

    def event(kind: str, name: str, before: Any, after: Any) -> None:
        events.append(
            OrderEvent(
                tenant_id=locked.tenant_id,
                order=locked,
                kind=kind,
                actor=actor,
                at=now,
                field=name,
                from_value=_display(before),
                to_value=_display(after),
            )  # fmt: skip
        )

    for name, value in new.items():
        before = getattr(locked, name)
        if before == value:
            continue
        setattr(locked, name, value)
        event(OrderEvent.Kind.FIELD_CHANGED, name, before, value)
    steps = {step.step: step for step in OrderStep.objects.filter(order=locked)}
    for name, day in planned.items():
        step = steps[name]
        if step.planned_on == day:
            continue
        event(OrderEvent.Kind.PLANNED, name, step.planned_on, day)
        step.planned_on = day
        step.save(update_fields=["planned_on"])
    for line, values in line_changes:
        for name, value in values.items():
            if getattr(line, name) == value:
                continue
            shown = "service_id" if name == "planned_service_id" else name
            event(OrderEvent.Kind.FIELD_CHANGED, f"lines.{line.position}.{shown}", getattr(line, name), value)
            setattr(line, name, value)
        line.save(update_fields=list(values))
    if not events:
        return locked
    if "supplier" in new and locked.confirmed_at is not None and any(e.field == "supplier" for e in events):
        before_estimate = locked.estimated_delivery_on
        estimate_order(locked)
        if locked.estimated_delivery_on != before_estimate:
            event(OrderEvent.Kind.DATES, "estimated_delivery_on", before_estimate, locked.estimated_delivery_on)
    bump(locked, now)
    locked.save()
    OrderEvent.objects.bulk_create(events)
    return locked


def _line_changes(
    order: Order, given: list[Any], errors: dict[str, list[str]]
) -> list[tuple[OrderLine, dict[str, str]]]:
    """Per line: the new service ID (new services only; unique in the tenant) and circuit ID."""
    lines = {line.pk: line for line in OrderLine.objects.filter(order=order)}
    out: list[tuple[OrderLine, dict[str, str]]] = []
    for index, entry in enumerate(given):
        key = f"lines.{index}"
        line = lines.get(entry.get("id")) if isinstance(entry, dict) else None
        if line is None:
            errors[key] = [_("There is no such line on this order.")]
            continue
        values: dict[str, str] = {}
        if "circuit_id" in entry:
            values["circuit_id"] = str(entry["circuit_id"] or "").strip()[:60]
        if "service_id" in entry:
            service_id = str(entry["service_id"] or "").strip()
            if line.action == OrderLine.Action.MODIFY:
                errors[f"{key}.service_id"] = [_("This line changes an existing service; its ID stays.")]
                continue
            if len(service_id) > 40:
                errors[f"{key}.service_id"] = [_("At most 40 characters.")]
                continue
            taken = service_id and (
                Service.objects.filter(service_id=service_id).exists()
                or OrderLine.objects.filter(planned_service_id=service_id, service__isnull=True)
                .exclude(pk=line.pk)
                .exclude(order__status=Order.Status.CANCELLED)
                .exists()
            )
            if taken:
                errors[f"{key}.service_id"] = [_("The service ID %(id)s is taken.") % {"id": service_id}]
                continue
            values["planned_service_id"] = service_id
        out.append((line, values))
    return out

"""Changing an order: one use case per kind of change, each on the version the caller read.

Every use case locks the order, refuses a stale ``version`` (StaleOrder) and an order that is
handed over or cancelled (OrderClosed), validates its input once, saves only the fields it
changes with a new version, and writes one timeline line per changed value. A call that
changes nothing writes nothing and keeps the version.

``order`` comes from an accessor that applied the actor's walls (get_order_for); the row is
locked here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Contract, Order, OrderLine, OrderStep, Service, Supplier
from orders.services import timeline
from orders.services.ordering import bump
from orders.services.schedule import estimate_order
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import User
from servicedesk.selectors import staff_of_tenant


class StaleOrder(Conflict):
    """The order changed after the caller read it."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _("Someone else changed this order after you loaded it. Reload it and apply your change again."),
            code="stale_version",
            current_version=current_version,
        )


class OrderClosed(Conflict):
    """Handed-over and cancelled orders keep what they say."""

    def __init__(self) -> None:
        super().__init__(_("A handed-over or cancelled order cannot be changed."), code="order_closed")


class DeskOnlyOrderChange(PermissionRefused):
    """A customer asked to change what only the desk changes."""

    def __init__(self, fields: Sequence[str]) -> None:
        super().__init__(_("You cannot change: %(fields)s.") % {"fields": ", ".join(fields)})
        self.fields = list(fields)


class InvalidOrderDetails(InvalidInput):
    """Title or contract tier, by field."""


class InvalidOrderManager(InvalidInput):
    """The order manager is not an agent or manager of this desk."""


class InvalidSupplier(InvalidInput):
    """No such supplier."""


class InvalidDeliveryPlan(InvalidInput):
    """A step that is not the order's, or a line's IDs (no such line, a taken service ID)."""


@dataclass(frozen=True)
class LineIds:
    """What the desk gives one line (None: leave as is): the service ID the new service will
    get, and the circuit ID."""

    id: int
    service_id: str | None = None
    circuit_id: str | None = None


def _desk_only(actor: User, fields: Sequence[str]) -> None:
    if fields and not actor.is_desk_staff:
        raise DeskOnlyOrderChange(fields)


def _lock(order: Order, version: int) -> Order:
    locked = Order.objects.select_for_update(of=("self",)).select_related("site").get(pk=order.pk)
    if locked.version != version:
        raise StaleOrder(locked.version)
    if not locked.is_open:
        raise OrderClosed
    return locked


def _changed(order: Order, values: Mapping[str, Any]) -> dict[str, Any]:
    """Set the values that differ on ``order``; returns each changed field's value before."""
    before = {}
    for name, value in values.items():
        if getattr(order, name) != value:
            before[name] = getattr(order, name)
            setattr(order, name, value)
    return before


def _record_fields(order: Order, actor: User, now: dt.datetime, before: Mapping[str, Any]) -> None:
    for name, value in before.items():
        timeline.record_order_field_change(
            order=order, actor=actor, at=now, field=name, before=value, after=getattr(order, name)
        )


@transaction.atomic
def edit_order_details(
    *,
    order: Order,
    actor: User,
    version: int,
    title: str | None = None,
    notes: str | None = None,
    customer_reference: str | None = None,
    contract_tier: str | None = None,
    now: dt.datetime | None = None,
) -> Order:
    """Change what the order says (None: leave as is): the customer their reference, the desk
    anything here. Raises DeskOnlyOrderChange, StaleOrder, OrderClosed or InvalidOrderDetails."""
    asked = {"title": title, "notes": notes, "contract_tier": contract_tier}
    _desk_only(actor, sorted(name for name, value in asked.items() if value is not None))
    now = now or timezone.now()
    locked = _lock(order, version)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if title is not None:
        values["title"] = title.strip()
        if not values["title"] or len(values["title"]) > Order.MAX_TITLE:
            errors["title"] = [_("Give the order a title of at most 200 characters.")]
    if notes is not None:
        values["notes"] = notes.strip()[: Order.MAX_NOTES]
    if customer_reference is not None:
        values["customer_reference"] = customer_reference.strip()[: Order.MAX_CUSTOMER_REFERENCE]
    if contract_tier is not None:
        if contract_tier not in Contract.Tier.values:
            errors["contract_tier"] = [_("Choose one of: %(t)s.") % {"t": ", ".join(Contract.Tier.values)}]
        values["contract_tier"] = contract_tier
    if errors:
        raise InvalidOrderDetails(errors)
    before = _changed(locked, values)
    if before:
        locked.save(update_fields=[*before, *bump(locked, now)])
        _record_fields(locked, actor, now, before)
    return locked


@transaction.atomic
def assign_order_manager(
    *, order: Order, actor: User, version: int, manager_id: int | None, now: dt.datetime | None = None
) -> Order:
    """The desk names the order manager, an agent or manager of this desk (None: nobody).
    Raises DeskOnlyOrderChange, StaleOrder, OrderClosed or InvalidOrderManager."""
    _desk_only(actor, ["order_manager"])
    now = now or timezone.now()
    locked = _lock(order, version)
    manager = staff_of_tenant(actor=actor).filter(pk=manager_id).first() if manager_id is not None else None
    if manager_id is not None and manager is None:
        raise InvalidOrderManager.single("order_manager", _("The order manager is an agent or manager of this desk."))
    before = _changed(locked, {"order_manager": manager})
    if before:
        locked.save(update_fields=[*before, *bump(locked, now)])
        _record_fields(locked, actor, now, before)
    return locked


@transaction.atomic
def choose_supplier(
    *, order: Order, actor: User, version: int, supplier_id: int | None, now: dt.datetime | None = None
) -> Order:
    """The desk chooses the supplier (None: none). After confirmation the delivery date is
    estimated again with the new supplier's lead times. Raises DeskOnlyOrderChange,
    StaleOrder, OrderClosed or InvalidSupplier."""
    _desk_only(actor, ["supplier"])
    now = now or timezone.now()
    locked = _lock(order, version)
    supplier = Supplier.objects.filter(pk=supplier_id).first() if supplier_id is not None else None
    if supplier_id is not None and supplier is None:
        raise InvalidSupplier.single("supplier", _("There is no such supplier."))
    if supplier is not None and not supplier.is_active and supplier.pk != locked.supplier_id:
        raise InvalidSupplier.single("supplier", _("This supplier is deactivated: it takes no new orders."))
    before = _changed(locked, {"supplier": supplier})
    if not before:
        return locked
    fields = list(before)
    estimate_before = locked.estimated_delivery_on
    if locked.confirmed_at is not None:
        estimate_order(locked)
        fields.append("estimated_delivery_on")
    locked.save(update_fields=[*fields, *bump(locked, now)])
    _record_fields(locked, actor, now, before)
    if locked.estimated_delivery_on != estimate_before:
        timeline.record_estimate_moved(order=locked, actor=actor, at=now, before=estimate_before)
    return locked


@transaction.atomic
def plan_order_delivery(
    *,
    order: Order,
    actor: User,
    version: int,
    planned: Mapping[str, dt.date | None] | None = None,
    lines: Sequence[LineIds] = (),
    now: dt.datetime | None = None,
) -> Order:
    """The desk plans the delivery: a planned date per step (None clears it) and, per line,
    the service ID a new service will get (unique in the tenant) and the circuit ID. Raises
    DeskOnlyOrderChange, StaleOrder, OrderClosed or InvalidDeliveryPlan (naming every bad
    step and line)."""
    _desk_only(actor, [name for name, given in (("planned", planned is not None), ("lines", bool(lines))) if given])
    now = now or timezone.now()
    locked = _lock(order, version)
    errors: dict[str, list[str]] = {}
    for step in planned or {}:
        if step not in Order.STEPS:
            errors[f"planned.{step}"] = [_("Not a step of an order.")]
    line_values = _line_values(locked, lines, errors)
    if errors:
        raise InvalidDeliveryPlan(errors)

    changed = False
    steps = {step.step: step for step in OrderStep.objects.filter(order=locked)}
    for name, day in (planned or {}).items():
        step = steps[name]
        if step.planned_on == day:
            continue
        timeline.record_step_planned(order=locked, actor=actor, at=now, step=name, before=step.planned_on, after=day)
        step.planned_on = day
        step.save(update_fields=["planned_on"])
        changed = True
    for line, values in line_values:
        before = {name: getattr(line, name) for name, value in values.items() if getattr(line, name) != value}
        if not before:
            continue
        for name in before:
            setattr(line, name, values[name])
        line.save(update_fields=list(before))
        for name, value in before.items():
            shown = "service_id" if name == "planned_service_id" else name
            timeline.record_order_field_change(
                order=locked, actor=actor, at=now, field=f"lines.{line.position}.{shown}", before=value,
                after=values[name],
            )  # fmt: skip
        changed = True
    if changed:
        locked.save(update_fields=bump(locked, now))
    return locked


def _line_values(
    order: Order, given: Sequence[LineIds], errors: dict[str, list[str]]
) -> list[tuple[OrderLine, dict[str, str]]]:
    """Per line: the new service ID (new services only; unique in the tenant) and circuit ID."""
    lines = {line.pk: line for line in OrderLine.objects.filter(order=order)}
    out: list[tuple[OrderLine, dict[str, str]]] = []
    for index, entry in enumerate(given):
        key = f"lines.{index}"
        line = lines.get(entry.id)
        if line is None:
            errors[key] = [_("There is no such line on this order.")]
            continue
        values: dict[str, str] = {}
        if entry.circuit_id is not None:
            values["circuit_id"] = entry.circuit_id.strip()[: OrderLine.MAX_CIRCUIT_ID]
        if entry.service_id is not None:
            service_id = entry.service_id.strip()
            if line.action == OrderLine.Action.MODIFY:
                errors[f"{key}.service_id"] = [_("This line changes an existing service; its ID stays.")]
                continue
            if len(service_id) > OrderLine.MAX_SERVICE_ID:
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

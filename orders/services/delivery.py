"""Moving an order through its delivery (the graph is on the model), confirming the exact
delivery date, and the handover that creates or changes the customer's inventory."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from orders import dates
from orders.events import order_handed_over
from orders.models import Contract, Order, OrderLine, OrderStep, Service, current_contract, unmet_guards
from orders.services import numbering, timeline
from orders.services.editing import StaleOrder
from orders.services.ordering import bump
from orders.services.schedule import date_order
from servicedesk import calendars
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import User

ACTIONS = (
    "validate",
    "start_coordination",
    "start_delivery",
    "start_configuration",
    "start_commissioning",
    "hand_over",
    "start_billing",
    "hold",
    "resume",
    "cancel",
)
# Holding and cancelling say why: the customer reads it.
REASON_REQUIRED = {"hold", "cancel"}
# The first confirmation of the exact delivery date happens here; later a change needs a reason.
FIRST_CONFIRMATION_STATUSES = (Order.Status.VALIDATED, Order.Status.CUSTOMER_COORDINATION)


def available_actions(*, order: Order, actor: User) -> list[str]:
    """The lifecycle actions ``actor`` may take on ``order`` now, in graph order."""
    return [
        name
        for name in ACTIONS
        if can_proceed(getattr(order, name)) and has_transition_perm(getattr(order, name), actor)
    ]


def _may_ever(order: Order, actor: User, action: str) -> bool:
    """Whether the actor's role allows ``action`` from some status (permission only)."""
    transitions = Order._meta.get_field("status").get_all_transitions(Order)
    return any(candidate.name == action and candidate.has_perm(order, actor) for candidate in transitions)


def _refuse(order: Order, actor: User, action: str) -> Conflict | PermissionRefused:
    if not _may_ever(order, actor, action):
        return PermissionRefused(_("You may not %(action)s this order.") % {"action": action.replace("_", " ")})
    unmet = unmet_guards(Order, order, action, order.status) if can_proceed(getattr(order, action), False) else []
    if unmet:
        return Conflict(
            " ".join(unmet),
            code="transition_guard",
            status=order.status,
            actions=available_actions(order=order, actor=actor),
        )
    return Conflict(
        _("An order that is %(status)s cannot be %(action)s now.")
        % {"status": order.get_status_display().lower(), "action": action.replace("_", " ")},
        code="transition_not_allowed",
        status=order.status,
        actions=available_actions(order=order, actor=actor),
    )


@transaction.atomic
def transition_order(
    *,
    order: Order,
    actor: User,
    action: str,
    reason: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Order:
    """Run lifecycle ``action`` on ``order`` for ``actor``: stamp the step's actual date, record
    it on the timeline; on validation compute the dates, on handover change the inventory.

    ``order`` must come from an accessor that checked the actor's walls; the row is locked
    here. With ``version`` (the one the caller read) a changed order is refused (StaleOrder).
    Raises InvalidInput (unknown action, missing reason), PermissionRefused (the role never
    may) or Conflict (not possible from the current status, or a guard is not met)."""
    if action not in ACTIONS:
        raise InvalidInput.single("action", _("Unknown action; use one of: %(a)s.") % {"a": ", ".join(ACTIONS)})
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise InvalidInput.single("reason", _("Say why; the customer sees it."))
    now = now or timezone.now()
    locked = Order.objects.select_for_update(of=("self",)).select_related("site", "tenant").get(pk=order.pk)
    if version is not None and locked.version != version:
        raise StaleOrder(locked.version)
    if action not in available_actions(order=locked, actor=actor):
        raise _refuse(locked, actor, action)
    before = locked.status
    getattr(locked, action)(now)
    fields = ["status", "held_from", "confirmed_at", "handed_over_at", "billing_started_on", "cancelled_at"]
    if action == "validate":
        if locked.order_manager_id is None:
            locked.order_manager = actor
            fields.append("order_manager")
        date_order(locked)
        fields += ["confirmation_due_on", "estimated_delivery_on"]
        if locked.estimated_delivery_on is not None:
            OrderStep.objects.filter(order=locked, step=Order.Status.HANDED_OVER, planned_on__isnull=True).update(
                planned_on=locked.estimated_delivery_on
            )
    handed_over = _hand_over_inventory(locked, now) if action == "hand_over" else []
    if locked.status in Order.STEPS:
        OrderStep.objects.filter(order=locked, step=locked.status, actual_at__isnull=True).update(actual_at=now)
    locked.save(update_fields=[*fields, *bump(locked, now)])
    timeline.record_order_status_change(order=locked, actor=actor, at=now, before=before, reason=reason)
    if action == "validate":
        timeline.record_dates_computed(order=locked, actor=actor, at=now)
    for service, service_before in handed_over:
        timeline.record_inventory_change(order=locked, actor=actor, at=now, service=service, before=service_before)
    if action == "hand_over":
        order_handed_over(locked)
    return locked


@transaction.atomic
def confirm_delivery_date(
    *,
    order: Order,
    actor: User,
    day: dt.date,
    reason: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Order:
    """Commit to the exact delivery (handover) date, agreed with the customer. The first time
    while validated or in customer coordination; changing it later, up to commissioning or on
    hold, needs a reason. The date is a business day at the delivery site, not in the past.
    With ``version`` (the one the caller read) a changed order is refused (StaleOrder)."""
    if not actor.is_desk_staff:
        raise PermissionRefused(_("The order manager confirms the delivery date."))
    now = now or timezone.now()
    reason = (reason or "").strip()
    locked = Order.objects.select_for_update(of=("self",)).select_related("site").get(pk=order.pk)
    if version is not None and locked.version != version:
        raise StaleOrder(locked.version)
    if not locked.is_open or Order.Status.RECEIVED in (locked.status, locked.held_from):
        raise Conflict(
            _("The delivery date is confirmed after the order is validated and before handover."),
            code="transition_not_allowed",
            status=locked.status,
        )
    first = locked.committed_delivery_on is None
    if not first and locked.status not in FIRST_CONFIRMATION_STATUSES and not reason:
        raise InvalidInput.single("reason", _("Say why the delivery date moves; the customer sees it."))
    calendar = dates.site_calendar(locked.site)
    if day < dates.local_date(locked.site.time_zone, now):
        raise InvalidInput.single("date", _("The delivery date cannot be in the past."))
    if not calendars.is_business_day(calendar, day):
        raise InvalidInput.single(
            "date", _("%(day)s is not a business day at %(site)s.") % {"day": day.isoformat(), "site": locked.site.name}
        )
    if locked.committed_delivery_on == day:
        return locked
    before = locked.committed_delivery_on
    locked.committed_delivery_on = day
    locked.delivery_date_confirmed_at = now
    late = (
        first
        and locked.confirmation_due_on is not None
        and dates.local_date(locked.site.time_zone, now) > locked.confirmation_due_on
    )
    OrderStep.objects.filter(order=locked, step=Order.Status.HANDED_OVER).update(planned_on=day)
    locked.save(update_fields=["committed_delivery_on", "delivery_date_confirmed_at", *bump(locked, now)])
    timeline.record_delivery_date(
        order=locked, actor=actor, at=now, before=before, reason=reason,
        late_after=locked.confirmation_due_on if late else None,
    )  # fmt: skip
    return locked


# --- Handover: the inventory ----------------------------------------------------------------


def bandwidth_label(mbps: int | None) -> str:
    """How the inventory shows a bandwidth: 500 → "500 Mbit/s", 10000 → "10 Gbit/s"."""
    if mbps is None:
        return ""
    if mbps >= 1000 and mbps % 1000 == 0:
        return f"{mbps // 1000} Gbit/s"
    return f"{mbps} Mbit/s"


def _hand_over_inventory(order: Order, now: dt.datetime) -> list[tuple[Service, str]]:
    """Create each new service and change each existing one, with a contract from today (at
    the line's site) where there is none; in the handover's transaction, so the services are
    in the customer's inventory the moment the order is handed over. Returns each service with
    how it read before (empty for a new one), for the timeline."""
    changed: list[tuple[Service, str]] = []
    for line in OrderLine.objects.filter(order=order).select_related("site", "service"):
        today = dates.local_date(line.site.time_zone, now)
        if line.action == OrderLine.Action.MODIFY and line.service is not None:
            service = Service.objects.select_for_update().get(pk=line.service.pk)
            before = f"{service.product} {service.bandwidth}".strip()
            service.product = line.product
            service.bandwidth = bandwidth_label(line.bandwidth_mbps) or service.bandwidth
            service.circuit_id = line.circuit_id or service.circuit_id
            service.service_type = line.service_type
            service.product_area = line.product_area or service.product_area
            service.status = Service.Status.IN_SERVICE
            service.save(update_fields=["product", "bandwidth", "circuit_id", "service_type", "product_area", "status"])
            if current_contract(list(Contract.objects.filter(service=service)), today) is None:
                _start_contract(order, service, today)
            changed.append((service, before))
            continue
        service_id = line.planned_service_id or numbering.next_number(prefix=numbering.SERVICE)
        if Service.objects.filter(service_id=service_id).exists():
            raise Conflict(
                _("The service ID %(id)s is taken; give line %(line)d another one.")
                % {"id": service_id, "line": line.position},
                code="service_id_taken",
            )
        service = Service.objects.create(
            tenant_id=order.tenant_id,
            service_id=service_id,
            service_type=line.service_type,
            product=line.product,
            product_area=line.product_area,
            account_id=order.account_id,
            site=line.site,
            circuit_id=line.circuit_id,
            bandwidth=bandwidth_label(line.bandwidth_mbps),
            status=Service.Status.IN_SERVICE,
            created_at=now,
        )
        _start_contract(order, service, today)
        line.service = service
        line.planned_service_id = service_id
        line.save(update_fields=["service", "planned_service_id"])
        changed.append((service, ""))
    return changed


def _start_contract(order: Order, service: Service, today: dt.date) -> Contract:
    return Contract.objects.create(
        tenant_id=order.tenant_id,
        service=service,
        kind=Contract.Kind.MAINTENANCE,
        tier=order.contract_tier,
        reference=order.number,
        valid_from=today,
    )

"""The lines of an order's and of a change request's timeline, one function per kind of line.

Each writes one line and returns it. Call them inside the transaction of the change they
record, with the instant the change was made (``at``): lines of one change share it and are
read in the order they were written.
"""

from __future__ import annotations

import datetime as dt

from orders.models import ChangeRequest, ChangeRequestEvent, Order, OrderEvent, Service
from servicedesk.models import User


def shown(value: object) -> str:
    """How a value reads on a line: nothing for None, a day as YYYY-MM-DD, an object by its name."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _order_line(order: Order, kind: str, actor: User | None, at: dt.datetime, **values: object) -> OrderEvent:
    return OrderEvent.objects.create(tenant_id=order.tenant_id, order=order, kind=kind, actor=actor, at=at, **values)


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _instant(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def record_order_placed(*, order: Order, actor: User, at: dt.datetime) -> OrderEvent:
    """The order was received (its kind as a parameter, read in the reader's language)."""
    return _order_line(order, OrderEvent.Kind.CREATED, actor, at, to_value=order.status, params={"kind": order.kind})


def record_order_status_change(
    *, order: Order, actor: User, at: dt.datetime, before: str, reason: str = ""
) -> OrderEvent:
    """The status went from ``before`` to the order's current one."""
    return _order_line(
        order, OrderEvent.Kind.TRANSITION, actor, at, field="status", from_value=before, to_value=order.status,
        reason=reason[:2000],
    )  # fmt: skip


def record_order_field_change(
    *, order: Order, actor: User, at: dt.datetime, field: str, before: object, after: object
) -> OrderEvent:
    """A field of the order or of one of its lines (``lines.<position>.<field>``) changed."""
    return _order_line(
        order, OrderEvent.Kind.FIELD_CHANGED, actor, at, field=field, from_value=shown(before), to_value=shown(after)
    )


def record_step_planned(
    *, order: Order, actor: User, at: dt.datetime, step: str, before: dt.date | None, after: dt.date | None
) -> OrderEvent:
    """A step's planned date was set, moved or cleared."""
    return _order_line(
        order, OrderEvent.Kind.PLANNED, actor, at, field=step, from_value=shown(before), to_value=shown(after)
    )


def record_dates_computed(*, order: Order, actor: User, at: dt.datetime) -> OrderEvent:
    """On validation: the deadline for confirming the delivery date and the estimate, as days
    (``params``: ``due``, ``estimate``; None when there is none)."""
    return _order_line(
        order, OrderEvent.Kind.DATES, actor, at, field="confirmation_due_on",
        to_value=shown(order.confirmation_due_on),
        params={"due": _day(order.confirmation_due_on), "estimate": _day(order.estimated_delivery_on)},
    )  # fmt: skip


def record_estimate_moved(*, order: Order, actor: User, at: dt.datetime, before: dt.date | None) -> OrderEvent:
    """The estimated delivery date moved (e.g. with a new supplier)."""
    return _order_line(
        order, OrderEvent.Kind.DATES, actor, at, field="estimated_delivery_on", from_value=shown(before),
        to_value=shown(order.estimated_delivery_on),
    )  # fmt: skip


def record_delivery_date(
    *,
    order: Order,
    actor: User,
    at: dt.datetime,
    before: dt.date | None,
    reason: str = "",
    late_after: dt.date | None = None,
) -> OrderEvent:
    """The exact delivery date was confirmed (or moved); ``late_after``: the deadline it was
    confirmed after, if it was (``params``: ``day``, ``before``, ``late_after``)."""
    params = {"day": _day(order.committed_delivery_on), "before": _day(before), "late_after": _day(late_after)}
    return _order_line(
        order, OrderEvent.Kind.DELIVERY_DATE, actor, at, field="committed_delivery_on", from_value=shown(before),
        to_value=shown(order.committed_delivery_on), reason=reason[:2000], params=params,
    )  # fmt: skip


def record_inventory_change(*, order: Order, actor: User, at: dt.datetime, service: Service, before: str) -> OrderEvent:
    """At handover a service was created (``before`` empty) or changed in the inventory."""
    return _order_line(
        order, OrderEvent.Kind.INVENTORY, actor, at, field=service.service_id, from_value=before,
        to_value=f"{service.product} {service.bandwidth}".strip(), reason=service.circuit_id,
    )  # fmt: skip


def _change_line(
    change: ChangeRequest, kind: str, actor: User | None, at: dt.datetime, **values: object
) -> ChangeRequestEvent:
    return ChangeRequestEvent.objects.create(
        tenant_id=change.tenant_id, change_request=change, kind=kind, actor=actor, at=at, **values
    )


def record_change_requested(*, change_request: ChangeRequest, actor: User, at: dt.datetime) -> ChangeRequestEvent:
    """The change request was recorded."""
    return _change_line(change_request, ChangeRequestEvent.Kind.CREATED, actor, at, to_value=change_request.status)


def record_change_status_change(
    *, change_request: ChangeRequest, actor: User, at: dt.datetime, before: str, reason: str = ""
) -> ChangeRequestEvent:
    """The status went from ``before`` to the change request's current one (with the window of
    the work when it was scheduled)."""
    params = {}
    if change_request.status == ChangeRequest.Status.SCHEDULED:
        params = {"start": _instant(change_request.planned_start), "end": _instant(change_request.planned_end)}
    return _change_line(
        change_request, ChangeRequestEvent.Kind.TRANSITION, actor, at, field="status", from_value=before,
        to_value=change_request.status, reason=reason[:2000], params=params,
    )  # fmt: skip


def record_change_quoted(*, change_request: ChangeRequest, actor: User, at: dt.datetime) -> ChangeRequestEvent:
    """The desk stated the cost and the window of the work."""
    change = change_request
    window = f"{shown(change.planned_start)} – {shown(change.planned_end)}"
    params = {
        "cost": str(change.quoted_cost),
        "currency": change.currency,
        "start": _instant(change.planned_start),
        "end": _instant(change.planned_end),
    }
    return _change_line(
        change, ChangeRequestEvent.Kind.QUOTED, actor, at, field="quote",
        to_value=f"{change.quoted_cost} {change.currency}, {window}", reason=change.quote_note, params=params,
    )  # fmt: skip


def record_notice_sent(*, change_request: ChangeRequest, at: dt.datetime, recipients: list[str]) -> ChangeRequestEvent:
    """The planned-work notice went to these addresses (sent by the system: no actor)."""
    return _change_line(change_request, ChangeRequestEvent.Kind.NOTICE_SENT, None, at, to_value=", ".join(recipients))

"""An order's timeline in words (what portal.timeline is for tickets and portal.request_words
for change requests): one sentence per line in the reader's language, days in the reader's
date format, instants in the reader's zone; no stored codes. The customer portal and the
console's order workspace read the same lines. Presentation only: nothing is fetched per line.

Lines the desk writes itself carry their values as data (``OrderEvent.params``); lines written
before that still read sensibly (their stored days are shown in the reader's format)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from orders.models import Order, OrderEvent, OrderLine
from portal.request_words import RequestLine

Kind = OrderEvent.Kind


def day_words(value: Any) -> str:
    """A day stored as ``YYYY-MM-DD`` in the reader's short date format; anything else as it is."""
    if not value:
        return ""
    try:
        return formats.date_format(dt.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value)


def _quoted(value: str) -> str:
    return _("“%(value)s”") % {"value": value}


def status_words(code: str) -> str:
    return str(dict(Order.Status.choices).get(code, code))


def _value_words(value: str) -> str:
    """A stored value: a status as its words, a day in the reader's format, else as it is."""
    if value in Order.Status.values:
        return status_words(value)
    return day_words(value)


def _field_words(field: str) -> str:
    """``supplier`` → "Supplier"; ``lines.2.bandwidth_mbps`` → "Line 2: bandwidth (Mbit/s)"."""
    parts = field.split(".")
    if len(parts) == 3 and parts[0] == "lines":
        return _("Line %(position)s: %(field)s") % {"position": parts[1], "field": _label(OrderLine, parts[2])}
    return _label(Order, field).capitalize()


def _label(model: Any, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field since renamed still reads by its name
        return name.replace("_", " ")


def _created(event: OrderEvent) -> str:
    kind = (event.params or {}).get("kind")
    if kind in Order.Kind.values:
        return _("The order was received (%(kind)s).") % {"kind": Order.Kind(kind).label}
    return _("The order was received.")


def _transition(event: OrderEvent) -> str:
    after = event.to_value
    if after == Order.Status.ON_HOLD:
        return _("The order was put on hold.")
    if after == Order.Status.CANCELLED:
        return _("The order was cancelled.")
    if event.from_value == Order.Status.ON_HOLD:
        return _("The order was resumed at the step %(step)s.") % {"step": _quoted(status_words(after))}
    return _("The order moved from the step %(from)s to %(to)s.") % {
        "from": _quoted(status_words(event.from_value)),
        "to": _quoted(status_words(after)),
    }


def _dates(event: OrderEvent) -> str:
    params = event.params or {}
    if event.field == "estimated_delivery_on":
        if not event.to_value:
            return _("The delivery estimate was withdrawn.")
        if event.from_value:
            return _("The estimated delivery moved from %(from)s to %(to)s.") % {
                "from": day_words(event.from_value),
                "to": day_words(event.to_value),
            }
        return _("Estimated delivery: %(day)s.") % {"day": day_words(event.to_value)}
    due = day_words(params.get("due") or event.to_value)
    estimate = params.get("estimate")
    if estimate:
        return _("The delivery date is to be confirmed by %(due)s; estimated delivery %(estimate)s.") % {
            "due": due,
            "estimate": day_words(estimate),
        }
    return _("The delivery date is to be confirmed by %(due)s; there is no delivery estimate yet.") % {"due": due}


def _planned(event: OrderEvent) -> str:
    step = _quoted(status_words(event.field))
    if not event.to_value:
        return _("The planned date of the step %(step)s was removed.") % {"step": step}
    if event.from_value:
        return _("The step %(step)s was moved from %(from)s to %(to)s.") % {
            "step": step,
            "from": day_words(event.from_value),
            "to": day_words(event.to_value),
        }
    return _("The step %(step)s is planned for %(day)s.") % {"step": step, "day": day_words(event.to_value)}


def _delivery_date(event: OrderEvent) -> str:
    params = event.params or {}
    if event.from_value:
        text = _("The delivery date moved from %(from)s to %(to)s.") % {
            "from": day_words(event.from_value),
            "to": day_words(event.to_value),
        }
    else:
        text = _("The delivery date was confirmed: %(day)s.") % {"day": day_words(event.to_value)}
    if params.get("late_after"):
        text += " " + _("It was confirmed after the deadline of %(due)s.") % {"due": day_words(params["late_after"])}
    return text


def _field_changed(event: OrderEvent) -> str:
    field = _field_words(event.field)
    before, after = _value_words(event.from_value), _value_words(event.to_value)
    if not before:
        return _("%(field)s set to %(to)s.") % {"field": field, "to": _quoted(after)}
    if not after:
        return _("%(field)s cleared (was %(from)s).") % {"field": field, "from": _quoted(before)}
    return _("%(field)s changed from %(from)s to %(to)s.") % {
        "field": field,
        "from": _quoted(before),
        "to": _quoted(after),
    }


def _inventory(event: OrderEvent) -> str:
    values = {"service": event.field, "product": event.to_value}
    if event.from_value:
        return _("The service %(service)s was changed in the inventory: %(product)s.") % values
    return _("The service %(service)s was added to the inventory: %(product)s.") % values


_SENTENCES = {
    Kind.CREATED: _created,
    Kind.TRANSITION: _transition,
    Kind.DATES: _dates,
    Kind.PLANNED: _planned,
    Kind.DELIVERY_DATE: _delivery_date,
    Kind.FIELD_CHANGED: _field_changed,
    Kind.INVENTORY: _inventory,
}


def order_sentence(event: OrderEvent) -> str:
    """What the line says, in the active language."""
    write = _SENTENCES.get(event.kind)  # type: ignore[call-overload]
    return write(event) if write is not None else _field_changed(event)


def reason_of(event: OrderEvent) -> str:
    """What a person wrote with the change; an inventory line's circuit ID is part of no sentence."""
    if event.kind == Kind.INVENTORY:
        return _("Circuit ID %(circuit)s") % {"circuit": event.reason} if event.reason else ""
    return event.reason


def order_lines(events: Iterable[OrderEvent]) -> list[RequestLine]:
    return [
        RequestLine(
            at=event.at,
            actor=event.actor.full_name if event.actor is not None else _("The desk"),
            text=order_sentence(event),
            reason=reason_of(event),
        )
        for event in events
    ]

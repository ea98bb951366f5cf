"""A change request's timeline in words (what portal.timeline is for tickets): one sentence
per line, in the reader's language; no stored codes. Presentation only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.models import ChangeRequest, ChangeRequestEvent

Kind = ChangeRequestEvent.Kind
Status = ChangeRequest.Status

_REACHED = {
    Status.QUOTED: gettext_lazy("The quote is ready for a decision."),
    Status.ACCEPTED: gettext_lazy("The quote was accepted."),
    Status.DECLINED: gettext_lazy("The quote was declined."),
    Status.SCHEDULED: gettext_lazy("The work was scheduled."),
    Status.DONE: gettext_lazy("The work is done."),
    Status.CANCELLED: gettext_lazy("The change request was cancelled."),
}


@dataclass(frozen=True)
class RequestLine:
    at: datetime
    actor: str
    text: str
    reason: str


def _instant(value: Any) -> str:
    """An instant stored in ISO 8601 as a date and time in the reader's zone and format."""
    parsed = parse_datetime(str(value or ""))
    if parsed is None:
        return str(value or "")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return formats.date_format(timezone.localtime(parsed), "SHORT_DATETIME_FORMAT")


def _window(params: dict[str, Any]) -> str:
    return _("%(start)s to %(end)s") % {"start": _instant(params["start"]), "end": _instant(params["end"])}


def _money(amount: Any, currency: str) -> str:
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return f"{amount} {currency}".strip()
    return f"{formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} {currency}".strip()


def change_request_sentence(event: ChangeRequestEvent) -> str:
    params = event.params or {}
    if event.kind == Kind.CREATED:
        return _("The change request was recorded.")
    if event.kind == Kind.QUOTED:
        if params.get("start") and params.get("end"):
            return _("The desk stated the cost, %(cost)s, and the planned window, %(window)s.") % {
                "cost": _money(params.get("cost"), str(params.get("currency", ""))),
                "window": _window(params),
            }
        return _("The desk stated the cost and the planned window.")
    if event.to_value == Status.SCHEDULED and params.get("start") and params.get("end"):
        return _("The work was scheduled for %(window)s.") % {"window": _window(params)}
    if event.kind == Kind.NOTICE_SENT:
        count = len([address for address in event.to_value.split(",") if address.strip()])
        return _("The planned-work notice was sent (%(count)d recipients).") % {"count": count}
    if event.to_value in _REACHED:
        return str(_REACHED[event.to_value])  # type: ignore[index]
    if not event.from_value:
        return _("The status is now %(to)s.") % {
            "to": _("“%(value)s”") % {"value": dict(Status.choices).get(event.to_value, event.to_value)}
        }
    return _("The status changed from %(from)s to %(to)s.") % {
        "from": _("“%(value)s”") % {"value": dict(Status.choices).get(event.from_value, event.from_value)},
        "to": _("“%(value)s”") % {"value": dict(Status.choices).get(event.to_value, event.to_value)},
    }


def change_request_lines(events: Iterable[ChangeRequestEvent]) -> list[RequestLine]:
    return [
        RequestLine(
            at=event.at,
            actor=event.actor.full_name if event.actor is not None else _("The desk"),
            text=change_request_sentence(event),
            reason=event.reason,
        )
        for event in events
    ]

"""A change request's timeline in words (what portal.timeline is for tickets): one sentence
per line, in the reader's language; no stored codes. Presentation only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

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


def change_request_sentence(event: ChangeRequestEvent) -> str:
    if event.kind == Kind.CREATED:
        return _("The change request was recorded.")
    if event.kind == Kind.QUOTED:
        return _("The desk stated the cost and the planned window.")
    if event.kind == Kind.NOTICE_SENT:
        count = len([address for address in event.to_value.split(",") if address.strip()])
        return _("The planned-work notice was sent (%(count)d recipients).") % {"count": count}
    if event.to_value in _REACHED:
        return str(_REACHED[event.to_value])  # type: ignore[index]
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

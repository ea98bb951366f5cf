"""Reads of the surveys: a user's own (the portal, the API, the home's block) and the CSAT
figure the reports show."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from django.db.models import Avg, Count, Q, QuerySet

from feedback.models import Survey
from servicedesk.models import Tenant, User
from servicedesk.walls import get_visible_or_404

STATES = ("pending", "answered")


def surveys_of(*, actor: User, state: str = "") -> QuerySet[Survey]:
    """The surveys put to ``actor`` (nobody sees another user's, not even of their account),
    newest first; ``state`` "pending" or "answered" narrows them."""
    surveys = (
        Survey.objects.visible_to(actor)
        .filter(user_id=actor.pk)
        .select_related("ticket", "order")
        .order_by("-created_at", "-id")
    )
    if state == "pending":
        surveys = surveys.filter(answered_at__isnull=True)
    elif state == "answered":
        surveys = surveys.filter(answered_at__isnull=False)
    return surveys


def get_survey_for(*, actor: User, pk: int) -> Survey:
    """The actor's own survey with that id; otherwise 404, as if it did not exist."""
    return get_visible_or_404(surveys_of(actor=actor), pk=pk)


class Csat(TypedDict):
    responses: int
    average: float | None


# Filters that only a ticket has: with any of them, only ticket surveys count.
_TICKET_FILTERS = {
    "product_area": "ticket__service__product_area_id",  # the area of the ticket's service
    "team": "ticket__team_id",
    "priority": "ticket__priority",
    "kind": "ticket__kind",
}


def csat(
    tenant: Tenant | int, start: dt.datetime, end: dt.datetime, *, actor: User | None = None, **filters: Any
) -> Csat:
    """Customer satisfaction in a period: how many surveys were answered in ``[start, end)``
    and their average score (2 places, None when none), as one SQL aggregate.

    Filters (ids or values, as API.md's report takes them): ``account``, ``site`` (both kinds
    of survey), ``product_area``, ``team``, ``priority``, ``kind`` (ticket surveys only). With
    ``actor``, only what that user may see (a customer user: their account's, or their
    sites'). Call inside the tenant's context."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    surveys = Survey.objects.visible_to(actor) if actor is not None else Survey.objects.all()
    condition = Q(tenant_id=tenant_id, answered_at__gte=start, answered_at__lt=end)
    for name, value in filters.items():
        if value in (None, ""):
            continue
        if name == "account":
            condition &= Q(account_id=value)
        elif name == "site":
            condition &= Q(site_id=value)
        elif name in _TICKET_FILTERS:
            condition &= Q(about=Survey.About.TICKET, **{_TICKET_FILTERS[name]: value})
        else:
            raise TypeError(f"csat() got an unknown filter {name!r}")
    figures = surveys.filter(condition).aggregate(responses=Count("id"), average=Avg("score"))
    average = figures["average"]
    if average is not None:
        average = float(Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return {"responses": figures["responses"], "average": average}

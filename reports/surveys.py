"""Customer satisfaction (CSAT) in a report period — WAITING FOR SURVEYS.

The satisfaction surveys (API.md, "Satisfaction surveys") have no model in this codebase yet.
Until they do, ``csat_for`` reports no responses, and every report, page and export shows
CSAT as "no responses". When the survey model exists (``answered_at``, ``score``), this one
function becomes its aggregate over the surveys of the tickets in scope, e.g.::

    Survey.objects.filter(ticket__in=tickets, answered_at__gte=period.start,
                          answered_at__lt=period.end).aggregate(responses=Count("pk"), average=Avg("score"))

with the average rounded to 2 places (``None`` when there are no responses); nothing else in
the reports changes.
"""

from __future__ import annotations

from typing import TypedDict

from django.db.models import QuerySet

from reports.periods import Period
from tickets.models import Ticket


class Csat(TypedDict):
    responses: int
    average: float | None


def csat_for(*, tickets: QuerySet[Ticket], period: Period) -> Csat:
    """Surveys answered in ``period`` about ``tickets`` — none until surveys exist (above)."""
    return {"responses": 0, "average": None}

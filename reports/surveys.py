"""Customer satisfaction (CSAT) in a report period: the satisfaction surveys about the report's
tickets that were answered in the period (API.md: "csat: surveys answered in it"), as one SQL
aggregate. The tickets in scope carry every filter and wall of the report (account, site,
product area, team, priority, kind; a customer user's own account and sites), so the survey
figure follows them exactly. Surveys about handed-over orders are not about any ticket and do
not count here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict

from django.db.models import Avg, Count, QuerySet

from feedback.models import Survey
from reports.periods import Period
from tickets.models import Ticket


class Csat(TypedDict):
    responses: int
    average: float | None


def csat_for(*, tickets: QuerySet[Ticket], period: Period) -> Csat:
    """Surveys about ``tickets`` answered in ``period``: how many, and their average score
    rounded to 2 places (``None`` when there are none)."""
    figures = Survey.objects.filter(
        about=Survey.About.TICKET,
        ticket__in=tickets.order_by().values("pk"),
        answered_at__gte=period.start,
        answered_at__lt=period.end,
    ).aggregate(responses=Count("id"), average=Avg("score"))
    average = figures["average"]
    if average is not None:
        average = float(Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return {"responses": figures["responses"], "average": average}

"""The service-level report: what ``GET /api/v1/reports/sla/``, the managers' dashboard and the
customers' reports page show, computed by the database (aggregates over indexed columns; no
ticket is loaded into Python).

The rules (API.md, "Service-level report"):
- The tickets in scope are those the actor's ticket list shows (staff: the tenant's; a customer
  user: the account's, and when restricted to sites, those sites' and their own), narrowed by
  the filters.
- A target counts in the period in which it was decided: met on time at its ``met_at``,
  breached at its ``due_at``; running, paused and stopped targets do not count. A target that
  was breached and then met late stays breached (at its ``due_at``).
- ``attainment`` = met / (met + breached), to 4 places; ``None`` when both are 0.
- ``opened``: tickets created in the period; ``resolved``: tickets whose (last) resolution lies
  in it (a reopened ticket counts again when it is resolved again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from reports import rollup
from reports.periods import Period
from reports.surveys import Csat, csat_for
from servicedesk.models import User
from tickets.models import SlaClock, SlaTarget, Ticket

TARGETS: tuple[str, ...] = tuple(str(target) for target in SlaTarget.values)
MET, BREACHED = SlaClock.State.MET, SlaClock.State.BREACHED


@dataclass(frozen=True)
class ReportFilters:
    """What a report is narrowed to; an empty field does not filter. The product area is the
    ticket's (its service's when it was opened)."""

    account_id: int | None = None
    site_id: int | None = None
    product_area_id: int | None = None
    team_id: int | None = None
    priorities: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self == ReportFilters()


def ratio(part: int, whole: int, places: int = 4) -> float | None:
    """``part / whole`` rounded half up to ``places``; ``None`` when ``whole`` is 0."""
    if whole == 0:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float((Decimal(part) / Decimal(whole)).quantize(quantum, rounding=ROUND_HALF_UP))


def tickets_in_scope(*, actor: User, filters: ReportFilters) -> QuerySet[Ticket]:
    """The tickets the actor's ticket list shows, narrowed to ``filters`` (unordered)."""
    tickets = Ticket.objects.visible_to(actor).order_by()
    if filters.account_id is not None:
        tickets = tickets.filter(account_id=filters.account_id)
    if filters.site_id is not None:
        tickets = tickets.filter(site_id=filters.site_id)
    return rollup.by_dimensions(tickets, filters, area="product_area_id", team="team_id")


def whole_tenant(*, actor: User, filters: ReportFilters) -> bool:
    """Staff without filters: the scope is every ticket of the tenant, which the tenant manager
    (and row-level security) already keep, so the rows hanging off tickets need no join."""
    return actor.is_desk_staff and filters.is_empty


def of_tickets_in_scope(rows: QuerySet[Any], *, actor: User, filters: ReportFilters) -> QuerySet[Any]:
    """Rows of a table with a ``ticket`` foreign key, kept to the tickets in scope (a semi-join)."""
    if whole_tenant(actor=actor, filters=filters):
        return rows
    return rows.filter(ticket_id__in=tickets_in_scope(actor=actor, filters=filters).values("pk"))


def met_in(period: Period) -> Q:
    """Clocks met on time in ``period`` (index slaclock_met_idx)."""
    return Q(state=MET, met_at__gte=period.start, met_at__lt=period.end)


def breached_in(period: Period) -> Q:
    """Clocks breached in ``period``, at their due instant (index slaclock_breached_idx)."""
    return Q(state=BREACHED, due_at__gte=period.start, due_at__lt=period.end)


def clocks_in_scope(*, actor: User, filters: ReportFilters, condition: Q) -> QuerySet[SlaClock]:
    """The clocks of the tickets in scope that meet ``condition``. Met and breached clocks are
    read by two queries, not one with OR: each is then an index-only scan of its own partial
    index (a scan of two indexes combined always reads the table)."""
    return of_tickets_in_scope(SlaClock.objects.filter(condition).order_by(), actor=actor, filters=filters)


@dataclass(frozen=True)
class TargetFigures:
    met: int = 0
    breached: int = 0

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def attainment(self) -> float | None:
        return ratio(self.met, self.decided)

    def as_dict(self) -> dict[str, Any]:
        return {"met": self.met, "breached": self.breached, "attainment": self.attainment}


@dataclass(frozen=True)
class SlaReport:
    period: Period
    targets: dict[str, TargetFigures]
    opened: int
    resolved: int
    csat: Csat = field(default_factory=lambda: Csat(responses=0, average=None))

    def as_api(self) -> dict[str, Any]:
        """The response of ``GET /api/v1/reports/sla/`` (API.md)."""
        return {
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "targets": {target: figures.as_dict() for target, figures in self.targets.items()},
            "tickets": {"opened": self.opened, "resolved": self.resolved},
            "csat": dict(self.csat),
        }


def target_figures(
    *, actor: User, filters: ReportFilters, period: Period, cover: rollup.Coverage | None = None
) -> dict[str, TargetFigures]:
    """Met and breached per target (every target present, zeros included). Two queries per
    directly counted piece of the period, one for its rolled-up days (``reports.rollup``)."""
    cover = cover or rollup.coverage(actor=actor, filters=filters, period=period)
    counted: dict[str, dict[str, int]] = {target: {"met": 0, "breached": 0} for target in TARGETS}
    for piece in cover.direct:
        for key, condition in (("met", met_in(piece)), ("breached", breached_in(piece))):
            rows = clocks_in_scope(actor=actor, filters=filters, condition=condition).values("target")
            for target, count in rows.annotate(count=Count("*")).values_list("target", "count"):
                counted[target][key] += count
    if cover.rolled:
        rolled = rollup.rolled_rows(cover, filters).exclude(target="").values("target")
        for target, met, breached in rolled.annotate(m=Sum("met"), b=Sum("breached")).values_list("target", "m", "b"):
            counted[target]["met"] += met
            counted[target]["breached"] += breached
    return {target: TargetFigures(c["met"], c["breached"]) for target, c in counted.items()}


def ticket_counts(
    *,
    tickets: QuerySet[Ticket],
    period: Period,
    filters: ReportFilters,
    cover: rollup.Coverage,
) -> dict[str, int]:
    """Tickets opened and resolved in the period. Two counts per directly counted piece of the
    period, each an index-only range scan (ticket_tenant_created_idx, ticket_tenant_resolved_idx)
    where nothing narrows the tickets; one query for its rolled-up days."""
    counts = {"opened": 0, "resolved": 0}
    for piece in cover.direct:
        counts["opened"] += tickets.filter(created_at__gte=piece.start, created_at__lt=piece.end).count()
        counts["resolved"] += tickets.filter(resolved_at__gte=piece.start, resolved_at__lt=piece.end).count()
    if cover.rolled:
        rolled = rollup.rolled_rows(cover, filters).filter(target="").aggregate(o=Sum("opened"), r=Sum("resolved"))
        counts["opened"] += rolled["o"] or 0
        counts["resolved"] += rolled["r"] or 0
    return counts


def sla_report(
    *, actor: User, filters: ReportFilters, period: Period, cover: rollup.Coverage | None = None
) -> SlaReport:
    """The service-level report of ``period`` for ``actor`` (the rules in this module's
    docstring). Four queries, five when CSAT joins in, whatever the number of tickets; where the
    roll-ups answer for some days, one more (which days) and two fewer for those days."""
    tickets = tickets_in_scope(actor=actor, filters=filters)
    cover = cover or rollup.coverage(actor=actor, filters=filters, period=period)
    counts = ticket_counts(tickets=tickets, period=period, filters=filters, cover=cover)
    return SlaReport(
        period=period,
        targets=target_figures(actor=actor, filters=filters, period=period, cover=cover),
        opened=counts["opened"],
        resolved=counts["resolved"],
        csat=csat_for(tickets=tickets, period=period),
    )

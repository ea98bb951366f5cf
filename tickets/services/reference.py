"""What an intake reads of the tenant's reference data, in one cached bundle: the priority
matrix, the questionnaires, the default team per product area, the SLA policies with their
calendars, and the desk's office calendar.

Read the bundle with ``intake_reference()``; it comes from the cache while none of those rows
changed (``servicedesk.reference_data``: saving or deleting one gives the tenant a new
version). Treat it as read-only: it is shared by every request of the process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from orders.models import Service
from servicedesk import calendars
from servicedesk.models import BusinessCalendar, Team, Tenant
from servicedesk.reference_data import cached_reference_data
from servicedesk.tenancy import require_tenant_id
from tickets.models import PriorityRule, QuestionnaireField, SlaPolicy


class CalendarCache:
    """Pure calendars by model id, built once per operation (closures and extra days included)."""

    def __init__(self) -> None:
        self._built: dict[int, calendars.BusinessCalendar] = {}

    def get(self, calendar: BusinessCalendar) -> calendars.BusinessCalendar:
        if calendar.pk not in self._built:
            self._built[calendar.pk] = calendar.as_calendar()
        return self._built[calendar.pk]


@dataclass
class IntakeReference:
    #: (impact, urgency) → priority: the tenant's matrix cells
    priorities: dict[tuple[str, str], str]
    #: service type id → its questions, in position order
    questionnaires: dict[int, list[QuestionnaireField]]
    #: product area id → the team a new ticket on it goes to (the first by name)
    teams: dict[int, Team]
    #: every SLA policy, by name, with its calendar (closures and extra days included)
    policies: list[SlaPolicy]
    #: the desk's office hours, if the tenant has set them
    office_calendar: BusinessCalendar | None
    #: the pure calendars, built in this process as they are needed (never pickled)
    calendars: CalendarCache = field(default_factory=CalendarCache)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "calendars": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, calendars=CalendarCache())

    def priority_cell(self, impact: str, urgency: str) -> str | None:
        return self.priorities.get((impact, urgency))

    def questions_for(self, service_type_id: int) -> list[QuestionnaireField]:
        return self.questionnaires.get(service_type_id, [])

    def default_team_for(self, service: Service | None) -> Team | None:
        if service is None or service.product_area_id is None:
            return None
        return self.teams.get(service.product_area_id)

    def policy_for(self, *, tier: str, kind: str) -> SlaPolicy | None:
        """The most specific policy: tier and kind, tier, kind, then the catch-all."""
        candidates = [p for p in self.policies if p.contract_tier in (tier, "") and p.ticket_kind in (kind, "")]
        ranked = sorted(candidates, key=lambda p: (p.contract_tier == "", p.ticket_kind == ""))
        return ranked[0] if ranked else None


_CALENDAR_PARTS = ("closures", "extra_days")


def _load() -> IntakeReference:
    questionnaires: dict[int, list[QuestionnaireField]] = {}
    for question in QuestionnaireField.objects.filter(is_active=True).order_by("service_type_id", "position", "id"):
        questionnaires.setdefault(question.service_type_id, []).append(question)
    teams: dict[int, Team] = {}
    for team in Team.objects.filter(product_area__isnull=False, is_active=True).order_by("name", "id"):
        teams.setdefault(team.product_area_id, team)
    policies = list(
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related(*(Prefetch(f"calendar__{part}") for part in _CALENDAR_PARTS))
    )
    office_id = Tenant.objects.filter(pk=require_tenant_id()).values_list("business_calendar_id", flat=True).first()
    office = (
        BusinessCalendar.objects.prefetch_related(*_CALENDAR_PARTS).filter(pk=office_id).first()
        if office_id is not None
        else None
    )
    return IntakeReference(
        priorities={(rule.impact, rule.urgency): rule.priority for rule in PriorityRule.objects.all()},
        questionnaires=questionnaires,
        teams=teams,
        policies=policies,
        office_calendar=office,
    )


def intake_reference() -> IntakeReference:
    """The current tenant's intake reference data (cached while unchanged)."""
    return cached_reference_data(require_tenant_id(), "intake", _load)

"""A tenant's escalation configuration, loaded once per operation: settings, matrices,
levels, contacts, thresholds and their calendars. Call inside the tenant's context."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS

from escalation.models import (
    EscalationContact,
    EscalationLevel,
    EscalationMatrix,
    EscalationPolicy,
    EscalationSettings,
)
from servicedesk import calendars, cross_tenant
from servicedesk.tenancy import require_tenant_id
from tickets.models import Ticket
from tickets.services.sla import CalendarCache


def settings_of_tenant() -> EscalationSettings:
    """The current tenant's escalation settings (the defaults, unsaved, when it has none)."""
    found = EscalationSettings.objects.first()
    return found if found is not None else EscalationSettings(tenant_id=require_tenant_id())


def product_area_of(ticket: Ticket) -> int | None:
    """The product area a ticket escalates in: its service's, else its team's, read with the
    ticket as ``escalation_area`` by ``timers.for_rules`` (where every ticket the rules look
    at comes from)."""
    area: int | None = ticket.escalation_area  # type: ignore[attr-defined]
    return area


@dataclass
class TenantConfig:
    settings: EscalationSettings
    default_matrix_id: int | None = None
    matrix_by_account: dict[int, int] = field(default_factory=dict)
    levels: dict[int, list[EscalationLevel]] = field(default_factory=dict)
    policies: dict[tuple[int, str], EscalationPolicy] = field(default_factory=dict)
    calendar_cache: CalendarCache = field(default_factory=CalendarCache)
    _contacts: dict[int, dict[int | None, list[EscalationContact]]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> TenantConfig:
        config = cls(settings=settings_of_tenant())
        for matrix in EscalationMatrix.objects.all():
            if matrix.account_id is None:
                config.default_matrix_id = matrix.pk
            else:
                config.matrix_by_account[matrix.account_id] = matrix.pk
        for level in EscalationLevel.objects.all():
            config.levels.setdefault(level.matrix_id, []).append(level)
        for policy in EscalationPolicy.objects.select_related("calendar"):
            config.policies[(policy.matrix_id, policy.priority)] = policy
        return config

    @classmethod
    def load_many(cls, tenant_ids: list[int]) -> dict[int, TenantConfig]:
        """The configurations of these tenants in five queries across tenants (reads only), for
        a sweep that is about to decide their timers."""
        configs = {tenant_id: cls(settings=EscalationSettings(tenant_id=tenant_id)) for tenant_id in tenant_ids}
        for found in cross_tenant.across_tenants(EscalationSettings).filter(tenant_id__in=tenant_ids):
            configs[found.tenant_id].settings = found
        for matrix in cross_tenant.across_tenants(EscalationMatrix).filter(tenant_id__in=tenant_ids):
            config = configs[matrix.tenant_id]
            if matrix.account_id is None:
                config.default_matrix_id = matrix.pk
            else:
                config.matrix_by_account[matrix.account_id] = matrix.pk
        for level in cross_tenant.across_tenants(EscalationLevel).filter(tenant_id__in=tenant_ids):
            configs[level.tenant_id].levels.setdefault(level.matrix_id, []).append(level)
        policies = (
            cross_tenant.across_tenants(EscalationPolicy).filter(tenant_id__in=tenant_ids).select_related("calendar")
        )
        for policy in policies:
            configs[policy.tenant_id].policies[(policy.matrix_id, policy.priority)] = policy
        contacts = (
            cross_tenant.across_tenants(EscalationContact).filter(tenant_id__in=tenant_ids).select_related("user")
        )
        for contact in contacts:
            by_level = configs[contact.tenant_id]._contacts.setdefault(contact.matrix_id, defaultdict(list))
            by_level[contact.level_id].append(contact)
        # Rows read across tenants are used (as foreign keys of new rows) on the default
        # connection too, inside each tenant's wall.
        for config in configs.values():
            for row in [
                config.settings,
                *(lv for lvs in config.levels.values() for lv in lvs),
                *config.policies.values(),
                *(c for by in config._contacts.values() for cs in by.values() for c in cs),
            ]:
                row._state.db = DEFAULT_DB_ALIAS
                for related in ("calendar", "user"):
                    cached = row._state.fields_cache.get(related)
                    if cached is not None:
                        cached._state.db = DEFAULT_DB_ALIAS
            for matrix_id in [config.default_matrix_id, *config.matrix_by_account.values()]:
                if matrix_id is not None:
                    config._contacts.setdefault(matrix_id, defaultdict(list))
        return configs

    def matrix_for(self, account_id: int) -> int | None:
        return self.matrix_by_account.get(account_id, self.default_matrix_id)

    def top_level(self, matrix_id: int) -> int:
        return max((level.number for level in self.levels.get(matrix_id, [])), default=0)

    def level_row(self, matrix_id: int, number: int, area_id: int | None) -> EscalationLevel | None:
        """The level row for a ticket's product area, else the one for all areas."""
        for_all = None
        for level in self.levels.get(matrix_id, []):
            if level.number != number:
                continue
            if level.product_area_id is not None and level.product_area_id == area_id:
                return level
            if level.product_area_id is None:
                for_all = level
        return for_all

    def policy(self, matrix_id: int, priority: str) -> EscalationPolicy | None:
        return self.policies.get((matrix_id, priority))

    def calendar(self, policy: EscalationPolicy) -> calendars.BusinessCalendar | None:
        return None if policy.calendar is None else self.calendar_cache.get(policy.calendar)

    def _load_contacts(self, matrix_id: int) -> dict[int | None, list[EscalationContact]]:
        if matrix_id not in self._contacts:
            by_level: dict[int | None, list[EscalationContact]] = defaultdict(list)
            for contact in EscalationContact.objects.filter(matrix_id=matrix_id).select_related("user"):
                by_level[contact.level_id].append(contact)
            self._contacts[matrix_id] = by_level
        return self._contacts[matrix_id]

    def contacts(self, matrix_id: int, level_id: int | None) -> list[EscalationContact]:
        """A level's contacts in the order they are tried (``None``: the escalation managers)."""
        return self._load_contacts(matrix_id).get(level_id, [])

    def acknowledge_within(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.settings.acknowledge_minutes)

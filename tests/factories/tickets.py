"""Factories of the tickets app's rules: SLA policies. (The priority matrix and the intake
questionnaires come from tickets.services.defaults, as for a real tenant.)"""

from __future__ import annotations

import factory

from tests.factories import BusinessCalendarFactory, TenantOwnedFactory
from tickets.models import SlaPolicy


class SlaPolicyFactory(TenantOwnedFactory):
    """The catch-all policy (any tier, any kind) unless told otherwise."""

    class Meta:
        model = SlaPolicy

    name = factory.Sequence(lambda n: f"Policy {n}")
    contract_tier = ""
    ticket_kind = ""
    calendar = factory.SubFactory(BusinessCalendarFactory, tenant=factory.SelfAttribute("..tenant"))
    respond_minutes = 15
    callback_minutes = 120
    restore_minutes_p1 = 240
    restore_minutes_p2 = 480
    restore_minutes_p3 = 1440
    restore_minutes_p4 = 4320
    warning_percent = 80

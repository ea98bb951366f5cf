"""Factories of the escalation app: settings, matrices, their levels, contacts and thresholds."""

from __future__ import annotations

import factory

from escalation.models import (
    EscalationContact,
    EscalationLevel,
    EscalationMatrix,
    EscalationPolicy,
    EscalationSettings,
)
from tests.factories import TenantOwnedFactory


class EscalationSettingsFactory(TenantOwnedFactory):
    class Meta:
        model = EscalationSettings


class EscalationMatrixFactory(TenantOwnedFactory):
    """The tenant's default matrix (no account) unless told otherwise."""

    class Meta:
        model = EscalationMatrix

    name = factory.Sequence(lambda n: f"Escalation matrix {n}")
    account = None


class EscalationLevelFactory(TenantOwnedFactory):
    """A level for all product areas unless told otherwise."""

    class Meta:
        model = EscalationLevel

    matrix = factory.SubFactory(EscalationMatrixFactory)
    tenant = factory.SelfAttribute("matrix.tenant")
    number = 1
    title = factory.Sequence(lambda n: f"Level title {n}")
    product_area = None


class EscalationContactFactory(TenantOwnedFactory):
    """An external contact of a level; ``level=None`` is an escalation manager."""

    class Meta:
        model = EscalationContact

    level = factory.SubFactory(EscalationLevelFactory)
    matrix = factory.SelfAttribute("level.matrix")
    tenant = factory.SelfAttribute("matrix.tenant")
    user = None
    name = factory.Sequence(lambda n: f"Contact {n}")
    role = "Supervisor"
    phone = "+49 69 5550 0000"
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    position = 0


class EscalationPolicyFactory(TenantOwnedFactory):
    """Thresholds of one priority, in wall-clock minutes unless a calendar is given."""

    class Meta:
        model = EscalationPolicy

    matrix = factory.SubFactory(EscalationMatrixFactory)
    tenant = factory.SelfAttribute("matrix.tenant")
    priority = "P1"
    level_minutes = factory.LazyFunction(lambda: [30, 60, 120])
    calendar = None
    breach_level = None

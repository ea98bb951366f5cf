"""The demo escalation matrices (seed_demo calls demo.escalation.seed_escalation): a second
run changes nothing."""

import pytest

from demo.escalation import seed_escalation_matrices
from escalation.models import EscalationContact, EscalationLevel, EscalationMatrix, EscalationPolicy
from servicedesk.tenancy import tenant_context


@pytest.mark.django_db
def test_seeding_the_demo_matrices_twice_changes_nothing(demo):
    def counts():
        with tenant_context(demo.northwind):
            return [m.objects.count() for m in (EscalationMatrix, EscalationLevel, EscalationContact, EscalationPolicy)]

    seed_escalation_matrices()
    before = counts()
    seed_escalation_matrices()
    assert counts() == before == [1, 11, 16, 4]

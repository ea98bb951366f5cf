import pytest


@pytest.fixture
def desk(demo):
    """The world with its inventory, priority matrix and questionnaires (no tickets);
    tests/conftest.py builds all of it from tests/factories/."""
    return demo


INCIDENT = {
    "kind": "incident",
    "service": "NW-MPLS-1001",
    "subject": "MPLS link down",
    "description": "Since 08:10 the warehouse cannot reach the data centre.",
    "impact": "outage",
    "urgency": "high",
    "problem_started_at": "2026-11-20T07:10:00Z",
    "answers": {"power_at_site": "yes", "symptom": "no_service"},
}

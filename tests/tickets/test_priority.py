"""Priority from the tenant's impact × urgency matrix; an agent may override it with a reason."""

import pytest

from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT
from tickets.models import PriorityRule, Ticket, TicketEvent

EXPECTED = {  # the seeded default, written out independently of the code's table
    ("outage", "high"): "P1", ("outage", "medium"): "P1", ("outage", "low"): "P2",
    ("degradation", "high"): "P2", ("degradation", "medium"): "P2", ("degradation", "low"): "P3",
    ("none", "high"): "P3", ("none", "medium"): "P4", ("none", "low"): "P4",
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("impact", "urgency"), list(EXPECTED))
def test_priority_comes_from_the_matrix(desk, impact, urgency):
    payload = {**INCIDENT, "impact": impact, "urgency": urgency}
    body = desk.api("alice@acme.example").post("/api/v1/tickets/", payload, format="json").json()
    assert body["priority"] == EXPECTED[(impact, urgency)]
    assert body["priority_overridden"] is False


@pytest.mark.django_db
def test_urgency_defaults_to_medium(desk):
    payload = {k: v for k, v in INCIDENT.items() if k != "urgency"}
    body = desk.api("alice@acme.example").post("/api/v1/tickets/", payload, format="json").json()
    assert (body["urgency"], body["priority"]) == ("medium", "P1")


@pytest.mark.django_db
def test_a_tenants_own_matrix_applies_to_it_alone(desk):
    with tenant_context(desk.northwind):
        PriorityRule.objects.filter(impact="none", urgency="low").update(priority="P3")
    payload = {**INCIDENT, "impact": "none", "urgency": "low"}
    assert desk.api("alice@acme.example").post("/api/v1/tickets/", payload, format="json").json()["priority"] == "P3"
    bluepeak = {**payload, "service": "BP-VPN-0002", "answers": {"power_at_site": "yes", "symptom": "no_service"}}
    assert (
        desk.api("carol@initech.example").post("/api/v1/tickets/", bluepeak, format="json").json()["priority"] == "P4"
    )


def _open(desk):
    body = desk.api("alice@acme.example").post("/api/v1/tickets/", INCIDENT, format="json").json()
    return body["number"], body["version"]


@pytest.mark.django_db
def test_an_agent_overrides_the_priority_with_a_reason(desk):
    number, version = _open(desk)
    response = desk.api("agent@northwind.example").patch(
        f"/api/v1/tickets/{number}/",
        {"version": version, "priority": "P3", "priority_reason": "Backup line carries the traffic."},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["priority"], body["priority_overridden"], body["priority_reason"]) == (
        "P3",
        True,
        "Backup line carries the traffic.",
    )
    with tenant_context(desk.northwind):
        event = TicketEvent.objects.get(kind=TicketEvent.Kind.PRIORITY_OVERRIDDEN)
    assert (event.from_value, event.to_value, event.reason) == ("P1", "P3", "Backup line carries the traffic.")


@pytest.mark.django_db
def test_an_override_without_a_reason_is_refused_and_changes_nothing(desk):
    number, version = _open(desk)
    response = desk.api("agent@northwind.example").patch(
        f"/api/v1/tickets/{number}/", {"version": version, "priority": "P3"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["priority_reason"]
    with tenant_context(desk.northwind):
        ticket = Ticket.objects.get(number=number)
    assert (ticket.priority, ticket.version) == ("P1", version)


@pytest.mark.django_db
def test_customers_cannot_set_the_priority(desk):
    number, version = _open(desk)
    response = desk.api("alice@acme.example").patch(
        f"/api/v1/tickets/{number}/",
        {"version": version, "priority": "P1", "priority_reason": "Urgent!"},
        format="json",
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_new_urgency_recomputes_the_priority_unless_overridden(desk):
    number, version = _open(desk)
    agent = desk.api("agent@northwind.example")
    body = agent.patch(f"/api/v1/tickets/{number}/", {"version": version, "impact": "none"}, format="json").json()
    assert body["priority"] == "P3"  # none × high
    body = agent.patch(
        f"/api/v1/tickets/{number}/",
        {"version": body["version"], "priority": "P1", "priority_reason": "CEO's office affected."},
        format="json",
    ).json()
    body = agent.patch(
        f"/api/v1/tickets/{number}/", {"version": body["version"], "urgency": "low"}, format="json"
    ).json()
    assert (body["priority"], body["priority_overridden"]) == ("P1", True)
    # Choosing the matrix's value again ends the override.
    body = agent.patch(
        f"/api/v1/tickets/{number}/", {"version": body["version"], "priority": "P4"}, format="json"
    ).json()
    assert (body["priority"], body["priority_overridden"], body["priority_reason"]) == ("P4", False, "")

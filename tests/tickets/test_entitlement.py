"""Entitlement: only a current contract or warranty entitles support; a ticket on a service
without one is still logged, flagged, and the customer is told what that means."""

import datetime as dt

import pytest

from orders.models import Contract, Service
from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT

EXPIRED = {
    **INCIDENT,
    "service": "NW-VOICE-2003",
    "answers": {
        "power_at_site": "yes",
        "voice_problem": "no_calls",
        "calling_number": "+34 91 1",
        "called_number": "+34 91 2",
    },
}


@pytest.mark.django_db
def test_a_ticket_on_a_service_without_a_contract_is_logged_and_flagged(desk):
    response = desk.api("alice@acme.example").post("/api/v1/tickets/", EXPIRED, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["entitled"] is False
    assert "no current maintenance contract or warranty" in body["entitlement_notice"]


@pytest.mark.django_db
def test_a_ticket_on_a_service_under_contract_is_entitled(desk):
    body = desk.api("alice@acme.example").post("/api/v1/tickets/", INCIDENT, format="json").json()
    assert (body["entitled"], body["entitlement_notice"]) == (True, None)


@pytest.mark.django_db
def test_the_inventory_shows_entitlement(desk):
    services = {s["service_id"]: s for s in desk.api("alice@acme.example").get("/api/v1/services/").json()["results"]}
    assert services["NW-VOICE-2003"]["entitled"] is False
    assert services["NW-VOICE-2003"]["entitled_until"] is None
    assert services["NW-MPLS-1001"]["entitled"] is True
    assert services["NW-MPLS-1001"]["contract_tier"] == "premium_24x7"


@pytest.mark.django_db
def test_a_contract_ends_at_midnight_of_the_sites_time_zone(desk, time_machine):
    """Madrid is UTC+1 in winter: the last day of the contract ends at 23:00 UTC."""
    with tenant_context(desk.northwind):
        service = Service.objects.get(service_id="NW-MPLS-2001")
        Contract.objects.filter(service=service).update(valid_until=dt.date(2026, 12, 15))
    payload = {**INCIDENT, "service": "NW-MPLS-2001", "problem_started_at": "2026-12-01T00:00:00Z"}
    client = desk.api("alice@acme.example")
    time_machine.move_to("2026-12-15T22:59:00Z", tick=False)  # 23:59 in Madrid on the 15th
    assert client.post("/api/v1/tickets/", payload, format="json").json()["entitled"] is True
    time_machine.move_to("2026-12-15T23:01:00Z", tick=False)  # 00:01 in Madrid on the 16th
    assert client.post("/api/v1/tickets/", payload, format="json").json()["entitled"] is False


@pytest.mark.django_db
def test_an_enquiry_without_a_service_is_not_flagged(desk):
    payload = {"kind": "enquiry", "subject": "Invoice", "description": "Please resend the October invoice."}
    assert desk.api("alice@acme.example").post("/api/v1/tickets/", payload, format="json").json()["entitled"] is True

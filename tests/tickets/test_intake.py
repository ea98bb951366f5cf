"""Opening tickets through the API: required fields, derived fields, and nothing
half-written on bad input."""

import datetime as dt

import pytest

from servicedesk.errors import InvalidInput
from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT
from tickets.models import Ticket, TicketSequence
from tickets.services.intake import TicketDraft, open_ticket


def _count(desk):
    with tenant_context(desk.northwind):
        return Ticket.objects.count(), list(TicketSequence.objects.values_list("prefix", "last_value"))


@pytest.mark.django_db
def test_an_incident_gets_its_site_account_team_and_product_from_the_service(desk):
    body = desk.api("alice@acme.example").post("/api/v1/tickets/", INCIDENT, format="json").json()
    assert body["number"] == "INC-000001"
    assert body["status"] == "new"
    assert body["service"] == {"service_id": "NW-MPLS-1001", "name": "MPLS IP-VPN", "type": "mpls"}
    assert body["site"] == {"id": desk.frankfurt.pk, "name": "Frankfurt"}
    assert body["account"] == {"id": desk.acme.pk, "name": "Acme Logistics GmbH"}
    assert body["team"]["name"] == "Data/IP/ICT desk"
    assert body["product_name"] == "MPLS IP-VPN"
    assert body["priority"] == "P1"
    assert body["channel"] == "api"
    assert body["created_at"].endswith("Z")  # UTC, as API.md says


@pytest.mark.django_db
def test_a_voice_incident_goes_to_the_voice_team(desk):
    payload = {
        **INCIDENT,
        "service": "NW-VOICE-1003",
        "answers": {
            "power_at_site": "yes",
            "voice_problem": "no_calls",
            "calling_number": "+49 69 1",
            "called_number": "+49 69 2",
        },
    }
    body = desk.api("alice@acme.example").post("/api/v1/tickets/", payload, format="json").json()
    assert body["team"]["name"] == "Voice desk"


@pytest.mark.django_db
def test_an_incident_without_its_required_fields_names_each_and_writes_nothing(desk):
    response = desk.api("alice@acme.example").post(
        "/api/v1/tickets/", {"kind": "incident", "subject": "Down", "description": "It is down."}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"service", "impact", "problem_started_at"}
    assert _count(desk) == (0, [])


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["service_request", "change_request"])
def test_a_service_or_change_request_is_not_a_ticket_kind(desk, kind):
    payload = {"kind": kind, "subject": "Five more extensions", "description": "For the dispatch team."}
    response = desk.api("alice@acme.example").post("/api/v1/tickets/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["kind"]
    (message,) = response.json()["kind"]
    assert message.startswith(f'"{kind}" is not a ticket kind: tickets are incidents, complaints and enquiries.')
    assert "/api/v1/ssrs/" in message
    assert "/api/v1/change-requests/" in message
    assert _count(desk) == (0, [])


@pytest.mark.django_db
def test_the_intake_service_refuses_a_service_request_for_every_channel(desk):
    alice = desk.user("alice@acme.example")
    with tenant_context(desk.northwind), pytest.raises(InvalidInput) as refused:
        open_ticket(actor=alice, draft=TicketDraft(kind="service_request", subject="Ports", description="Two more."))
    assert refused.value.errors["kind"] == [
        "Choose one of: incident, complaint, enquiry. A service request is a simple service request from the "
        "catalogue, a change a change request; neither is a ticket."
    ]
    assert _count(desk) == (0, [])


@pytest.mark.django_db
def test_bad_input_is_a_400_by_field(desk):
    payload = {**INCIDENT, "urgency": "urgent", "kind": "outage", "problem_started_at": "yesterday"}
    response = desk.api("alice@acme.example").post("/api/v1/tickets/", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"urgency", "kind", "problem_started_at"}


@pytest.mark.django_db
def test_a_problem_cannot_start_in_the_future(desk, time_machine):
    time_machine.move_to("2026-11-20T10:00:00Z", tick=False)
    payload = {**INCIDENT, "problem_started_at": "2026-11-20T10:30:00Z"}
    response = desk.api("alice@acme.example").post("/api/v1/tickets/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["problem_started_at"]
    # A few minutes of clock skew are fine.
    payload["problem_started_at"] = "2026-11-20T10:03:00Z"
    assert desk.api("alice@acme.example").post("/api/v1/tickets/", payload, format="json").status_code == 201


@pytest.mark.django_db
def test_an_invalid_questionnaire_answer_leaves_no_ticket_and_no_used_number(desk):
    client = desk.api("alice@acme.example")
    bad = {**INCIDENT, "answers": {"power_at_site": "perhaps", "symptom": "no_service"}}
    assert client.post("/api/v1/tickets/", bad, format="json").status_code == 400
    assert _count(desk) == (0, [])
    assert client.post("/api/v1/tickets/", INCIDENT, format="json").json()["number"] == "INC-000001"


@pytest.mark.django_db
def test_customers_cannot_log_phone_calls(desk):
    response = desk.api("alice@acme.example").post(
        "/api/v1/tickets/", {**INCIDENT, "channel": "phone", "caller_name": "Alice"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["channel"]


@pytest.mark.django_db
def test_an_agent_logs_a_phone_call_with_the_callers_details(desk):
    payload = {
        **INCIDENT,
        "channel": "phone",
        "caller_name": "Kurt Lager",
        "caller_company": "Acme Logistics GmbH",
        "caller_phone": "+49 69 5550 2222",
        "serial_number": "SN-ER4400-0093321",
    }
    body = desk.api("agent@northwind.example").post("/api/v1/tickets/", payload, format="json").json()
    assert (body["channel"], body["caller_name"], body["caller_phone"]) == ("phone", "Kurt Lager", "+49 69 5550 2222")
    assert body["account"]["name"] == "Acme Logistics GmbH"
    assert body["serial_number"] == "SN-ER4400-0093321"


@pytest.mark.django_db
def test_a_phone_call_needs_the_callers_name(desk):
    response = desk.api("agent@northwind.example").post(
        "/api/v1/tickets/", {**INCIDENT, "channel": "phone"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["caller_name"]


@pytest.mark.django_db
def test_staff_name_the_account_of_an_enquiry_without_a_service(desk):
    client = desk.api("agent@northwind.example")
    enquiry = {"kind": "enquiry", "subject": "Invoice copy", "description": "Please resend it."}
    missing = client.post("/api/v1/tickets/", enquiry, format="json")
    assert missing.status_code == 400
    assert list(missing.json()) == ["account"]
    created = client.post("/api/v1/tickets/", {**enquiry, "account": desk.globex.pk}, format="json").json()
    assert created["account"]["name"] == "Globex Retail Ltd"
    # Another tenant's account does not exist for them.
    foreign = client.post("/api/v1/tickets/", {**enquiry, "account": desk.initech.pk}, format="json")
    assert foreign.status_code == 400
    assert list(foreign.json()) == ["account"]


@pytest.mark.django_db
def test_a_site_that_does_not_match_the_service_is_refused(desk):
    response = desk.api("alice@acme.example").post(
        "/api/v1/tickets/", {**INCIDENT, "site": desk.madrid.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["site"]


@pytest.mark.django_db
def test_contacts_are_checked_and_kept(desk):
    client = desk.api("alice@acme.example")
    bad = {**INCIDENT, "contacts": {"callback": {"name": "Alice"}, "boss": {"name": "X", "phone": "1"}}}
    response = client.post("/api/v1/tickets/", bad, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"contacts.callback", "contacts.boss"}
    good = {**INCIDENT, "contacts": {"onsite": {"name": "Kurt Lager", "phone": "+49 69 5550 2222"}}}
    body = client.post("/api/v1/tickets/", good, format="json").json()
    assert body["contacts"] == {"onsite": {"name": "Kurt Lager", "email": "", "phone": "+49 69 5550 2222"}}


@pytest.mark.django_db
def test_problem_start_is_stored_in_utc_whatever_offset_it_came_with(desk):
    payload = {**INCIDENT, "problem_started_at": "2026-11-20T09:10:00+01:00"}
    body = desk.api("alice@acme.example").post("/api/v1/tickets/", payload, format="json").json()
    assert body["problem_started_at"] == "2026-11-20T08:10:00Z"
    with tenant_context(desk.northwind):
        stored = Ticket.objects.get(number=body["number"]).problem_started_at
    assert stored == dt.datetime(2026, 11, 20, 8, 10, tzinfo=dt.UTC)

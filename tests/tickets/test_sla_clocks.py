"""Service-level clocks: the rules in tickets/services/sla.py, through the API, with time
set by time-machine. Instants in the assertions are worked out by hand."""

import pytest

from orders.models import Contract
from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT
from tickets.models import SlaClock, Ticket

GLOBEX_INCIDENT = {
    **INCIDENT,
    "service": "NW-INET-3001",
    "problem_started_at": "2026-11-01T16:00:00Z",
    "answers": {"power_at_site": "yes", "symptom": "no_service"},
}
ACME_INCIDENT = {**INCIDENT, "problem_started_at": "2026-01-01T00:00:00Z"}


def _open(desk, payload, who="alice@acme.example"):
    response = desk.api(who).post("/api/v1/tickets/", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _sla(desk, number, who="agent@northwind.example"):
    body = desk.api(who).get(f"/api/v1/tickets/{number}/").json()
    assert "sla" in body, body
    return body["sla"]


def _act(desk, number, action, reason="", who="agent@northwind.example"):
    response = desk.api(who).post(
        f"/api/v1/tickets/{number}/transition/", {"action": action, "reason": reason}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.mark.django_db
def test_a_globex_incident_on_friday_at_1655_is_to_be_answered_monday_at_0840(desk, time_machine):
    time_machine.move_to("2026-11-20T16:55:00Z", tick=False)  # Friday; London is on UTC in November
    body = _open(desk, GLOBEX_INCIDENT, who="bob@globex.example")
    assert body["sla"]["respond"] == {"due_at": "2026-11-23T08:40:00Z", "met_at": None, "state": "running"}
    # Call-back in 2 business hours: 5 minutes on Friday, 115 on Monday from 08:30.
    assert body["sla"]["callback"]["due_at"] == "2026-11-23T10:25:00Z"
    # Restore P1 in one business day (510 minutes): 5 on Friday, 505 on Monday → 16:55.
    assert body["sla"]["restore"]["due_at"] == "2026-11-23T16:55:00Z"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2026-11-21T03:00:00Z", "2026-11-21T03:15:00Z"),  # Saturday night
        ("2026-03-29T00:55:00Z", "2026-03-29T01:10:00Z"),  # across the spring-forward hour in Berlin
        ("2026-10-25T00:50:00Z", "2026-10-25T01:05:00Z"),  # across the fall-back hour
        ("2026-12-25T11:00:00Z", "2026-12-25T11:15:00Z"),  # Christmas Day
    ],
)
def test_an_acme_incident_is_to_be_answered_15_wall_clock_minutes_after_creation(desk, time_machine, now, due):
    time_machine.move_to(now, tick=False)
    body = _open(desk, ACME_INCIDENT)
    assert body["sla"]["respond"]["due_at"] == due
    assert body["sla"]["restore"]["due_at"] != due  # and P1 restore is 4 hours, not 15 minutes


@pytest.mark.django_db
def test_acknowledging_meets_respond(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    number = _open(desk, ACME_INCIDENT)["number"]
    time_machine.move_to("2026-11-18T09:10:00Z", tick=False)
    sla = _act(desk, number, "acknowledge")["sla"]
    assert sla["respond"] == {"due_at": "2026-11-18T09:15:00Z", "met_at": "2026-11-18T09:10:00Z", "state": "met"}
    assert sla["restore"]["state"] == "running"


@pytest.mark.django_db
def test_answering_late_is_a_breach_with_the_instant_it_was_met(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    number = _open(desk, ACME_INCIDENT)["number"]
    time_machine.move_to("2026-11-18T09:20:00Z", tick=False)
    sla = _act(desk, number, "acknowledge")["sla"]
    assert sla["respond"] == {"due_at": "2026-11-18T09:15:00Z", "met_at": "2026-11-18T09:20:00Z", "state": "breached"}


@pytest.mark.django_db
def test_a_logged_call_back_meets_the_callback_target(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    number = _open(desk, ACME_INCIDENT)["number"]
    time_machine.move_to("2026-11-18T10:30:00Z", tick=False)
    response = desk.api("agent@northwind.example").post(
        f"/api/v1/tickets/{number}/callback/", {"note": "Spoke to Alice; engineer on site at 12:00."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["sla"]["callback"] == {
        "due_at": "2026-11-18T11:00:00Z",
        "met_at": "2026-11-18T10:30:00Z",
        "state": "met",
    }
    timeline = desk.api("agent@northwind.example").get(f"/api/v1/tickets/{number}/timeline/").json()["results"]
    assert [(e["kind"], e["reason"]) for e in timeline if e["kind"] == "callback"] == [
        ("callback", "Spoke to Alice; engineer on site at 12:00.")
    ]


@pytest.mark.django_db
def test_customers_cannot_log_call_backs(desk):
    number = _open(desk, ACME_INCIDENT)["number"]
    response = desk.api("alice@acme.example").post(f"/api/v1/tickets/{number}/callback/", {}, format="json")
    assert response.status_code == 403
    assert _sla(desk, number)["callback"]["met_at"] is None


@pytest.mark.django_db
def test_waiting_for_the_customer_pauses_restore_but_not_respond(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    number = _open(desk, {**ACME_INCIDENT, "impact": "degradation", "urgency": "medium"})["number"]  # P2: 8 h restore
    assert _sla(desk, number)["restore"]["due_at"] == "2026-11-18T17:00:00Z"
    _act(desk, number, "start_work")
    time_machine.move_to("2026-11-18T10:00:00Z", tick=False)
    sla = _act(desk, number, "wait_for_customer")["sla"]
    assert sla["restore"]["state"] == "paused"
    assert sla["respond"]["state"] == "met"  # met by starting work; pausing never touches it
    time_machine.move_to("2026-11-18T12:30:00Z", tick=False)
    sla = desk.api("alice@acme.example").get(f"/api/v1/tickets/{number}/").json()["sla"]
    assert sla["restore"]["state"] == "paused"
    # The customer's reply resumes the ticket: 2 h 30 min paused on a 24×7 calendar.
    desk.api("alice@acme.example").post(f"/api/v1/tickets/{number}/comments/", {"body": "Done."}, format="json")
    sla = _sla(desk, number)
    assert sla["restore"] == {"due_at": "2026-11-18T19:30:00Z", "met_at": None, "state": "running"}


@pytest.mark.django_db
def test_a_pause_counts_business_time_only(desk, time_machine):
    """Globex is on UK business hours: a pause over the weekend costs only its opening hours."""
    time_machine.move_to("2026-11-19T09:00:00Z", tick=False)  # Thursday
    number = _open(desk, {**GLOBEX_INCIDENT, "impact": "degradation", "urgency": "medium"}, who="bob@globex.example")[
        "number"
    ]
    # P2: 1020 business minutes = 2 business days → Monday 09:00.
    assert _sla(desk, number)["restore"]["due_at"] == "2026-11-23T09:00:00Z"
    _act(desk, number, "start_work")
    time_machine.move_to("2026-11-20T16:00:00Z", tick=False)  # Friday 16:00
    _act(desk, number, "wait_for_customer")
    time_machine.move_to("2026-11-23T09:30:00Z", tick=False)  # Monday 09:30
    _act(desk, number, "resume")
    # Paused: Friday 16:00–17:00 and Monday 08:30–09:30 = 2 business hours → Monday 11:00.
    assert _sla(desk, number)["restore"]["due_at"] == "2026-11-23T11:00:00Z"


@pytest.mark.django_db
def test_resolving_meets_restore_and_reopening_resumes_it(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    number = _open(desk, ACME_INCIDENT)["number"]  # P1: 4 h → 13:00
    _act(desk, number, "acknowledge")
    time_machine.move_to("2026-11-18T11:00:00Z", tick=False)
    sla = _act(desk, number, "resolve", "Replaced the SFP.")["sla"]
    assert sla["restore"] == {"due_at": "2026-11-18T13:00:00Z", "met_at": "2026-11-18T11:00:00Z", "state": "met"}
    time_machine.move_to("2026-11-18T14:00:00Z", tick=False)
    sla = _act(desk, number, "reopen", who="alice@acme.example")["sla"]
    # Resolved for 3 hours, which count as paused: due 16:00, running again.
    assert sla["restore"] == {"due_at": "2026-11-18T16:00:00Z", "met_at": None, "state": "running"}


@pytest.mark.django_db
def test_cancelling_stops_every_clock(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    number = _open(desk, ACME_INCIDENT)["number"]
    sla = _act(desk, number, "cancel", "Opened twice.")["sla"]
    assert {target: clock["state"] for target, clock in sla.items()} == {
        "respond": "stopped",
        "callback": "stopped",
        "restore": "stopped",
    }
    with tenant_context(desk.northwind):
        assert not SlaClock.objects.filter(ticket__number=number, next_check_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_fault_affecting_no_service_raised_at_the_weekend_starts_on_monday(desk, time_machine):
    """Acme is 24×7, but a non-service-affecting fault raised while the desk's office is closed
    waits for it: Northwind's office opens Monday 08:30 in Berlin (07:30 UTC)."""
    time_machine.move_to("2026-11-21T10:00:00Z", tick=False)  # Saturday
    body = _open(desk, {**ACME_INCIDENT, "impact": "none", "urgency": "low"})
    assert body["sla"]["respond"]["due_at"] == "2026-11-23T07:45:00Z"
    time_machine.move_to("2026-11-23T10:00:00Z", tick=False)  # Monday, office open
    body = _open(desk, {**ACME_INCIDENT, "impact": "none", "urgency": "low"})
    assert body["sla"]["respond"]["due_at"] == "2026-11-23T10:15:00Z"
    time_machine.move_to("2026-11-21T10:00:00Z", tick=False)  # an outage is never deferred
    assert _open(desk, ACME_INCIDENT)["sla"]["respond"]["due_at"] == "2026-11-21T10:15:00Z"


@pytest.mark.django_db
def test_enquiries_have_only_a_response_target(desk):
    body = _open(desk, {"kind": "enquiry", "subject": "Invoice", "description": "Please resend it."})
    assert list(body["sla"]) == ["respond"]


@pytest.mark.django_db
def test_complaints_have_only_a_response_target_even_on_a_service(desk):
    body = _open(desk, {"kind": "complaint", "subject": "Late engineer", "description": "Two hours late.",
                        "service": "NW-MPLS-1001", "answers": {"power_at_site": "yes", "symptom": "other"}})  # fmt: skip
    assert list(body["sla"]) == ["respond"]


@pytest.mark.django_db
def test_a_new_priority_recomputes_from_the_start_keeping_pauses(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    number = _open(desk, {**ACME_INCIDENT, "impact": "degradation", "urgency": "medium"})["number"]  # P2 8 h
    _act(desk, number, "start_work")
    time_machine.move_to("2026-11-18T10:00:00Z", tick=False)
    _act(desk, number, "wait_for_customer")
    time_machine.move_to("2026-11-18T11:00:00Z", tick=False)
    _act(desk, number, "resume")  # 1 h paused → due 18:00
    assert _sla(desk, number)["restore"]["due_at"] == "2026-11-18T18:00:00Z"
    version = desk.api("agent@northwind.example").get(f"/api/v1/tickets/{number}/").json()["version"]
    body = (
        desk.api("agent@northwind.example")
        .patch(f"/api/v1/tickets/{number}/", {"version": version, "impact": "outage"}, format="json")
        .json()
    )
    # Now P1 (4 h) from 09:00 plus the hour paused: 14:00.
    assert (body["priority"], body["sla"]["restore"]["due_at"]) == ("P1", "2026-11-18T14:00:00Z")
    assert body["sla"]["respond"]["state"] == "met"  # a met clock stays met


@pytest.mark.django_db
def test_a_lower_priority_lifts_a_breach_that_is_not_due_any_more(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    number = _open(desk, ACME_INCIDENT)["number"]  # P1: restore due 13:00
    time_machine.move_to("2026-11-18T14:00:00Z", tick=False)
    from tickets.services.sla_sweep import sweep_sla_clocks

    sweep_sla_clocks(tenant_ids=[desk.northwind.pk])
    assert _sla(desk, number)["restore"]["state"] == "breached"
    version = desk.api("agent@northwind.example").get(f"/api/v1/tickets/{number}/").json()["version"]
    body = (
        desk.api("agent@northwind.example")
        .patch(
            f"/api/v1/tickets/{number}/",
            {"version": version, "priority": "P3", "priority_reason": "Backup link carries traffic."},
            format="json",
        )
        .json()
    )
    assert body["sla"]["restore"] == {"due_at": "2026-11-19T09:00:00Z", "met_at": None, "state": "running"}


@pytest.mark.django_db
def test_a_new_contract_tier_moves_running_clocks_to_the_new_policy(desk, time_machine):
    """Acme's Frankfurt MPLS moves from premium 24×7 to business hours (the catch-all policy
    on Northwind's office calendar): recomputed from the start."""
    from tickets.services import sla

    time_machine.move_to("2026-11-20T15:00:00Z", tick=False)  # Friday 16:00 in Berlin
    number = _open(desk, ACME_INCIDENT)["number"]
    assert _sla(desk, number)["restore"]["due_at"] == "2026-11-20T19:00:00Z"  # 4 h, 24×7
    with tenant_context(desk.northwind):
        Contract.objects.filter(service__service_id="NW-MPLS-1001").update(tier="basic")
        ticket = Ticket.objects.get(number=number)
        sla.recompute(ticket, ticket.created_at)
    # Standard policy, P1 510 business minutes from Friday 16:00 Berlin: 60 on Friday, 450 on
    # Monday from 08:30 → 16:00 Berlin = 15:00 UTC.
    assert _sla(desk, number)["restore"]["due_at"] == "2026-11-23T15:00:00Z"

"""The lifecycle: new → acknowledged → in progress ⇄ waiting for customer → resolved →
closed; reopen within the tenant's window; cancel. Each action guarded by role."""

import pytest

from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT
from tickets.models import Ticket

CUSTOMER, AGENT, MANAGER = "alice@acme.example", "agent@northwind.example", "manager@northwind.example"
# How to bring a new ticket into each status (by the agent, or the customer for close).
SETUP = {
    "new": [],
    "acknowledged": [(AGENT, "acknowledge", "")],
    "in_progress": [(AGENT, "acknowledge", ""), (AGENT, "start_work", "")],
    "waiting_for_customer": [(AGENT, "acknowledge", ""), (AGENT, "start_work", ""), (AGENT, "wait_for_customer", "")],
    "resolved": [(AGENT, "acknowledge", ""), (AGENT, "resolve", "Fixed the port.")],
    "closed": [(AGENT, "acknowledge", ""), (AGENT, "resolve", "Fixed."), (CUSTOMER, "close", "")],
    "cancelled": [(AGENT, "cancel", "Duplicate of INC-000002.")],
}


def _ticket_in(desk, status):
    payload = {**INCIDENT, "problem_started_at": "2026-01-05T07:10:00Z"}
    number = desk.api(CUSTOMER).post("/api/v1/tickets/", payload, format="json").json()["number"]
    for who, action, reason in SETUP[status]:
        response = _act(desk, who, number, action, reason)
        assert response.status_code == 200, response.json()
    return number


def _act(desk, who, number, action, reason=""):
    return desk.api(who).post(
        f"/api/v1/tickets/{number}/transition/", {"action": action, "reason": reason}, format="json"
    )


def _status(desk, number):
    with tenant_context(desk.northwind):
        ticket = Ticket.objects.get(number=number)
    return ticket.status, ticket.version


# (status, who, action) → (HTTP status, status afterwards)
CASES = [
    ("new", AGENT, "acknowledge", 200, "acknowledged"),
    ("new", MANAGER, "acknowledge", 200, "acknowledged"),
    ("new", CUSTOMER, "acknowledge", 403, "new"),
    ("new", AGENT, "start_work", 200, "in_progress"),
    ("new", CUSTOMER, "cancel", 200, "cancelled"),
    ("new", AGENT, "resolve", 409, "new"),
    ("acknowledged", AGENT, "start_work", 200, "in_progress"),
    ("acknowledged", CUSTOMER, "start_work", 403, "acknowledged"),
    ("acknowledged", CUSTOMER, "cancel", 200, "cancelled"),
    ("in_progress", AGENT, "wait_for_customer", 200, "waiting_for_customer"),
    ("in_progress", CUSTOMER, "wait_for_customer", 403, "in_progress"),
    ("in_progress", CUSTOMER, "cancel", 403, "in_progress"),
    ("in_progress", AGENT, "cancel", 200, "cancelled"),
    ("in_progress", CUSTOMER, "resolve", 403, "in_progress"),
    ("in_progress", AGENT, "close", 409, "in_progress"),
    ("waiting_for_customer", CUSTOMER, "resume", 200, "in_progress"),
    ("waiting_for_customer", AGENT, "resume", 200, "in_progress"),
    ("waiting_for_customer", AGENT, "resolve", 200, "resolved"),
    ("resolved", CUSTOMER, "close", 200, "closed"),
    ("resolved", AGENT, "close", 200, "closed"),
    ("resolved", CUSTOMER, "reopen", 200, "in_progress"),
    ("resolved", AGENT, "acknowledge", 409, "resolved"),
    ("closed", CUSTOMER, "reopen", 409, "closed"),
    ("closed", AGENT, "cancel", 409, "closed"),
    ("cancelled", AGENT, "acknowledge", 409, "cancelled"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "who", "action", "code", "after"), CASES)
def test_each_transition_is_allowed_or_refused_by_role_and_status(desk, start, who, action, code, after):
    number = _ticket_in(desk, start)
    _before_status, before_version = _status(desk, number)
    reason = "Because." if action in {"resolve", "cancel"} else ""
    response = _act(desk, who, number, action, reason)
    assert response.status_code == code, response.json()
    status, version = _status(desk, number)
    assert status == after
    assert version == (before_version + 1 if code == 200 else before_version)


@pytest.mark.django_db
def test_a_refused_transition_says_what_is_possible_now(desk):
    number = _ticket_in(desk, "new")
    body = _act(desk, AGENT, number, "resolve", "Done").json()
    assert body["code"] == "transition_not_allowed"
    assert body["status"] == "new"
    assert body["actions"] == ["acknowledge", "start_work", "cancel"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "customer_actions", "agent_actions"),
    [
        ("new", ["cancel"], ["acknowledge", "start_work", "cancel"]),
        ("in_progress", [], ["wait_for_customer", "resolve", "cancel"]),
        ("waiting_for_customer", ["resume"], ["resume", "resolve", "cancel"]),
        ("resolved", ["close", "reopen"], ["close", "reopen"]),
        ("closed", [], []),
    ],
)
def test_the_ticket_lists_the_actions_its_reader_may_take(desk, status, customer_actions, agent_actions):
    number = _ticket_in(desk, status)
    assert desk.api(CUSTOMER).get(f"/api/v1/tickets/{number}/").json()["actions"] == customer_actions
    assert desk.api(AGENT).get(f"/api/v1/tickets/{number}/").json()["actions"] == agent_actions


@pytest.mark.django_db
def test_resolving_and_cancelling_need_a_reason(desk):
    number = _ticket_in(desk, "in_progress")
    for action in ("resolve", "cancel"):
        response = _act(desk, AGENT, number, action, "  ")
        assert response.status_code == 400
        assert list(response.json()) == ["reason"]
    assert _status(desk, number)[0] == "in_progress"


@pytest.mark.django_db
def test_an_unknown_action_is_a_400(desk):
    number = _ticket_in(desk, "new")
    response = _act(desk, AGENT, number, "delete")
    assert response.status_code == 400
    assert list(response.json()) == ["action"]


@pytest.mark.django_db
def test_reopening_is_possible_only_within_the_tenants_window(desk, time_machine):
    time_machine.move_to("2026-11-02T09:00:00Z", tick=False)
    number = _ticket_in(desk, "resolved")
    time_machine.move_to("2026-11-09T08:59:00Z", tick=False)  # 7 days less a minute
    assert desk.api(CUSTOMER).get(f"/api/v1/tickets/{number}/").json()["actions"] == ["close", "reopen"]
    time_machine.move_to("2026-11-09T09:01:00Z", tick=False)
    assert desk.api(CUSTOMER).get(f"/api/v1/tickets/{number}/").json()["actions"] == ["close"]
    assert _act(desk, CUSTOMER, number, "reopen").status_code == 409
    desk.northwind.reopen_window_days = 14
    desk.northwind.save()
    assert _act(desk, CUSTOMER, number, "reopen").status_code == 200


@pytest.mark.django_db
def test_a_customer_reply_resumes_a_ticket_waiting_for_the_customer(desk):
    number = _ticket_in(desk, "waiting_for_customer")
    reply = desk.api(CUSTOMER).post(
        f"/api/v1/tickets/{number}/comments/", {"body": "Traceroute attached."}, format="json"
    )
    assert reply.status_code == 201
    assert _status(desk, number)[0] == "in_progress"


@pytest.mark.django_db
def test_an_agent_reply_does_not_resume_a_waiting_ticket(desk):
    number = _ticket_in(desk, "waiting_for_customer")
    desk.api(AGENT).post(f"/api/v1/tickets/{number}/comments/", {"body": "Any news?"}, format="json")
    assert _status(desk, number)[0] == "waiting_for_customer"


@pytest.mark.django_db
def test_closed_tickets_take_no_public_replies_but_internal_notes(desk):
    number = _ticket_in(desk, "closed")
    refused = desk.api(CUSTOMER).post(f"/api/v1/tickets/{number}/comments/", {"body": "One more thing"}, format="json")
    assert refused.status_code == 409
    note = desk.api(AGENT).post(
        f"/api/v1/tickets/{number}/comments/", {"body": "Billing informed.", "internal": True}, format="json"
    )
    assert note.status_code == 201


@pytest.mark.django_db
def test_two_simultaneous_transitions_from_the_same_state_do_not_both_apply(desk):
    """The row lock serialises them: the second sees the new state and is refused."""
    number = _ticket_in(desk, "new")
    first = _act(desk, AGENT, number, "acknowledge")
    second = _act(desk, MANAGER, number, "acknowledge")
    assert (first.status_code, second.status_code) == (200, 409)

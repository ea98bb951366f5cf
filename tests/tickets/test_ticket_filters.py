"""One set of ticket filters (tickets.selectors.filter_tickets) behind the API's list and the
console's queue: the same filter gives the same tickets on both."""

import pytest
from django.test import Client

from servicedesk.tenancy import tenant_context
from tickets.selectors import TicketFilters, filter_tickets
from tickets.services.intake import TicketDraft, open_ticket

AGENT = "agent@northwind.example"


@pytest.fixture
def tickets(desk):
    """An incident on the MPLS service (assigned to the agent) and an enquiry of Globex."""
    alice, bob, agent = desk.user("alice@acme.example"), desk.user("bob@globex.example"), desk.user(AGENT)
    with tenant_context(desk.northwind):
        incident = open_ticket(
            actor=alice,
            draft=TicketDraft(
                kind="incident", service_id="NW-MPLS-1001", subject="Link down", description="Down.",
                impact="outage", problem_started_at=alice.date_joined,
                answers={"power_at_site": "yes", "symptom": "no_service"},
            ),
        )  # fmt: skip
        type(incident).objects.filter(pk=incident.pk).update(assignee=agent)
        enquiry = open_ticket(
            actor=bob, draft=TicketDraft(kind="enquiry", subject="Invoice", description="A question.")
        )
    return desk, incident.number, enquiry.number


def _api(desk, query):
    response = desk.api(AGENT).get("/api/v1/tickets/", query)
    assert response.status_code == 200
    return {ticket["number"] for ticket in response.json()["results"]}


def _queue(desk, query):
    client = Client()
    client.force_login(desk.user(AGENT))
    response = client.get("/console/tickets/", query)
    assert response.status_code == 200
    return {row["number"] for row in response.context["page"]}  # the queue reads rows as values


@pytest.mark.django_db
def test_the_api_and_the_queue_filter_alike(tickets):
    desk, incident, enquiry = tickets
    agent = desk.user(AGENT)
    assert _api(desk, {"kind": "enquiry"}) == _queue(desk, {"kind": "enquiry"}) == {enquiry}
    assert _api(desk, {"account": desk.globex.pk}) == _queue(desk, {"account": desk.globex.pk}) == {enquiry}
    assert _api(desk, {"assignee": "me"}) == _queue(desk, {"assignee": "mine"}) == {incident}
    assert _api(desk, {"assignee": agent.pk}) == _queue(desk, {"assignee": str(agent.pk)}) == {incident}
    assert _queue(desk, {"assignee": "unassigned"}) == {enquiry}


@pytest.mark.django_db
def test_api_filters_take_several_values_and_refuse_nothing(tickets):
    desk, incident, enquiry = tickets
    assert _api(desk, {"kind": "incident,enquiry"}) == {incident, enquiry}
    assert _api(desk, {"service": "NW-MPLS-1001"}) == {incident}
    assert _api(desk, {"status": "resolved"}) == set()
    # An id that is not a number matches nothing (it is not an error).
    assert _api(desk, {"account": "acme"}) == set()
    assert _api(desk, {"assignee": "someone"}) == set()


@pytest.mark.django_db
def test_filters_stay_inside_the_walls(tickets):
    """A customer filtering by another account's id gets nothing, not that account's tickets."""
    desk, _incident, _enquiry = tickets
    alice = desk.user("alice@acme.example")
    with tenant_context(desk.northwind):
        assert list(filter_tickets(actor=alice, filters=TicketFilters(account_id=desk.globex.pk))) == []
        assert filter_tickets(actor=alice, filters=TicketFilters(kinds=("enquiry",))).count() == 0

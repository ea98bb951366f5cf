"""The customer asks for a reason for outage on the ticket page and reads it once published."""

import datetime as dt

import pytest
from django.test import Client

from servicedesk.tenancy import tenant_context
from tickets.models import Rfo
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket
from tickets.services.problems import publish_rfo


@pytest.fixture
def resolved(demo):
    alice, agent = demo.user("alice@acme.example"), demo.user("agent@northwind.example")
    with tenant_context(demo.northwind):
        ticket = open_ticket(
            actor=alice,
            draft=TicketDraft(
                kind="incident", service_id="NW-MPLS-1001", subject="Down", description="Down.", impact="outage",
                urgency="high", problem_started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                answers={"power_at_site": "yes", "symptom": "no_service"},
            ),
        )  # fmt: skip
        transition_ticket(ticket=ticket, actor=agent, action="acknowledge")
        transition_ticket(ticket=ticket, actor=agent, action="resolve", reason="Card replaced.")
    return demo, ticket


def _client(demo, email):
    client = Client()
    client.force_login(demo.user(email))
    return client


@pytest.mark.django_db
def test_a_customer_asks_for_the_rfo_and_reads_it_once_published(resolved):
    demo, ticket = resolved
    client = _client(demo, "alice@acme.example")
    page = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert "Ask for the reason for outage" in page
    response = client.post(f"/portal/tickets/{ticket.number}/rfo/")
    assert response.status_code == 302
    with tenant_context(demo.northwind):
        rfo = Rfo.objects.get(ticket=ticket)
    page = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert "You asked for the report on" in page
    assert "Ask for the reason for outage" not in page
    with tenant_context(demo.northwind):
        publish_rfo(
            rfo=rfo, actor=demo.user("agent@northwind.example"), summary="A **line card** failed.<script>x</script>"
        )
    page = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert "<strong>line card</strong>" in page
    assert "<script>x</script>" not in page


@pytest.mark.django_db
def test_asking_twice_changes_nothing_and_says_why(resolved):
    demo, ticket = resolved
    client = _client(demo, "alice@acme.example")
    client.post(f"/portal/tickets/{ticket.number}/rfo/")
    page = client.post(f"/portal/tickets/{ticket.number}/rfo/", follow=True).content.decode()
    assert "already requested" in page
    with tenant_context(demo.northwind):
        assert Rfo.objects.filter(ticket=ticket).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", ["bob@globex.example", "carol@initech.example", "dave@acme.example"])
def test_outsiders_cannot_ask_for_it(resolved, outsider):
    demo, ticket = resolved
    assert _client(demo, outsider).post(f"/portal/tickets/{ticket.number}/rfo/").status_code == 404
    with tenant_context(demo.northwind):
        assert not Rfo.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db
def test_the_request_is_offered_only_for_resolved_major_incidents(demo):
    alice = demo.user("alice@acme.example")
    with tenant_context(demo.northwind):
        open_incident = open_ticket(
            actor=alice,
            draft=TicketDraft(
                kind="incident", service_id="NW-MPLS-1001", subject="Down", description="Down.", impact="outage",
                problem_started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                answers={"power_at_site": "yes", "symptom": "no_service"},
            ),
        )  # fmt: skip
    page = _client(demo, "alice@acme.example").get(f"/portal/tickets/{open_incident.number}/").content.decode()
    assert 'id="reason-for-outage"' not in page

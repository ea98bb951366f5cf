"""The ticket's API representation, written by a plan per serializer (``RepresentedDirectly``),
is what DRF's own ``to_representation`` writes: for tickets of every shape the lists show, for
customers and staff, in more than one time zone."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT
from tickets.api import TicketSerializer
from tickets.models import Ticket
from tickets.selectors import attach_clock_summaries, with_clocks
from tickets.services import sla


def _tickets(desk) -> list[str]:
    alice, agent = desk.api("alice@acme.example"), desk.api("agent@northwind.example")
    incident = alice.post("/api/v1/tickets/", INCIDENT, format="json").json()["number"]
    enquiry = {"kind": "enquiry", "subject": "Invoice 7 & <b>", "description": "Why?\n\n* one\n* two"}
    question = alice.post("/api/v1/tickets/", enquiry, format="json").json()["number"]
    for action in ("acknowledge", "start_work", "resolve"):
        body = {"action": action, "reason": "Fixed."} if action == "resolve" else {"action": action}
        assert agent.post(f"/api/v1/tickets/{question}/transition/", body, format="json").status_code == 200
    taken = agent.get(f"/api/v1/tickets/{incident}/").json()
    me = agent.get("/api/v1/me/").json()
    edit = {"assignee": me["id"], "version": taken["version"]}
    assert agent.patch(f"/api/v1/tickets/{incident}/", edit, format="json").status_code == 200
    return [incident, question]


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["alice@acme.example", "agent@northwind.example"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Madrid", "America/New_York"])
def test_each_ticket_is_written_as_drf_writes_it(desk, email, zone):
    numbers = _tickets(desk)
    request = APIRequestFactory().get("/api/v1/tickets/")
    request.user = desk.user(email)
    with tenant_context(desk.northwind), timezone.override(zone):
        tickets = list(with_clocks(Ticket.objects.filter(number__in=numbers)).select_related(
            "service__service_type", "site", "account", "team", "assignee"))  # fmt: skip
        assert len(tickets) == 2
        serializer = TicketSerializer(tickets, many=True, context={"request": request})
        written = serializer.data
        child = serializer.child
        by_drf = [serializers.ModelSerializer.to_representation(child, ticket) for ticket in tickets]
    assert [dict(item) for item in written] == by_drf
    assert written[0]["assignee"] is not None or written[1]["assignee"] is not None
    assert {item["resolved_at"] is None for item in written} == {True, False}
    assert any(item["created_at"].endswith("Z") for item in written) == (zone == "UTC")


@pytest.mark.django_db
def test_a_list_page_shows_the_service_levels_its_clocks_have(desk):
    numbers = _tickets(desk)
    with tenant_context(desk.northwind):
        prefetched = list(with_clocks(Ticket.objects.filter(number__in=numbers)).order_by("number"))
        page = list(Ticket.objects.filter(number__in=numbers).order_by("number"))
        attach_clock_summaries(page)
        expected = [sla.summary(ticket) for ticket in prefetched]
        shown = [sla.summary(ticket) for ticket in page]
    assert shown == expected
    assert [list(levels) for levels in shown] == [list(levels) for levels in expected]  # in the same order
    # Both tickets have clocks (the incident three), met and running ones among them.
    assert sorted(len(levels) for levels in shown) == [1, 3]
    states = {level["state"] for levels in shown for level in levels.values()}
    assert "met" in states
    assert len(states) > 1

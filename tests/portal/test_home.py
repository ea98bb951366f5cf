"""The portal's home: open tickets with their service-level state and escalation level,
orders in flight, planned work at the user's sites (scheduled change requests); dave, limited
to Madrid, sees none of Frankfurt's."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client

from escalation.services.manual import escalate_ticket
from orders.services.changes import ChangeDraft, open_change_request, quote_change_request, transition_change_request
from servicedesk.models import Site, User
from servicedesk.tenancy import tenant_context
from tests.factories.histories import open_tickets
from tickets.models import Ticket


def page_of(email: str) -> str:
    client = Client()
    client.force_login(User.objects.get(email=email))
    response = client.get("/portal/")
    assert response.status_code == 200
    return unescape(response.content.decode())


@pytest.mark.django_db
def test_home_shows_open_tickets_with_their_state_and_escalation_level(demo):
    open_tickets(demo.northwind)
    alice = User.objects.get(email="alice@acme.example")
    with tenant_context(demo.northwind):
        escalate_ticket(ticket=Ticket.objects.get(number="INC-000002"), by=alice, reason="progress")

    page = page_of("alice@acme.example")
    home = page[page.index('id="home-tickets"') : page.index('id="home-orders"')]

    assert "INC-000001" in home  # open
    assert "CMP-000001" not in home  # resolved
    assert "Escalation level 1" in home
    assert re.search(
        r'<span class="badge sla-(on-track|at-risk|breached|paused)">(On track|At risk|Missed|Paused)</span>', home
    )
    assert 'class="countdown' in home


@pytest.mark.django_db
def test_planned_work_shows_scheduled_changes_of_the_users_sites_only(demo, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    alice = User.objects.get(email="alice@acme.example")
    agent = User.objects.get(email="agent@northwind.example")
    with tenant_context(demo.northwind):
        site = Site.objects.get(name="Frankfurt")
        change = open_change_request(
            actor=alice, draft=ChangeDraft(title="Rack move in hall B", description="Hall B.", site_id=site.pk)
        )
        change = quote_change_request(
            change_request=change, actor=agent, cost=Decimal("900"), currency="EUR",
            planned_start=dt.datetime(2026, 12, 3, 7, tzinfo=dt.UTC), planned_end=dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC),
        )  # fmt: skip
        change = transition_change_request(change_request=change, actor=alice, action="accept")
        transition_change_request(change_request=change, actor=agent, action="schedule")

    alice_page = page_of("alice@acme.example")
    dave_page = page_of("dave@acme.example")

    planned = alice_page[alice_page.index('id="home-planned"') :]
    assert "Rack move in hall B" in planned
    assert 'datetime="2026-12-03T08:00:00+01:00"' in planned  # in alice's zone
    assert "Rack move in hall B" not in dave_page
    assert "No hay trabajos programados en sus sedes." in dave_page

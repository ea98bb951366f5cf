"""The agents' escalated queue starts from the escalation timers (``ticketesc_escalated_idx``),
not from an index of the tickets table: it holds exactly the open tickets at a level above 0
while the sweep, people and the lifecycle move them, and only the tenant's own; and no index of
the tickets table reads the level, so the sweep's level changes can stay HOT updates
(``record_escalation_levels``)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from escalation.models import TicketEscalation
from escalation.services.manual import deescalate_ticket, escalate_ticket
from escalation.services.sweep import sweep_escalations
from orders.models import Service
from servicedesk.tenancy import tenant_context
from tests.escalation.conftest import act, at, incident
from tickets.models import Ticket
from tickets.selectors import narrow_to_queue, queue_counts

AGENT = "agent@northwind.example"


def _queue(desk) -> set[str]:
    """The escalated queue's tickets as the selector, the tabs' count and the page have them."""
    agent = desk.user(AGENT)
    with tenant_context(desk.northwind):
        visible = Ticket.objects.visible_to(agent)
        tickets = narrow_to_queue(visible, queue="escalated", actor=agent, now=timezone.now())
        assert "escalation_ticketescalation" in str(tickets.query)  # from the timers, as registered
        assert "ANY(ARRAY(" in str(tickets.query)  # read by key
        numbers = set(tickets.values_list("number", flat=True))
        assert queue_counts(actor=agent, now=timezone.now())["escalated"] == (len(numbers), False)
        every = set(Ticket.objects.values_list("number", flat=True))
    client = Client()
    client.force_login(agent)
    page = client.get("/console/tickets/", {"queue": "escalated"}).content.decode()
    listed = set(re.findall(r'href="/console/tickets/([A-Z]+-\d+)/"', page)) & every
    assert listed == numbers
    assert (f"{len(numbers)} ticket" in page) == bool(numbers)  # the page's own count
    return numbers


def _open_and_escalated(desk) -> set[str]:
    """What the queue must hold, read from the tickets themselves; every timer's level is its
    ticket's."""
    with tenant_context(desk.northwind):
        levels = dict(TicketEscalation.objects.values_list("ticket__number", "level"))
        tickets = Ticket.objects.values_list("number", "escalation_level", "status")
        assert {number: level for number, level, _ in tickets} == levels
        return {number for number, level, status in tickets if level > 0 and status in Ticket.OPEN_STATUSES}


def _fresh(ticket: Ticket) -> Ticket:
    with tenant_context(ticket.tenant_id):
        return Ticket.objects.get(pk=ticket.pk)


@pytest.mark.django_db
def test_the_escalated_queue_holds_the_open_tickets_above_level_0_as_they_move(
    desk, time_machine, django_capture_on_commit_callbacks
):
    agent, alice = desk.user(AGENT), desk.user("alice@acme.example")
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    a, b, c, d = (incident(desk) for _ in range(4))
    quiet = incident(desk, urgency="low", impact="none")  # P3/P4: not escalated by 09:30
    for ticket in (a, b, c, d, quiet):
        act(desk, ticket, "acknowledge")
    assert _queue(desk) == _open_and_escalated(desk) == set()

    # The sweep takes the P1 tickets to level 1 at 30 minutes.
    time_machine.move_to("2026-11-18T09:30:00Z", tick=False)
    sweep_escalations(now=at("2026-11-18 09:30"), tenant_ids=[desk.northwind.pk])
    assert _queue(desk) == _open_and_escalated(desk) == {a.number, b.number, c.number, d.number}

    with tenant_context(desk.northwind):
        # A person lowers one to 0, and a customer escalates the quiet one.
        deescalate_ticket(ticket=_fresh(b), by=agent, comment="Handled by the field team.")
        escalate_ticket(ticket=_fresh(quiet), by=alice, reason="progress", comment="Nobody called back.")
    assert _queue(desk) == _open_and_escalated(desk) == {a.number, c.number, d.number, quiet.number}

    # Resolved and cancelled tickets leave it (their timers close once the change commits) ...
    with django_capture_on_commit_callbacks(execute=True):
        act(desk, _fresh(c), "start_work")
        act(desk, _fresh(c), "resolve", reason="Line card replaced.")
        act(desk, _fresh(d), "cancel", who="alice@acme.example", reason="Opened twice.")
    assert _queue(desk) == _open_and_escalated(desk) == {a.number, quiet.number}
    with tenant_context(desk.northwind):
        assert TicketEscalation.objects.get(ticket=c).closed_at is not None

    # ... and a reopened one comes back at its level.
    with django_capture_on_commit_callbacks(execute=True):
        act(desk, _fresh(c), "reopen", who="alice@acme.example", reason="Down again.")
    assert _queue(desk) == _open_and_escalated(desk) == {a.number, c.number, quiet.number}

    # The queue and its count read the ticket's status: a ticket resolved a moment ago leaves
    # both though its timer is still open (it closes once the change has committed).
    act(desk, _fresh(a), "start_work")
    act(desk, _fresh(a), "resolve", reason="Fixed.")
    with tenant_context(desk.northwind):
        assert TicketEscalation.objects.get(ticket=a).closed_at is None
    assert _queue(desk) == _open_and_escalated(desk) == {c.number, quiet.number}


@pytest.mark.django_db
def test_the_escalated_queue_shows_no_other_tenants_ticket(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    ours = incident(desk)
    carol = desk.user("carol@initech.example")
    with tenant_context(desk.bluepeak):
        theirs = incident(desk, who="carol@initech.example", service=_a_service_of(carol))
        escalate_ticket(ticket=_fresh(theirs), by=carol, reason="progress", comment="Slow.")
        assert TicketEscalation.objects.get(ticket=theirs).level == 1
    with tenant_context(desk.northwind):
        escalate_ticket(ticket=_fresh(ours), by=desk.user("alice@acme.example"), reason="progress", comment="Slow.")

    assert _queue(desk) == {ours.number}


def _a_service_of(user) -> str:
    return Service.objects.filter(account_id=user.customer_account_id).values_list("service_id", flat=True).first()


@pytest.mark.django_db
def test_no_index_of_the_tickets_table_reads_the_escalation_level():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets_ticket'")
        indexes = dict(cursor.fetchall())

    assert "ticket_open_due_idx" in indexes  # the catalog was read
    assert [name for name, definition in indexes.items() if "escalation_level" in definition] == []

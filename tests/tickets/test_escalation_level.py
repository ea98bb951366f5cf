"""A ticket's escalation level as the tickets layer records it: the sweep's automatic steps
leave ``updated_at`` (when someone last changed the ticket) as it is; a person's escalation
moves it."""

import datetime as dt

import pytest

from servicedesk.tenancy import tenant_context
from tickets.models import Ticket, TicketEvent
from tickets.services.escalation_level import LevelChange, record_escalation_level, record_escalation_levels
from tickets.services.intake import TicketDraft, open_ticket

LATER = dt.timedelta(hours=3)


def _ticket(desk) -> Ticket:
    return open_ticket(
        actor=desk.user("alice@acme.example"),
        draft=TicketDraft(kind="enquiry", subject="Invoice question", description="?"),
    )


@pytest.mark.django_db
def test_the_sweeps_automatic_step_raises_the_level_but_not_updated_at(desk):
    with tenant_context(desk.northwind):
        ticket = _ticket(desk)
        before = ticket.updated_at
        change = LevelChange(tenant_id=ticket.tenant_id, ticket_id=ticket.pk, from_level=0, to_level=2)

        record_escalation_levels([change], now=before + LATER)

        ticket.refresh_from_db()
        assert (ticket.escalation_level, ticket.updated_at) == (2, before)
        line = TicketEvent.objects.get(ticket=ticket, field="escalation_level")
        assert (line.from_value, line.to_value, line.at) == ("0", "2", before + LATER)


@pytest.mark.django_db
def test_a_persons_escalation_moves_updated_at(desk):
    with tenant_context(desk.northwind):
        ticket = _ticket(desk)
        agent = desk.user("agent@northwind.example")

        record_escalation_level(
            ticket=ticket, from_level=0, to_level=1, actor_id=agent.pk, reason="progress", now=ticket.updated_at + LATER
        )

        ticket.refresh_from_db()
        assert (ticket.escalation_level, ticket.updated_at) == (1, ticket.created_at + LATER)

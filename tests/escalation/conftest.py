"""Escalation fixtures: the world (tests/conftest.py builds matrices shaped like seed 000's),
tickets opened through the tickets layer's own service, sweeps run at exact instants."""

import datetime as dt

import pytest

from config.celery import app as celery_app
from servicedesk.tenancy import tenant_context
from tickets.models import Ticket
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    """An exact UTC instant: at("2026-11-18 09:30")."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def desk(demo):
    return demo


@pytest.fixture
def eager_tasks():
    """Tasks run in the sending thread instead of going to the broker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


DATA_ANSWERS = {"power_at_site": "yes", "symptom": "no_service"}
VOICE_ANSWERS = {"power_at_site": "yes", "voice_problem": "no_calls", "calling_number": "+49 69 5550 1000",
                 "called_number": "+49 69 5550 1001"}  # fmt: skip


def incident(desk, *, who="alice@acme.example", service="NW-MPLS-1001", impact="outage", urgency="high", now=None):
    """An incident on one of the customer's services (Acme's MPLS outage, high urgency: P1,
    Data/IP/ICT, SLA Premium 24×7: respond 15 min, call back 2 h, restore P1 4 h)."""
    user = desk.user(who)
    with tenant_context(user.tenant_id):
        return open_ticket(
            actor=user,
            draft=TicketDraft(
                kind="incident", service_id=service, subject="Link down", description="Down since 08:55.",
                impact=impact, urgency=urgency, problem_started_at=at("2026-01-01 00:00"),
                answers=VOICE_ANSWERS if "VOICE" in service else DATA_ANSWERS,
            ),
            now=now,
        )  # fmt: skip


def act(desk, ticket, action, who="agent@northwind.example", reason=""):
    user = desk.user(who)
    with tenant_context(user.tenant_id):
        return transition_ticket(ticket=ticket, actor=user, action=action, reason=reason)


def level_of(ticket) -> int:
    with tenant_context(ticket.tenant_id):
        return Ticket.objects.get(pk=ticket.pk).escalation_level

"""Surveys fixtures: tickets opened and resolved, orders handed over, through the layers'
own services; the events' handlers run when the test's transaction "commits"."""

from __future__ import annotations

import pytest

from feedback.models import Survey
from orders.models import CatalogueItem
from servicedesk.tenancy import tenant_context
from tests.escalation.conftest import act, incident
from tests.factories.world import build_order_rules


@pytest.fixture
def desk(demo):
    with tenant_context(demo.northwind):
        if not CatalogueItem.objects.exists():
            build_order_rules()
    return demo


@pytest.fixture
def eager_tasks():
    from config.celery import app as celery_app  # noqa: PLC0415 - the wiring, for the tests only

    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def resolved_ticket(desk, capture, *, who="alice@acme.example", service="NW-MPLS-1001"):
    """A ticket ``who`` opened, acknowledged and resolved by the agent (events delivered)."""
    with capture(execute=True):
        ticket = incident(desk, who=who, service=service)
        act(desk, ticket, "acknowledge")
        act(desk, ticket, "resolve", reason="Replaced the line card.")
    return ticket


def surveys_about(desk, ticket) -> list[Survey]:
    with tenant_context(desk.northwind):
        return list(
            Survey.objects.filter(ticket_id=ticket.pk).select_related("ticket", "user").order_by("created_at", "id")
        )

"""The dashboard's backlog (``figures.backlog``): every open ticket in the one age bucket its
age falls in, per priority, each bucket's bounds exact (a ticket exactly one day old is in
"1–3 days"); tickets no longer open count nowhere."""

from __future__ import annotations

import datetime as dt

import pytest

from reports import figures
from reports.selectors import ReportFilters
from servicedesk.tenancy import tenant_context
from tests.reports.conftest import ALICE, INCIDENT
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
# (hours old, priority, status)
TICKETS = [
    (2, "P1", "new"),
    (23.9, "P1", "in_progress"),
    (24, "P1", "acknowledged"),
    (71, "P2", "waiting_for_customer"),
    (72, "P2", "new"),
    (100, "P3", "new"),
    (168, "P3", "new"),
    (300, "P3", "in_progress"),
    (720, "P4", "new"),
    (2000, "P4", "new"),
    (5, "P1", "resolved"),
    (900, "P4", "closed"),
]


def test_each_open_ticket_is_counted_in_the_bucket_of_its_age(demo):
    api = demo.api(ALICE)
    with tenant_context(demo.northwind):
        for hours, priority, status in TICKETS:
            response = api.post("/api/v1/tickets/", INCIDENT, format="json")
            assert response.status_code == 201, response.json()
            Ticket.objects.filter(number=response.json()["number"]).update(
                created_at=NOW - dt.timedelta(hours=hours), priority=priority, status=status
            )
        table = figures.backlog(actor=demo.user("manager@northwind.example"), filters=ReportFilters(), now=NOW)
    assert table == {
        "P1": {"lt_1d": 2, "1_3d": 1, "3_7d": 0, "7_30d": 0, "gt_30d": 0},
        "P2": {"lt_1d": 0, "1_3d": 1, "3_7d": 1, "7_30d": 0, "gt_30d": 0},
        "P3": {"lt_1d": 0, "1_3d": 0, "3_7d": 1, "7_30d": 2, "gt_30d": 0},
        "P4": {"lt_1d": 0, "1_3d": 0, "3_7d": 0, "7_30d": 0, "gt_30d": 2},
    }

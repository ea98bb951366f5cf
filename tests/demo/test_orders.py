"""The demo data of orders (seed_demo calls demo.orders.seed_orders): orders in several states
for Acme and Globex, the SSR catalogue, SSRs, and change requests: one awaiting acceptance,
one accepted and scheduled (more extensions on a SIP trunk, which used to be a service-request
ticket), so the portal's home shows planned work."""

import datetime as dt

import pytest
from django.test import Client

from demo.orders import seed_orders
from orders.models import ChangeRequest, Order, SimpleServiceRequest
from servicedesk.tenancy import tenant_context
from tests.orders.conftest import AGENT, ALICE, BOB, api


def _counts(demo):
    with tenant_context(demo.northwind):
        return Order.objects.count(), SimpleServiceRequest.objects.count(), ChangeRequest.objects.count()


@pytest.mark.django_db
def test_the_demo_has_orders_in_several_states_and_a_change_awaiting_acceptance(demo, time_machine):
    time_machine.move_to("2026-11-21T10:00:00Z", tick=False)
    seed_orders()
    orders = api(demo, AGENT).get("/api/v1/orders/").json()["results"]
    by_account = {}
    for order in orders:
        by_account.setdefault(order["account"]["name"], set()).add(order["status"])
    assert by_account == {
        "Acme Logistics GmbH": {"customer_coordination", "configuration", "on_hold", "billing_started"},
        "Globex Retail Ltd": {"received", "delivery"},
    }
    assert {o["kind"] for o in orders} == {"standard", "icb", "automated", "leased_line"}
    late = {
        o["title"]: (o["late_confirmation"], o["late_delivery"])
        for o in orders
        if o["late_confirmation"] or o["late_delivery"]
    }
    assert late == {
        "Voice line bundle for the Madrid reception": (True, False),
        "Additional SIP channels (batch 2026/47)": (False, True),
    }
    assert "NW-INET-1005" in {s["service_id"] for s in api(demo, ALICE).get("/api/v1/services/").json()["results"]}
    changes = api(demo, ALICE).get("/api/v1/change-requests/").json()["results"]
    assert sorted((c["title"], c["status"], c["actions"]) for c in changes) == [
        ("Add 5 extensions to the SIP trunk", "scheduled", []),
        ("Move the VSAT antenna on the Madrid roof", "quoted", ["accept", "decline"]),
    ]
    assert [c["status"] for c in api(demo, BOB).get("/api/v1/change-requests/").json()["results"]] == ["planning"]
    ssrs = api(demo, AGENT).get("/api/v1/ssrs/").json()["results"]
    assert sorted(s["status"] for s in ssrs) == ["completed", "completed", "confirmed", "confirmed"]
    assert len(api(demo, ALICE).get("/api/v1/ssr-catalogue/").json()["results"]) == 4

    before = _counts(demo)
    seed_orders()
    assert _counts(demo) == before == (7, 4, 3)


@pytest.mark.django_db
def test_the_portal_home_shows_the_demos_planned_work(demo, time_machine):
    time_machine.move_to("2026-11-21T10:00:00Z", tick=False)
    seed_orders()
    with tenant_context(demo.northwind):
        scheduled = ChangeRequest.objects.get(title="Add 5 extensions to the SIP trunk")
    assert scheduled.status == "scheduled"
    assert scheduled.planned_start > dt.datetime(2026, 11, 21, 10, tzinfo=dt.UTC)
    client = Client()
    client.force_login(demo.user(ALICE))
    home = client.get("/portal/").content.decode()
    assert "Add 5 extensions to the SIP trunk" in home


@pytest.mark.django_db
def test_a_database_seeded_before_gets_its_accepted_change_scheduled(demo, time_machine):
    """seed_demo is idempotent on any database: one seeded when the change was only accepted
    (its window since passed) gets it scheduled in a window still ahead."""
    time_machine.move_to("2026-11-21T10:00:00Z", tick=False)
    seed_orders()
    with tenant_context(demo.northwind):
        ChangeRequest.objects.filter(title="Add 5 extensions to the SIP trunk").update(
            status="accepted", planned_start=dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC),
            planned_end=dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC),
        )  # fmt: skip
    time_machine.move_to("2026-12-01T10:00:00Z", tick=False)
    seed_orders()
    with tenant_context(demo.northwind):
        change = ChangeRequest.objects.get(title="Add 5 extensions to the SIP trunk")
    assert change.status == "scheduled"
    assert change.planned_start > dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    assert _counts(demo) == (7, 4, 3)

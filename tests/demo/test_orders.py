"""The demo data of orders (seed_demo calls demo.orders.seed_orders): orders in several states
for Acme and Globex, the SSR catalogue, SSRs, and change requests: one awaiting acceptance,
one accepted (more extensions on a SIP trunk, which used to be a service-request ticket)."""

import pytest

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
        ("Add 5 extensions to the SIP trunk", "accepted", []),
        ("Move the VSAT antenna on the Madrid roof", "quoted", ["accept", "decline"]),
    ]
    assert [c["status"] for c in api(demo, BOB).get("/api/v1/change-requests/").json()["results"]] == ["planning"]
    ssrs = api(demo, AGENT).get("/api/v1/ssrs/").json()["results"]
    assert sorted(s["status"] for s in ssrs) == ["completed", "completed", "confirmed", "confirmed"]
    assert len(api(demo, ALICE).get("/api/v1/ssr-catalogue/").json()["results"]) == 4

    before = _counts(demo)
    seed_orders()
    assert _counts(demo) == before == (7, 4, 3)

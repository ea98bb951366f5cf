"""Fixtures of the orders tests: the world (tests/conftest.py) plus each tenant's suppliers,
lead-time table and SSR catalogue (tests/factories/world.py build_order_rules), built once per
session like the rest of the world."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from orders.models import CatalogueItem, Order
from orders.services.delivery import confirm_delivery_date, transition_order
from servicedesk.tenancy import tenant_context
from tests.factories.world import build_order_rules

ALICE = "alice@acme.example"  # Acme: Frankfurt and Madrid
DAVE = "dave@acme.example"  # Acme, Madrid only
BOB = "bob@globex.example"  # Globex: London
CAROL = "carol@initech.example"  # another tenant's customer
AGENT = "agent@northwind.example"
MANAGER = "manager@northwind.example"
ADMIN = "admin@northwind.example"
BLUEPEAK_AGENT = "agent@bluepeak.example"

# A Wednesday, 10:00 in Frankfurt; most tests freeze the clock here.
NOW = "2026-11-18T09:00:00Z"
# A business day at every demo site, well after NOW: the delivery date the desk commits to.
COMMITTED = "2026-12-15"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The world of tests/conftest.py, and the order rules, committed once per session."""
    with django_db_blocker.unblock():
        build_order_rules()


@pytest.fixture
def desk(demo):
    northwind = demo.northwind
    with tenant_context(northwind):
        if not CatalogueItem.objects.exists():  # flushed by a transactional test
            build_order_rules()
    return demo


def api(demo, who: str):
    """That user's API client, one per test (a fresh client loads the middleware again)."""
    clients = demo.__dict__.setdefault("_clients", {})
    if who not in clients:
        clients[who] = demo.api(who)
    return clients[who]


def order_payload(demo, site: str = "frankfurt", **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": "Second internet line",
        "site": getattr(demo, site).pk,
        "lines": [{"service_type": "internet", "product": "Dedicated Internet Access", "bandwidth_mbps": 500}],
    }
    payload.update(fields)
    return payload


def place(demo, who: str = ALICE, site: str = "frankfurt", **fields: Any) -> dict[str, Any]:
    response = api(demo, who).post("/api/v1/orders/", order_payload(demo, site, **fields), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def act(demo, who: str, number: str, action: str, reason: str = ""):
    return api(demo, who).post(
        f"/api/v1/orders/{number}/transition/", {"action": action, "reason": reason}, format="json"
    )


def commit(demo, who: str, number: str, day: str = COMMITTED, reason: str = ""):
    return api(demo, who).post(
        f"/api/v1/orders/{number}/delivery-date/", {"date": day, "reason": reason}, format="json"
    )


# How the desk brings a new order to each status.
PATHS: dict[str, list[tuple[str, str]]] = {
    "received": [],
    "validated": [("validate", "")],
    "customer_coordination": [("validate", ""), ("start_coordination", "")],
    "delivery": [("validate", ""), ("start_coordination", ""), ("commit", ""), ("start_delivery", "")],
    "configuration": [
        ("validate", ""), ("start_coordination", ""), ("commit", ""), ("start_delivery", ""),
        ("start_configuration", ""),
    ],
    "commissioning": [
        ("validate", ""), ("start_coordination", ""), ("commit", ""), ("start_delivery", ""),
        ("start_configuration", ""), ("start_commissioning", ""),
    ],
    "handed_over": [
        ("validate", ""), ("start_coordination", ""), ("commit", ""), ("start_delivery", ""),
        ("start_configuration", ""), ("start_commissioning", ""), ("hand_over", ""),
    ],
    "billing_started": [
        ("validate", ""), ("start_coordination", ""), ("commit", ""), ("start_delivery", ""),
        ("start_configuration", ""), ("start_commissioning", ""), ("hand_over", ""), ("start_billing", ""),
    ],
    "on_hold": [("validate", ""), ("start_coordination", ""), ("hold", "The customer's building is closed.")],
    "cancelled": [("cancel", "Ordered twice.")],
}  # fmt: skip


def walk(demo, number: str, steps: list[tuple[str, str]], who: str = MANAGER) -> None:
    """Take these (action, reason) steps through the services ("commit" confirms COMMITTED)."""
    actor = demo.user(who)
    with tenant_context(actor.tenant_id):
        order = Order.objects.get(number=number)
        for action, reason in steps:
            if action == "commit":
                order = confirm_delivery_date(order=order, actor=actor, day=dt.date.fromisoformat(COMMITTED))
            else:
                order = transition_order(order=order, actor=actor, action=action, reason=reason)


def advance(demo, number: str, status: str, who: str = MANAGER) -> None:
    """Bring a new order to ``status`` (the API is what the tests exercise; this is set-up)."""
    walk(demo, number, PATHS[status], who)


def order_in(demo, status: str, who: str = ALICE, site: str = "frankfurt", **fields: Any) -> str:
    number = place(demo, who, site, **fields)["number"]
    advance(demo, number, status)
    return number

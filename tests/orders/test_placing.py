"""Placing an order and changing its details: per-tenant numbers, what customers and the desk
may set, structured 400s naming each bad field, optimistic concurrency."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Order, OrderEvent, OrderLine, OrderStep, Supplier
from servicedesk.tenancy import tenant_context
from tests.orders.conftest import (
    AGENT,
    ALICE,
    BLUEPEAK_AGENT,
    BOB,
    DAVE,
    MANAGER,
    NOW,
    advance,
    api,
    order_in,
    order_payload,
    place,
)


@pytest.mark.django_db
def test_a_customer_places_an_order_that_is_received_with_its_number_and_steps(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    body = place(desk, ALICE, customer_reference="ACME-PO-7781")
    assert body["number"] == "ORD-000001"
    assert (body["kind"], body["status"], body["version"]) == ("standard", "received", 1)
    assert body["account"] == {"id": desk.acme.pk, "name": "Acme Logistics GmbH"}
    assert body["site"] == {"id": desk.frankfurt.pk, "name": "Frankfurt"}
    assert (body["supplier"], body["order_manager"], body["customer_reference"]) == (None, None, "ACME-PO-7781")
    assert body["lines"] == [
        {
            "id": body["lines"][0]["id"], "position": 1, "action": "provide",
            "site": {"id": desk.frankfurt.pk, "name": "Frankfurt"},
            "service_type": {"code": "internet", "name": "Internet"}, "product": "Dedicated Internet Access",
            "product_area": None, "bandwidth_mbps": 500, "service": None, "service_id": "", "circuit_id": "",
        }
    ]  # fmt: skip
    assert body["created_at"] == NOW
    assert [step["step"] for step in body["steps"]] == list(Order.STEPS)
    assert (body["confirmation_due_on"], body["estimated_delivery_on"], body["late_confirmation"]) == (
        None,
        None,
        False,
    )


@pytest.mark.django_db
def test_numbers_are_per_tenant_and_sequential(desk):
    assert [place(desk, ALICE)["number"] for _ in range(2)] == ["ORD-000001", "ORD-000002"]
    carol_order = api(desk, BLUEPEAK_AGENT).post(
        "/api/v1/orders/",
        order_payload(desk, "barcelona", lines=[{"service_type": "vpn", "product": "VPN"}]),
        format="json",
    )
    assert carol_order.json()["number"] == "ORD-000001"


@pytest.mark.django_db
def test_the_desk_places_any_kind_with_supplier_and_order_manager(desk):
    with tenant_context(desk.northwind):
        supplier = Supplier.objects.get(name="Meseta Access S.L.")
    manager = desk.user(MANAGER)
    body = place(
        desk, AGENT, "madrid", kind="leased_line", supplier=supplier.pk, order_manager=manager.pk,
        lines=[
            {"service_type": "access-line", "product": "Ethernet access", "bandwidth_mbps": 1000},
            {"service": "NW-MPLS-2001", "product": "MPLS IP-VPN", "bandwidth_mbps": 100},
        ],
    )  # fmt: skip
    assert body["supplier"] == {"id": supplier.pk, "name": "Meseta Access S.L."}
    assert body["order_manager"] == {"id": manager.pk, "name": "Markus Weber"}
    assert [(line["action"], line["service"]) for line in body["lines"]] == [
        ("provide", None),
        ("modify", {"service_id": "NW-MPLS-2001", "name": "MPLS IP-VPN"}),
    ]
    # A line that changes a service takes its type and site from it.
    assert body["lines"][1]["service_type"]["code"] == "mpls"
    assert place(desk, AGENT)["order_manager"]["name"] == "Lena Fischer"  # default: the staff creator


@pytest.mark.django_db
def test_an_order_may_cover_several_sites_of_one_account(desk):
    body = place(desk, ALICE, lines=[
        {"service_type": "mpls", "product": "MPLS IP-VPN", "bandwidth_mbps": 200},
        {"service_type": "mpls", "product": "MPLS IP-VPN", "bandwidth_mbps": 200, "site": desk.madrid.pk},
    ])  # fmt: skip
    assert [line["site"]["name"] for line in body["lines"]] == ["Frankfurt", "Madrid"]


INVALID = [
    (ALICE, lambda d: {"title": ""}, {"title": ["This field may not be blank."]}),
    (ALICE, lambda d: {"lines": []}, {"lines": ["Order at least one service."]}),
    (ALICE, lambda d: {"kind": "automated"}, {"kind": ["Automated and leased-line orders are placed by the desk."]}),
    (ALICE, lambda d: {"supplier": 1, "order_manager": 1},
     {"supplier": ["The desk chooses the supplier."], "order_manager": ["The desk assigns the order manager."]}),
    (ALICE, lambda d: {"lines": [{"service_type": "teleport", "product": "Beam"}]},
     {"lines.0.service_type": ["Choose a service type (e.g. mpls, internet, voice)."]}),
    (ALICE, lambda d: {"lines": [{"service_type": "internet", "product": "DIA", "bandwidth_mbps": 0}]},
     {"lines": {"0": {"bandwidth_mbps": ["Ensure this value is greater than or equal to 1."]}}}),
    (ALICE, lambda d: {"lines": [{"service": "NW-INET-3001", "product": "Upgrade"}]},
     {"lines.0.service": ["There is no service NW-INET-3001."]}),  # Globex's
    (ALICE, lambda d: {"lines": [{"service": "NW-MPLS-2001", "site": d.frankfurt.pk}]},
     {"lines.0.site": ["The service is at another site."]}),  # a Madrid service
    (ALICE, lambda d: {"lines": [{"service_type": "mpls", "product": "MPLS", "site": d.london.pk}]},
     {"lines.0.site": ["There is no such site."]}),  # Globex's site
    (DAVE, lambda d: {}, {"site": ["No existe esa sede."]}),  # Frankfurt is not Dave's (who reads Spanish)
    (AGENT, lambda d: {"lines": [{"service_type": "mpls", "product": "MPLS", "site": d.london.pk}]},
     {"lines.0.site": ["Every site of an order belongs to the same customer account."]}),
    (AGENT, lambda d: {"account": d.globex.pk}, {"account": ["The site belongs to another customer account."]}),
    (AGENT, lambda d: {"order_manager": d.user(ALICE).pk},
     {"order_manager": ["The order manager is an agent or manager of this desk."]}),
    (AGENT, lambda d: {"site": d.barcelona.pk}, {"site": ["There is no such site."]}),  # another tenant's
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "fields", "errors"), INVALID)
def test_invalid_orders_are_refused_naming_each_bad_field_and_nothing_is_written(desk, who, fields, errors):
    response = api(desk, who).post("/api/v1/orders/", {**order_payload(desk), **fields(desk)}, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    with tenant_context(desk.northwind):
        assert not Order.objects.exists()
        assert not OrderLine.objects.exists()


@pytest.mark.django_db
def test_the_desk_plans_steps_and_gives_lines_their_ids_with_a_timeline_entry_each(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    body = place(desk, ALICE)
    number, line = body["number"], body["lines"][0]["id"]
    changes = {
        "version": 1,
        "planned": {"delivery": "2026-12-07", "configuration": "2026-12-10"},
        "lines": [{"id": line, "service_id": "NW-INET-1010", "circuit_id": "FRA-DIA-40977"}],
    }
    updated = api(desk, AGENT).patch(f"/api/v1/orders/{number}/", changes, format="json")
    assert updated.status_code == 200, updated.json()
    body = updated.json()
    assert body["version"] == 2
    assert {s["step"]: s["planned_on"] for s in body["steps"]}["configuration"] == "2026-12-10"
    assert (body["lines"][0]["service_id"], body["lines"][0]["circuit_id"]) == ("NW-INET-1010", "FRA-DIA-40977")
    with tenant_context(desk.northwind):
        events = set(OrderEvent.objects.filter(order__number=number, kind__in=["planned", "field_changed"]).values_list(
            "field", "to_value"
        ))  # fmt: skip
    assert events == {
        ("delivery", "2026-12-07"), ("configuration", "2026-12-10"), ("lines.1.service_id", "NW-INET-1010"),
        ("lines.1.circuit_id", "FRA-DIA-40977"),
    }  # fmt: skip


@pytest.mark.django_db
def test_a_stale_version_is_refused_and_nothing_changes(desk):
    number = place(desk, ALICE)["number"]
    assert (
        api(desk, AGENT).patch(f"/api/v1/orders/{number}/", {"version": 1, "title": "A"}, format="json").status_code
        == 200
    )
    stale = api(desk, MANAGER).patch(f"/api/v1/orders/{number}/", {"version": 1, "title": "B"}, format="json")
    assert stale.status_code == 409
    assert stale.json() == {
        "detail": "Someone else changed this order after you loaded it. Reload it and apply your change again.",
        "code": "stale_version",
        "current_version": 2,
    }
    with tenant_context(desk.northwind):
        assert Order.objects.get(number=number).title == "A"


@pytest.mark.django_db
def test_a_customer_changes_only_their_reference(desk):
    number = place(desk, ALICE)["number"]
    refused = api(desk, ALICE).patch(f"/api/v1/orders/{number}/", {"version": 1, "title": "Cheaper"}, format="json")
    assert (refused.status_code, refused.json()["detail"]) == (403, "You cannot change: title.")
    ok = api(desk, ALICE).patch(
        f"/api/v1/orders/{number}/", {"version": 1, "customer_reference": "PO-1"}, format="json"
    )
    assert ok.json()["customer_reference"] == "PO-1"


@pytest.mark.django_db
def test_a_service_id_already_in_the_inventory_is_refused(desk):
    body = place(desk, ALICE)
    response = api(desk, AGENT).patch(
        f"/api/v1/orders/{body['number']}/",
        {"version": 1, "lines": [{"id": body["lines"][0]["id"], "service_id": "NW-MPLS-1001"}]},
        format="json",
    )
    assert (response.status_code, response.json()) == (
        400,
        {"lines.0.service_id": ["The service ID NW-MPLS-1001 is taken."]},
    )


@pytest.mark.django_db
def test_a_new_supplier_after_confirmation_re_estimates_the_delivery(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    body = place(
        desk, AGENT, "madrid", lines=[{"service_type": "access-line", "product": "Access", "bandwidth_mbps": 50}]
    )
    number = body["number"]
    validated = api(desk, AGENT).post(f"/api/v1/orders/{number}/transition/", {"action": "validate"}, format="json")
    # ES ≤100 Mbit/s: 25 business days; Madrid is closed on 7 and 8 December and on Christmas Day.
    assert validated.json()["estimated_delivery_on"] == "2026-12-28"
    with tenant_context(desk.northwind):
        meseta = Supplier.objects.get(name="Meseta Access S.L.")
    patched = api(desk, AGENT).patch(
        f"/api/v1/orders/{number}/", {"version": validated.json()["version"], "supplier": meseta.pk}, format="json"
    )
    # Meseta's own lead time: 45 business days (also closed on New Year's Day and Epiphany).
    assert patched.json()["estimated_delivery_on"] == "2027-01-27"
    with tenant_context(desk.northwind):
        assert list(
            OrderEvent.objects.filter(order__number=number, field="estimated_delivery_on").values_list(
                "from_value", "to_value"
            )
        ) == [("2026-12-28", "2027-01-27")]


@pytest.mark.django_db
def test_a_delivered_order_cannot_be_changed(desk):
    number = order_in(desk, "handed_over")
    with tenant_context(desk.northwind):
        version = Order.objects.get(number=number).version
    response = api(desk, AGENT).patch(f"/api/v1/orders/{number}/", {"version": version, "notes": "x"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "order_closed")
    with tenant_context(desk.northwind):
        assert OrderStep.objects.filter(order__number=number).count() == len(Order.STEPS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("", ["ORD-000004", "ORD-000003", "ORD-000002", "ORD-000001"]),
        ("?status=validated,cancelled", ["ORD-000003", "ORD-000002"]),
        ("?kind=icb", ["ORD-000002"]),
        ("?site=madrid", ["ORD-000004"]),
        ("?account=globex", []),
        ("?site=not-a-number", []),
    ],
)
def test_the_list_filters(desk, query, numbers):
    place(desk, ALICE)
    advance(desk, place(desk, ALICE, kind="icb")["number"], "validated")
    advance(desk, place(desk, ALICE)["number"], "cancelled")
    place(desk, ALICE, "madrid")
    query = query.replace("madrid", str(desk.madrid.pk)).replace("globex", str(desk.globex.pk))
    body = api(desk, AGENT).get(f"/api/v1/orders/{query}").json()
    assert [order["number"] for order in body["results"]] == numbers


@pytest.mark.django_db
def test_a_customer_lists_only_the_accounts_orders(desk):
    place(desk, ALICE)
    place(desk, AGENT, "london")
    assert [o["site"]["name"] for o in api(desk, BOB).get("/api/v1/orders/").json()["results"]] == ["London"]
    assert [o["site"]["name"] for o in api(desk, ALICE).get("/api/v1/orders/").json()["results"]] == ["Frankfurt"]


@pytest.mark.django_db
def test_listing_orders_costs_the_same_queries_for_one_order_or_many(desk):
    client = api(desk, AGENT)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/orders/").status_code == 200
        return len(captured)

    place(desk, ALICE, lines=[{"service_type": "internet", "product": "DIA", "bandwidth_mbps": 100}])
    queries()  # the token's first use records it
    one = queries()
    for status in ("validated", "commissioning", "on_hold"):
        advance(desk, place(desk, ALICE, "madrid")["number"], status)
    place(desk, BOB, "london", lines=[{"service_type": "voice", "product": "SIP"}, {"service": "NW-INET-3001"}])
    assert queries() == one  # the token, the orders, their lines, their steps (and the savepoint)

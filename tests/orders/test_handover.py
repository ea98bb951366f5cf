"""Handover creates or changes the customer's inventory, in the handover's transaction: the
services, with their IDs, circuit IDs and a contract from that day, are in the customer's
inventory the moment the order is handed over."""

import pytest

from orders.models import Contract, Order, OrderEvent, Service
from servicedesk.tenancy import tenant_context
from tests.orders.conftest import AGENT, ALICE, BOB, DAVE, MANAGER, act, advance, api, place


def _to_commissioning(desk, who=ALICE, site="frankfurt", **fields):
    body = place(desk, who, site, **fields)
    advance(desk, body["number"], "commissioning")
    return body


def _inventory(desk, who):
    return {s["service_id"]: s for s in api(desk, who).get("/api/v1/services/").json()["results"]}


@pytest.mark.django_db
def test_handover_puts_the_new_services_into_the_customers_inventory_at_once(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    body = _to_commissioning(desk, lines=[
        {"service_type": "internet", "product": "Dedicated Internet Access", "bandwidth_mbps": 1000},
        {"service_type": "cpe", "product": "Edge router ER-4400", "site": desk.madrid.pk},
    ])  # fmt: skip
    number, first = body["number"], body["lines"][0]["id"]
    api(desk, AGENT).patch(
        f"/api/v1/orders/{number}/",
        {"version": api(desk, AGENT).get(f"/api/v1/orders/{number}/").json()["version"],
         "lines": [{"id": first, "service_id": "NW-INET-1010", "circuit_id": "FRA-DIA-40977"}]},
        format="json",
    )  # fmt: skip
    assert "NW-INET-1010" not in _inventory(desk, ALICE)

    time_machine.move_to("2026-12-14T23:30:00Z", tick=False)  # already 15 December in Frankfurt and Madrid
    handed_over = act(desk, AGENT, number, "hand_over")
    assert handed_over.status_code == 200, handed_over.json()
    assert handed_over.json()["handed_over_at"] == "2026-12-14T23:30:00Z"
    assert [(line["service"], line["service_id"]) for line in handed_over.json()["lines"]] == [
        ({"service_id": "NW-INET-1010", "name": "Dedicated Internet Access"}, "NW-INET-1010"),
        ({"service_id": "SVC-000001", "name": "Edge router ER-4400"}, "SVC-000001"),
    ]

    inventory = _inventory(desk, ALICE)
    assert inventory["NW-INET-1010"] == {
        "service_id": "NW-INET-1010", "type": {"code": "internet", "name": "Internet"},
        "product": "Dedicated Internet Access", "product_area": None,
        "site": {"id": desk.frankfurt.pk, "name": "Frankfurt"}, "account": {"id": desk.acme.pk, "name": "Acme Logistics GmbH"},
        "circuit_id": "FRA-DIA-40977", "serial_number": "", "bandwidth": "1 Gbit/s", "status": "in_service",
        "entitled": True, "entitled_until": None, "contract_tier": "business_hours",
    }  # fmt: skip
    assert inventory["SVC-000001"]["site"]["name"] == "Madrid"
    assert "SVC-000001" in _inventory(desk, DAVE)  # Madrid
    assert "NW-INET-1010" not in _inventory(desk, DAVE)
    assert "NW-INET-1010" not in _inventory(desk, BOB)
    with tenant_context(desk.northwind):
        contracts = list(
            Contract.objects.filter(service__service_id__in=["NW-INET-1010", "SVC-000001"])
            .order_by("service__service_id")
            .values_list("service__service_id", "reference", "valid_from", "valid_until", "tier")
        )
        inventory_events = list(
            OrderEvent.objects.filter(order__number=number, kind="inventory").values_list("field", "to_value", "reason")
        )
    assert [(c[0], c[1], c[2].isoformat(), c[3], c[4]) for c in contracts] == [
        ("NW-INET-1010", number, "2026-12-15", None, "business_hours"),
        ("SVC-000001", number, "2026-12-15", None, "business_hours"),
    ]
    assert inventory_events == [
        ("NW-INET-1010", "Dedicated Internet Access 1 Gbit/s", "FRA-DIA-40977"),
        ("SVC-000001", "Edge router ER-4400", ""),
    ]


@pytest.mark.django_db
def test_a_ticket_can_be_opened_on_a_service_the_moment_it_is_handed_over(desk):
    number = _to_commissioning(desk)["number"]
    act(desk, AGENT, number, "hand_over")
    service_id = api(desk, ALICE).get(f"/api/v1/orders/{number}/").json()["lines"][0]["service"]["service_id"]
    assert api(desk, ALICE).get(f"/api/v1/services/{service_id}/").json()["entitled"] is True


@pytest.mark.django_db
def test_handover_changes_an_existing_service_and_keeps_its_contract(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    body = _to_commissioning(desk, AGENT, "london", lines=[
        {"service": "NW-INET-3001", "product": "Business Internet Plus", "bandwidth_mbps": 2000},
    ])  # fmt: skip
    with tenant_context(desk.northwind):
        contracts_before = list(
            Contract.objects.filter(service__service_id="NW-INET-3001").values_list("pk", flat=True)
        )
    assert act(desk, MANAGER, body["number"], "hand_over").status_code == 200
    service = _inventory(desk, BOB)["NW-INET-3001"]
    assert (service["product"], service["bandwidth"], service["circuit_id"]) == (
        "Business Internet Plus",
        "2 Gbit/s",
        "LON-BI-55120",
    )
    with tenant_context(desk.northwind):
        assert list(Contract.objects.filter(service__service_id="NW-INET-3001").values_list("pk", flat=True)) == (
            contracts_before
        )
        assert OrderEvent.objects.get(order__number=body["number"], kind="inventory").from_value == (
            "Business Internet 500 Mbit/s"
        )


@pytest.mark.django_db
def test_a_service_whose_contract_expired_gets_a_new_one_at_handover(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    body = _to_commissioning(
        desk, AGENT, "madrid", lines=[{"service": "NW-VOICE-2003", "product": "Voice line bundle"}]
    )
    assert api(desk, ALICE).get("/api/v1/services/NW-VOICE-2003/").json()["entitled"] is False
    act(desk, AGENT, body["number"], "hand_over")
    assert api(desk, ALICE).get("/api/v1/services/NW-VOICE-2003/").json()["entitled"] is True


@pytest.mark.django_db
def test_a_service_id_taken_since_it_was_planned_stops_the_handover_and_nothing_changes(desk):
    body = _to_commissioning(desk)
    number = body["number"]
    version = api(desk, AGENT).get(f"/api/v1/orders/{number}/").json()["version"]
    api(desk, AGENT).patch(
        f"/api/v1/orders/{number}/",
        {"version": version, "lines": [{"id": body["lines"][0]["id"], "service_id": "NW-INET-1011"}]},
        format="json",
    )
    with tenant_context(desk.northwind):
        Service.objects.create(
            tenant=desk.northwind, service_id="NW-INET-1011", service_type_id=Service.objects.first().service_type_id,
            product="Something else", account=desk.acme, site=desk.frankfurt,
        )  # fmt: skip
    response = act(desk, AGENT, number, "hand_over")
    assert (response.status_code, response.json()["code"]) == (409, "service_id_taken")
    with tenant_context(desk.northwind):
        assert Order.objects.get(number=number).status == "commissioning"
        assert Service.objects.get(service_id="NW-INET-1011").product == "Something else"
        assert not OrderEvent.objects.filter(order__number=number, kind="inventory").exists()


@pytest.mark.django_db
def test_billing_starts_on_the_sites_date_after_handover(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    number = _to_commissioning(desk)["number"]
    act(desk, AGENT, number, "hand_over")
    time_machine.move_to("2026-11-30T23:15:00Z", tick=False)  # 1 December in Frankfurt
    body = act(desk, MANAGER, number, "start_billing").json()
    assert (body["status"], body["billing_started_on"]) == ("billing_started", "2026-12-01")

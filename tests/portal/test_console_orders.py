"""The console's order workspace: an order moved through its steps on the version read, the
committed delivery date (warned when confirmed late), the plan, the handover that puts the
services into the customer's inventory; simple service requests completed and change
requests quoted. The other tenant's agents and customers reach none of it (404) and change
nothing."""

import datetime as dt
import re

import pytest
from django.test import Client

from orders.models import CatalogueItem, ChangeRequest, Order, OrderEvent, OrderStep, Service, SimpleServiceRequest
from servicedesk.tenancy import tenant_context
from tests.factories.world import build_order_rules
from tests.orders.conftest import AGENT, ALICE, BLUEPEAK_AGENT, advance, api, place

NOW = "2026-11-18T09:00:00Z"  # a Wednesday


@pytest.fixture
def desk(demo):
    with tenant_context(demo.northwind):
        if not CatalogueItem.objects.exists():
            build_order_rules()
    return demo


def _client(demo, email):
    client = Client()
    client.force_login(demo.user(email))
    return client


def _order(demo, number):
    with tenant_context(demo.northwind):
        return Order.objects.get(number=number)


def _step(client, number, action, version, reason=""):
    return client.post(f"/console/orders/{number}/step/", {"action": action, "version": version, "reason": reason})


def _walk(client, demo, number, actions):
    for action in actions:
        response = _step(client, number, action, _order(demo, number).version)
        assert response.status_code == 302, response.content.decode()


@pytest.mark.django_db
def test_the_agent_moves_an_order_to_handover_and_the_service_is_in_the_inventory(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = place(desk, lines=[{"service_type": "internet", "product": "Dedicated Internet Access",
                                 "bandwidth_mbps": 500, "site": desk.frankfurt.pk}])["number"]  # fmt: skip
    client = _client(desk, AGENT)
    page = client.get(f"/console/orders/{number}/").content.decode()
    assert '<option value="validate"' in page
    _walk(client, desk, number, ["validate", "start_coordination"])
    refused = _step(client, number, "start_delivery", _order(desk, number).version)
    assert refused.status_code == 409
    assert "Confirm the exact delivery date with the customer first." in refused.content.decode()
    response = client.post(
        f"/console/orders/{number}/delivery-date/", {"date": "2026-12-15", "version": _order(desk, number).version}
    )
    assert response.status_code == 302
    _walk(client, desk, number, ["start_delivery", "start_configuration", "start_commissioning"])
    time_machine.move_to("2026-12-15T09:00:00Z", tick=False)
    client = _client(desk, AGENT)  # signed in again: the session of November has expired
    response = _step(client, number, "hand_over", _order(desk, number).version)
    assert response["Location"] == f"/console/orders/{number}/"
    order = _order(desk, number)
    assert order.status == Order.Status.HANDED_OVER
    with tenant_context(desk.northwind):
        steps = {step.step: step for step in OrderStep.objects.filter(order=order)}
        service = Service.objects.get(
            account=desk.acme, product="Dedicated Internet Access", created_at=order.handed_over_at
        )
    assert steps["handed_over"].actual_at == order.handed_over_at
    assert steps["handed_over"].planned_on == dt.date(2026, 12, 15)
    page = client.get(response["Location"]).content.decode()
    assert f"In the customer&#x27;s inventory now: {service.service_id}." in page
    inventory = {row["service_id"] for row in api(desk, ALICE).get("/api/v1/services/").json()["results"]}
    assert service.service_id in inventory


@pytest.mark.django_db
def test_a_step_on_a_stale_version_is_refused_and_nothing_moves(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = place(desk)["number"]
    client = _client(desk, AGENT)
    stale = _order(desk, number).version
    _walk(client, desk, number, ["validate"])
    before = _order(desk, number)
    response = _step(client, number, "start_coordination", stale, reason="kept text")
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this order" in page
    assert "kept text</textarea>" in page
    assert f'name="version" value="{before.version}"' in page
    after = _order(desk, number)
    assert (after.status, after.version) == (before.status, before.version)


@pytest.mark.django_db
def test_holding_needs_a_reason_next_to_the_field(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = place(desk)["number"]
    client = _client(desk, AGENT)
    _walk(client, desk, number, ["validate"])
    response = _step(client, number, "hold", _order(desk, number).version)
    assert response.status_code == 400
    page = response.content.decode()
    assert "data-error-summary" in page
    assert re.search(r'id="step_reason".*?Say why; the customer sees it\.', page, re.S)
    assert _order(desk, number).status == Order.Status.VALIDATED


@pytest.mark.django_db
def test_a_date_confirmed_after_the_deadline_is_warned_and_recorded(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = place(desk)["number"]
    advance(desk, number, "validated")
    due = _order(desk, number).confirmation_due_on
    client = _client(desk, AGENT)
    assert "has passed" not in client.get(f"/console/orders/{number}/").content.decode()
    time_machine.move_to(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC), tick=False)
    client = _client(desk, AGENT)
    page = client.get(f"/console/orders/{number}/").content.decode()
    assert 'id="confirmation-late"' in page
    response = client.post(
        f"/console/orders/{number}/delivery-date/",
        {"date": "2027-03-16", "version": _order(desk, number).version},
        follow=True,
    )
    assert f"after the deadline of {due:%d/%m/%Y}" in response.content.decode()
    order = _order(desk, number)
    assert order.committed_delivery_on == dt.date(2027, 3, 16)
    with tenant_context(desk.northwind):
        line = OrderEvent.objects.filter(order=order).last()
    assert (line.reason, line.params["late_after"]) == ("", due.isoformat())


@pytest.mark.django_db
def test_a_bad_delivery_date_is_named_next_to_the_field_and_kept(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = place(desk)["number"]
    advance(desk, number, "validated")
    client = _client(desk, AGENT)
    version = _order(desk, number).version
    response = client.post(f"/console/orders/{number}/delivery-date/", {"date": "2026-12-19", "version": version})
    assert response.status_code == 400
    page = response.content.decode()
    assert "2026-12-19 is not a business day at Frankfurt." in page
    assert 'value="2026-12-19"' in page
    response = client.post(f"/console/orders/{number}/delivery-date/", {"date": "soon", "version": version})
    assert response.status_code == 400
    assert 'href="#committed_date"' in response.content.decode()
    assert _order(desk, number).committed_delivery_on is None


@pytest.mark.django_db
def test_the_plan_saves_planned_dates_and_names_a_taken_service_id(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    body = place(desk)
    number, line = body["number"], body["lines"][0]["id"]
    client = _client(desk, AGENT)
    version = _order(desk, number).version
    response = client.post(
        f"/console/orders/{number}/plan/",
        {"version": version, "planned_delivery": "2026-12-01", f"service_id_{line}": "NW-INET-2020",
         f"circuit_id_{line}": "FRA-1"},
    )  # fmt: skip
    assert response.status_code == 302
    with tenant_context(desk.northwind):
        assert OrderStep.objects.get(order__number=number, step="delivery").planned_on == dt.date(2026, 12, 1)
        taken = Service.objects.filter(account=desk.acme).values_list("service_id", flat=True).first()
    response = client.post(
        f"/console/orders/{number}/plan/", {"version": _order(desk, number).version, f"service_id_{line}": taken}
    )
    assert response.status_code == 400
    assert re.search(
        rf'id="plan_service_id_{line}".*?The service ID {taken} is taken\.', response.content.decode(), re.S
    )


@pytest.mark.django_db
@pytest.mark.parametrize("email", [BLUEPEAK_AGENT, ALICE])
def test_outsiders_reach_nothing_of_an_order(desk, time_machine, email):
    time_machine.move_to(NOW, tick=False)
    number = place(desk)["number"]
    before = _order(desk, number)
    client = _client(desk, email)
    assert client.get(f"/console/orders/{number}/").status_code == 404
    for path, data in (
        ("step", {"action": "validate", "version": before.version}),
        ("delivery-date", {"date": "2026-12-15", "version": before.version}),
        ("plan", {"version": before.version, "planned_delivery": "2026-12-01"}),
    ):
        assert client.post(f"/console/orders/{number}/{path}/", data).status_code == 404, path
    after = _order(desk, number)
    assert (after.status, after.version) == (before.status, before.version)


# --- simple service requests ----------------------------------------------------------------------


def _ssr(desk):
    response = api(desk, ALICE).post(
        "/api/v1/ssrs/",
        {"item": "cpe-reboot", "site": desk.frankfurt.pk, "requested_start": "2026-11-23T08:00:00Z"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["ssr_id"]


@pytest.mark.django_db
def test_the_desk_completes_a_request_on_its_page(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = _ssr(desk)
    client = _client(desk, AGENT)
    assert number in client.get("/console/orders/ssrs/").content.decode()
    time_machine.move_to("2026-11-23T10:00:00Z", tick=False)
    client = _client(desk, AGENT)
    response = client.post(f"/console/orders/ssrs/{number}/complete/", {"price": "60.00", "note": ""})
    assert response.status_code == 400
    assert re.search(
        r'id="complete_note".*?Say why the price differs from the quote\.', response.content.decode(), re.S
    )
    assert 'value="60.00"' in response.content.decode()
    response = client.post(f"/console/orders/ssrs/{number}/complete/", {"price": "60.00", "note": "Two routers."})
    assert response.status_code == 302
    with tenant_context(desk.northwind):
        ssr = SimpleServiceRequest.objects.get(number=number)
    assert (ssr.status, str(ssr.price), ssr.completion_note) == ("completed", "60.00", "Two routers.")
    again = client.post(f"/console/orders/ssrs/{number}/complete/", {})
    assert again.status_code == 409


@pytest.mark.django_db
@pytest.mark.parametrize("email", [BLUEPEAK_AGENT, ALICE])
def test_outsiders_reach_no_request_page(desk, time_machine, email):
    time_machine.move_to(NOW, tick=False)
    number = _ssr(desk)
    time_machine.move_to("2026-11-23T10:00:00Z", tick=False)
    client = _client(desk, email)
    assert number not in client.get("/console/orders/ssrs/").content.decode()
    assert client.get(f"/console/orders/ssrs/{number}/").status_code == 404
    assert client.post(f"/console/orders/ssrs/{number}/complete/", {}).status_code == 404
    assert client.post(f"/console/orders/ssrs/{number}/cancel/", {"reason": "x"}).status_code == 404
    with tenant_context(desk.northwind):
        assert SimpleServiceRequest.objects.get(number=number).status == "confirmed"


# --- change requests ------------------------------------------------------------------------------


def _change(desk):
    response = api(desk, ALICE).post(
        "/api/v1/change-requests/",
        {"title": "Move the VSAT antenna", "description": "The roof is renovated.", "service": "NW-SAT-2002"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["number"]


def _change_row(desk, number):
    with tenant_context(desk.northwind):
        return ChangeRequest.objects.get(number=number)


QUOTE = {"cost": "1450.00", "currency": "eur", "planned_start": "2026-12-12T08:00", "planned_end": "2026-12-12T12:00",
         "note": "Crane and two technicians."}  # fmt: skip


@pytest.mark.django_db
def test_the_desk_quotes_a_change_request_and_the_customer_may_then_accept(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = _change(desk)
    client = _client(desk, AGENT)
    assert number in client.get("/console/orders/changes/").content.decode()
    response = client.post(f"/console/orders/changes/{number}/quote/", {**QUOTE, "version": 1})
    assert response.status_code == 302
    change = _change_row(desk, number)
    assert (change.status, str(change.quoted_cost), change.currency) == ("quoted", "1450.00", "EUR")
    assert api(desk, ALICE).get(f"/api/v1/change-requests/{number}/").json()["actions"] == ["accept", "decline"]


@pytest.mark.django_db
def test_a_bad_or_stale_quote_is_refused_with_the_input_kept(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = _change(desk)
    client = _client(desk, AGENT)
    response = client.post(f"/console/orders/changes/{number}/quote/", {**QUOTE, "cost": "lots", "version": 1})
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'id="quote_cost".*?Give the cost as a number, zero or more\.', page, re.S)
    assert 'value="lots"' in page
    assert client.post(f"/console/orders/changes/{number}/quote/", {**QUOTE, "version": 1}).status_code == 302
    before = _change_row(desk, number)
    response = client.post(f"/console/orders/changes/{number}/quote/", {**QUOTE, "cost": "99", "version": 1})
    assert response.status_code == 409
    assert "Someone else changed this change request" in response.content.decode()
    after = _change_row(desk, number)
    assert (after.version, after.quoted_cost) == (before.version, before.quoted_cost)


@pytest.mark.django_db
@pytest.mark.parametrize("email", [BLUEPEAK_AGENT, ALICE])
def test_outsiders_reach_no_change_request_page(desk, time_machine, email):
    time_machine.move_to(NOW, tick=False)
    number = _change(desk)
    client = _client(desk, email)
    assert client.get(f"/console/orders/changes/{number}/").status_code == 404
    assert client.post(f"/console/orders/changes/{number}/quote/", {**QUOTE, "version": 1}).status_code == 404
    assert client.post(f"/console/orders/changes/{number}/action/", {"action": "cancel", "reason": "x",
                                                                      "version": 1}).status_code == 404  # fmt: skip
    assert _change_row(desk, number).status == "planning"


@pytest.mark.django_db
def test_the_history_names_the_statuses_in_words(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = place(desk)["number"]
    client = _client(desk, AGENT)
    _walk(client, desk, number, ["validate"])
    page = client.get(f"/console/orders/{number}/").content.decode()
    assert "The order moved from the step “Received” to “Validated”." in page
    assert "The order was received (Standard)." in page
    assert "Received: Received" not in page
    assert "received → validated" not in page

"""The customer's requests pages: the SSR catalogue with prices, lead times and the earliest
start the rules allow, ordering from it (a start too early is refused next to the field with
the earliest allowed start in the reader's zone), change requests asked for, quoted by the
desk and accepted or declined, and the walls: dave (Acme, Madrid only) and bob (Globex) get a
404 for Acme's Frankfurt requests, and nothing changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client

from orders.models import ChangeRequest, SimpleServiceRequest
from orders.services.changes import ChangeDraft, open_change_request, quote_change_request
from orders.services.ssr import SsrDraft, submit_ssr
from servicedesk.models import Site, User
from servicedesk.tenancy import tenant_context
from tests.factories.world import build_order_rules

NOW = "2026-11-18T09:00:00Z"  # Wednesday, 10:00 in Frankfurt


@pytest.fixture
def world(demo, time_machine):
    time_machine.move_to(NOW, tick=False)
    build_order_rules()
    return demo


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def text(response) -> str:
    return unescape(response.content.decode())


def frankfurt(world) -> Site:
    with tenant_context(world.northwind):
        return Site.objects.get(name="Frankfurt")


def frankfurt_ssr(world) -> SimpleServiceRequest:
    alice = User.objects.get(email="alice@acme.example")
    with tenant_context(world.northwind):
        return submit_ssr(
            actor=alice,
            draft=SsrDraft(
                item="cpe-reboot", requested_start=dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC),
                site_id=frankfurt(world).pk,
            ),
        )  # fmt: skip


def frankfurt_change(world, *, quoted: bool = False) -> ChangeRequest:
    alice = User.objects.get(email="alice@acme.example")
    agent = User.objects.get(email="agent@northwind.example")
    with tenant_context(world.northwind):
        change = open_change_request(
            actor=alice,
            draft=ChangeDraft(title="Move the rack", description="To room 2.", site_id=frankfurt(world).pk),
        )
        if quoted:
            change = quote_change_request(
                change_request=change, actor=agent, cost=Decimal("1200"), currency="EUR",
                planned_start=dt.datetime(2026, 12, 3, 7, tzinfo=dt.UTC),
                planned_end=dt.datetime(2026, 12, 3, 11, tzinfo=dt.UTC), note="Two engineers, half a day.",
            )  # fmt: skip
        return change


@pytest.mark.django_db
def test_the_catalogue_shows_price_lead_time_and_the_earliest_start_per_site(world):
    page = text(signed_in("alice@acme.example").get("/portal/requests/catalogue/"))

    assert "Firewall rule change" in page
    assert "75.00 EUR" in page
    assert "72 business hours" in page
    # Wednesday 10:00 in Frankfurt + 48 business hours = Friday 10:00 (09:00 UTC); alice's zone is Berlin.
    assert 'datetime="2026-11-20T10:00:00+01:00"' in page
    assert "Work at weekends or on public holidays needs 5 days' notice." in page


@pytest.mark.django_db
def test_alice_orders_an_ssr_and_lands_on_its_page(world):
    alice = signed_in("alice@acme.example")
    response = alice.post(
        "/portal/requests/catalogue/port-config/",
        {
            "site": frankfurt(world).pk,
            "requested_start": "2026-11-24T10:00",
            "answer_port": "Gi0/3",
            "answer_vlan": "120",
        },
    )

    assert response.status_code == 302
    with tenant_context(world.northwind):
        ssr = SimpleServiceRequest.objects.get()
    assert ssr.requested_start == dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)  # 10:00 in Berlin
    assert ssr.answers == {"port": "Gi0/3", "vlan": 120.0}
    assert response["Location"] == f"/portal/requests/ssr/{ssr.number}/"
    page = text(alice.get(response["Location"]))
    assert f"Your request is confirmed with SSR ID {ssr.number}." in page
    assert "Gi0/3" in page


@pytest.mark.django_db
def test_a_start_too_early_is_refused_next_to_the_field_in_the_readers_zone(world):
    dave = signed_in("dave@acme.example")  # Madrid, Spanish
    with tenant_context(world.northwind):
        madrid = Site.objects.get(name="Madrid")

    response = dave.post(
        "/portal/requests/catalogue/port-config/",
        {"site": madrid.pk, "requested_start": "2026-11-18T15:00", "answer_port": "Gi0/1", "notes": "Urgente"},
    )

    assert response.status_code == 400
    page = text(response)
    assert "La hora de inicio más temprana permitida es 20/11/2026 10:00." in page
    assert "Z." not in page  # no UTC ISO instant
    assert 'value="Urgente"' not in page  # the notes are a textarea; what was typed is kept:
    assert "Urgente</textarea>" in page
    assert '<div class="form-errors" role="alert" tabindex="-1"' in page
    with tenant_context(world.northwind):
        assert SimpleServiceRequest.objects.count() == 0


@pytest.mark.django_db
def test_alice_accepts_a_quote(world):
    change = frankfurt_change(world, quoted=True)
    alice = signed_in("alice@acme.example")
    page = text(alice.get(f"/portal/requests/changes/{change.number}/"))
    assert "1200.00 EUR" in page
    assert "Two engineers, half a day." in page
    assert "The desk stated the cost, 1,200.00 EUR, and the planned window, " in page

    response = alice.post(f"/portal/requests/changes/{change.number}/decide/", {"action": "accept"})

    assert response.status_code == 302
    with tenant_context(world.northwind):
        assert ChangeRequest.objects.get(pk=change.pk).status == ChangeRequest.Status.ACCEPTED
    assert "The quote was accepted." in text(alice.get(response["Location"]))


@pytest.mark.django_db
def test_declining_needs_a_reason_next_to_the_field(world):
    change = frankfurt_change(world, quoted=True)
    response = signed_in("alice@acme.example").post(
        f"/portal/requests/changes/{change.number}/decide/", {"action": "decline", "reason": ""}
    )

    assert response.status_code == 400
    assert 'aria-describedby="id_reason_errors"' in response.content.decode()
    with tenant_context(world.northwind):
        assert ChangeRequest.objects.get(pk=change.pk).status == ChangeRequest.Status.QUOTED


@pytest.mark.django_db
def test_alice_asks_for_a_change(world):
    alice = signed_in("alice@acme.example")
    refused = alice.post("/portal/requests/changes/new/", {"title": "", "description": "", "site": ""})
    done = alice.post(
        "/portal/requests/changes/new/",
        {"title": "Move the antenna", "description": "Two metres to the east.", "site": frankfurt(world).pk},
    )

    assert refused.status_code == 400
    assert "Give a short title of at most 200 characters." in text(refused)
    assert done.status_code == 302
    with tenant_context(world.northwind):
        change = ChangeRequest.objects.get()
    assert change.status == ChangeRequest.Status.PLANNING
    assert change.number in text(alice.get("/portal/requests/"))


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["dave@acme.example", "bob@globex.example", "carol@initech.example"])
def test_outsiders_get_404_for_acme_frankfurt_requests_and_change_nothing(world, email):
    ssr = frankfurt_ssr(world)
    change = frankfurt_change(world, quoted=True)
    client = signed_in(email)

    responses = [
        client.get(f"/portal/requests/ssr/{ssr.number}/"),
        client.post(f"/portal/requests/ssr/{ssr.number}/cancel/", {"reason": "No."}),
        client.get(f"/portal/requests/changes/{change.number}/"),
        client.post(f"/portal/requests/changes/{change.number}/decide/", {"action": "accept"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    with tenant_context(world.northwind):
        assert SimpleServiceRequest.objects.get(pk=ssr.pk).status == SimpleServiceRequest.Status.CONFIRMED
        assert ChangeRequest.objects.get(pk=change.pk).status == ChangeRequest.Status.QUOTED
    # Nor do they see them listed.
    assert ssr.number not in text(client.get("/portal/requests/?show=all"))


@pytest.mark.django_db
def test_staff_have_no_customer_requests_pages(world):
    agent = signed_in("agent@northwind.example")
    assert agent.get("/portal/requests/").status_code == 404
    assert agent.get("/portal/requests/catalogue/").status_code == 404

"""``Idempotency-Key`` on the creating POSTs: a request sent again with its key gets the first
answer back and creates nothing twice (servicedesk/idempotency.py)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from orders.models import CatalogueItem, Order, SimpleServiceRequest
from servicedesk.api_auth import issue_token
from servicedesk.db.aliases import SYSTEM_DB
from servicedesk.models import IdempotencyKey, Tenant, User
from servicedesk.tenancy import tenant_context
from tests.conftest import seed_world
from tests.factories.world import build_order_rules
from tests.orders.conftest import order_payload
from tests.tickets.conftest import INCIDENT
from tickets.models import Comment, Ticket

ALICE = "alice@acme.example"
DAVE = "dave@acme.example"
CAROL = "carol@initech.example"
KEY = "3f1c9a52-0d4e-4a8e-9a57-6c1f0b7e2d11"


def _count(demo, model, tenant=None) -> int:
    with tenant_context(tenant or demo.northwind):
        return model.objects.count()


def _open(client, key: str | None = KEY, **fields):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post("/api/v1/tickets/", {**INCIDENT, **fields}, format="json", **headers)


@pytest.mark.django_db
def test_a_ticket_sent_twice_with_its_key_is_opened_once_and_the_first_answer_comes_back(demo):
    client = demo.api(ALICE)
    first = _open(client)
    again = _open(client)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert _count(demo, Ticket) == 1


@pytest.mark.django_db
def test_without_a_key_each_request_creates(demo):
    client = demo.api(ALICE)
    assert _open(client, key=None).status_code == 201
    assert _open(client, key=None).status_code == 201
    assert _count(demo, Ticket) == 2


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_422_and_creates_nothing(demo):
    client = demo.api(ALICE)
    assert _open(client).status_code == 201
    other = _open(client, subject="Another outage")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert _count(demo, Ticket) == 1


@pytest.mark.django_db
def test_a_refused_request_leaves_its_key_free_for_the_corrected_one(demo):
    client = demo.api(ALICE)
    refused = _open(client, impact="sideways")
    assert refused.status_code == 400
    assert _count(demo, IdempotencyKey) == 0
    assert _open(client).status_code == 201
    assert _count(demo, Ticket) == 1


@pytest.mark.django_db
def test_keys_are_each_users_own(demo):
    # dave sends the same key for a Madrid incident: a request of his, not a replay of alice's.
    assert _open(demo.api(ALICE)).status_code == 201
    madrid = _open(demo.api(DAVE), service="NW-MPLS-2001")
    assert madrid.status_code == 201, madrid.json()
    assert "Idempotent-Replayed" not in madrid
    assert _count(demo, Ticket) == 2
    # carol, in the other tenant, with the same key: her own enquiry.
    carol = demo.api(CAROL).post(
        "/api/v1/tickets/",
        {"kind": "enquiry", "subject": "Hola", "description": "Pregunta."},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert carol.status_code == 201
    assert _count(demo, Ticket, demo.bluepeak) == 1


@pytest.mark.django_db
def test_a_key_is_kept_for_a_day(demo, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    client = demo.api(ALICE)
    assert _open(client, problem_started_at="2026-11-18T08:00:00Z").status_code == 201
    time_machine.move_to("2026-11-19T08:59:00Z", tick=False)
    assert _open(client, problem_started_at="2026-11-18T08:00:00Z")["Idempotent-Replayed"] == "true"
    time_machine.move_to("2026-11-19T09:00:01Z", tick=False)
    later = _open(client, problem_started_at="2026-11-18T08:00:00Z")
    assert (later.status_code, "Idempotent-Replayed" in later) == (201, False)
    assert _count(demo, Ticket) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key", ["", "x" * 256, "schlüssel", "line\nbreak"], ids=["empty", "long", "non-ascii", "newline"]
)
def test_a_key_that_is_not_a_short_printable_string_is_a_400_naming_the_header(demo, key):
    response = demo.api(ALICE).post("/api/v1/tickets/", INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (response.status_code, list(response.json())) == (400, ["Idempotency-Key"])
    assert _count(demo, Ticket) == 0


@pytest.mark.django_db
def test_a_comment_an_order_and_an_ssr_are_each_created_once(demo, time_machine):
    with tenant_context(demo.northwind):
        if not CatalogueItem.objects.exists():
            build_order_rules()
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    client = demo.api(ALICE)
    number = _open(client, key=None, problem_started_at="2026-11-18T08:00:00Z").json()["number"]
    requests = [
        (f"/api/v1/tickets/{number}/comments/", {"body": "Still down."}, Comment),
        ("/api/v1/orders/", order_payload(demo), Order),
        (
            "/api/v1/ssrs/",
            {
                "item": "port-config",
                "service": "NW-MPLS-1001",
                "requested_start": "2026-12-01T09:00:00Z",
                "answers": {"port": "ge-0/0/3"},
            },
            SimpleServiceRequest,
        ),
    ]
    for url, body, model in requests:
        key = f"{model.__name__}-1"
        first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert (first.status_code, again.status_code) == (201, 201), (url, first.json())
        assert again.json() == first.json()
        assert _count(demo, model) == 1, url


@pytest.mark.django_db(transaction=True, databases=["default", SYSTEM_DB])
def test_two_requests_with_one_key_at_the_same_time_open_one_ticket():
    seed_world()
    northwind = Tenant.objects.get(slug="northwind")
    clients = []
    for _ in range(2):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user=User.objects.get(email=ALICE))}")
        clients.append(client)
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def send(client):
        try:
            barrier.wait()
            answers.append(_open(client))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(answer.status_code for answer in answers) == [201, 201]
    assert answers[0].json()["number"] == answers[1].json()["number"]
    assert sum("Idempotent-Replayed" in answer for answer in answers) == 1
    with tenant_context(northwind):
        assert Ticket.objects.count() == 1

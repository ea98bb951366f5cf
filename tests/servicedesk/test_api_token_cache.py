"""An API token's look-up (the token, its user, the tenant) is kept by the process between
requests, and every change that decides whether the token works holds from the next request
on: the user deactivated, the token deleted, the user deleted, the tenant deactivated, the
customer account deactivated. Transactional: the changes commit, as they do in production."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.test import APIClient

from servicedesk.api_auth import issue_token
from servicedesk.models import ApiToken, CustomerAccount, Tenant, User
from servicedesk.tenancy import tenant_context
from tests.factories.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def _client(email: str) -> tuple[APIClient, User]:
    build_world()
    user = User.objects.get(email=email)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user=user)}")
    return client, user


def _reads_the_token(client: APIClient) -> tuple[int, bool]:
    with CaptureQueriesContext(connection) as captured:
        status = client.get("/api/v1/me/").status_code
    return status, any("servicedesk_apitoken" in q["sql"] for q in captured)


def _warm(client: APIClient) -> None:
    # A token seen for the first time is read at its first two uses (the stamps come first).
    assert [_reads_the_token(client) for _ in range(3)] == [(200, True), (200, True), (200, False)]


def test_a_known_token_is_not_read_again():
    client, _ = _client("alice@acme.example")
    _warm(client)
    assert _reads_the_token(client) == (200, False)


@pytest.mark.parametrize("email", ["alice@acme.example", "agent@northwind.example"])
def test_a_deactivated_user_is_refused_at_the_next_request_and_let_in_again(email):
    client, user = _client(email)
    _warm(client)
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
    assert client.get("/api/v1/me/").status_code == 401
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
    assert client.get("/api/v1/me/").status_code == 200


def test_a_deleted_token_is_refused_at_the_next_request():
    client, user = _client("alice@acme.example")
    _warm(client)
    ApiToken.objects.filter(user=user).delete()  # a queryset's delete sends the signals too
    assert client.get("/api/v1/me/").status_code == 401


def test_a_deleted_user_is_refused_at_the_next_request():
    client, user = _client("bob@globex.example")
    _warm(client)
    user.delete()
    assert client.get("/api/v1/me/").status_code == 401


def test_a_deactivated_tenant_is_refused_at_the_next_request():
    client, _ = _client("agent@northwind.example")
    _warm(client)
    northwind = Tenant.objects.get(slug="northwind")
    northwind.is_active = False
    northwind.save(update_fields=["is_active"])
    assert client.get("/api/v1/me/").status_code == 401


def test_a_deactivated_customer_account_is_refused_at_the_next_request():
    client, user = _client("alice@acme.example")
    _warm(client)
    with tenant_context(user.tenant_id):
        acme = CustomerAccount.objects.get(pk=user.customer_account_id)
        acme.is_active = False
        acme.save(update_fields=["is_active"])
    assert client.get("/api/v1/me/").status_code == 401


def test_a_changed_user_is_what_the_next_request_sees():
    client, user = _client("alice@acme.example")
    _warm(client)
    user.full_name = "Alice Schneider-Wolf"
    user.save(update_fields=["full_name"])
    assert client.get("/api/v1/me/").json()["full_name"] == "Alice Schneider-Wolf"


def test_a_token_is_never_answered_for_another_user():
    alice, _ = _client("alice@acme.example")
    bob, _ = _client("bob@globex.example")
    _warm(alice)
    _warm(bob)
    assert alice.get("/api/v1/me/").json()["email"] == "alice@acme.example"
    assert bob.get("/api/v1/me/").json()["email"] == "bob@globex.example"


def test_with_the_cache_out_of_reach_the_database_answers(monkeypatch):
    client, _ = _client("agent@northwind.example")
    _warm(client)

    def out_of_reach(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    for method in ("get", "get_many", "add", "set"):
        monkeypatch.setattr(cache, method, out_of_reach)
    assert _reads_the_token(client) == (200, True)

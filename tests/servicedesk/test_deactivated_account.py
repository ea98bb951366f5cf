"""A customer account the desk deactivated: none of its users signs in, by the sign-in page
or the API, and a session or token they already had stops working on its next request. The
sign-in form says why, but only to whoever gave the right password."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from servicedesk.auth import DEMO_PASSWORD
from servicedesk.models import CustomerAccount
from servicedesk.tenancy import tenant_context

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
DEACTIVATED = "customer account with this desk is deactivated"


def _deactivate_acme(demo) -> CustomerAccount:
    with tenant_context(demo.northwind):
        acme = CustomerAccount.objects.get(name="Acme Logistics GmbH")
        acme.is_active = False
        acme.save(update_fields=["is_active"])
    return acme


def _sign_in(client, email: str, password: str = DEMO_PASSWORD):
    return client.post(LOGIN_URL, {"username": email, "password": password})


def test_the_sign_in_form_says_the_account_is_deactivated(client, demo):
    _deactivate_acme(demo)

    refused = _sign_in(client, "alice@acme.example")
    wrong_password = _sign_in(client, "alice@acme.example", "not-the-password")

    assert refused.status_code == 200
    assert DEACTIVATED in unescape(refused.content.decode())
    assert "_auth_user_id" not in client.session
    # A wrong password learns nothing about the account.
    assert DEACTIVATED not in unescape(wrong_password.content.decode())
    assert "do not match an active account" in unescape(wrong_password.content.decode())


def test_users_of_other_accounts_and_the_staff_still_sign_in(client, demo):
    _deactivate_acme(demo)

    assert _sign_in(client, "bob@globex.example").status_code == 302
    client.logout()
    assert _sign_in(client, "agent@northwind.example").status_code == 302


def test_an_open_session_ends_when_the_account_is_deactivated(client, demo):
    assert _sign_in(client, "alice@acme.example").status_code == 302
    assert client.get("/portal/").status_code == 200

    _deactivate_acme(demo)
    after = client.get("/portal/")

    assert after.status_code == 302
    assert after["Location"].startswith(reverse("portal:login"))


def test_api_tokens_are_refused_and_no_new_one_is_issued(demo):
    token_client = demo.api("alice@acme.example")
    assert token_client.get("/api/v1/me/").status_code == 200

    _deactivate_acme(demo)
    issued = APIClient().post(
        "/api/v1/auth/token/", {"username": "alice@acme.example", "password": DEMO_PASSWORD}, format="json"
    )

    assert token_client.get("/api/v1/me/").status_code == 401
    assert issued.status_code == 400
    assert "deactivated" in issued.json()["non_field_errors"][0]
    assert "token" not in issued.json()


def test_reactivating_the_account_lets_its_users_in_again(client, demo):
    acme = _deactivate_acme(demo)
    assert _sign_in(client, "alice@acme.example").status_code == 200

    with tenant_context(demo.northwind):
        # As the administration does it: the account saved (reference data: the cache's new version).
        acme.is_active = True
        acme.save(update_fields=["is_active"])

    assert _sign_in(client, "alice@acme.example").status_code == 302


def test_deactivating_the_account_in_the_administration_signs_its_users_out(client, demo):
    alice = _client_of(demo, "alice@acme.example")
    client.force_login(demo.user("admin@northwind.example"))
    with tenant_context(demo.northwind):
        acme = CustomerAccount.objects.get(name="Acme Logistics GmbH")

    client.post(reverse("portal:desk-admin-account-status", args=[acme.pk]), {"action": "deactivate"})

    assert alice.get("/portal/").status_code == 302


def _client_of(demo, email: str) -> Client:

    signed_in = Client()
    signed_in.force_login(demo.user(email))
    return signed_in

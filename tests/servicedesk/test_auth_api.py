"""POST /api/v1/auth/token/, token authentication and GET /api/v1/me/."""

from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from rest_framework.test import APIClient

from servicedesk.auth import DEMO_PASSWORD
from servicedesk.models import ApiToken
from tests.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/auth/token/"


def _token(client, username, password):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


@pytest.mark.django_db
def test_valid_credentials_get_a_token_that_authenticates(demo):
    client = APIClient()
    response = _token(client, "alice@acme.example", DEMO_PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) >= 40
    # Only a digest is stored, never the token itself.
    assert not ApiToken.objects.filter(digest=token).exists()
    assert ApiToken.objects.filter(user__email="alice@acme.example").count() == 1

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json() == {
        "id": demo.user("alice@acme.example").pk,
        "email": "alice@acme.example",
        "full_name": "Alice Schneider",
        "role": "customer",
        "language": "en",
        "time_zone": "",
        "tenant": {
            "id": demo.northwind.pk,
            "slug": "northwind",
            "name": "Northwind Networks",
            "time_zone": "Europe/Berlin",
        },
        "account": {"id": demo.acme.pk, "name": "Acme Logistics GmbH"},
        "sites": [{"id": demo.frankfurt.pk, "name": "Frankfurt"}, {"id": demo.madrid.pk, "name": "Madrid"}],
    }


@pytest.mark.django_db
def test_me_shows_a_site_restricted_user_only_their_sites(demo):
    body = demo.api("dave@acme.example").get("/api/v1/me/").json()
    assert body["sites"] == [{"id": demo.madrid.pk, "name": "Madrid"}]


@pytest.mark.django_db
def test_me_shows_staff_their_tenant_and_no_account(demo):
    body = demo.api("agent@bluepeak.example").get("/api/v1/me/").json()
    assert (body["role"], body["tenant"]["slug"], body["account"]) == ("agent", "bluepeak", None)
    assert body["sites"] == [{"id": demo.barcelona.pk, "name": "Barcelona"}]


@pytest.mark.django_db
def test_wrong_password_is_a_400_with_an_error_body(demo):
    response = _token(APIClient(), "alice@acme.example", "not-her-password")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to sign in with those credentials."]}
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_missing_fields_are_named_in_the_400():
    response = APIClient().post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


@pytest.mark.django_db
def test_repeated_failures_are_throttled_before_any_password_is_hashed(settings, demo):
    settings.LOGIN_FAILURE_LIMIT_PER_USER = 3
    client = APIClient()
    for _ in range(3):
        assert _token(client, "alice@acme.example", "guess").status_code == 400

    with (
        mock.patch.object(MD5PasswordHasher, "verify", autospec=True, side_effect=MD5PasswordHasher.verify) as verify,
        mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode) as encode,
    ):
        refused = _token(client, "alice@acme.example", DEMO_PASSWORD)  # even the right password
        assert verify.call_count == 0
        assert encode.call_count == 0
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert refused["Retry-After"] == str(settings.LOGIN_FAILURE_WINDOW_SECONDS)  # the longest the block lasts
    assert not ApiToken.objects.exists()
    # Another address is not affected.
    assert _token(client, "bob@globex.example", DEMO_PASSWORD).status_code == 200


@pytest.mark.django_db
def test_failures_from_one_client_address_are_throttled_across_usernames(settings, demo):
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 4
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    for n in range(4):
        assert _token(client, f"nobody{n}@example.org", "guess").status_code == 400
    assert _token(client, "alice@acme.example", DEMO_PASSWORD).status_code == 429
    assert _token(APIClient(REMOTE_ADDR="203.0.113.10"), "alice@acme.example", DEMO_PASSWORD).status_code == 200


@pytest.mark.django_db
def test_a_success_clears_the_users_failure_count(settings, demo):
    settings.LOGIN_FAILURE_LIMIT_PER_USER = 3
    client = APIClient()
    for _ in range(2):
        _token(client, "alice@acme.example", "guess")
    assert _token(client, "alice@acme.example", DEMO_PASSWORD).status_code == 200
    for _ in range(2):
        _token(client, "alice@acme.example", "guess")
    assert _token(client, "alice@acme.example", DEMO_PASSWORD).status_code == 200


@pytest.mark.django_db
def test_the_demo_password_is_refused_outside_demo_mode(settings, demo):
    settings.DEMO_MODE = False
    assert _token(APIClient(), "alice@acme.example", DEMO_PASSWORD).status_code == 400


@pytest.mark.django_db
def test_users_of_an_inactive_tenant_cannot_sign_in_or_use_their_token(demo):
    client = demo.api("carol@initech.example")
    demo.bluepeak.is_active = False
    demo.bluepeak.save()
    assert _token(APIClient(), "carol@initech.example", DEMO_PASSWORD).status_code == 400
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_an_unknown_or_malformed_token_is_a_401():
    assert APIClient(HTTP_AUTHORIZATION="Token nope").get("/api/v1/me/").status_code == 401
    assert APIClient(HTTP_AUTHORIZATION="Token a b").get("/api/v1/me/").status_code == 401
    assert APIClient().get("/api/v1/me/").status_code in {401, 403}


@pytest.mark.django_db
def test_a_platform_operator_has_no_tenant():
    operator = UserFactory(email="ops@example.org", tenant=None, role="", is_superuser=True, is_staff=True)
    client = APIClient()
    token = _token(client, operator.email, PASSWORD).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = client.get("/api/v1/me/").json()
    assert (body["tenant"], body["account"], body["sites"]) == (None, None, [])


def test_argon2_is_the_production_password_hasher():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "backend",
    ["django.core.cache.backends.filebased.FileBasedCache", "django.core.cache.backends.locmem.LocMemCache"],
    ids=["file (make run)", "local memory"],
)
def test_the_failure_window_starts_at_the_first_failure_whatever_the_cache(
    settings, demo, tmp_path, time_machine, backend
):
    # The file cache's incr() writes the entry again with the cache's default timeout; each
    # failure used to restart the window there. (Redis keeps the expiry through INCR itself.)
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": str(tmp_path / "cache"), "TIMEOUT": 300}}
    settings.LOGIN_FAILURE_LIMIT_PER_USER = 3
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
    client = APIClient()
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    assert _token(client, "alice@acme.example", "guess").status_code == 400
    time_machine.move_to("2026-11-18T09:10:00Z", tick=False)
    assert _token(client, "alice@acme.example", "guess").status_code == 400
    time_machine.move_to("2026-11-18T09:14:00Z", tick=False)
    assert _token(client, "alice@acme.example", "guess").status_code == 400
    assert _token(client, "alice@acme.example", DEMO_PASSWORD).status_code == 429

    time_machine.move_to("2026-11-18T09:15:01Z", tick=False)  # 15 minutes after the first failure
    assert _token(client, "alice@acme.example", DEMO_PASSWORD).status_code == 200

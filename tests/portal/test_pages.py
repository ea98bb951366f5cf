"""The pages: each role lands on its own page and sees its own data; everything else is a 404.

Outsiders on every page: the other tenant (bluepeak: agent, carol of Initech), another
customer account (bob of Globex) and the site-restricted dave (Madrid only).
"""

from __future__ import annotations

import re
from html import unescape
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.utils import translation

from servicedesk.auth import DEMO_PASSWORD
from servicedesk.mailing import is_own_message_id
from servicedesk.models import Tenant

LOGIN_URL = "/accounts/login/"


# --- helpers --------------------------------------------------------------------------------


def text(response) -> str:
    """The page's HTML with entities decoded, so names compare as written."""
    return unescape(response.content.decode())


def in_language(language: str, message: str) -> str:
    """``message`` as a user who reads ``language`` sees it (dave, carol and Bluepeak's agent read Spanish)."""
    with translation.override(language):
        return translation.gettext(message)


def section(response, heading: str) -> str:
    """The HTML of the page's <section> whose <h2> is ``heading``."""
    for match in re.finditer(r"<section\b[^>]*>(.*?)</section>", response.content.decode(), re.S):
        if re.search(rf"<h2\b[^>]*>{re.escape(heading)}</h2>", match.group(1)):
            return match.group(1)
    raise AssertionError(f"no section headed {heading!r}")


def _strip_tags(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def items(html: str) -> list[str]:
    """The text of each list item."""
    return [_strip_tags(li) for li in re.findall(r"<li>(.*?)</li>", html, re.S)]


def rows(html: str) -> list[list[str]]:
    """The cells of each body row of the first table."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body, "no table body"
    return [
        [_strip_tags(td) for td in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def main(response) -> str:
    """The page's <main> element (the rest carries a fresh CSRF token on every page)."""
    found = re.search(r"<main\b.*?</main>", response.content.decode(), re.S)
    assert found, "no <main>"
    return found.group(0)


def figures(response) -> dict[str, int]:
    """The dashboard's figures, by label."""
    found = re.findall(r'<span class="value">(\d+)</span><span class="label">([^<]+)</span>', response.content.decode())
    return {label: int(value) for value, label in found}


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def sign_in(client, email: str, password: str = DEMO_PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": email, "password": password, **extra})


# --- landing: each role on its page, with its own data --------------------------------------


@pytest.mark.parametrize(
    ("email", "target"),
    [
        ("alice@acme.example", "/portal/"),
        ("dave@acme.example", "/portal/"),
        ("bob@globex.example", "/portal/"),
        ("carol@initech.example", "/portal/"),
        ("agent@northwind.example", "/console/"),
        ("voice.agent@northwind.example", "/console/"),
        ("agent@bluepeak.example", "/console/"),
        ("manager@northwind.example", "/dashboard/"),
        ("admin@northwind.example", "/desk-admin/"),
        ("operator@desk.example", "/platform-admin/"),
    ],
)
def test_each_role_is_sent_from_the_front_door_to_its_own_page(client, demo, email, target):
    client.force_login(demo.user(email))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == target


def test_alice_sees_her_account_and_both_of_its_sites(client, demo):
    client.force_login(demo.user("alice@acme.example"))

    response = client.get("/portal/")

    assert response.status_code == 200
    assert re.search(r"<h1>Acme Logistics GmbH</h1>", text(response))
    assert rows(section(response, "Your sites")) == [
        ["Frankfurt", "Hafenstraße 12, 60327 Frankfurt am Main", "DE", "Europe/Berlin"],
        ["Madrid", "Calle de Alcalá 210, 28028 Madrid", "ES", "Europe/Madrid"],
    ]
    assert "Your access is limited" not in text(response)
    page = text(response)
    for outsider in ("Globex", "London", "Initech", "Barcelona", "Bluepeak"):
        assert outsider not in page


def test_dave_sees_madrid_and_not_frankfurt(client, demo):
    client.force_login(demo.user("dave@acme.example"))

    response = client.get("/portal/")

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Acme Logistics GmbH</h1>" in page
    assert [row[0] for row in rows(section(response, in_language("es", "Your sites")))] == ["Madrid"]
    assert in_language("es", "Your access is limited to the sites below.") in page
    assert "Frankfurt" not in page
    assert "Hafenstraße" not in page


def test_bob_sees_london_and_nothing_of_acme(client, demo):
    client.force_login(demo.user("bob@globex.example"))

    response = client.get("/portal/")

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Globex Retail Ltd</h1>" in page
    assert [row[0] for row in rows(section(response, "Your sites"))] == ["London"]
    for outsider in ("Acme", "Frankfurt", "Madrid", "Initech", "Barcelona"):
        assert outsider not in page


def test_carol_sees_barcelona_and_nothing_of_northwind(client, demo):
    client.force_login(demo.user("carol@initech.example"))

    response = client.get("/portal/")

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Initech S.A.</h1>" in page
    assert "Bluepeak Hosting" in page  # her provider's name in the top bar
    assert [row[0] for row in rows(section(response, in_language("es", "Your sites")))] == ["Barcelona"]
    # Barcelona's time zone is Europe/Madrid; Acme's Madrid site's street must not show.
    for outsider in ("Northwind", "Acme", "Globex", "Frankfurt", "Alcalá", "London"):
        assert outsider not in page


def test_the_agent_console_shows_the_queues_and_teams_and_no_list_of_accounts(client, demo):
    client.force_login(demo.user("agent@northwind.example"))

    response = client.get("/console/")

    assert response.status_code == 200
    queues = items(section(response, "Your queues"))
    assert queues[0] == "Mine 0"
    assert "Breaching soon 0" in queues
    assert len(queues) == 8
    assert items(section(response, "Your teams")) == ["Data/IP/ICT desk — Data/IP/ICT"]
    page = text(response)
    # A desk has thousands of accounts: the home page lists none of them.
    for name in ("Customer accounts", "Acme", "Globex", "Initech", "Barcelona", "Bluepeak", "Hosting"):
        assert name not in page


def test_the_bluepeak_agent_console_shows_bluepeaks_teams_only(client, demo):
    client.force_login(demo.user("agent@bluepeak.example"))

    response = client.get("/console/")

    assert response.status_code == 200
    assert len(items(section(response, in_language("es", "Your queues")))) == 8
    assert items(section(response, in_language("es", "Your teams"))) == ["Hosting desk — Hosting"]
    page = text(response)
    for outsider in ("Northwind", "Acme", "Globex", "Frankfurt", "Madrid", "London", "Initech"):
        assert outsider not in page


def test_the_manager_dashboard_counts_northwind_only(client, demo):
    client.force_login(demo.user("manager@northwind.example"))

    response = client.get("/dashboard/")

    assert response.status_code == 200
    # Bluepeak's account, site and agent would make these 3, 4 and 5.
    assert figures(response) == {"customer accounts": 2, "sites": 3, "staff": 4}
    assert items(section(response, "Teams")) == [
        "Data/IP/ICT desk — Data/IP/ICT",
        "Premium & Bespoke desk — Premium & Bespoke",
        "Transmission desk — Transmission",
        "Voice desk — Voice",
    ]
    assert "Hosting" not in text(response)


def test_the_desk_admin_page_lists_northwinds_areas_and_staff_and_nothing_of_bluepeak(client, demo):
    client.force_login(demo.user("admin@northwind.example"))

    response = client.get("/desk-admin/")

    assert response.status_code == 200
    assert items(section(response, "Product areas")) == ["Data/IP/ICT", "Premium & Bespoke", "Transmission", "Voice"]
    assert rows(section(response, "Staff")) == [
        ["Greta Hoffmann", "admin@northwind.example", "Tenant administrator"],
        ["Jonas Becker", "voice.agent@northwind.example", "Agent"],
        ["Lena Fischer", "agent@northwind.example", "Agent"],
        ["Markus Weber", "manager@northwind.example", "Manager"],
    ]
    assert items(section(response, "Customer accounts")) == ["Acme Logistics GmbH", "Globex Retail Ltd"]
    page = text(response)
    # Neither bluepeak's areas and staff, nor customer users, nor the platform operator.
    for outsider in ("Hosting", "Pablo Ruiz", "bluepeak", "Initech", "alice@acme.example", "operator@desk.example"):
        assert outsider not in page


# --- walls: the wrong role gets a 404, the anonymous visitor the sign-in page ---------------


@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("alice@acme.example", "/console/"),
        ("alice@acme.example", "/dashboard/"),
        ("dave@acme.example", "/console/"),
        ("carol@initech.example", "/console/"),
        ("agent@northwind.example", "/portal/"),
        ("agent@northwind.example", "/dashboard/"),
        ("manager@northwind.example", "/console/"),
        ("admin@northwind.example", "/portal/"),
        ("admin@northwind.example", "/console/"),
        ("operator@desk.example", "/portal/"),
        ("operator@desk.example", "/desk-admin/"),
    ],
)
def test_a_page_outside_the_users_role_does_not_exist(client, demo, email, path):
    client.force_login(demo.user(email))

    response = client.get(path)

    assert response.status_code == 404
    assert "errors/404.html" in [t.name for t in response.templates]


def test_customer_cannot_open_the_agent_console(client, demo):
    client.force_login(demo.user("alice@acme.example"))

    response = client.get("/console/")

    assert response.status_code == 404
    page = text(response)
    assert "Globex" not in page
    assert "London" not in page


@pytest.mark.parametrize("path", ["/", "/portal/", "/console/", "/dashboard/", "/desk-admin/"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, demo, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={path}"


# --- sign-in --------------------------------------------------------------------------------


def test_alice_signs_in_with_the_demo_password_and_lands_on_her_portal(client, demo):
    response = sign_in(client, "alice@acme.example")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(demo.user("alice@acme.example").pk)
    assert client.get("/", follow=True).redirect_chain == [("/portal/", 302)]


def test_sign_in_ignores_case_in_the_email_address(client, demo):
    response = sign_in(client, "Alice@ACME.example")

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(demo.user("alice@acme.example").pk)


def test_sign_in_follows_a_local_next_and_refuses_a_foreign_one(client, demo):
    local = sign_in(client, "dave@acme.example", next="/portal/")
    client.logout()
    foreign = sign_in(client, "dave@acme.example", next="http://evil.example/")

    assert local["Location"] == "/portal/"
    assert foreign["Location"] == "/"


def test_a_wrong_password_shows_the_error_on_the_form_and_signs_nobody_in(client, demo):
    response = sign_in(client, "alice@acme.example", "not-the-password")

    assert response.status_code == 200
    assert "registration/login.html" in [t.name for t in response.templates]
    errors = re.search(r'<div class="form-errors" role="alert"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    assert errors
    assert _strip_tags(errors.group(1)) == "That e-mail address and password do not match an active account."
    assert 'value="alice@acme.example"' in response.content.decode()  # the address is kept
    assert signed_in_user_id(client) is None


def test_an_unknown_address_gets_the_same_error_as_a_wrong_password(client, demo):
    response = sign_in(client, "mallory@acme.example")

    assert response.status_code == 200
    assert "That e-mail address and password do not match an active account." in text(response)
    assert signed_in_user_id(client) is None


def test_an_inactive_user_cannot_sign_in(client, demo):
    bob = demo.user("bob@globex.example")
    bob.is_active = False
    bob.save(update_fields=["is_active"])

    response = sign_in(client, "bob@globex.example")

    assert response.status_code == 200
    assert "That e-mail address and password do not match an active account." in text(response)
    assert signed_in_user_id(client) is None


def test_a_user_of_a_deactivated_tenant_cannot_sign_in(client, demo):
    demo.bluepeak.is_active = False
    demo.bluepeak.save(update_fields=["is_active"])

    refused = sign_in(client, "carol@initech.example")
    other_tenant = sign_in(client, "bob@globex.example")

    assert refused.status_code == 200
    assert "That e-mail address and password do not match an active account." in text(refused)
    assert other_tenant.status_code == 302
    assert signed_in_user_id(client) == str(demo.user("bob@globex.example").pk)


def test_the_sixth_attempt_after_five_failures_is_refused_without_hashing(client, demo):
    assert settings.LOGIN_FAILURE_LIMIT_PER_USER == 5
    verify = mock.patch.object(MD5PasswordHasher, "verify", autospec=True, side_effect=MD5PasswordHasher.verify)
    encode = mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode)
    with verify as verify_spy, encode as encode_spy:
        for attempt in range(5):
            failed = sign_in(client, "alice@acme.example", f"wrong-{attempt}")
            assert "do not match an active account" in text(failed)
        assert verify_spy.call_count == 5  # each failure checked the password
        verify_spy.reset_mock()
        encode_spy.reset_mock()

        refused = sign_in(client, "alice@acme.example", DEMO_PASSWORD)

        assert verify_spy.call_count == 0
        assert encode_spy.call_count == 0
    assert refused.status_code == 200
    assert "Too many failed sign-ins. Wait a few minutes and try again." in text(refused)
    assert "do not match an active account" not in text(refused)
    assert signed_in_user_id(client) is None


def test_the_throttle_counts_the_address_in_any_case(client, demo):
    for attempt in range(5):
        sign_in(client, "ALICE@acme.example" if attempt % 2 else "alice@ACME.example", f"wrong-{attempt}")

    refused = sign_in(client, "alice@acme.example")

    assert "Too many failed sign-ins." in text(refused)
    assert signed_in_user_id(client) is None


def test_one_users_throttle_does_not_lock_out_another(client, demo):
    for attempt in range(5):
        sign_in(client, "alice@acme.example", f"wrong-{attempt}")

    bob = sign_in(client, "bob@globex.example")

    dave_client = Client()  # signed-in clients are sent on before the form is read
    dave = sign_in(dave_client, "dave@acme.example")

    assert bob.status_code == 302
    assert signed_in_user_id(client) == str(demo.user("bob@globex.example").pk)
    assert dave.status_code == 302
    assert signed_in_user_id(dave_client) == str(demo.user("dave@acme.example").pk)


def test_four_failures_still_let_the_right_password_in(client, demo):
    for attempt in range(4):
        sign_in(client, "alice@acme.example", f"wrong-{attempt}")

    response = sign_in(client, "alice@acme.example")

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(demo.user("alice@acme.example").pk)


def test_a_signed_in_user_visiting_the_sign_in_page_is_sent_on(client, demo):
    client.force_login(demo.user("bob@globex.example"))

    response = client.get(LOGIN_URL)

    assert response.status_code == 302
    assert response["Location"] == "/"


# --- language -------------------------------------------------------------------------------


def test_switching_to_german_is_remembered_and_the_next_page_is_in_german(client, demo):
    alice = demo.user("alice@acme.example")
    assert alice.language == "en"
    client.force_login(alice)
    before = client.get("/portal/")
    assert '<html lang="en">' in text(before)

    response = client.post("/language/", {"language": "de", "next": "/portal/"})

    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    alice.refresh_from_db()
    assert alice.language == "de"
    page = text(client.get("/portal/"))
    assert '<html lang="de">' in page
    assert '<option value="de" selected>Deutsch</option>' in page
    # The project has no German catalogue yet; Django's own translates the menu entry.
    assert "Passwort ändern" in page
    assert "Change password" not in page


def test_the_language_switch_refuses_a_foreign_next_url(client, demo):
    client.force_login(demo.user("alice@acme.example"))

    response = client.post("/language/", {"language": "de", "next": "http://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert demo.user("alice@acme.example").language == "de"  # the switch itself still happens


@pytest.mark.parametrize("language", ["xx", "fr", "", "de-evil"])
def test_an_unknown_language_changes_nothing(client, demo, language):
    client.force_login(demo.user("alice@acme.example"))

    response = client.post("/language/", {"language": language, "next": "/portal/"})

    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert demo.user("alice@acme.example").language == "en"
    assert "django_language" not in response.cookies
    assert '<html lang="en">' in text(client.get("/portal/"))


@pytest.mark.parametrize("language", ["xx", "fr"])
def test_an_unknown_language_sets_no_cookie_for_an_anonymous_visitor(client, demo, language):
    response = client.post("/language/", {"language": language, "next": LOGIN_URL})

    assert response.status_code == 302
    assert "django_language" not in response.cookies


def test_an_anonymous_visitor_switches_the_sign_in_page_by_cookie(client, demo):
    response = client.post("/language/", {"language": "de", "next": LOGIN_URL})

    assert response["Location"] == LOGIN_URL
    assert response.cookies["django_language"].value == "de"
    page = text(client.get(LOGIN_URL))
    assert '<html lang="de">' in page
    assert "Passwort" in page  # Django's own label of the password field


def test_the_language_switch_is_post_only(client, demo):
    client.force_login(demo.user("alice@acme.example"))

    response = client.get("/language/", {"language": "de"})

    assert response.status_code == 405
    assert demo.user("alice@acme.example").language == "en"


def test_one_users_language_does_not_change_another_users(client, demo):
    client.force_login(demo.user("alice@acme.example"))
    client.post("/language/", {"language": "de", "next": "/portal/"})
    client.logout()

    client.force_login(demo.user("bob@globex.example"))
    page = text(client.get("/portal/"))

    assert demo.user("bob@globex.example").language == "en"
    assert demo.user("dave@acme.example").language == "es"
    assert '<html lang="en">' in page


# --- sign-out -------------------------------------------------------------------------------


def test_signing_out_is_post_only(client, demo):
    client.force_login(demo.user("alice@acme.example"))

    response = client.get("/accounts/logout/")

    assert response.status_code == 405
    assert client.get("/portal/").status_code == 200  # still signed in


def test_signing_out_ends_the_session(client, demo):
    client.force_login(demo.user("alice@acme.example"))
    old_session = client.session.session_key

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert signed_in_user_id(client) is None
    assert client.session.session_key != old_session
    assert client.get("/portal/")["Location"] == f"{LOGIN_URL}?next=/portal/"


# --- password reset -------------------------------------------------------------------------


def test_a_password_reset_sends_one_email_with_a_link_that_sets_a_new_password(client, demo, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "dave@acme.example"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["dave@acme.example"]
    assert message.subject == "Restablecer la contraseña del centro de servicio"  # dave reads Spanish
    # The link starts with the desk's public address (servicedesk.mailing.public_url).
    links = re.findall(r"https://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert len(links) == 1

    form = client.get(links[0], follow=True)
    assert "registration/password_reset_confirm.html" in [t.name for t in form.templates]
    assert form.context["validlink"] is True
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase-7", "new_password2": "a-new-long-passphrase-7"},
    )
    assert done["Location"] == "/accounts/password/reset/complete/"
    assert sign_in(client, "dave@acme.example", "a-new-long-passphrase-7").status_code == 302
    assert demo.user("alice@acme.example").check_password(DEMO_PASSWORD)  # nobody else's password changed


def test_a_password_reset_mail_is_the_desks_own_mail_in_the_users_language(client, demo, mailoutbox, settings):
    settings.PUBLIC_BASE_URL = "https://desk.example.com"
    Tenant.objects.filter(pk=demo.northwind.pk).update(desk_address="desk@northwind.example")

    client.post("/accounts/password/reset/", {"email": "dave@acme.example"})

    message = mailoutbox[0]
    headers = message.extra_headers
    assert is_own_message_id(headers["Message-ID"])
    assert headers["Message-ID"].endswith("@northwind.example>")
    assert headers["Auto-Submitted"] == "auto-generated"
    assert message.reply_to == ["desk@northwind.example"]
    assert "In-Reply-To" not in headers  # about no ticket: no thread
    # dave reads Spanish; the link starts with the public address, in both parts.
    assert message.subject == "Restablecer la contraseña del centro de servicio"
    assert re.search(r"^https://desk\.example\.com/accounts/password/reset/[^/\s]+/[^/\s]+/$", message.body, re.M)
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert 'href="https://desk.example.com/accounts/password/reset/' in html


def test_a_platform_operators_password_reset_has_no_desk_to_reply_to(client, demo, mailoutbox):
    client.post("/accounts/password/reset/", {"email": "operator@desk.example"})

    message = mailoutbox[0]
    assert message.reply_to == []
    assert is_own_message_id(message.extra_headers["Message-ID"])
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_password_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(client, demo, mailoutbox):
    known = client.post("/accounts/password/reset/", {"email": "bob@globex.example"}, follow=True)
    mailoutbox.clear()

    unknown = client.post("/accounts/password/reset/", {"email": "nobody@globex.example"}, follow=True)

    assert mailoutbox == []
    assert unknown.redirect_chain == known.redirect_chain == [("/accounts/password/reset/sent/", 302)]
    assert main(unknown) == main(known)


# --- error pages ----------------------------------------------------------------------------


def test_a_missing_page_renders_the_desks_404(client, demo):
    client.force_login(demo.user("carol@initech.example"))

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "errors/404.html"
    page = text(response)
    assert f"<h1>{in_language('es', 'Not found')}</h1>" in page
    assert in_language("es", "There is nothing here, or it is not yours to see.") in page


def test_a_missing_page_for_an_anonymous_visitor_is_a_404_too(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "errors/404.html" in [t.name for t in response.templates]


def test_a_request_for_a_foreign_host_renders_the_desks_400(client, demo):
    response = client.get("/portal/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "errors/400.html" in [t.name for t in response.templates]
    assert "<h1>Bad request</h1>" in text(response)


def test_a_crash_renders_the_plain_500_page_and_leaks_nothing(demo):
    client = Client(raise_request_exception=False)
    client.force_login(demo.user("alice@acme.example"))

    with mock.patch("portal.views.customer.sites_visible_to", side_effect=RuntimeError("secret detail")):
        response = client.get("/portal/")

    assert response.status_code == 500
    page = text(response)
    assert "<h1>Something went wrong</h1>" in page
    assert "secret detail" not in page
    assert "Acme" not in page

"""The profile: every role has one (reached from the user menu); language, time zone (a zone
tzdata knows) and the notification mails offered to the role; bad values are named next to
their field and nothing is saved."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from servicedesk.models import User


def _client(demo, email):
    client = Client()
    client.force_login(demo.user(email))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    ["alice@acme.example", "agent@northwind.example", "manager@northwind.example", "admin@northwind.example"],
)
def test_every_role_reaches_the_profile_from_the_user_menu(demo, email):
    client = _client(demo, email)
    home = client.get("/", follow=True).content.decode()
    assert 'href="/portal/profile/"' in home
    assert client.get("/portal/profile/").status_code == 200


@pytest.mark.django_db
def test_signed_out_the_profile_asks_to_sign_in(demo):
    response = Client().get("/portal/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_customer_saves_language_zone_and_mail_choices(demo):
    client = _client(demo, "alice@acme.example")
    response = client.post(
        "/portal/profile/", {"language": "es", "time_zone": "America/Mexico_City", "mail": ["planned_work"]}
    )
    assert response.status_code == 302
    alice = demo.user("alice@acme.example")
    assert (alice.language, alice.time_zone) == ("es", "America/Mexico_City")
    assert sorted(alice.mail_opt_outs) == ["escalation_account", "survey", "ticket_reply"]
    page = client.get("/portal/profile/").content.decode()
    assert "Su perfil se ha guardado." in page
    assert re.search(r'value="planned_work"[^>]* checked', page)


@pytest.mark.django_db
def test_staff_are_offered_the_staff_mails_only(demo):
    page = _client(demo, "agent@northwind.example").get("/portal/profile/").content.decode()
    assert 'value="sla_alert"' in page
    assert 'value="escalation_contact"' in page
    assert 'value="survey"' not in page


@pytest.mark.django_db
def test_an_unknown_time_zone_is_named_and_nothing_is_saved(demo):
    before = demo.user("alice@acme.example")
    client = _client(demo, "alice@acme.example")
    response = client.post("/portal/profile/", {"language": "de", "time_zone": "Mars/Olympus_Mons", "mail": ["survey"]})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Mars/Olympus_Mons is not a known IANA time zone." in page
    assert 'href="#id_time_zone"' in page
    assert "data-error-summary" in page
    alice = demo.user("alice@acme.example")
    assert (alice.language, alice.time_zone, alice.mail_opt_outs) == (before.language, before.time_zone, [])


@pytest.mark.django_db
def test_a_mail_kind_not_offered_to_the_role_is_refused(demo):
    response = _client(demo, "alice@acme.example").post("/portal/profile/", {"mail": ["survey", "sla_alert"]})
    assert response.status_code == 400
    assert demo.user("alice@acme.example").mail_opt_outs == []


@pytest.mark.django_db
def test_an_unknown_language_is_refused(demo):
    before = demo.user("alice@acme.example").language
    response = _client(demo, "alice@acme.example").post("/portal/profile/", {"language": "xx"})
    assert response.status_code == 400
    assert demo.user("alice@acme.example").language == before != "xx"


@pytest.mark.django_db
def test_the_pages_follow_the_saved_language_and_zone(demo):
    client = _client(demo, "dave@acme.example")
    client.post("/portal/profile/", {"language": "de", "time_zone": "Asia/Tokyo", "mail": []})
    dave = User.objects.get(email="dave@acme.example")
    assert dave.mail_opt_outs == ["escalation_account", "planned_work", "survey", "ticket_reply"]
    page = client.get("/portal/profile/").content.decode()
    assert '<html lang="de">' in page
    assert "+09:00" in page  # the example date is in Tokyo's zone


def _seen(page: str) -> str:
    return re.search(r'name="seen" value="([^"]+)"', page).group(1)


@pytest.mark.django_db
def test_a_save_after_another_tab_changed_the_profile_is_refused_and_keeps_the_choices(demo):
    """Tab 1 loads the profile, tab 2 saves Madrid and no survey mails; tab 1's save (Spanish,
    Mexico City, every mail) is refused with, per changed setting, what tab 1 showed and what is
    stored now; what tab 1 chose is still selected, and saving again replaces the stored
    settings knowingly."""
    User.objects.filter(email="alice@acme.example").update(language="en", time_zone="Europe/Berlin", mail_opt_outs=[])
    first, second = _client(demo, "alice@acme.example"), _client(demo, "alice@acme.example")
    seen_by_first = _seen(first.get("/portal/profile/").content.decode())
    saved = second.post(
        "/portal/profile/",
        {"seen": _seen(second.get("/portal/profile/").content.decode()), "language": "en",
         "time_zone": "Europe/Madrid", "mail": ["ticket_reply", "escalation_account", "planned_work"]},
    )  # fmt: skip
    assert saved.status_code == 302

    chosen = {"seen": seen_by_first, "language": "es", "time_zone": "America/Mexico_City",
              "mail": ["ticket_reply", "survey", "escalation_account", "planned_work"]}  # fmt: skip
    refused = first.post("/portal/profile/", chosen)

    assert refused.status_code == 409
    page = refused.content.decode().replace("&#x27;", "'")
    assert "Not saved: your profile was changed meanwhile, in another tab or window." in page
    assert "Time zone: you saw “Europe/Berlin”, it is now “Europe/Madrid”." in page
    assert re.search(r"E-mail me about: you saw “[^”]+”, it is now “[^”]+”\.", page)
    assert "Language: you saw" not in page  # the language did not change
    assert "Stored now: Europe/Madrid" in page  # next to the field too
    assert page.count("Stored now:") == 2
    assert re.search(r'<option value="es" selected>', page)
    assert re.search(r'<option value="America/Mexico_City" selected>', page)
    alice = demo.user("alice@acme.example")
    assert (alice.language, alice.time_zone, alice.mail_opt_outs) == ("en", "Europe/Madrid", ["survey"])

    again = first.post("/portal/profile/", {**chosen, "seen": _seen(page)})
    assert again.status_code == 302
    alice = demo.user("alice@acme.example")
    assert (alice.language, alice.time_zone) == ("es", "America/Mexico_City")


@pytest.mark.django_db
def test_a_forged_snapshot_is_no_snapshot(demo):
    client = _client(demo, "alice@acme.example")
    response = client.post("/portal/profile/", {"seen": "forged", "language": "de", "time_zone": ""})
    assert response.status_code == 302
    assert demo.user("alice@acme.example").language == "de"

"""Catalogue items in three languages: the administrator gives each item's name and
description in German, English and Spanish on its edit page (blank: the default ones), and
its weekend notice; customers read the item in their language in the catalogue, the request
form, their requests, the API and the monthly billing CSV, the desk in its own on the console's
request pages and in the billing CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from orders.models import CatalogueItem
from orders.services.ssr import SsrDraft, complete_ssr, submit_ssr
from servicedesk.models import User
from servicedesk.tenancy import tenant_context
from tests.factories.world import build_order_rules

NOW = "2026-11-18T09:00:00Z"  # Wednesday, 10:00 in Frankfurt
ADMIN = "admin@northwind.example"
ALICE = "alice@acme.example"
AGENT = "agent@northwind.example"
BLUEPEAK_ADMIN_ITEM = "remote-reboot"

NAMES = {
    "de": ("Überwachter Neustart des CPE", "Ein Neustart Ihres Routers unter Aufsicht."),
    "en": ("Supervised CPE restart (EN)", "A restart of your router while we watch."),
    "es": ("Reinicio supervisado del CPE", "Un reinicio de su router bajo supervisión."),
}


@pytest.fixture
def world(demo, time_machine):
    time_machine.move_to(NOW, tick=False)
    build_order_rules()
    return demo


def _client(email: str, language: str = "") -> Client:
    if language:
        User.objects.filter(email=email).update(language=language)
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def _text(response) -> str:
    return unescape(response.content.decode())


def _item(world) -> CatalogueItem:
    with tenant_context(world.northwind):
        return CatalogueItem.objects.get(code="cpe-reboot")


def _save_languages(world) -> None:
    item = _item(world)
    admin = _client(ADMIN)
    url = reverse("portal:desk-admin-catalogue-item", args=[item.pk])
    page = _text(admin.get(url))
    for field in ("name_de", "name_en", "name_es", "description_de", "description_en", "description_es",
                  "weekend_notice_days"):  # fmt: skip
        assert f'name="{field}"' in page, field
    seen = page.split('name="seen" value="', 1)[1].split('"', 1)[0]
    data = {
        "seen": seen, "code": item.code, "name": item.name, "description": item.description,
        "price": str(item.price), "currency": item.currency, "lead_time_hours": str(item.lead_time_hours),
        "weekend_notice_days": "6", "position": str(item.position),
    }  # fmt: skip
    for language, (name, description) in NAMES.items():
        data[f"name_{language}"], data[f"description_{language}"] = name, description
    response = admin.post(url, data)
    assert response.status_code == 302, _text(response)


@pytest.mark.django_db
def test_the_administrator_gives_names_per_language_and_the_weekend_notice(world):
    _save_languages(world)
    item = _item(world)
    assert (item.name_de, item.name_es, item.weekend_notice_days) == (NAMES["de"][0], NAMES["es"][0], 6)
    assert item.name_in("de-at") == NAMES["de"][0]
    assert item.name_in("fr") == item.name  # no French: the default name


@pytest.mark.django_db
def test_a_weekend_notice_under_five_days_is_refused_next_to_the_field(world):
    item = _item(world)
    admin = _client(ADMIN)
    url = reverse("portal:desk-admin-catalogue-item", args=[item.pk])
    data = {"code": item.code, "name": item.name, "price": "40.00", "currency": "EUR", "lead_time_hours": "48",
            "weekend_notice_days": "3", "position": "0"}  # fmt: skip
    response = admin.post(url, data)
    assert response.status_code == 400
    assert "At least 5 days ahead." in _text(response)
    assert _item(world).weekend_notice_days == 5


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en", "es"])
def test_customers_read_the_item_in_their_language(world, language):
    _save_languages(world)
    name, description = NAMES[language]
    alice = _client(ALICE, language)
    catalogue = _text(alice.get("/portal/requests/catalogue/"))
    assert name in catalogue
    assert description in catalogue
    form = _text(alice.get("/portal/requests/catalogue/cpe-reboot/"))
    assert name in form
    with tenant_context(world.northwind):
        ssr = submit_ssr(
            actor=User.objects.get(email=ALICE),
            draft=SsrDraft(item="cpe-reboot", requested_start=dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC),
                           site_id=world.frankfurt.pk),
        )  # fmt: skip
    assert name in _text(alice.get("/portal/requests/"))
    assert name in _text(alice.get(f"/portal/requests/ssr/{ssr.number}/"))
    agent = _client(AGENT, language)
    assert name in _text(agent.get(f"/console/orders/ssrs/{ssr.number}/"))


@pytest.mark.django_db
def test_a_blank_translation_falls_back_to_the_default_name(world):
    _save_languages(world)
    with tenant_context(world.northwind):
        CatalogueItem.objects.filter(code="cpe-reboot").update(name_es="", description_es="")
    page = _text(_client(ALICE, "es").get("/portal/requests/catalogue/"))
    assert _item(world).name in page
    assert NAMES["es"][0] not in page


@pytest.mark.django_db
def test_the_api_gives_the_name_in_the_callers_language(world):
    _save_languages(world)
    User.objects.filter(email=ALICE).update(language="es")
    client = world.api(ALICE)
    item = client.get("/api/v1/ssr-catalogue/cpe-reboot/", HTTP_ACCEPT_LANGUAGE="es").json()
    assert (item["name"], item["description"], item["weekend_notice_days"]) == (*NAMES["es"], 6)


@pytest.mark.django_db
def test_another_tenants_item_is_not_reached_from_the_edit_page(world):
    with tenant_context(world.bluepeak):
        foreign = CatalogueItem.objects.get(code=BLUEPEAK_ADMIN_ITEM)
    admin = _client(ADMIN)
    url = reverse("portal:desk-admin-catalogue-item", args=[foreign.pk])
    assert admin.get(url).status_code == 404
    assert admin.post(url, {"name_de": "Fremd"}).status_code == 404
    with tenant_context(world.bluepeak):
        assert CatalogueItem.objects.get(pk=foreign.pk).name_de == ""


def _billed(world, time_machine) -> None:
    """One request for the item, completed in November 2026."""
    with tenant_context(world.northwind):
        ssr = submit_ssr(
            actor=User.objects.get(email=ALICE),
            draft=SsrDraft(item="cpe-reboot", requested_start=dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC),
                           site_id=world.frankfurt.pk),
        )  # fmt: skip
        time_machine.move_to("2026-11-25T10:00:00Z", tick=False)
        complete_ssr(ssr=ssr, actor=User.objects.get(email=AGENT))


def _billed_names(client) -> list[str]:
    response = client.get("/api/v1/billing/ssr/?month=2026-11")
    assert response.status_code == 200, response.content
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    return [row["item"] for row in rows if row["ssr_id"] != "TOTAL"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en", "es"])
def test_the_billing_report_names_the_item_in_the_readers_language(world, time_machine, language):
    _save_languages(world)
    _billed(world, time_machine)
    for email in (ALICE, AGENT):
        User.objects.filter(email=email).update(language=language)
        assert _billed_names(world.api(email)) == [NAMES[language][0]], email


@pytest.mark.django_db
def test_the_billing_report_falls_back_to_the_default_name(world, time_machine):
    _save_languages(world)
    _billed(world, time_machine)
    with tenant_context(world.northwind):
        CatalogueItem.objects.filter(code="cpe-reboot").update(name_es="")
    User.objects.filter(email=ALICE).update(language="es")
    assert _billed_names(world.api(ALICE)) == [_item(world).name]

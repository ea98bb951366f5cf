"""The inventory pages: a customer sees their account's services (a site-restricted user only
their sites'), filtered and searched; the CSV holds exactly the rows the list shows; another
site's, account's or tenant's service is a 404."""

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.test import Client

from orders.models import Contract, Service
from servicedesk.tenancy import tenant_context


def _client(demo, email):
    client = Client()
    client.force_login(demo.user(email))
    return client


def _service_ids(response):
    return set(re.findall(r'href="/portal/inventory/([A-Z0-9-]+)/"', response.content.decode()))


def _csv_ids(response):
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return rows[0], {row[1] for row in rows[1:]}


ACME_FRANKFURT = {"NW-MPLS-1001", "NW-INET-1002", "NW-VOICE-1003", "NW-CPE-1004"}
ACME_MADRID = {"NW-MPLS-2001", "NW-SAT-2002", "NW-VOICE-2003"}


@pytest.mark.django_db
def test_alice_sees_both_sites_and_bob_only_his_account(demo):
    assert _service_ids(_client(demo, "alice@acme.example").get("/portal/inventory/")) == ACME_FRANKFURT | ACME_MADRID
    assert _service_ids(_client(demo, "bob@globex.example").get("/portal/inventory/")) == {
        "NW-INET-3001", "NW-MPLS-3002", "NW-VOICE-3003",
    }  # fmt: skip


@pytest.mark.django_db
def test_a_site_restricted_user_sees_only_that_sites_services(demo):
    response = _client(demo, "dave@acme.example").get("/portal/inventory/")
    assert _service_ids(response) == ACME_MADRID
    assert "Frankfurt" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "service_id"),
    [
        ("dave@acme.example", "NW-MPLS-1001"),  # another site of his own account
        ("bob@globex.example", "NW-MPLS-1001"),  # another account
        ("alice@acme.example", "BP-INET-0001"),  # another tenant
        ("alice@acme.example", "NW-NONE-0000"),  # nothing at all
    ],
)
def test_a_service_beyond_the_wall_is_a_404_on_its_page_and_in_no_export(demo, email, service_id):
    client = _client(demo, email)
    assert client.get(f"/portal/inventory/{service_id}/").status_code == 404
    _header, ids = _csv_ids(client.get("/portal/inventory/export.csv", {"q": service_id}))
    assert ids == set()


@pytest.mark.django_db
def test_staff_have_no_customer_inventory_page(demo):
    assert _client(demo, "agent@northwind.example").get("/portal/inventory/").status_code == 404


@pytest.mark.django_db
def test_the_service_page_shows_its_facts_and_contracts(demo):
    response = _client(demo, "alice@acme.example").get("/portal/inventory/NW-SAT-2002/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "MAD-VSAT-0071" in page
    assert "SN-VS-220014" in page
    assert "Covered" in page


@pytest.mark.django_db
def test_filters_search_and_contract_state_narrow_the_list(demo):
    client = _client(demo, "alice@acme.example")
    assert _service_ids(client.get("/portal/inventory/", {"site": demo.madrid.pk})) == ACME_MADRID
    assert _service_ids(client.get("/portal/inventory/", {"type": "mpls"})) == {"NW-MPLS-1001", "NW-MPLS-2001"}
    assert _service_ids(client.get("/portal/inventory/", {"q": "SN-ER4400"})) == {"NW-CPE-1004"}
    assert _service_ids(client.get("/portal/inventory/", {"q": "fra-dia"})) == {"NW-INET-1002"}
    assert _service_ids(client.get("/portal/inventory/", {"contract": "not_entitled"})) == {"NW-VOICE-2003"}
    entitled = _service_ids(client.get("/portal/inventory/", {"contract": "entitled"}))
    assert entitled == (ACME_FRANKFURT | ACME_MADRID) - {"NW-VOICE-2003"}


@pytest.mark.django_db
def test_a_site_filter_for_a_site_beyond_the_wall_shows_nothing_of_it(demo):
    # dave picks Frankfurt's id by hand: not one of his choices, so the filter is ignored
    response = _client(demo, "dave@acme.example").get("/portal/inventory/", {"site": demo.frankfurt.pk})
    assert _service_ids(response) == ACME_MADRID


@pytest.mark.django_db
def test_a_contract_counts_on_the_sites_own_day(demo):
    # Madrid's contract ends on a day; just after midnight in Madrid (still the day before in
    # UTC) it no longer covers the service.
    with tenant_context(demo.northwind):
        service = Service.objects.get(service_id="NW-SAT-2002")
        Contract.objects.filter(service=service).update(valid_until=dt.date(2026, 6, 30))
    client = _client(demo, "alice@acme.example")
    with time_machine.travel(dt.datetime(2026, 6, 30, 21, 59, tzinfo=dt.UTC), tick=False):
        assert "NW-SAT-2002" in _service_ids(client.get("/portal/inventory/", {"contract": "entitled"}))
    with time_machine.travel(dt.datetime(2026, 6, 30, 22, 1, tzinfo=dt.UTC), tick=False):
        assert "NW-SAT-2002" not in _service_ids(client.get("/portal/inventory/", {"contract": "entitled"}))
        assert "NW-SAT-2002" in _service_ids(client.get("/portal/inventory/", {"contract": "not_entitled"}))


@pytest.mark.django_db
def test_the_csv_holds_exactly_the_rows_the_list_shows(demo):
    client = _client(demo, "alice@acme.example")
    for query in ({}, {"site": demo.frankfurt.pk}, {"type": "voice"}, {"contract": "not_entitled"}, {"q": "MPLS"}):
        response = client.get("/portal/inventory/export.csv", query)
        assert response["Content-Type"].startswith("text/csv")
        assert response["Content-Disposition"].startswith("attachment")
        header, ids = _csv_ids(response)
        assert header[:2] == ["Site", "Service ID"]
        assert ids == _service_ids(client.get("/portal/inventory/", query)), query


@pytest.mark.django_db
def test_the_csv_row_carries_the_services_facts(demo):
    response = _client(demo, "alice@acme.example").get("/portal/inventory/export.csv", {"q": "NW-VOICE-2003"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    site, service_id, service_type, product, circuit, serial, _contract, _ends, covered = rows[1]
    assert (site, service_id, service_type, product, circuit, serial, covered) == (
        "Madrid", "NW-VOICE-2003", "Voice", "Voice line bundle", "", "", "no",
    )  # fmt: skip


@pytest.mark.django_db
def test_the_csv_and_headers_follow_the_language(demo):
    user = demo.user("alice@acme.example")
    user.language = "de"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    header, _ids = _csv_ids(client.get("/portal/inventory/export.csv", HTTP_ACCEPT_LANGUAGE="de"))
    assert header[:2] == ["Standort", "Dienst-ID"]

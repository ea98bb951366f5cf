"""The dashboard's site and account filters on a large tenant (more than ``FULL_LIST_UP_TO`` of
them; lowered here), as the queue's (tests/portal/test_queue_filter_choices.py): the page offers
the chosen account's sites, or the matches of a search, never the whole list; a site or account
given in the URL shows as chosen with its name and narrows the figures and the CSV exports; the
managers and tenant administrators ask the queue's endpoint as they type, which answers their
own tenant's only (404 for another tenant's account or site); another tenant's account or site
in the URL is an error next to its field."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.forms import filter_choices
from servicedesk.models import CustomerAccount, Site
from servicedesk.tenancy import tenant_context
from tests.factories import AccountFactory, ManagerFactory, SiteFactory

MANAGER = "manager@northwind.example"
ADMIN = "admin@northwind.example"
DASHBOARD = "/dashboard/"
SITES = "/console/tickets/filters/site/"
ACCOUNTS = "/console/tickets/filters/account/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(monkeypatch):
    """Every tenant counts as large: its sites and accounts are searched, not listed."""
    monkeypatch.setattr(filter_choices, "FULL_LIST_UP_TO", 0)


@pytest.fixture
def manager(demo) -> Client:
    client = Client()
    client.force_login(demo.user(MANAGER))
    return client


@pytest.fixture
def outsider(demo) -> Client:
    """Bluepeak's manager."""
    with tenant_context(demo.bluepeak):
        user = ManagerFactory(tenant=demo.bluepeak, email="manager@bluepeak.example")
    client = Client()
    client.force_login(user)
    return client


def _select(html: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, name
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1)))


def _chosen(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]*)" selected>', select.group(1))


def _options(response) -> dict[str, str]:
    assert response.status_code == 200
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', response.content.decode()))


def _ids(model, tenant) -> set[str]:
    with tenant_context(tenant):
        return {str(pk) for pk in model.objects.values_list("pk", flat=True)}


def _acme_sites(demo) -> dict[str, str]:
    with tenant_context(demo.northwind):
        return {str(pk): name for pk, name in Site.objects.filter(account=demo.acme).values_list("pk", "name")}


def test_a_large_tenants_dashboard_offers_a_search_not_every_site_and_account(demo, manager, large):
    html = manager.get(DASHBOARD).content.decode()
    assert _select(html, "site") == {"": "All sites"}
    assert _select(html, "account") == {"": "All accounts"}
    assert '<label for="id_account_q">Find an account</label>' in html
    assert '<label for="id_site_q">Find a site</label>' in html
    assert 'hx-get="/console/tickets/filters/site/"' in html
    assert 'hx-get="/console/tickets/filters/account/"' in html
    assert 'aria-controls="id_site"' in html
    assert 'id="site-matches" role="status"' in html
    assert "Pick an account, or find a site by name." in html
    assert "Find the account by name first." in html
    # The desk in figures still counts every account and site.
    figures = re.search(r'<section class="figures".*?</section>', html, re.S)
    assert figures is not None
    counts = re.findall(r'<span class="value">(\d+)</span>', figures.group(0))
    assert counts[:2] == [str(len(_ids(CustomerAccount, demo.northwind))), str(len(_ids(Site, demo.northwind)))]


def test_a_small_tenants_dashboard_lists_every_site_and_account_without_a_search(demo, manager):
    html = manager.get(DASHBOARD).content.decode()
    assert set(_select(html, "site")) - {""} == _ids(Site, demo.northwind)
    assert set(_select(html, "account")) - {""} == _ids(CustomerAccount, demo.northwind)
    assert 'name="site_q"' not in html
    assert 'name="account_q"' not in html


def test_the_chosen_account_offers_its_own_sites(demo, manager, large):
    acme_sites = _acme_sites(demo)
    response = manager.get(DASHBOARD, {"account": demo.acme.pk})
    html = response.content.decode()
    offered = _select(html, "site")
    assert set(offered) - {""} == set(acme_sites)
    assert all(offered[pk] == f"{name} ({demo.acme.name})" for pk, name in acme_sites.items())
    assert _chosen(html, "account") == [str(demo.acme.pk)]
    assert _select(html, "account")[str(demo.acme.pk)] == demo.acme.name  # chosen, with its name
    count = len(acme_sites)
    assert f"{count} sites of this account." in html or f"{count} site of this account." in html
    assert response.context["dashboard"].filters.account_id == demo.acme.pk


def test_a_site_given_in_the_url_shows_as_chosen_with_its_name_and_narrows_the_figures_and_exports(
    demo, manager, large
):
    response = manager.get(DASHBOARD, {"site": demo.london.pk, "period": "week"})
    html = response.content.decode()
    assert "has-error" not in html
    assert _chosen(html, "site") == [str(demo.london.pk)]
    with tenant_context(demo.northwind):
        account = CustomerAccount.objects.get(pk=demo.london.account_id).name
    assert _select(html, "site")[str(demo.london.pk)] == f"London ({account})"
    assert response.context["dashboard"].filters.site_id == demo.london.pk
    # Every CSV link carries the filters as chosen.
    exports = re.findall(r'href="/dashboard/export/(\w+)\.csv\?([^"]*)"', html)
    assert len(exports) == 8
    assert all(f"site={demo.london.pk}" in query and "period=week" in query for _table, query in exports)
    assert manager.get(f"/dashboard/export/summary.csv?site={demo.london.pk}").status_code == 200


def test_a_search_without_scripts_offers_the_matches(demo, manager, large):
    html = manager.get(DASHBOARD, {"site_q": "frank", "account_q": "GLOBEX"}).content.decode()
    assert set(_select(html, "site")) == {"", str(demo.frankfurt.pk)}
    assert set(_select(html, "account")) == {"", str(demo.globex.pk)}
    assert 'value="frank"' in html  # the search stays in its field
    assert "1 match." in html
    assert "has-error" not in html


def test_the_page_reads_no_site_or_account_rows(demo, manager, large):
    manager.get(DASHBOARD)
    with CaptureQueriesContext(connection) as captured:
        manager.get(DASHBOARD)
        manager.get(DASHBOARD, {"site_q": "a", "account": demo.acme.pk})
        manager.get(DASHBOARD, {"site": demo.london.pk})
        manager.get(SITES, {"site_q": "a"})
    tables = (Site._meta.db_table, CustomerAccount._meta.db_table)
    assert not [q["sql"] for q in captured if any(f'FROM "{table}"' in q["sql"] for table in tables)]


def test_managers_and_administrators_ask_for_their_own_tenants_matches(demo, manager, outsider, large):
    with tenant_context(demo.bluepeak):
        theirs = SiteFactory(tenant=demo.bluepeak, account=demo.initech, name="Common Depot")
        their_account = AccountFactory(tenant=demo.bluepeak, name="Common Holding")
    with tenant_context(demo.northwind):
        ours = SiteFactory(tenant=demo.northwind, account=demo.globex, name="Common Depot")
        our_account = AccountFactory(tenant=demo.northwind, name="Common Holding")
    admin = Client()
    admin.force_login(demo.user(ADMIN))
    for client in (manager, admin):
        offered = _options(client.get(SITES, {"site_q": "common depot"}))
        assert offered == {"": "All sites", str(ours.pk): f"Common Depot ({demo.globex.name})"}
        assert _options(client.get(ACCOUNTS, {"account_q": "common"})) == {
            "": "All accounts",
            str(our_account.pk): "Common Holding",
        }
        for query in ("", "a", "e", "o"):  # nothing of Bluepeak's, whatever is typed
            assert not set(_options(client.get(SITES, {"site_q": query}))) & _ids(Site, demo.bluepeak)
            assert not set(_options(client.get(ACCOUNTS, {"account_q": query}))) & _ids(CustomerAccount, demo.bluepeak)
    assert set(_options(outsider.get(SITES, {"site_q": "common"}))) == {"", str(theirs.pk)}
    assert set(_options(outsider.get(ACCOUNTS, {"account_q": "common"}))) == {"", str(their_account.pk)}


@pytest.mark.parametrize("url", [SITES, ACCOUNTS])
def test_another_tenants_manager_asking_for_northwinds_account_or_site_finds_nothing(demo, outsider, url):
    assert outsider.get(url, {"account": demo.acme.pk}).status_code == 404
    assert outsider.get(url, {"site": demo.frankfurt.pk}).status_code == 404
    assert outsider.get(url, {"account": demo.initech.pk, "site": demo.frankfurt.pk}).status_code == 404
    assert outsider.get(url, {"account": demo.initech.pk, "site": demo.barcelona.pk}).status_code == 200


@pytest.mark.parametrize("who", ["alice@acme.example", "dave@acme.example", "carol@initech.example"])
def test_customers_may_not_ask(demo, who):
    customer = Client()
    customer.force_login(demo.user(who))
    for url, search in ((SITES, "site_q"), (ACCOUNTS, "account_q")):
        assert customer.get(url, {search: "a"}).status_code == 404


@pytest.mark.parametrize("size", ["small", "large"])
def test_another_tenants_account_or_site_in_the_url_is_an_error_next_to_its_field(demo, outsider, monkeypatch, size):
    if size == "large":
        monkeypatch.setattr(filter_choices, "FULL_LIST_UP_TO", 0)
    response = outsider.get(DASHBOARD, {"account": demo.acme.pk, "site": demo.frankfurt.pk})
    html = response.content.decode()
    assert 'href="#id_account"' in html
    assert 'href="#id_site"' in html
    for name in ("account", "site"):
        field = re.search(rf'<div class="field has-error">\s*<label for="id_{name}">.*?</div>', html, re.S)
        assert field is not None, name
        assert 'class="error" role="alert"' in field.group(0)
    assert str(demo.acme.pk) not in _select(html, "account")
    assert str(demo.frankfurt.pk) not in _select(html, "site")
    assert "Acme" not in html
    assert "Frankfurt" not in html
    filters = response.context["dashboard"].filters
    assert filters.account_id is None
    assert filters.site_id is None


def test_the_dashboards_filters_speak_german_and_spanish(demo, manager, large):
    for language, words in (
        ("de", ("Standort suchen", "Konto suchen", "Suchen Sie das Konto zuerst nach Namen.")),
        ("es", ("Buscar una sede", "Buscar una cuenta", "Busque primero la cuenta por su nombre.")),
    ):
        user = demo.user(MANAGER)
        user.language = language
        user.save(update_fields=["language"])
        text = manager.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for word in words:
            assert word in text, (language, word)

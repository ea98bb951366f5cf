"""The queue's team and account filters come from the tenant's cached reference data: read
once, and afresh after an account or a team is saved or deleted; never another tenant's."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from servicedesk.models import CustomerAccount, ProductArea, Site, Team
from servicedesk.tenancy import tenant_context
from tests.factories import AccountFactory, ProductAreaFactory, SiteFactory

AGENT = "agent@northwind.example"


def _options(client: Client, name: str) -> tuple[dict[str, str], list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/console/tickets/")
    assert response.status_code == 200
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', response.content.decode(), re.S)
    assert select is not None
    options = dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1)))
    return options, [query["sql"] for query in captured]


@pytest.fixture
def agent(demo) -> Client:
    client = Client()
    client.force_login(demo.user(AGENT))
    return client


def _reads(statements: list[str], table: str) -> bool:
    return any(f'FROM "{table}"' in sql for sql in statements)


@pytest.mark.django_db
def test_a_new_renamed_or_removed_account_is_in_the_next_queue_page(demo, agent):
    options, _ = _options(agent, "account")
    assert str(demo.acme.pk) in options
    _, statements = _options(agent, "account")
    assert not _reads(statements, CustomerAccount._meta.db_table)  # from the cache
    with tenant_context(demo.northwind):
        added = AccountFactory(tenant=demo.northwind, name="Zebra Freight AG")
    options, _ = _options(agent, "account")
    assert options[str(added.pk)] == "Zebra Freight AG"
    with tenant_context(demo.northwind):
        added.name = "Zebra Freight & Co AG"
        added.save()
    assert _options(agent, "account")[0][str(added.pk)] == "Zebra Freight &amp; Co AG"
    with tenant_context(demo.northwind):
        added.delete()
    assert str(added.pk) not in _options(agent, "account")[0]


@pytest.mark.django_db
def test_a_new_team_is_in_the_next_queue_page(demo, agent):
    _options(agent, "team")
    _, statements = _options(agent, "team")
    assert not _reads(statements, Team._meta.db_table)
    with tenant_context(demo.northwind):
        team = Team.objects.create(tenant=demo.northwind, name="Night shift")
    assert _options(agent, "team")[0][str(team.pk)] == "Night shift"


@pytest.mark.django_db
def test_the_cached_choices_are_the_tenants_own(demo, agent):
    other = Client()
    other.force_login(demo.user("agent@bluepeak.example"))
    _options(agent, "account")  # northwind's cached first
    with tenant_context(demo.bluepeak):
        theirs = {str(pk) for pk in CustomerAccount.objects.values_list("pk", flat=True)}
    with tenant_context(demo.northwind):
        ours = {str(pk) for pk in CustomerAccount.objects.values_list("pk", flat=True)}
    assert theirs
    assert ours
    assert not theirs & ours
    assert set(_options(other, "account")[0]) - {""} == theirs
    assert set(_options(agent, "account")[0]) - {""} == ours


@pytest.mark.django_db
def test_a_new_renamed_or_removed_site_and_a_new_product_area_are_in_the_next_queue_page(demo, agent):
    _options(agent, "site")
    _, statements = _options(agent, "site")
    assert not _reads(statements, Site._meta.db_table)  # from the cache
    assert not _reads(statements, ProductArea._meta.db_table)
    with tenant_context(demo.northwind):
        site = SiteFactory(tenant=demo.northwind, account=demo.acme, name="Depot Zwickau")
    assert _options(agent, "site")[0][str(site.pk)] == f"Depot Zwickau ({demo.acme.name})"
    with tenant_context(demo.northwind):
        demo.acme.name = "Acme Freight"  # the site's label names its account
        demo.acme.save()
    assert _options(agent, "site")[0][str(site.pk)] == "Depot Zwickau (Acme Freight)"
    with tenant_context(demo.northwind):
        site.delete()
        area = ProductAreaFactory(tenant=demo.northwind, name="Zeta voice")
    assert str(site.pk) not in _options(agent, "site")[0]
    assert _options(agent, "product_area")[0][str(area.pk)] == "Zeta voice"


@pytest.mark.django_db
def test_the_cached_sites_are_the_tenants_own(demo, agent):
    other = Client()
    other.force_login(demo.user("agent@bluepeak.example"))
    _options(agent, "site")  # northwind's cached first
    with tenant_context(demo.bluepeak):
        theirs = {str(pk) for pk in Site.objects.values_list("pk", flat=True)}
    with tenant_context(demo.northwind):
        ours = {str(pk) for pk in Site.objects.values_list("pk", flat=True)}
    assert theirs
    assert not theirs & ours
    assert set(_options(other, "site")[0]) - {""} == theirs
    assert set(_options(agent, "site")[0]) - {""} == ours


@pytest.mark.django_db
def test_another_tenants_site_is_no_choice_of_the_queue(demo, agent):
    _options(agent, "site")  # northwind's sites cached
    with tenant_context(demo.bluepeak):
        theirs = Site.objects.values_list("pk", flat=True).first()
    response = agent.get("/console/tickets/", {"site": str(theirs)})
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_valid()
    assert "site" in form.errors

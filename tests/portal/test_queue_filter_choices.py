"""The queue's site and account filters on a large tenant (more than ``FULL_LIST_UP_TO`` of
them; lowered here): the page offers the chosen account's sites, or the matches of a search,
never the whole list; a site or account given in the URL shows as chosen with its name; the
endpoint the page asks as the agent types answers at most ``MATCHES_OFFERED`` of the agent's
own tenant, and 404 for another tenant's account or site."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.forms import filter_choices
from servicedesk.models import CustomerAccount, Site
from servicedesk.tenancy import tenant_context
from tests.factories import AccountFactory, SiteFactory

AGENT = "agent@northwind.example"
SITES = "/console/tickets/filters/site/"
ACCOUNTS = "/console/tickets/filters/account/"


@pytest.fixture
def large(monkeypatch):
    """Every tenant counts as large: its sites and accounts are searched, not listed."""
    monkeypatch.setattr(filter_choices, "FULL_LIST_UP_TO", 0)


@pytest.fixture
def agent(demo) -> Client:
    client = Client()
    client.force_login(demo.user(AGENT))
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


def _account_name(demo, site: Site) -> str:
    with tenant_context(demo.northwind):
        return CustomerAccount.objects.get(pk=site.account_id).name


def _ids(model, tenant) -> set[str]:
    with tenant_context(tenant):
        return {str(pk) for pk in model.objects.values_list("pk", flat=True)}


@pytest.mark.django_db
def test_a_large_tenants_queue_offers_a_search_not_every_site_and_account(demo, agent, large):
    html = agent.get("/console/tickets/").content.decode()
    assert _select(html, "site") == {"": "All sites"}
    assert _select(html, "account") == {"": "All accounts"}
    assert 'name="site_q"' in html
    assert 'name="account_q"' in html
    assert '<label for="id_site_q">Find a site</label>' in html
    assert 'hx-get="/console/tickets/filters/site/"' in html
    assert 'id="site-matches" role="status"' in html


@pytest.mark.django_db
def test_a_small_tenants_queue_lists_every_site_and_account_without_a_search(demo, agent):
    html = agent.get("/console/tickets/").content.decode()
    assert set(_select(html, "site")) - {""} == _ids(Site, demo.northwind)
    assert set(_select(html, "account")) - {""} == _ids(CustomerAccount, demo.northwind)
    assert 'name="site_q"' not in html
    assert 'name="account_q"' not in html


@pytest.mark.django_db
def test_the_chosen_account_offers_its_own_sites(demo, agent, large):
    with tenant_context(demo.northwind):
        acme_sites = {str(pk): name for pk, name in Site.objects.filter(account=demo.acme).values_list("pk", "name")}
    html = agent.get("/console/tickets/", {"account": demo.acme.pk}).content.decode()
    offered = _select(html, "site")
    assert set(offered) - {""} == set(acme_sites)
    assert all(offered[pk] == f"{name} ({demo.acme.name})" for pk, name in acme_sites.items())
    assert _chosen(html, "account") == [str(demo.acme.pk)]
    assert _select(html, "account")[str(demo.acme.pk)] == demo.acme.name  # chosen, with its name
    count = len(acme_sites)
    assert f"{count} sites of this account." in html or f"{count} site of this account." in html


@pytest.mark.django_db
def test_a_site_given_in_the_url_shows_as_chosen_with_its_name_and_filters(demo, agent, large):
    response = agent.get("/console/tickets/", {"site": demo.london.pk, "status": "all"})
    html = response.content.decode()
    assert _chosen(html, "site") == [str(demo.london.pk)]
    assert _select(html, "site")[str(demo.london.pk)] == f"London ({_account_name(demo, demo.london)})"
    assert response.context["form"].filters().site_id == demo.london.pk


@pytest.mark.django_db
def test_a_search_without_scripts_offers_the_matches(demo, agent, large):
    html = agent.get("/console/tickets/", {"site_q": "frank", "account_q": "GLOBEX"}).content.decode()
    assert set(_select(html, "site")) == {"", str(demo.frankfurt.pk)}
    assert set(_select(html, "account")) == {"", str(demo.globex.pk)}
    assert 'value="frank"' in html  # the search stays in its field
    assert "1 match." in html


@pytest.mark.django_db
def test_the_page_reads_no_site_or_account_rows(demo, agent, large):
    agent.get("/console/tickets/")
    with CaptureQueriesContext(connection) as captured:
        agent.get("/console/tickets/", {"site_q": "a", "account": demo.acme.pk})
        agent.get(SITES, {"site_q": "a"})
    tables = (Site._meta.db_table, CustomerAccount._meta.db_table)
    assert not [q["sql"] for q in captured if any(f'FROM "{table}"' in q["sql"] for table in tables)]


@pytest.mark.django_db
def test_the_search_answers_the_agents_own_tenants_sites_only(demo, agent, large):
    with tenant_context(demo.bluepeak):
        theirs = SiteFactory(tenant=demo.bluepeak, account=demo.initech, name="Common Depot")
    with tenant_context(demo.northwind):
        ours = SiteFactory(tenant=demo.northwind, account=demo.globex, name="Common Depot")
    offered = _options(agent.get(SITES, {"site_q": "common depot"}))
    assert offered == {"": "All sites", str(ours.pk): f"Common Depot ({demo.globex.name})"}
    for query in ("", "a", "e", "o", " "):  # nothing of Bluepeak's, whatever is typed
        offered = _options(agent.get(SITES, {"site_q": query}))
        assert not set(offered) & _ids(Site, demo.bluepeak)
        assert str(theirs.pk) not in offered
    other = Client()
    other.force_login(demo.user("agent@bluepeak.example"))
    assert set(_options(other.get(SITES, {"site_q": "common"}))) == {"", str(theirs.pk)}


@pytest.mark.django_db
def test_the_search_keeps_the_chosen_site_and_narrows_to_the_account(demo, agent, large):
    response = agent.get(SITES, {"site_q": "", "account": demo.acme.pk, "site": demo.frankfurt.pk})
    html = response.content.decode()
    assert f'<option value="{demo.frankfurt.pk}" selected>' in html
    with tenant_context(demo.northwind):
        acme_sites = {str(pk) for pk in Site.objects.filter(account=demo.acme).values_list("pk", flat=True)}
    assert set(_options(response)) - {""} == acme_sites
    assert 'id="site-matches" hx-swap-oob="innerHTML"' in html
    # Another account picked: its sites, the site of the one before no longer chosen.
    html = agent.get(SITES, {"account": demo.acme.pk, "site": demo.london.pk}).content.decode()
    assert str(demo.london.pk) not in _options(agent.get(SITES, {"account": demo.acme.pk, "site": demo.london.pk}))
    assert " selected" not in html.replace('<option value="" selected>', "")
    # A site chosen that no longer matches stays offered, with its name.
    offered = _options(agent.get(SITES, {"site_q": "zzz", "site": demo.london.pk}))
    assert offered == {"": "All sites", str(demo.london.pk): f"London ({_account_name(demo, demo.london)})"}


@pytest.mark.django_db
def test_the_search_offers_at_most_twenty_and_says_so(demo, agent, large):
    with tenant_context(demo.northwind):
        account = AccountFactory(tenant=demo.northwind, name="Depot Holding")
        for n in range(25):
            SiteFactory(tenant=demo.northwind, account=account, name=f"Depot {n:02d}")
    response = agent.get(SITES, {"site_q": "depot "})
    assert len(_options(response)) == 1 + filter_choices.MATCHES_OFFERED
    assert "The first 20 of 25 matches: type more of the name." in response.content.decode()
    assert "No site matches" not in response.content.decode()
    assert "Nothing matches “nowhere”." in agent.get(SITES, {"site_q": "nowhere"}).content.decode()


@pytest.mark.django_db
def test_the_account_search_answers_the_agents_own_tenants_accounts_only(demo, agent, large):
    with tenant_context(demo.bluepeak):
        theirs = AccountFactory(tenant=demo.bluepeak, name="Shared Name Ltd")
    with tenant_context(demo.northwind):
        ours = AccountFactory(tenant=demo.northwind, name="Shared Name Ltd")
    assert _options(agent.get(ACCOUNTS, {"account_q": "shared"})) == {
        "": "All accounts",
        str(ours.pk): "Shared Name Ltd",
    }
    for query in ("", "l", "i"):
        offered = _options(agent.get(ACCOUNTS, {"account_q": query}))
        assert not set(offered) & _ids(CustomerAccount, demo.bluepeak)
        assert str(theirs.pk) not in offered


@pytest.mark.django_db
@pytest.mark.parametrize("url", [SITES, ACCOUNTS])
def test_another_tenants_account_or_site_is_not_found(demo, agent, url):
    assert agent.get(url, {"account": demo.initech.pk}).status_code == 404
    assert agent.get(url, {"site": demo.barcelona.pk}).status_code == 404
    assert agent.get(url, {"account": "999999"}).status_code == 404
    assert agent.get(url, {"site": "not-a-number"}).status_code == 404
    assert agent.get(url, {"account": demo.acme.pk, "site": demo.madrid.pk}).status_code == 200


@pytest.mark.django_db
def test_only_staff_ask_and_only_for_sites_or_accounts(demo, agent):
    assert agent.get("/console/tickets/filters/team/").status_code == 404
    customer = Client()
    customer.force_login(demo.user("alice@acme.example"))
    assert customer.get(SITES, {"site_q": "a"}).status_code in (302, 403, 404)
    assert Client().get(SITES).status_code == 302  # to sign in


@pytest.mark.django_db
def test_the_filters_speak_german_and_spanish(demo, agent, large):
    for language, words in (
        ("de", ("Standort suchen", "Konto suchen", "Suchen Sie das Konto zuerst nach Namen.")),
        ("es", ("Buscar una sede", "Buscar una cuenta", "Busque primero la cuenta por su nombre.")),
    ):
        user = demo.user(AGENT)
        user.language = language
        user.save(update_fields=["language"])
        html = agent.get("/console/tickets/", HTTP_ACCEPT_LANGUAGE=language)
        text = html.content.decode()
        for word in words:
            assert word in text, (language, word)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "de", "es"])
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"site_q": "fra<&>\"'", "account": "1", "date_from": "2026-02-01", "date_to": "2026-01-01", "level": "x"},
        {"target": "respond", "site": "999999", "account_q": "a"},
    ],
)
def test_the_filter_fields_written_in_python_are_the_templates_markup(demo, large, language, query):
    from django.http import QueryDict  # noqa: PLC0415
    from django.template import Context, Template  # noqa: PLC0415
    from django.utils import translation  # noqa: PLC0415

    from portal.forms.queue import ConsoleQueueForm  # noqa: PLC0415

    reference = Template(
        '{% for field in form.visible_fields %}{% if field.name != "q" %}'
        '{% include "partials/field.html" with field=field %}{% endif %}{% endfor %}'
    )
    written = Template('{% load ticket_tags %}{% filter_fields form skip="q" %}')
    data = QueryDict(mutable=True)
    data.update(query)
    with translation.override(language), tenant_context(demo.northwind):
        form = ConsoleQueueForm(data, actor=demo.user(AGENT))
        form.is_valid()
        expected = reference.render(Context({"form": form}))
        assert written.render(Context({"form": form})) == expected
    if len(query) > 3:
        assert "has-error" in expected


@pytest.mark.parametrize(
    "widget",
    [
        "TextInput", "NumberInput", "DateInput", "HiddenInput", "EmailInput", "SearchInput",
    ],
)  # fmt: skip
@pytest.mark.parametrize("value", [None, "", "a<b>&\"'c", 42, "2026-01-31"])
def test_the_inputs_written_in_python_are_djangos_markup(widget, value):
    from django import forms  # noqa: PLC0415
    from django.forms.renderers import DjangoTemplates  # noqa: PLC0415
    from django.utils.safestring import mark_safe  # noqa: PLC0415

    from portal.forms.filter_choices import SearchInput  # noqa: PLC0415
    from portal.forms.widgets import python_inputs  # noqa: PLC0415

    kind = SearchInput if widget == "SearchInput" else getattr(forms, widget)
    attrs = {"id": "id_x", "required": True, "disabled": False, "hx-get": "/a?b=1&c=<2>", "data-safe": mark_safe("<i>")}
    made = kind(attrs={"class": "wide", "placeholder": "“Quoted” & 'single'"})
    assert made.render("x", value, attrs, renderer=python_inputs) == made.render(
        "x", value, attrs, renderer=DjangoTemplates()
    )

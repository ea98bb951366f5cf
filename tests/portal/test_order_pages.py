"""Order pages: customers follow their own orders; the desk sees the tenant's; nobody sees
another account's or tenant's (404)."""

import re

import pytest
from django.test import Client

from orders.models import Order
from servicedesk.tenancy import tenant_context
from tests.factories.histories import place_orders


@pytest.fixture
def orders(demo):
    place_orders(demo.northwind)
    with tenant_context(demo.northwind):
        by_account = {
            name: list(Order.objects.filter(account__name=name).values_list("number", "site__name"))
            for name in ("Acme Logistics GmbH", "Globex Retail Ltd")
        }
    return demo, by_account


def _page(demo, email, url):
    client = Client()
    client.force_login(demo.user(email))
    return client.get(url)


def _numbers(response):
    return set(re.findall(r">(ORD-\d{6})</a>", response.content.decode()))


@pytest.mark.django_db
def test_a_customer_lists_only_the_accounts_orders(orders):
    demo, by_account = orders
    acme = {number for number, _site in by_account["Acme Logistics GmbH"]}
    globex = {number for number, _site in by_account["Globex Retail Ltd"]}
    assert acme
    assert globex
    assert _numbers(_page(demo, "alice@acme.example", "/portal/orders/?show=all")) == acme
    assert _numbers(_page(demo, "bob@globex.example", "/portal/orders/?show=all")) == globex


@pytest.mark.django_db
def test_a_site_restricted_customer_sees_only_that_sites_orders(orders):
    demo, by_account = orders
    madrid = {number for number, site in by_account["Acme Logistics GmbH"] if site == "Madrid"}
    assert _numbers(_page(demo, "dave@acme.example", "/portal/orders/?show=all")) <= madrid


@pytest.mark.django_db
def test_the_order_page_shows_its_steps_and_dates(orders):
    demo, by_account = orders
    number = by_account["Acme Logistics GmbH"][0][0]
    response = _page(demo, "alice@acme.example", f"/portal/orders/{number}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert number in page
    assert "Delivery date to be confirmed by" in page
    assert "Steps" in page


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", ["bob@globex.example", "carol@initech.example", "agent@bluepeak.example"])
def test_outsiders_get_404_for_an_acme_order(orders, outsider):
    demo, by_account = orders
    number = by_account["Acme Logistics GmbH"][0][0]
    prefix = "/console" if outsider.startswith("agent") else "/portal"
    assert _page(demo, outsider, f"{prefix}/orders/{number}/").status_code == 404


@pytest.mark.django_db
def test_the_desk_sees_every_account_and_customers_not_the_console(orders):
    demo, by_account = orders
    everything = {number for rows in by_account.values() for number, _site in rows}
    assert _numbers(_page(demo, "agent@northwind.example", "/console/orders/?show=all")) == everything
    assert _numbers(_page(demo, "agent@bluepeak.example", "/console/orders/?show=all")) == set()
    assert _page(demo, "alice@acme.example", "/console/orders/").status_code == 404


@pytest.mark.django_db
def test_late_orders_are_flagged_and_filtered(orders):
    demo, _by_account = orders
    late_page = _page(demo, "agent@northwind.example", "/console/orders/?show=late")
    late = _numbers(late_page)
    assert late  # Acme's Madrid order waits too long for its delivery date
    assert late_page.content.decode().count('class="badge sla-breached"') == len(late)
    assert late <= _numbers(_page(demo, "agent@northwind.example", "/console/orders/?show=all"))

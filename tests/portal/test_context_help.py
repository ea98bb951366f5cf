"""Context help on every portal page: what the page is for and what its states mean, in the
same component (partials/context_help.html, a details element headed "About this page")."""

from __future__ import annotations

import pytest
from django.test import Client

from orders.models import Order
from servicedesk.tenancy import tenant_context
from tests.factories.histories import place_orders
from tests.factories.world import build_order_rules

PAGES = [
    "/portal/", "/portal/tickets/", "/portal/tickets/new/", "/portal/requests/", "/portal/requests/catalogue/",
    "/portal/requests/catalogue/cpe-reboot/", "/portal/orders/", "/portal/inventory/", "/portal/documents/",
    "/portal/surveys/", "/portal/profile/", "/portal/escalation-matrix/", "/portal/inventory/NW-MPLS-1001/", "/portal/surveys/answer/not-a-token/",
    "/portal/reports/",
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "de"])
def test_every_portal_page_has_its_context_help(demo, language):
    build_order_rules()
    place_orders(demo.northwind)
    client = Client()
    client.force_login(demo.user("alice@acme.example"))
    client.cookies["django_language"] = language
    with tenant_context(demo.northwind):
        order = Order.objects.filter(account=demo.acme).first()
    missing = []
    for url in [*PAGES, f"/portal/orders/{order.number}/"]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code in (200, 404), url  # 404: the survey link page for a bad token
        page = response.content.decode()
        if 'class="context-help' not in page:
            missing.append(url)
    assert missing == []


REPORT_HELP = {
    "en": "A month of service levels: the share of targets met on time per target",
    "de": "Die Service-Level eines Monats: der Anteil der pünktlich eingehaltenen Ziele je Ziel",
    "es": "Los niveles de servicio de un mes: la proporción de objetivos cumplidos a tiempo por objetivo",
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_the_report_pages_explain_themselves_in_the_readers_language(demo, language):
    """The customers' monthly report and the managers' report of an account (the same page)."""
    from servicedesk.models import User  # noqa: PLC0415

    for email, url in (("alice@acme.example", "/portal/reports/"),
                       ("manager@northwind.example", f"/dashboard/accounts/{demo.acme.pk}/report/")):  # fmt: skip
        User.objects.filter(email=email).update(language=language)
        client = Client()
        client.force_login(User.objects.get(email=email))
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert 'class="context-help' in page, url
        assert REPORT_HELP[language] in page, url

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

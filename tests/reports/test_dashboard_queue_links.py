"""Every ticket figure of the dashboard links to the console queue showing exactly the tickets
behind it: the queue's filters for days (of opening or of resolution, in the tenant's zone), site
and product area, on the history of tests/reports/conftest.py (25–31 October 2026 in Berlin).

Opened in the period: A (25th 00:30 CEST), F, E, H, C (31st 23:30 CET); not B (24th 23:30 local)
nor D (1 November 00:30 local), nor G (Bluepeak's). Resolved in it: A, B, F."""

from __future__ import annotations

import html
import re

import pytest

from servicedesk.models import ProductArea
from servicedesk.tenancy import tenant_context
from tests.factories import ManagerFactory
from tests.reports.test_dashboard import MANAGER, OCTOBER_END

pytestmark = pytest.mark.django_db


def _kpi_link(page: str, label: str) -> str:
    match = re.search(
        rf'<a class="kpi" href="([^"]+)"><span class="kpi-value">\d+</span><span class="kpi-label">{label}<', page
    )
    assert match, label
    return html.unescape(match.group(1))


def _queue_numbers(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return set(re.findall(r'class="ticket-link" href="[^"]*/">([A-Z]+-\d+)</a>', response.content.decode()))


def _figure(page: str, label: str) -> int:
    match = re.search(rf'<span class="kpi-value">(\d+)</span><span class="kpi-label">{label}<', page)
    assert match, label
    return int(match.group(1))


@pytest.fixture
def manager(client, demo):
    client.force_login(demo.user(MANAGER))
    return client


def test_opened_and_resolved_open_the_queue_of_exactly_their_tickets(manager, history):
    n = history.numbers
    page = manager.get("/dashboard/", OCTOBER_END).content.decode()
    opened = _kpi_link(page, "tickets opened")
    assert "date_from=2026-10-25" in opened
    assert "date_to=2026-10-31" in opened
    assert _queue_numbers(manager, opened) == {n["A"], n["C"], n["E"], n["F"], n["H"]}
    assert _figure(page, "tickets opened") == 5
    resolved = _kpi_link(page, "tickets resolved")
    assert _queue_numbers(manager, resolved) == {n["A"], n["B"], n["F"]}
    assert _figure(page, "tickets resolved") == 3


def test_the_links_carry_the_product_area_and_site(manager, demo, history):
    n = history.numbers
    with tenant_context(demo.northwind):
        voice = ProductArea.objects.get(slug="voice")
    page = manager.get("/dashboard/", {**OCTOBER_END, "product_area": voice.pk}).content.decode()
    opened = _kpi_link(page, "tickets opened")
    assert f"product_area={voice.pk}" in opened
    assert _queue_numbers(manager, opened) == {n["H"]}
    assert _figure(page, "tickets opened") == 1
    page = manager.get("/dashboard/", {**OCTOBER_END, "site": demo.madrid.pk}).content.decode()
    assert _queue_numbers(manager, _kpi_link(page, "tickets opened")) == {n["F"]}
    assert _queue_numbers(manager, _kpi_link(page, "tickets resolved")) == {n["F"]}
    assert _figure(page, "tickets opened") == 1


def test_the_queues_day_filter_is_in_the_tenants_zone(manager, history):
    n = history.numbers
    # 24 October in Berlin: B (23:30 CEST) only; A was opened at 00:30 on the 25th.
    days = {"status": "all", "date_from": "2026-10-24", "date_to": "2026-10-24"}
    assert _queue_numbers(manager, "/console/tickets/?" + "&".join(f"{k}={v}" for k, v in days.items())) == {n["B"]}
    # 1 November: D (00:30 CET), not C (31 October 23:30).
    assert _queue_numbers(manager, "/console/tickets/?status=all&date_from=2026-11-01") == {n["D"]}


def test_a_period_ending_before_it_starts_is_shown_next_to_its_field(manager, history):
    response = manager.get("/console/tickets/", {"status": "all", "date_from": "2026-10-31", "date_to": "2026-10-25"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The end of the period comes before its start." in page
    assert 'class="field has-error"' in page
    response = manager.get("/console/tickets/", {"status": "all", "date_from": "yesterday", "site": "x"})
    assert response.status_code == 200


def test_another_tenants_site_and_area_are_no_choice(client, demo, history):
    with tenant_context(demo.bluepeak):
        outsider = ManagerFactory(tenant=demo.bluepeak, email="manager@bluepeak.example")
    with tenant_context(demo.northwind):
        voice = ProductArea.objects.get(slug="voice")
    client.force_login(outsider)
    for params in ({"site": demo.frankfurt.pk}, {"product_area": voice.pk}):
        response = client.get("/console/tickets/", {"status": "all", **params})
        assert response.status_code == 200
        page = response.content.decode()
        assert "has-error" in page
        assert history.numbers["H"] not in page
        assert "Frankfurt" not in page


def test_each_backlog_cell_opens_the_queue_of_its_open_tickets(manager, history):
    n = history.numbers
    page = manager.get("/dashboard/", OCTOBER_END).content.decode()
    section = re.search(r'<h2 id="backlog">.*?</section>', page, re.S).group(0)
    cells = [
        (html.unescape(link), int(count))
        for link, count in re.findall(r'<td class="num"><a href="([^"]+)">(\d+)</a></td>', section)
        if "age=" in link
    ]
    # Open on 2 November 09:00Z: C and D (opened 31 October, 1–3 days old), E and H (3–7 days).
    assert sum(count for _link, count in cells) == 4
    seen = set()
    for link, count in cells:
        numbers = _queue_numbers(manager, link)
        assert len(numbers) == count, link
        seen |= numbers
    assert seen == {n["C"], n["D"], n["E"], n["H"]}

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


def _attainment_links(page: str) -> dict[str, tuple[str, int]]:
    """Per "target outcome" the link and the figure of the attainment table's cells."""
    section = re.search(r'<h2 id="targets">.*?</section>', page, re.S).group(0)
    cells = re.findall(r'<td class="num"><a href="([^"]+)">(\d+)</a></td>', section)
    links = {}
    for link, count in cells:
        link = html.unescape(link)
        target = re.search(r"target=(\w+)", link).group(1)
        outcome = re.search(r"dates=(\w+)", link).group(1)
        links[f"{target} {outcome}"] = (link, int(count))
    return links


# Decided in 25–31 October (Berlin): respond met on time by A, E, F (D's on 1 November), breached
# by C and H (B's at 21:45Z on the 24th, before the period); callback met by A, breached by B (due
# 25th 01:30 local); restore met by B and F, breached by A (met at 04:00, reopened, then breached
# at its due 05:30: it counts as breached). No RFO was asked for.
DECIDED = {
    "respond met": "AEF",
    "respond breached": "CH",
    "callback met": "A",
    "callback breached": "B",
    "restore met": "BF",
    "restore breached": "A",
}


def test_each_attainment_cell_opens_the_queue_of_exactly_its_tickets(manager, history):
    n = history.numbers
    page = manager.get("/dashboard/", OCTOBER_END).content.decode()
    links = _attainment_links(page)
    assert set(links) == set(DECIDED)
    for key, letters in DECIDED.items():
        link, count = links[key]
        assert "date_from=2026-10-25" in link, link
        assert "date_to=2026-10-31" in link, link
        assert count == len(letters), key
        assert _queue_numbers(manager, link) == {n[letter] for letter in letters}, key


def test_the_attainment_links_carry_the_dashboards_filters(manager, demo, history):
    n = history.numbers
    page = manager.get("/dashboard/", {**OCTOBER_END, "site": demo.madrid.pk}).content.decode()
    links = _attainment_links(page)
    assert set(links) == {"respond met", "restore met"}
    for link, count in links.values():
        assert f"site={demo.madrid.pk}" in link
        assert _queue_numbers(manager, link) == {n["F"]}
        assert count == 1
    page = manager.get("/dashboard/", {**OCTOBER_END, "kind": "complaint"}).content.decode()
    links = _attainment_links(page)
    assert set(links) == {"respond breached"}
    assert _queue_numbers(manager, links["respond breached"][0]) == {n["H"]}


def test_a_target_outside_the_days_of_its_outcome_is_an_error_next_to_it(manager, history):
    n = history.numbers
    # The days of a target's outcome, not of the ticket's opening: B opened on the 24th (local)
    # and its callback was breached on the 25th.
    query = {"status": "all", "dates": "breached", "target": "callback", "date_from": "2026-10-25"}
    assert _queue_numbers(manager, "/console/tickets/?" + "&".join(f"{k}={v}" for k, v in query.items())) == {n["B"]}
    response = manager.get("/console/tickets/", {"status": "all", "dates": "created", "target": "respond"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "A target narrows the tickets by its outcome" in page
    assert 'class="field has-error"' in page
    response = manager.get("/console/tickets/", {"status": "all", "dates": "met", "target": "nonsense"})
    assert response.status_code == 200
    assert 'class="field has-error"' in response.content.decode()


def test_another_tenants_manager_following_an_attainment_link_sees_none_of_its_tickets(client, manager, demo, history):
    page = manager.get("/dashboard/", OCTOBER_END).content.decode()
    link, _count = _attainment_links(page)["respond met"]
    with tenant_context(demo.bluepeak):
        outsider = ManagerFactory(tenant=demo.bluepeak, email="manager@bluepeak.example")
    client.force_login(outsider)
    # G (Bluepeak's, respond met on the 27th) is the only ticket its own manager sees.
    assert _queue_numbers(client, link) == {history.numbers["G"]}
    response = client.get(f"/console/tickets/{history.numbers['A']}/")
    assert response.status_code == 404

"""Every ticket figure of the dashboard links to the console queue showing exactly the tickets
behind it: the queue's filters for days (of opening or of resolution, in the tenant's zone), site
and product area, on the history of tests/reports/conftest.py (25–31 October 2026 in Berlin).

Opened in the period: A (25th 00:30 CEST), F, E, H, C (31st 23:30 CET); not B (24th 23:30 local)
nor D (1 November 00:30 local), nor G (Bluepeak's). Resolved in it: A, B, F."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from servicedesk.models import ProductArea
from servicedesk.tenancy import tenant_context
from tests.factories import ManagerFactory
from tests.feedback.conftest import resolved_ticket, surveys_about
from tests.reports.conftest import AGENT, ALICE
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


def _cell_links(page: str, section_id: str) -> list[tuple[str, int]]:
    section = re.search(rf'<h2 id="{section_id}">.*?</section>', page, re.S).group(0)
    return [(html.unescape(link), int(count)) for link, count in re.findall(r'<a href="([^"]+)">(\d+)</a>', section)]


def test_the_times_reopenings_and_availability_open_the_queue_of_exactly_their_tickets(manager, history):
    n = history.numbers
    page = manager.get("/dashboard/", OCTOBER_END).content.decode()
    # The times are measured over the targets met (on time or late) in the period: respond by A,
    # C, E, F, H (B's and D's outside it), restore by B, F and A (met late at 06:00Z).
    times = {re.search(r"target=(\w+)", link).group(1): (link, count) for link, count in _cell_links(page, "times")}
    assert {target: count for target, (_link, count) in times.items()} == {"respond": 5, "restore": 3}
    assert _queue_numbers(manager, times["respond"][0]) == {n[x] for x in "ACEFH"}
    assert _queue_numbers(manager, times["restore"][0]) == {n[x] for x in "ABF"}
    # Reopened in the period: A (once, by alice, at 05:00Z on the 25th).
    other = [(link, count) for link, count in _cell_links(page, "other") if "dates=reopened" in link]
    assert [count for _link, count in other] == [1]
    assert _queue_numbers(manager, other[0][0]) == {n["A"]}
    # Availability: the outages down during the period per service (D began after it).
    outages = {
        re.search(r"service=([\w-]+)", link).group(1): (link, count)
        for link, count in _cell_links(page, "availability")
    }
    assert {service: count for service, (_link, count) in outages.items()} == {
        "NW-INET-3001": 1,
        "NW-MPLS-1001": 3,
        "NW-MPLS-2001": 1,
    }
    assert _queue_numbers(manager, outages["NW-INET-3001"][0]) == {n["E"]}
    assert _queue_numbers(manager, outages["NW-MPLS-1001"][0]) == {n["A"], n["B"], n["C"]}
    assert _queue_numbers(manager, outages["NW-MPLS-2001"][0]) == {n["F"]}


def test_each_escalation_cell_opens_the_queue_of_its_escalated_tickets(manager, demo, history, time_machine):
    n = history.numbers
    time_machine.move_to("2026-10-31T22:55:00Z", tick=False)
    response = demo.api(ALICE).post(f"/api/v1/tickets/{n['C']}/escalate/", {"reason": "progress"}, format="json")
    assert response.status_code == 200, response.json()
    response = demo.api(AGENT).post(
        f"/api/v1/tickets/{n['E']}/escalate/", {"reason": "other", "comment": "VIP", "level": 2}, format="json"
    )
    assert response.status_code == 200, response.json()
    time_machine.move_to("2026-11-02T09:00:00Z", tick=False)
    page = manager.get("/dashboard/", OCTOBER_END).content.decode()
    cells = {
        (re.search(r"level=(\d+)", link).group(1), re.search(r"trigger=(\w+)", link).group(1)): (link, count)
        for link, count in _cell_links(page, "escalations")
    }
    assert {key: count for key, (_link, count) in cells.items()} == {("1", "customer"): 1, ("2", "agent"): 1}
    assert _queue_numbers(manager, cells["1", "customer"][0]) == {n["C"]}
    assert _queue_numbers(manager, cells["2", "agent"][0]) == {n["E"]}
    # Level and trigger narrow escalations only: elsewhere they are an error next to the field.
    response = manager.get("/console/tickets/", {"status": "all", "level": "1", "trigger": "customer"})
    assert response.content.decode().count('class="field has-error"') == 2


def test_the_csat_responses_open_the_queue_of_the_surveyed_tickets(
    client, demo, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    acme = resolved_ticket(demo, django_capture_on_commit_callbacks)
    london = resolved_ticket(demo, django_capture_on_commit_callbacks, who="bob@globex.example", service="NW-INET-3001")
    resolved_ticket(demo, django_capture_on_commit_callbacks)  # surveyed, never answered
    time_machine.move_to("2026-11-19T10:00:00Z", tick=False)
    for ticket, who in ((acme, ALICE), (london, "bob@globex.example")):
        survey = surveys_about(demo, ticket)[-1]
        response = demo.api(who).post(f"/api/v1/surveys/{survey.pk}/answer/", {"score": 4}, format="json")
        assert response.status_code == 200, response.json()
    client.force_login(demo.user(MANAGER))
    november = {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"}
    for params, expected in (({}, {acme.number, london.number}), ({"account": demo.acme.pk}, {acme.number})):
        page = client.get("/dashboard/", {**november, **params}).content.decode()
        link = html.unescape(re.search(r'<a href="([^"]+dates=surveyed[^"]*)">', page).group(1))
        assert _queue_numbers(client, link) == expected


def test_a_service_of_another_tenant_or_none_is_an_error_and_matches_nothing(client, demo, history):
    with tenant_context(demo.bluepeak):
        outsider = ManagerFactory(tenant=demo.bluepeak, email="manager@bluepeak.example")
    client.force_login(outsider)
    response = client.get("/console/tickets/", {"status": "all", "dates": "outage", "service": "NW-MPLS-1001"})
    assert response.status_code == 200
    page = response.content.decode()
    # Next to the service field, in the manager's language (Bluepeak's is Spanish).
    assert re.search(
        r'<div class="field has-error">\s*<label for="id_service">.*?<p class="error" role="alert">[^<]+</p>',
        page,
        re.S,
    )
    assert page.count('class="field has-error"') == 1
    assert _queue_numbers(client, "/console/tickets/?status=all&service=NW-MPLS-1001") == set()
    assert client.get(f"/console/tickets/{history.numbers['A']}/").status_code == 404


def _order(demo, number, site, handed_over, committed):
    from orders.models import Order  # noqa: PLC0415

    return Order.objects.create(
        tenant=site.tenant, number=number, title="Second line", account=site.account, site=site, created_by=demo.user(ALICE),
        status=Order.Status.HANDED_OVER, handed_over_at=handed_over, committed_delivery_on=committed,
    )  # fmt: skip


def test_the_orders_on_their_committed_date_open_the_orders_list_of_exactly_them(manager, demo, history):
    utc = dt.UTC
    with tenant_context(demo.northwind):
        _order(demo, "T-1", demo.frankfurt, dt.datetime(2026, 10, 26, 10, tzinfo=utc), dt.date(2026, 10, 26))
        # 1 November 00:30 in Berlin: after the period.
        _order(demo, "T-2", demo.frankfurt, dt.datetime(2026, 10, 31, 23, 30, tzinfo=utc), dt.date(2026, 11, 1))
        _order(demo, "T-3", demo.madrid, dt.datetime(2026, 10, 28, 12, tzinfo=utc), dt.date(2026, 10, 27))  # late
        _order(demo, "T-4", demo.london, dt.datetime(2026, 10, 29, 9, tzinfo=utc), dt.date(2026, 10, 30))
        # 30 October 23:30Z is the 31st in Berlin: a day after its committed date.
        _order(demo, "T-5", demo.frankfurt, dt.datetime(2026, 10, 30, 23, 30, tzinfo=utc), dt.date(2026, 10, 30))
        _order(demo, "T-6", demo.frankfurt, dt.datetime(2026, 10, 27, 9, tzinfo=utc), None)  # no committed date

    def followed(params):
        page = manager.get("/dashboard/", {**OCTOBER_END, **params}).content.decode()
        match = re.search(r'<a href="(/console/orders/\?[^"]+)">(\d+) of (\d+) with a committed date', page)
        if match is None:
            return None
        response = manager.get(html.unescape(match.group(1)))
        assert response.status_code == 200
        numbers = set(re.findall(r'href="/console/orders/([\w-]+)/">\1</a>', response.content.decode()))
        return int(match.group(2)), int(match.group(3)), numbers

    assert followed({}) == (2, 4, {"T-1", "T-4"})
    assert followed({"account": demo.acme.pk}) == (1, 3, {"T-1"})
    assert followed({"site": demo.madrid.pk}) is None  # none on time: no link


def test_the_orders_list_of_another_tenants_account_is_an_error_and_empty(client, demo, history):
    with tenant_context(demo.bluepeak):
        outsider = ManagerFactory(tenant=demo.bluepeak, email="manager@bluepeak.example")
    with tenant_context(demo.northwind):
        _order(demo, "T-1", demo.frankfurt, dt.datetime(2026, 10, 26, 10, tzinfo=dt.UTC), dt.date(2026, 10, 26))
    client.force_login(outsider)
    response = client.get("/console/orders/", {"show": "on_time", "account": demo.acme.pk, "date_to": "nonsense"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="field has-error"') == 2
    assert "T-1" not in page
    assert client.get("/console/orders/T-1/").status_code == 404

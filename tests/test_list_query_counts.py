"""Every list the API and the pages offer costs the same number of queries however many rows it
shows: each is measured, the desk then gets more of everything (tickets with replies, orders,
SSRs, change requests, problems, accounts, sites, services, suppliers, lead times, catalogue
items), and each is measured again. A list whose rows did not grow would prove nothing, so
that fails too."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orders.models import CatalogueItem
from servicedesk.keyset import keyset_page
from servicedesk.tenancy import tenant_context
from tests.factories import AccountFactory, SiteFactory
from tests.factories.orders import CatalogueItemFactory, LeadTimeFactory, ServiceFactory, SupplierFactory
from tests.factories.world import build_order_rules
from tickets.models import Ticket
from tickets.services.conversation import add_comment
from tickets.services.intake import TicketDraft, open_ticket

ALICE = "alice@acme.example"
AGENT = "agent@northwind.example"
ADMIN = "admin@northwind.example"
NOW = "2026-11-18T09:00:00Z"  # a Wednesday; SSRs below start the Tuesday after


@pytest.fixture
def desk(demo, time_machine):
    time_machine.move_to(NOW, tick=False)
    with tenant_context(demo.northwind):
        if not CatalogueItem.objects.exists():
            build_order_rules()
    return demo


def grow(desk, clients: dict[str, Any], rounds: int) -> None:
    """More of everything a list shows, through the services and the API as real rows come."""
    alice, agent = desk.user(ALICE), desk.user(AGENT)
    with tenant_context(desk.northwind):
        for n in range(rounds):
            ticket = open_ticket(
                actor=alice,
                draft=TicketDraft(
                    kind="incident", service_id="NW-MPLS-1001", subject=f"Link down {n}", description="Down.",
                    impact="outage", urgency="high", problem_started_at=dt.datetime(2026, 11, 18, 8, tzinfo=dt.UTC),
                    answers={"power_at_site": "yes", "symptom": "no_service"},
                ),
            )  # fmt: skip
            add_comment(ticket=ticket, actor=agent, body=f"Looking at it ({n}).")
            add_comment(ticket=ticket, actor=alice, body=f"Thanks ({n}).")
            account = AccountFactory(tenant=desk.northwind)
            SiteFactory(tenant=desk.northwind, account=account)
            SiteFactory(tenant=desk.northwind, account=desk.acme)
            ServiceFactory(tenant=desk.northwind, account=desk.acme, site=desk.frankfurt)
            SupplierFactory(tenant=desk.northwind)
            LeadTimeFactory(tenant=desk.northwind)
            CatalogueItemFactory(tenant=desk.northwind)
    api_alice, api_agent = clients["api", ALICE], clients["api", AGENT]
    for n in range(rounds):
        order = {
            "title": f"Second internet line {n}",
            "site": desk.frankfurt.pk,
            "lines": [{"service_type": "internet", "product": "Dedicated Internet Access", "bandwidth_mbps": 500}],
        }
        assert api_alice.post("/api/v1/orders/", order, format="json").status_code == 201
        ssr = {"item": "cpe-reboot", "site": desk.frankfurt.pk, "requested_start": "2026-11-24T14:00:00Z"}
        assert api_alice.post("/api/v1/ssrs/", ssr, format="json").status_code == 201
        change = {"title": f"Move the antenna {n}", "description": "Roof works.", "service": "NW-SAT-2002"}
        assert api_alice.post("/api/v1/change-requests/", change, format="json").status_code == 201
        assert api_agent.post("/api/v1/problems/", {"title": f"Line cards {n}"}, format="json").status_code == 201


def _rows_of_json(response) -> int:
    body = response.json()
    return len(body["results"] if isinstance(body, dict) else body)


def _rows_of_page(response) -> int:
    return len(re.findall(r"<tr[\s>]", response.content.decode())) - len(
        re.findall(r"<thead>", response.content.decode())
    )


# (who, url, how the rows are counted); {ticket}, {order} and {change} are the first ones.
LISTS: list[tuple[str, str, Callable[[Any], int]]] = [
    *[
        (who, f"/api/v1/{path}", _rows_of_json)
        for who in (ALICE, AGENT)
        for path in (
            "tickets/",
            "tickets/?status=new",
            "tickets/?q=link",
            "tickets/{ticket}/comments/",
            "tickets/{ticket}/timeline/",
            "orders/",
            "orders/{order}/timeline/",
            "ssrs/",
            "change-requests/",
            "change-requests/{change}/timeline/",
            "services/",
            "sites/",
            "ssr-catalogue/",
        )
    ],  # fmt: skip
    *[(AGENT, f"/api/v1/{path}", _rows_of_json) for path in ("problems/", "suppliers/", "lead-times/", "accounts/")],
    (ALICE, "/portal/tickets/", _rows_of_page),
    (ALICE, "/portal/tickets/?status=open&sort=-updated", _rows_of_page),
    (ALICE, "/portal/orders/?show=all", _rows_of_page),
    (AGENT, "/console/tickets/", _rows_of_page),
    (AGENT, "/console/tickets/?sort=priority", _rows_of_page),
    (AGENT, "/console/tickets/?status=all&sort=-updated", _rows_of_page),
    (AGENT, "/console/tickets/?q=link&assignee=unassigned", _rows_of_page),
    (AGENT, "/console/orders/?show=all", _rows_of_page),
    # The agents' queues that the new tickets join (next-due order; breaching soon, a range of it).
    *[
        (AGENT, f"/console/tickets/?queue={queue}", _rows_of_page)
        for queue in ("open", "team", "unassigned", "breaching")
    ],
    (AGENT, "/console/tickets/?queue=unassigned&sort=priority", _rows_of_page),
    # The dashboard's links: tickets opened in a range of days.
    (AGENT, "/console/tickets/?status=all&dates=created&date_from=2000-01-01&sort=created", _rows_of_page),
    # The tickets behind a figure: the outages of a service down during the days (availability).
    (
        AGENT,
        "/console/tickets/?status=all&dates=outage&service=NW-MPLS-1001&date_from=2000-01-01&sort=created",
        _rows_of_page,
    ),
]
# Pages whose figures or parts grow with the desk: the same number of queries too.
PAGES = [(ALICE, "/portal/"), (AGENT, "/console/"), (AGENT, "/console/tickets/counts/"), (ADMIN, "/desk-admin/"), (ALICE, "/portal/tickets/{ticket}/"),
         (AGENT, "/console/tickets/{ticket}/"), (ALICE, "/portal/orders/{order}/"), (AGENT, "/console/orders/{order}/")]  # fmt: skip


@pytest.mark.django_db
def test_no_list_or_page_costs_more_queries_for_more_rows(desk):
    clients: dict[tuple[str, str], Any] = {}
    for who in (ALICE, AGENT, ADMIN):
        clients["api", who] = desk.api(who)
        clients["api", who].get("/api/v1/me/")  # the token's first use records last_used_at
        clients["page", who] = Client()
        clients["page", who].force_login(desk.user(who))
    grow(desk, clients, rounds=2)
    first: dict[str, str] = {}
    for kind in ("ticket", "order", "change"):
        path = {"ticket": "tickets", "order": "orders", "change": "change-requests"}[kind]
        first[kind] = clients["api", ALICE].get(f"/api/v1/{path}/").json()["results"][-1]["number"]

    def measure() -> dict[tuple[str, str], tuple[int, int]]:
        figures = {}
        for who, url, rows in LISTS:
            client = clients["api" if url.startswith("/api/") else "page", who]
            address = url.format(**first)
            client.get(address)  # warm what a first request loads once (sessions, translations)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(address)
            assert response.status_code == 200, (who, address, response.content[:300])
            figures[who, url] = (len(captured), rows(response))
        for who, url in PAGES:
            client, address = clients["page", who], url.format(**first)
            client.get(address)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(address)
            assert response.status_code == 200, (who, address)
            figures[who, url] = (len(captured), 0)
        return figures

    before = measure()
    grow(desk, clients, rounds=4)
    with tenant_context(desk.northwind):  # the first ticket's conversation grows too
        ticket = Ticket.objects.get(number=first["ticket"])
        for n in range(3):
            add_comment(ticket=ticket, actor=desk.user(AGENT), body=f"Update {n}.")
    api_alice, api_agent = clients["api", ALICE], clients["api", AGENT]
    for n in range(3):  # and the first order's and change request's timelines
        order = api_alice.get(f"/api/v1/orders/{first['order']}/").json()
        edit = {"title": f"Second line, take {n}", "version": order["version"]}
        assert api_agent.patch(f"/api/v1/orders/{first['order']}/", edit, format="json").status_code == 200
    quote = {"cost": "1450.00", "currency": "EUR", "planned_start": "2026-12-12T07:00:00Z",
             "planned_end": "2026-12-12T11:00:00Z", "note": "Crane."}  # fmt: skip
    assert api_agent.post(f"/api/v1/change-requests/{first['change']}/quote/", quote, format="json").status_code == 200
    assert api_alice.post(f"/api/v1/change-requests/{first['change']}/accept/", {}, format="json").status_code == 200
    after = measure()

    grew_not = [key for key, (_, rows) in before.items() if key not in PAGES and rows >= after[key][1]]
    assert grew_not == [], f"these lists did not show more rows, so they prove nothing: {grew_not}"
    costlier = {key: (before[key][0], after[key][0]) for key in before if after[key][0] != before[key][0]}
    assert costlier == {}, "queries before and after the desk grew"


@pytest.mark.django_db
def test_a_keyset_list_counts_no_further_than_its_cap_and_pages_through_everything(desk):
    """Nothing the lists show is counted past the cap, however long the list (keyset pages)."""
    with tenant_context(desk.northwind):
        alice = desk.user(ALICE)
        for n in range(7):
            open_ticket(actor=alice, draft=TicketDraft(kind="enquiry", subject=f"Q {n}", description="?"))
        tickets = Ticket.objects.all()
        page = keyset_page(tickets, ordering=("-created_at", "-id"), size=3, count_cap=5)
        assert (page.count, page.count_capped, len(page)) == (5, True, 3)
        page = keyset_page(tickets, ordering=("-created_at", "-id"), size=3, count_cap=7)
        assert (page.count, page.count_capped) == (7, False)
        numbers = []
        cursor = None
        while True:
            page = keyset_page(tickets, ordering=("-created_at", "-id"), size=3, after=cursor)
            numbers += [t.number for t in page]
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        assert numbers == [f"ENQ-{n:06d}" for n in range(7, 0, -1)]

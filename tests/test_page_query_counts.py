"""The rest of the lists (beside tests/test_list_query_counts.py): the portal's inventory,
documents, requests, surveys and escalation matrix, the console's problems, service requests,
change requests and documents, the administration's list pages and the API's escalation and
survey lists cost the same number of queries however many rows they show. Each is measured,
the desk gets more of what it lists (several rows each), and each is measured again; a list
whose rows did not grow fails too, as it would prove nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from documents.services import add_document
from escalation.models import EscalationLevel, EscalationMatrix
from feedback.services import survey_ticket_resolution
from orders.models import CatalogueItem
from servicedesk.audit import record
from servicedesk.tenancy import tenant_context
from tests.factories import AccountFactory, BusinessCalendarFactory, CustomerUserFactory, TeamFactory, UserFactory
from tests.factories.escalation import EscalationContactFactory, EscalationMatrixFactory
from tests.factories.orders import CatalogueItemFactory, ServiceFactory
from tests.factories.world import build_order_rules
from tickets.models import Ticket

ALICE = "alice@acme.example"
AGENT = "agent@northwind.example"
ADMIN = "admin@northwind.example"
NOW = "2026-11-18T09:00:00Z"  # a Wednesday
INCIDENT = {
    "kind": "incident", "service": "NW-MPLS-1001", "subject": "Link down", "description": "Down.", "impact": "outage",
    "urgency": "high", "problem_started_at": "2026-11-18T08:00:00Z", "answers": {"power_at_site": "yes", "symptom": "no_service"},
}  # fmt: skip

# (who, address); {ticket}, {problem}, {acme} are filled in. The API's lists count their results,
# the pages their table rows and list items.
LISTS = [
    (ALICE, "/portal/inventory/"), (ALICE, "/portal/documents/"),
    (ALICE, "/portal/requests/"),
    (ALICE, "/portal/surveys/"), (ALICE, "/portal/requests/catalogue/"),
    (AGENT, "/console/problems/"), (AGENT, "/console/problems/{problem}/"), (AGENT, "/console/orders/ssrs/"),
    (AGENT, "/console/orders/changes/"), (AGENT, "/console/accounts/{acme}/documents/"),
    (AGENT, "/console/tickets/{ticket}/"),
    (ADMIN, "/desk-admin/audit/"), (ADMIN, "/desk-admin/people/"), (ADMIN, "/desk-admin/teams/"),
    (ADMIN, "/desk-admin/accounts/"), (ADMIN, "/desk-admin/accounts/{acme}/"), (ADMIN, "/desk-admin/calendars/"),
    (ADMIN, "/desk-admin/escalation/matrices/"),
    (ADMIN, "/desk-admin/catalogue/"), (ADMIN, "/desk-admin/questionnaires/"),
    (ADMIN, "/desk-admin/escalation/matrices/{matrix}/"),
    (ALICE, "/api/v1/surveys/"),
    # Resolved tickets offer "reopen" while within the tenant's reopen window.
    (ALICE, "/api/v1/tickets/?status=resolved"), (AGENT, "/api/v1/tickets/?status=resolved"),
    (ALICE, "/api/v1/tickets/{ticket}/escalations/"), (AGENT, "/api/v1/tickets/{ticket}/escalations/"),
]  # fmt: skip


def _rows(response: Any) -> int:
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        return len(body["results"] if isinstance(body, dict) and "results" in body else body)
    return len(re.findall(r"<(?:tr|li)[\s>]", response.content.decode()))


@pytest.fixture
def desk(demo, time_machine):
    time_machine.move_to(NOW, tick=False)
    with tenant_context(demo.northwind):
        if not CatalogueItem.objects.exists():
            build_order_rules()
    return demo


def grow(desk: Any, clients: dict[tuple[str, str], Any], rounds: int, first: dict[str, str], clock: Any) -> None:
    """More of every kind the lists show, through the API and the services as real rows come."""
    api_alice, api_agent = clients["api", ALICE], clients["api", AGENT]
    alice, admin = desk.user(ALICE), desk.user(ADMIN)
    for n in range(rounds):
        number = api_alice.post("/api/v1/tickets/", INCIDENT, format="json").json()["number"]
        for action in ("acknowledge", "start_work", "resolve"):
            body = {"action": action, "reason": "Fixed."} if action == "resolve" else {"action": action}
            assert api_agent.post(f"/api/v1/tickets/{number}/transition/", body, format="json").status_code == 200
        link = api_agent.post(f"/api/v1/problems/{first['problem']}/incidents/", {"ticket": number}, format="json")
        assert link.status_code == 200
        ssr = {"item": "cpe-reboot", "site": desk.frankfurt.pk, "requested_start": "2026-11-24T14:00:00Z"}
        assert api_alice.post("/api/v1/ssrs/", ssr, format="json").status_code == 201
        change = {"title": f"Move the antenna {n}", "description": "Roof works.", "service": "NW-SAT-2002"}
        assert api_alice.post("/api/v1/change-requests/", change, format="json").status_code == 201
        assert api_agent.post("/api/v1/problems/", {"title": f"Line cards {n}"}, format="json").status_code == 201
        escalate = {"reason": "other", "comment": f"Still down ({n})."}
        clock.shift(dt.timedelta(minutes=61))  # a customer escalates a ticket at most once an hour
        response = api_alice.post(f"/api/v1/tickets/{first['ticket']}/escalate/", escalate, format="json")
        assert response.status_code in (200, 201), response.content
        with tenant_context(desk.northwind):
            survey_ticket_resolution(ticket_id=Ticket.objects.get(number=number).pk)
            upload = SimpleUploadedFile(f"notes-{n}.txt", b"Site survey notes.", content_type="text/plain")
            add_document(account=desk.acme, actor=alice, upload=upload, site=desk.frankfurt)
            ServiceFactory(tenant=desk.northwind, account=desk.acme, site=desk.frankfurt)
            CatalogueItemFactory(tenant=desk.northwind)
            AccountFactory(tenant=desk.northwind)
            team = TeamFactory(tenant=desk.northwind)
            UserFactory(tenant=desk.northwind, role="agent")
            CustomerUserFactory(tenant=desk.northwind, customer_account=desk.acme)
            BusinessCalendarFactory(tenant=desk.northwind)
            EscalationMatrixFactory(tenant=desk.northwind, account=AccountFactory(tenant=desk.northwind))
            record(actor=admin, action="update", instance=team)
            level = EscalationLevel.objects.filter(matrix_id=int(first["matrix"])).order_by("number").first()
            EscalationContactFactory(tenant=desk.northwind, level=level, matrix=level.matrix, position=10 + n)


@pytest.mark.django_db
def test_no_further_list_or_page_costs_more_queries_for_more_rows(desk, time_machine):
    clients: dict[tuple[str, str], Any] = {}
    for who in (ALICE, AGENT, ADMIN):
        clients["api", who] = desk.api(who)
        clients["api", who].get("/api/v1/me/")  # the token's first use records last_used_at
        clients["page", who] = Client()
        clients["page", who].force_login(desk.user(who))
    first = {"acme": str(desk.acme.pk)}
    with tenant_context(desk.northwind):  # a matrix whose contacts grow
        matrix = EscalationMatrix.objects.filter(account=desk.acme).first() or EscalationMatrix.objects.get(
            account=None
        )
    first["matrix"] = str(matrix.pk)
    first["ticket"] = clients["api", ALICE].post("/api/v1/tickets/", INCIDENT, format="json").json()["number"]
    problem = clients["api", AGENT].post("/api/v1/problems/", {"title": "Line cards"}, format="json")
    first["problem"] = problem.json()["number"]
    grow(desk, clients, rounds=1, first=first, clock=time_machine)

    def measure() -> dict[tuple[str, str], tuple[int, int]]:
        figures = {}
        for who, url in LISTS:
            client = clients["api" if url.startswith("/api/") else "page", who]
            address = url.format(**first)
            client.get(address)  # warm what a first request loads once (sessions, translations)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(address)
            assert response.status_code == 200, (who, address, response.content[:300])
            figures[who, url] = (len(captured), _rows(response))
        return figures

    before = measure()
    grow(desk, clients, rounds=3, first=first, clock=time_machine)
    after = measure()

    grew_not = [key for key, (_, rows) in before.items() if rows >= after[key][1]]
    assert grew_not == [], f"these lists did not show more rows, so they prove nothing: {grew_not}"
    costlier = {key: (before[key][0], after[key][0]) for key in before if after[key][0] != before[key][0]}
    assert costlier == {}, "queries before and after the desk grew"

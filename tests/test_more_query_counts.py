"""The lists left beside tests/test_list_query_counts.py and tests/test_page_query_counts.py:
escalation notices (a desk user's and a customer's) and matrices in the API, the portal's matrix
and reports, the console's documents and RFO requests, the SSR billing CSV, the administration's
service levels, incoming mail, escalation thresholds, canned responses and mail templates, the
audit log's API, the managers' account report and the API's service-level figures; the lists
inside detail pages and the exports (attachments, a team's candidates, a person's sites, a
calendar's closures, a service's contracts, a questionnaire's questions, the new-ticket forms'
choices, the inventory and audit CSVs); and the change-request pages as the history grows. Each
is measured, the desk gets more of what it lists (several rows a round, through the API and the
services as real rows come), and each is measured again: the rows must have grown and the number
of queries must not have. (Surveys are put to customer users only: a desk user's survey list
stays empty, a customer's is measured in tests/test_page_query_counts.py.)"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents.services import add_document
from escalation.models import EscalationEvent, EscalationLevel, EscalationMatrix
from escalation.services.notifications import notify_escalation
from feedback.services import survey_ticket_resolution
from mailroom.models import Mailbox
from mailroom.services.inbound import receive_message
from orders.models import CatalogueItem, Service
from servicedesk.audit import record
from servicedesk.models import BusinessCalendar, CalendarClosure, MailKind, MailTemplate, Tenant
from servicedesk.tenancy import tenant_context
from tests.factories import AccountFactory, BusinessCalendarFactory, SiteFactory, TeamFactory, UserFactory
from tests.factories.escalation import EscalationContactFactory, EscalationMatrixFactory, EscalationPolicyFactory
from tests.factories.orders import ContractFactory, ServiceFactory
from tests.factories.tickets import SlaPolicyFactory
from tests.factories.world import build_order_rules
from tickets.models import CannedResponse, QuestionnaireField, Ticket
from tickets.services.problems import request_rfo

ALICE = "alice@acme.example"
AGENT = "agent@northwind.example"
ADMIN = "admin@northwind.example"
MANAGER = "manager@northwind.example"
NOW = "2026-11-18T09:00:00Z"  # a Wednesday
INCIDENT = {
    "kind": "incident", "service": "NW-MPLS-1001", "subject": "Link down", "description": "Down.", "impact": "outage",
    "urgency": "high", "problem_started_at": "2026-11-18T08:00:00Z", "answers": {"power_at_site": "yes", "symptom": "no_service"},
}  # fmt: skip
MAIL = (
    "From: Alice Example <alice@acme.example>\r\nTo: Northwind Desk <desk@northwind.example>\r\n"
    "Subject: Link {n} down\r\nDate: Wed, 18 Nov 2026 09:00:00 +0100\r\nMessage-ID: <more-counts-{n}@mail.acme.example>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe link {n} is down.\r\n"
)


def _json_rows(response: Any) -> int:
    body = response.json()
    return len(body["results"] if isinstance(body, dict) else body)


def _contacts(response: Any) -> int:
    """The contacts of every matrix the caller is shown (levels' and escalation managers)."""
    return sum(
        sum(len(level["contacts"]) for level in matrix["levels"]) + len(matrix["escalation_managers"])
        for matrix in response.json()["results"]
    )


def _options(response: Any) -> int:
    return len(re.findall(r"<option[\s>]", response.content.decode()))


def _contact_lines(response: Any) -> int:
    return response.content.decode().count('<p class="contact">')


def _csv_lines(response: Any) -> int:
    """The CSV's data lines (the header and the TOTAL lines left out)."""
    lines = response.content.decode().strip().splitlines()[1:]
    return len([line for line in lines if ",TOTAL," not in line])


def _page_rows(response: Any) -> int:
    return len(re.findall(r"<(?:tr|li)[\s>]", response.content.decode()))


def _tickets_opened(response: Any) -> int:
    """The report's figure of the tickets opened in the month (the tickets it covers)."""
    found = re.search(r'kpi-value">(\d+)</span><span class="kpi-label">tickets opened', response.content.decode())
    assert found, response.content.decode()[:2000]
    return int(found.group(1))


def _opened(response: Any) -> int:
    """The service-level figures' count of the tickets opened (those the figures cover)."""
    return int(response.json()["tickets"]["opened"])


# (who, address, how the rows are counted); {acme} is Acme's account id.
LISTS: list[tuple[str, str, Callable[[Any], int]]] = [
    (AGENT, "/api/v1/escalation-notices/", _json_rows),
    (ALICE, "/api/v1/escalation-notices/", _json_rows),
    (ALICE, "/api/v1/escalation-matrix/", _contacts),
    (AGENT, "/api/v1/escalation-matrix/", _contacts),
    (ALICE, "/portal/escalation-matrix/", _contact_lines),
    (ADMIN, "/desk-admin/service-levels/", _page_rows),
    (AGENT, "/console/documents/", _options),
    (AGENT, "/console/problems/rfos/", _page_rows),
    (AGENT, "/api/v1/billing/ssr/?month=2026-11", _csv_lines),
    (ALICE, "/api/v1/billing/ssr/?month=2026-11", _csv_lines),
    (ADMIN, "/desk-admin/mail/", _page_rows),
    (ADMIN, "/desk-admin/escalation/thresholds/", _page_rows),
    (ADMIN, "/desk-admin/canned-responses/", _page_rows),
    (ADMIN, "/desk-admin/notification-templates/", _page_rows),
    (AGENT, "/api/v1/canned-responses/", _json_rows),
    (ADMIN, "/api/v1/admin/audit-entries/", _json_rows),
    (ALICE, "/portal/reports/?month=2026-11", _tickets_opened),
    (MANAGER, "/dashboard/accounts/{acme}/report/?month=2026-11", _tickets_opened),
    (ALICE, "/api/v1/reports/sla/?from=2026-11-01&to=2026-11-30", _opened),
    (AGENT, "/api/v1/reports/sla/?from=2026-11-01&to=2026-11-30", _opened),
]


@pytest.fixture
def desk(demo, time_machine):
    time_machine.move_to(NOW, tick=False)
    with tenant_context(demo.northwind):
        if not CatalogueItem.objects.exists():
            build_order_rules()
    Tenant.objects.filter(pk=demo.northwind.pk).update(desk_address="desk@northwind.example")
    demo.northwind.refresh_from_db()
    return demo


def grow(desk: Any, clients: dict[tuple[str, str], Any], start: int, rounds: int, clock: Any) -> None:
    """More of every kind the lists show, through the API and the services as real rows come."""
    api_alice, api_agent = clients["api", ALICE], clients["api", AGENT]
    alice, admin = desk.user(ALICE), desk.user(ADMIN)
    languages = ("en", "de", "es")
    kinds = list(MailKind.values)
    for n in range(start, start + rounds):
        numbers = []
        for _twice in range(2):
            number = api_alice.post("/api/v1/tickets/", INCIDENT, format="json").json()["number"]
            numbers.append(number)
            clock.shift(dt.timedelta(minutes=61))  # escalated by the customer: notices for the contacts
            escalate = {"reason": "other", "comment": f"Still down ({n})."}
            response = api_alice.post(f"/api/v1/tickets/{number}/escalate/", escalate, format="json")
            assert response.status_code in (200, 201), response.content
        for number in numbers:
            for action in ("acknowledge", "start_work", "resolve"):
                body = {"action": action, "reason": "Fixed."} if action == "resolve" else {"action": action}
                response = api_agent.post(f"/api/v1/tickets/{number}/transition/", body, format="json")
                assert response.status_code == 200, response.content
        ssr = {"item": "cpe-reboot", "site": desk.frankfurt.pk, "requested_start": "2026-11-24T14:00:00Z"}
        ssr_ids = [api_alice.post("/api/v1/ssrs/", ssr, format="json").json()["ssr_id"] for _twice in range(2)]
        now = timezone.now()
        clock.move_to("2026-11-24T15:00:00Z", tick=False)  # completed once started: billed in the month
        for ssr_id in ssr_ids:
            response = api_agent.post(f"/api/v1/ssrs/{ssr_id}/complete/", {}, format="json")
            assert response.status_code == 200, response.content
        clock.move_to(now, tick=False)
        with tenant_context(desk.northwind):
            mailbox, _ = Mailbox.objects.get_or_create(tenant=desk.northwind)
            events = EscalationEvent.objects.filter(ticket__number__in=numbers).values_list("pk", flat=True)
            notify_escalation(event_ids=list(events))
            for number in numbers:
                ticket = Ticket.objects.get(number=number)
                survey_ticket_resolution(ticket_id=ticket.pk)
                request_rfo(ticket=ticket, actor=alice)
                upload = SimpleUploadedFile(f"notes-{number}.txt", b"Site survey notes.", content_type="text/plain")
                add_document(account=desk.acme, actor=alice, upload=upload, site=desk.frankfurt)
                receive_message(mailbox=mailbox, raw=MAIL.format(n=number).encode(), source="pipe")
                account = AccountFactory(tenant=desk.northwind)
                matrix = EscalationMatrixFactory(tenant=desk.northwind, name=f"Matrix {number}", account=account)
                EscalationPolicyFactory(tenant=desk.northwind, matrix=matrix, priority=1)
                SlaPolicyFactory(tenant=desk.northwind, contract_tier=f"tier-{number}", ticket_kind="incident")
                CannedResponse.objects.create(tenant=desk.northwind, language="en", title=f"Hello {number}", body="Hi.")
                record(actor=admin, action="update", instance=TeamFactory(tenant=desk.northwind))
            acme_matrix = EscalationMatrix.objects.filter(account=desk.acme).first() or EscalationMatrix.objects.get(
                account=None, name__startswith="Northwind"
            )
            level = acme_matrix.levels.get(number=3)  # for every product area
            for position in range(2):
                EscalationContactFactory(
                    tenant=desk.northwind, level=level, matrix=acme_matrix, position=20 + 2 * n + position
                )
            for offset in range(2):
                kind, language = kinds[(2 * n + offset) // 3], languages[(2 * n + offset) % 3]
                MailTemplate.objects.create(tenant=desk.northwind, kind=kind, language=language, opening="Hello.")


@pytest.mark.django_db
def test_the_remaining_lists_cost_no_more_queries_for_more_rows(desk, time_machine):
    clients: dict[tuple[str, str], Any] = {}
    for who in (ALICE, AGENT, ADMIN, MANAGER):
        clients["api", who] = desk.api(who)
        clients["api", who].get("/api/v1/me/")  # the token's first use records last_used_at
        clients["page", who] = Client()
        clients["page", who].force_login(desk.user(who))
    first = {"acme": str(desk.acme.pk)}
    with tenant_context(desk.northwind):  # the agent is tried first at level 1 of the MPLS lines' area
        level = EscalationLevel.objects.get(number=1, product_area__slug="data-ip-ict", matrix__account=None)
        level.contacts.update(position=F("position") + 1)
        EscalationContactFactory(tenant=desk.northwind, level=level, matrix=level.matrix, user=desk.user(AGENT),
                                 name="", email="", position=0)  # fmt: skip
    grow(desk, clients, start=0, rounds=1, clock=time_machine)

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
        return figures

    before = measure()
    grow(desk, clients, start=1, rounds=3, clock=time_machine)
    after = measure()

    grew_not = {key: (before[key][1], after[key][1]) for key in before if before[key][1] >= after[key][1]}
    assert grew_not == {}, f"these lists did not show more rows, so they prove nothing: {grew_not}"
    costlier = {key: (before[key][0], after[key][0]) for key in before if after[key][0] != before[key][0]}
    assert costlier == {}, "queries before and after the desk grew"


def _csv_rows(response: Any) -> int:
    return len(response.content.decode().strip().splitlines()) - 1


def _checkboxes(response: Any) -> int:
    return len(re.findall(r'type="checkbox"', response.content.decode()))


# Lists within detail pages and exports, found by walking the URLconf: {ticket}, {team},
# {calendar}, {service}, {service_type} and {alice} are filled in.
INNER_LISTS: list[tuple[str, str, Callable[[Any], int]]] = [
    (ALICE, "/api/v1/tickets/{ticket}/attachments/", _json_rows),
    (AGENT, "/api/v1/tickets/{ticket}/attachments/", _json_rows),
    (ALICE, "/portal/inventory/export.csv", _csv_rows),
    (ADMIN, "/desk-admin/audit/export.csv", _csv_rows),
    (ADMIN, "/desk-admin/teams/{team}/", _checkboxes),
    (ADMIN, "/desk-admin/people/{alice}/", _checkboxes),
    (ADMIN, "/desk-admin/calendars/{calendar}/", _page_rows),
    (ADMIN, "/desk-admin/services/{service}/", _page_rows),
    (ADMIN, "/desk-admin/questionnaires/{service_type}/", _page_rows),
    (ALICE, "/portal/tickets/new/", _options),  # the account's services and sites to choose from
    (AGENT, "/console/tickets/new/", _options),  # the accounts
]


def grow_inside(desk: Any, api_alice: Any, first: dict[str, str], start: int, rounds: int) -> None:
    admin = desk.user(ADMIN)
    with tenant_context(desk.northwind):
        calendar = BusinessCalendar.objects.get(pk=int(first["calendar"]))
        service = Service.objects.get(pk=int(first["service"]))
        for n in range(start, start + rounds):
            for twice in range(2):
                upload = {"file": SimpleUploadedFile(f"trace-{n}-{twice}.txt", b"ping: timeout\n")}
                response = api_alice.post(f"/api/v1/tickets/{first['ticket']}/attachments/", upload, format="multipart")
                assert response.status_code == 201, response.content
                ServiceFactory(tenant=desk.northwind, account=desk.acme, site=desk.frankfurt)
                record(actor=admin, action="update", instance=TeamFactory(tenant=desk.northwind))
                UserFactory(tenant=desk.northwind, role="agent")
                SiteFactory(tenant=desk.northwind, account=desk.acme)
                AccountFactory(tenant=desk.northwind)
                day = dt.date(2027, 1, 4) + dt.timedelta(days=7 * (2 * n + twice))
                CalendarClosure.objects.create(tenant=desk.northwind, calendar=calendar, date=day, reason="Bridge day")
                ContractFactory(tenant=desk.northwind, service=service)
                QuestionnaireField.objects.create(
                    tenant=desk.northwind, service_type=service.service_type, name=f"extra_{n}_{twice}",
                    field_type=QuestionnaireField.FieldType.TEXT, position=50 + 2 * n + twice,
                    labels={"en": f"Extra {n}", "de": f"Extra {n}", "es": f"Extra {n}"},
                )  # fmt: skip


@pytest.mark.django_db
def test_the_lists_inside_pages_and_exports_cost_no_more_queries_for_more_rows(desk):
    clients: dict[tuple[str, str], Any] = {}
    for who in (ALICE, AGENT, ADMIN):
        clients["api", who] = desk.api(who)
        clients["api", who].get("/api/v1/me/")
        clients["page", who] = Client()
        clients["page", who].force_login(desk.user(who))
    with tenant_context(desk.northwind):
        first = {
            "ticket": clients["api", ALICE].post("/api/v1/tickets/", INCIDENT, format="json").json()["number"],
            "team": str(TeamFactory(tenant=desk.northwind).pk),
            "alice": str(desk.user(ALICE).pk),
            "calendar": str(BusinessCalendarFactory(tenant=desk.northwind).pk),
            "service": str(ServiceFactory(tenant=desk.northwind, account=desk.acme, site=desk.frankfurt).pk),
        }
        first["service_type"] = str(Service.objects.get(pk=int(first["service"])).service_type_id)
    grow_inside(desk, clients["api", ALICE], first, start=0, rounds=1)

    def measure() -> dict[tuple[str, str], tuple[int, int]]:
        figures = {}
        for who, url, rows in INNER_LISTS:
            client = clients["api" if url.startswith("/api/") else "page", who]
            address = url.format(**first)
            client.get(address)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(address)
            assert response.status_code == 200, (who, address, response.content[:300])
            figures[who, url] = (len(captured), rows(response))
        return figures

    before = measure()
    grow_inside(desk, clients["api", ALICE], first, start=1, rounds=3)
    after = measure()

    grew_not = {key: (before[key][1], after[key][1]) for key in before if before[key][1] >= after[key][1]}
    assert grew_not == {}, f"these lists did not show more rows, so they prove nothing: {grew_not}"
    costlier = {key: (before[key][0], after[key][0]) for key in before if after[key][0] != before[key][0]}
    assert costlier == {}, "queries before and after the desk grew"


@pytest.mark.django_db
def test_the_change_request_pages_cost_no_more_queries_as_their_histories_grow(desk, time_machine):
    """A change request from request to done: the customer's and the desk's pages of it (with
    its history), measured when asked and again when done."""
    api_alice, api_agent = desk.api(ALICE), desk.api(AGENT)
    api_alice.get("/api/v1/me/")
    api_agent.get("/api/v1/me/")
    pages = {who: Client() for who in (ALICE, AGENT)}
    for who, client in pages.items():
        client.force_login(desk.user(who))
    change = {"title": "Move the antenna", "description": "Roof works.", "service": "NW-SAT-2002"}
    number = api_alice.post("/api/v1/change-requests/", change, format="json").json()["number"]
    urls = [(ALICE, f"/portal/requests/changes/{number}/"), (AGENT, f"/console/orders/changes/{number}/")]

    def measure() -> dict[tuple[str, str], tuple[int, int]]:
        figures = {}
        for who, url in urls:
            pages[who].get(url)
            with CaptureQueriesContext(connection) as captured:
                response = pages[who].get(url)
            assert response.status_code == 200, (who, url)
            figures[who, url] = (len(captured), _page_rows(response))
        return figures

    before = measure()
    quote = {"cost": "1450.00", "currency": "EUR", "planned_start": "2026-12-12T07:00:00Z",
             "planned_end": "2026-12-12T11:00:00Z", "note": "Crane."}  # fmt: skip
    assert api_agent.post(f"/api/v1/change-requests/{number}/quote/", quote, format="json").status_code == 200
    assert api_alice.post(f"/api/v1/change-requests/{number}/accept/", {}, format="json").status_code == 200
    response = api_agent.post(f"/api/v1/change-requests/{number}/transition/", {"action": "schedule"}, format="json")
    assert response.status_code == 200, response.content
    time_machine.move_to("2026-12-12T12:00:00Z", tick=False)
    response = api_agent.post(f"/api/v1/change-requests/{number}/transition/", {"action": "complete"}, format="json")
    assert response.status_code == 200, response.content
    for who, client in pages.items():  # signed in again: a session lasts a working day
        client.force_login(desk.user(who))
    after = measure()

    grew_not = {key: (before[key][1], after[key][1]) for key in before if before[key][1] >= after[key][1]}
    assert grew_not == {}, f"these histories did not show more rows, so they prove nothing: {grew_not}"
    costlier = {key: (before[key][0], after[key][0]) for key in before if after[key][0] != before[key][0]}
    assert costlier == {}, "queries before and after the histories grew"

"""What one request costs in SQL: opening a ticket, replying and reading one send a fixed
number of statements, whatever the desk holds; the tenant's reference data comes from the
cache, and a change to it is what the next intake uses."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from orders.models import Contract, Service
from servicedesk.api_auth import issue_token
from servicedesk.errors import InvalidInput
from servicedesk.models import Site, SiteRestriction, Tenant, User
from servicedesk.services import set_site_restrictions
from servicedesk.tenancy import tenant_context
from tests.factories.world import build_world
from tests.tickets.conftest import INCIDENT
from tickets.models import PriorityRule, QuestionnaireField, SlaClock, SlaPolicy
from tickets.services.conversation import add_comment
from tickets.services.intake import TicketDraft, open_ticket

# Inside a test's transaction a use case's transaction is a savepoint: SAVEPOINT and RELEASE
# stand where BEGIN and COMMIT stand in production.
CREATE_STATEMENTS = [
    # The API token and its user (with the tenant). A process keeps a token's look-up once it
    # has read it twice (tests/servicedesk/test_api_token_cache.py); here it is read every time,
    # as the token was issued in the test's transaction, which has not committed.
    "token",
    "SAVEPOINT",
    # (the customer wall's site restrictions and the service inside the wall, with its type,
    # site, account and contracts, come from the tenant's cached reference data)
    "number",  # INSERT … ON CONFLICT DO UPDATE … RETURNING: the next number
    "ticket",  # INSERT
    "clocks",  # INSERT of the SLA clocks
    "escalation timer",  # INSERT, in the same transaction
    "timeline",  # INSERT of the opening line
    "RELEASE",
]
COMMENT_STATEMENTS = [
    "token",
    "SAVEPOINT",
    "ticket inside the wall, locked",  # found and locked in one statement
    "comment",
    "timeline",
    "ticket version",
    "RELEASE",
]
DETAIL_STATEMENTS = ["token", "ticket with what it refers to", "SLA clocks"]


def _count(client, method, url, payload=None):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, payload, format="json")
    assert response.status_code in (200, 201), response.content
    return len(captured), response


def _grow(desk, tickets=5, replies=4):
    """More rows of every kind the measured requests touch."""
    alice = desk.user("alice@acme.example")
    with tenant_context(desk.northwind):
        for n in range(tickets):
            ticket = open_ticket(
                actor=alice,
                draft=TicketDraft(
                    kind="incident", service_id="NW-MPLS-1001", subject=f"Other fault {n}", description="Down.",
                    impact="outage", problem_started_at=alice.date_joined,
                    answers={"power_at_site": "yes", "symptom": "no_service"},
                ),
            )  # fmt: skip
            for r in range(replies):
                add_comment(ticket=ticket, actor=alice, body=f"Reply {r}")


@pytest.mark.django_db
def test_opening_a_ticket_sends_a_fixed_number_of_statements(desk):
    alice = desk.api("alice@acme.example")
    alice.post("/api/v1/tickets/", INCIDENT, format="json")  # the token's first use; the cache filled
    first, response = _count(alice, "post", "/api/v1/tickets/", INCIDENT)
    _grow(desk)
    later, _ = _count(alice, "post", "/api/v1/tickets/", INCIDENT)
    assert (first, later) == (len(CREATE_STATEMENTS), len(CREATE_STATEMENTS))
    # The 201 is built from what the intake had in hand, and says what a read says.
    assert response.json() == alice.get(f"/api/v1/tickets/{response.json()['number']}/").json()


@pytest.mark.django_db
def test_replying_sends_a_fixed_number_of_statements(desk):
    alice = desk.api("alice@acme.example")
    number = alice.post("/api/v1/tickets/", INCIDENT, format="json").json()["number"]
    url = f"/api/v1/tickets/{number}/comments/"
    first, _ = _count(alice, "post", url, {"body": "Still down."})
    _grow(desk)
    for n in range(5):
        alice.post(url, {"body": f"And again {n}."}, format="json")
    later, response = _count(alice, "post", url, {"body": "Still down."})
    assert (first, later) == (len(COMMENT_STATEMENTS), len(COMMENT_STATEMENTS))
    assert response.json()["body"] == "Still down."


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["alice@acme.example", "agent@northwind.example"])
def test_reading_a_ticket_sends_a_fixed_number_of_statements(desk, email):
    number = desk.api("alice@acme.example").post("/api/v1/tickets/", INCIDENT, format="json").json()["number"]
    client = desk.api(email)
    client.get("/api/v1/me/")  # the token's first use records last_used_at
    first, _ = _count(client, "get", f"/api/v1/tickets/{number}/")
    _grow(desk)
    later, response = _count(client, "get", f"/api/v1/tickets/{number}/")
    # A customer's site restrictions come from the cache, as staff have none: the same for both.
    assert (first, later) == (len(DETAIL_STATEMENTS), len(DETAIL_STATEMENTS))
    assert set(response.json()["sla"]) == {"respond", "callback", "restore"}


@pytest.mark.django_db
def test_a_new_question_is_asked_by_the_next_intake(desk):
    alice = desk.api("alice@acme.example")
    assert alice.post("/api/v1/tickets/", INCIDENT, format="json").status_code == 201  # cached
    with tenant_context(desk.northwind):
        mpls = QuestionnaireField.objects.filter(name="symptom").first().service_type
        QuestionnaireField.objects.create(
            tenant=desk.northwind, service_type=mpls, name="cabinet", field_type="text",
            labels={"en": "Cabinet"}, required=True, position=99,
        )  # fmt: skip
    response = alice.post("/api/v1/tickets/", INCIDENT, format="json")
    assert response.status_code == 400
    assert response.json() == {"answers.cabinet": ["This answer is required."]}


@pytest.mark.django_db
def test_a_changed_sla_budget_is_used_by_the_next_intake(desk):
    alice = desk.api("alice@acme.example")
    first = alice.post("/api/v1/tickets/", INCIDENT, format="json").json()
    with tenant_context(desk.northwind):
        policy = SlaClock.objects.get(ticket__number=first["number"], target="respond").policy
        policy.respond_minutes += 30
        policy.save()
        second = alice.post("/api/v1/tickets/", INCIDENT, format="json").json()
        budgets = dict(
            SlaClock.objects.filter(
                target="respond", ticket__number__in=[first["number"], second["number"]]
            ).values_list("ticket__number", "budget_minutes")
        )
    assert budgets[second["number"]] == budgets[first["number"]] + 30


@pytest.mark.django_db
def test_a_changed_matrix_cell_is_used_by_the_next_intake(desk):
    alice = desk.api("alice@acme.example")
    assert alice.post("/api/v1/tickets/", INCIDENT, format="json").json()["priority"] == "P1"
    with tenant_context(desk.northwind):
        cell = PriorityRule.objects.get(impact="outage", urgency="high")
        cell.priority = "P2"
        cell.save()
    assert alice.post("/api/v1/tickets/", INCIDENT, format="json").json()["priority"] == "P2"


def _committed_world():
    build_world()
    return Tenant.objects.get(slug="northwind"), User.objects.get(email="alice@acme.example")


def _incident(alice):
    return TicketDraft(
        kind="incident", service_id="NW-MPLS-1001", subject="Down", description="Down.", impact="outage",
        urgency="high", problem_started_at=alice.date_joined, answers={"power_at_site": "yes", "symptom": "no_service"},
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_committed_reference_data_is_read_from_the_cache_until_it_changes():
    northwind, alice = _committed_world()
    reference_tables = {t._meta.db_table for t in (PriorityRule, QuestionnaireField, SlaPolicy)}

    def open_and_capture():
        with tenant_context(northwind), CaptureQueriesContext(connection) as captured:
            ticket = open_ticket(actor=alice, draft=_incident(alice))
        return ticket, {table for table in reference_tables if any(table in q["sql"] for q in captured)}

    open_and_capture()  # fills the cache
    ticket, read = open_and_capture()
    assert (ticket.priority, read) == ("P1", set())  # from the cache: no reference table read
    with tenant_context(northwind), transaction.atomic():
        cell = PriorityRule.objects.get(impact="outage", urgency="high")
        cell.priority = "P3"
        cell.save()
    ticket, read = open_and_capture()
    assert ticket.priority == "P3"
    assert read == reference_tables  # read afresh after the change


@pytest.mark.django_db(transaction=True)
def test_a_read_runs_outside_a_transaction_and_every_statement_carries_the_tenant():
    northwind, alice = _committed_world()
    with tenant_context(northwind):
        number = open_ticket(actor=alice, draft=_incident(alice)).number
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user=alice)}")
    client.get("/api/v1/me/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/api/v1/tickets/{number}/").status_code == 200
    statements = [q["sql"] for q in captured]
    assert not any(sql in ("BEGIN", "COMMIT") for sql in statements)
    # The token is read before any tenant is known (the identity directory has no wall).
    assert "servicedesk_apitoken" in statements[0]
    prefix = f"SELECT set_config('app.tenant_id', '{northwind.pk}', true); "
    assert all(sql.startswith(prefix) for sql in statements[1:]), statements


@pytest.mark.django_db(transaction=True)
def test_site_restrictions_come_from_the_cache_and_a_change_holds_from_the_next_request():
    northwind, alice = _committed_world()
    dave = User.objects.get(email="dave@acme.example")  # restricted to Madrid
    admin = User.objects.get(email="admin@northwind.example")
    with tenant_context(northwind):
        number = open_ticket(actor=alice, draft=_incident(alice)).number  # at Frankfurt, by alice
        frankfurt, madrid = Site.objects.get(name="Frankfurt"), Site.objects.get(name="Madrid")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user=dave)}")
    url = f"/api/v1/tickets/{number}/"
    assert client.get(url).status_code == 404  # fills the cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 404
    assert not any("servicedesk_siterestriction" in q["sql"] for q in captured)
    with tenant_context(northwind):
        set_site_restrictions(user=dave, sites=[madrid, frankfurt], actor=admin)
    assert client.get(url).status_code == 200
    with tenant_context(northwind):
        set_site_restrictions(user=dave, sites=[madrid], actor=admin)
    assert client.get(url).status_code == 404
    with tenant_context(northwind):
        set_site_restrictions(user=dave, sites=[], actor=admin)  # every site of the account
    assert client.get(url).status_code == 200
    with tenant_context(northwind), transaction.atomic():
        restriction = SiteRestriction.objects.create(tenant=northwind, user=dave, site=madrid)  # saved
    assert client.get(url).status_code == 404
    with tenant_context(northwind), transaction.atomic():
        restriction.delete()
    assert client.get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_named_service_comes_from_the_cache_only_inside_each_actors_wall():
    northwind, alice = _committed_world()
    bob = User.objects.get(email="bob@globex.example")  # another account of the tenant
    dave = User.objects.get(email="dave@acme.example")  # alice's account, restricted to Madrid
    agent = User.objects.get(email="agent@northwind.example")

    def open_and_capture(actor):
        draft = _incident(alice)
        with tenant_context(northwind), translation.override("en"), CaptureQueriesContext(connection) as captured:
            try:
                ticket = open_ticket(actor=actor, draft=draft)
            except InvalidInput as refused:
                ticket = refused.errors
        return ticket, any('FROM "orders_service"' in q["sql"] for q in captured)

    open_and_capture(alice)  # fills the cache for alice's wall
    ticket, read = open_and_capture(alice)
    assert (ticket.service.service_id, read) == ("NW-MPLS-1001", False)  # from the cache
    # The same service ID under another wall is another entry: read inside that wall, refused.
    for outsider in (bob, dave, bob, dave):
        errors, _read = open_and_capture(outsider)
        assert errors["service"] == ["There is no service NW-MPLS-1001."], outsider
    ticket, read = open_and_capture(agent)
    assert (ticket.service.service_id, read) == ("NW-MPLS-1001", True)  # the desk's own entry
    _ticket, read = open_and_capture(agent)
    assert read is False


@pytest.mark.django_db(transaction=True)
def test_a_change_to_the_service_or_its_contracts_is_what_the_next_intake_reads():
    northwind, alice = _committed_world()
    with tenant_context(northwind), translation.override("en"):
        assert open_ticket(actor=alice, draft=_incident(alice)).is_entitled  # cached
        service = Service.objects.get(service_id="NW-MPLS-1001")
        yesterday = timezone.localdate() - dt.timedelta(days=2)
        for contract in service.contracts.all():  # every contract ends: no entitlement
            contract.valid_from = min(contract.valid_from, yesterday)
            contract.valid_until = yesterday
            contract.save()
        assert not open_ticket(actor=alice, draft=_incident(alice)).is_entitled
        Contract.objects.create(tenant=northwind, service=service, valid_from=yesterday, tier="basic")
        assert open_ticket(actor=alice, draft=_incident(alice)).is_entitled
        service.status = Service.Status.CEASED
        service.product = "MPLS IP-VPN (ceased)"
        service.save()
        assert open_ticket(actor=alice, draft=_incident(alice)).product_name == "MPLS IP-VPN (ceased)"
        # Moved to another account's site: outside alice's wall from the next intake on.
        service.site = Site.objects.get(name="London")
        service.account = service.site.account
        service.save()
        with pytest.raises(InvalidInput) as refused:
            open_ticket(actor=alice, draft=_incident(alice))
    assert refused.value.errors["service"] == ["There is no service NW-MPLS-1001."]

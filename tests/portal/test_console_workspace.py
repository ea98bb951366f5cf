"""The console's ticket workspace: taking a ticket, canned responses, logging a call-back,
merging a duplicate, linking a problem, who else has the ticket open, a stale save that
shows the other change, and logging a phone call.

The tickets are those of tests/portal/test_ticket_pages.py (``world``): INC-000001 and
INC-000002 are Acme's (Frankfurt), INC-000004 is Globex's, Bluepeak has its own INC-000001.
Outsiders on every new path: the agent of Bluepeak (another tenant) and, for a merge, a
ticket of another customer account; each gets a 404 and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from escalation.services.manual import escalate_ticket
from servicedesk.models import User
from servicedesk.tenancy import tenant_context
from tests.portal.test_ticket_pages import (
    errors_of,
    numbers_listed,
    signed_in,
    snapshot,
    text,
    ticket,
    world,  # noqa: F401 - the fixture, requested by name
)
from tests.tickets.conftest import desk  # noqa: F401 - the fixture world builds on
from tickets.models import Attachment, CannedResponse, Comment, Problem, SlaClock, Ticket, TicketEvent, TicketMerge
from tickets.services import presence
from tickets.services.problems import open_problem
from tickets.services.updates import assign_ticket

AGENT = "agent@northwind.example"
OUTSIDER = "agent@bluepeak.example"
URL = "/console/tickets/{}/"


def version_of(number: str, tenant) -> int:
    return ticket(number, tenant).version


@pytest.fixture
def canned(world):  # noqa: F811
    with tenant_context(world.northwind):
        rows = {
            language: CannedResponse.objects.create(tenant=world.northwind, language=language, title=title, body=body)
            for language, title, body in (
                ("en", "Line test", "We are testing your line now and will call you back within the hour."),
                ("de", "Leitungstest", "Wir prüfen Ihre Leitung und rufen Sie innerhalb einer Stunde zurück."),
                ("es", "Prueba de línea", "Estamos probando su línea y le llamaremos en menos de una hora."),
            )
        }
    with tenant_context(world.bluepeak):
        rows["bluepeak"] = CannedResponse.objects.create(
            tenant=world.bluepeak, language="es", title="Reinicio", body="Reiniciamos su servidor."
        )
    return rows


# --- the page -------------------------------------------------------------------------------


def test_the_workspace_shows_the_customer_sidebar_the_contract_and_the_actions(world):  # noqa: F811
    response = signed_in(AGENT).get(URL.format("INC-000001"))

    page = text(response)
    assert response.status_code == 200
    sidebar = re.search(r'<section class="card" id="customer">.*?</section>', page, re.S).group(0)
    # The account's other open ticket, not this one, not Globex's, not the resolved complaint.
    assert re.findall(r"(INC-\d{6}|CMP-\d{6})</a>", sidebar) == ["INC-000003", "INC-000002"]
    assert "NW-MPLS-1001" in sidebar
    assert "NW-INET-1002" in sidebar
    assert "NW-INET-3001" not in sidebar  # Globex's London service
    assert "Maintenance" in sidebar  # the current contract, in words
    for key in ('data-shortcut="r"', 'data-shortcut="n"', 'data-shortcut="a"', 'data-shortcut="s"'):
        assert key in page
    assert 'href="/console/tickets/INC-000001/escalate/"' in page
    assert "Not escalated" in page


def test_questionnaire_answers_are_shown_as_labelled_answers(world):  # noqa: F811
    page = text(signed_in(AGENT).get(URL.format("INC-000002")))

    answers = re.search(r'<dl class="answers">.*?</dl>', page, re.S).group(0)
    assert "<dd>198.51.100.20</dd>" in answers
    assert "symptom" not in answers  # the question's label, never its code
    assert "Slowness" in answers


def test_the_escalation_level_and_history_are_shown_with_reasons_in_words(world):  # noqa: F811
    with tenant_context(world.northwind):
        found = Ticket.objects.get(number="INC-000001")
        escalate_ticket(
            ticket=found, by=User.objects.get(email="alice@acme.example"), reason="progress", comment="No news."
        )

    page = text(signed_in(AGENT).get(URL.format("INC-000001")))

    escalation = re.search(r'<section class="card" id="escalation">.*?</section>', page, re.S).group(0)
    assert "Level 1" in escalation
    assert "Not happy with the progress" in escalation
    assert "progress ·" not in escalation  # the reason's words, not its code
    assert "No news." in escalation
    assert 'href="/console/tickets/INC-000001/escalate/"' in escalation


# --- assign to me --------------------------------------------------------------------------


def test_assign_to_me_gives_the_ticket_to_the_signed_in_agent_and_keeps_the_team(world):  # noqa: F811
    before = ticket("INC-000001", world.northwind)
    response = signed_in(AGENT).post(URL.format("INC-000001") + "take/", {"version": before.version})

    after = ticket("INC-000001", world.northwind)
    assert response.status_code == 302
    assert after.assignee.email == AGENT
    assert after.team_id == before.team_id
    assert after.version == before.version + 1


def test_a_stale_assign_to_me_is_refused_and_shows_what_the_other_agent_changed(world):  # noqa: F811
    seen = ticket("INC-000001", world.northwind)
    seen_at = timezone.now()
    with tenant_context(world.northwind):
        manager = User.objects.get(email="manager@northwind.example")
        assign_ticket(ticket=seen, actor=manager, version=seen.version, team_id=seen.team_id, assignee_id=manager.pk)

    response = signed_in(AGENT).post(
        URL.format("INC-000001") + "take/", {"version": seen.version, "seen_at": seen_at.isoformat()}
    )

    assert response.status_code == 409
    page = text(response)
    assert "Someone else changed this ticket after you loaded it." in page
    changes = re.search(r'id="other-changes">.*?</div>', page, re.S).group(0)
    assert "Markus Weber: Markus Weber took the ticket on." in changes
    assert ticket("INC-000001", world.northwind).assignee.email == "manager@northwind.example"


# --- canned responses -------------------------------------------------------------------------


def test_canned_responses_are_listed_per_language_the_customers_first(world, canned):  # noqa: F811
    page = text(signed_in(AGENT).get(URL.format("INC-000001")))

    groups = re.findall(r'<optgroup label="([^"]+)">', page)
    assert groups[0] == "English"  # alice reads English
    assert sorted(groups) == ["English", "German", "Spanish"]
    assert "Reinicio" not in page  # Bluepeak's


def test_choosing_a_canned_response_puts_its_text_into_the_reply(world, canned):  # noqa: F811
    response = signed_in(AGENT).get(URL.format("INC-000001"), {"canned": canned["de"].pk})

    reply = re.search(r'<textarea name="reply-body".*?</textarea>', text(response), re.S).group(0)
    assert "Wir prüfen Ihre Leitung" in reply


def test_another_tenants_canned_response_does_not_exist(world, canned):  # noqa: F811
    agent = signed_in(AGENT)

    assert agent.get(URL.format("INC-000001"), {"canned": canned["bluepeak"].pk}).status_code == 404
    assert agent.get(URL.format("INC-000001"), {"canned": "x"}).status_code == 404


# --- call-back ------------------------------------------------------------------------------


def test_logging_a_call_back_meets_the_callback_target_and_is_on_the_history(world):  # noqa: F811
    response = signed_in(AGENT).post(URL.format("INC-000001") + "callback/", {"note": "Confirmed the outage."})

    assert response.status_code == 302
    with tenant_context(world.northwind):
        found = Ticket.objects.get(number="INC-000001")
        clock = SlaClock.objects.get(ticket=found, target="callback")
        assert clock.state == SlaClock.State.MET
        assert clock.met_at is not None
        assert clock.met_at <= clock.due_at
        event = TicketEvent.objects.filter(ticket=found, kind=TicketEvent.Kind.CALLBACK).get()
        assert event.reason == "Confirmed the outage."


def test_a_call_back_on_a_closed_ticket_is_refused_next_to_the_form(world):  # noqa: F811
    response = signed_in(AGENT).post(URL.format("ENQ-000001") + "callback/", {"note": "x"})

    assert response.status_code == 409
    assert "This ticket is no longer open." in text(response)


# --- merging a duplicate ------------------------------------------------------------------------


def test_merging_moves_the_conversation_and_files_tells_the_customer_and_closes_the_duplicate(world):  # noqa: F811
    with tenant_context(world.northwind):
        source = Ticket.objects.get(number="INC-000002")
        target = Ticket.objects.get(number="INC-000001")
        moving_comments = set(Comment.objects.filter(ticket=source).values_list("pk", flat=True))
        moving_files = set(Attachment.objects.filter(ticket=source).values_list("pk", flat=True))
        kept_comments = set(Comment.objects.filter(ticket=target).values_list("pk", flat=True))
        source_events = set(TicketEvent.objects.filter(ticket=source).values_list("pk", flat=True))
    assert moving_comments
    assert len(moving_files) == 2

    response = signed_in(AGENT).post(
        URL.format("INC-000002") + "merge/", {"version": source.version, "target": "INC-000001", "confirm": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/console/tickets/INC-000001/#conversation"
    with tenant_context(world.northwind):
        source.refresh_from_db()
        target.refresh_from_db()
        assert source.status == Ticket.Status.CLOSED
        assert TicketMerge.objects.get(source=source).target_id == target.pk
        comments = Comment.objects.filter(ticket=target)
        assert moving_comments | kept_comments < set(comments.values_list("pk", flat=True))
        assert set(Attachment.objects.filter(ticket=target).values_list("pk", flat=True)) == moving_files
        told = comments.filter(internal=False).order_by("-created_at").first()
        assert "INC-000002" in told.body
        assert told.author.email == AGENT
        # The duplicate keeps its own history, and a line of its own saying where it went (not a
        # status line); the target's history says what came in.
        assert source_events < set(TicketEvent.objects.filter(ticket=source).values_list("pk", flat=True))
        merged = TicketEvent.objects.get(ticket=source, kind=TicketEvent.Kind.MERGED)
        assert (merged.field, merged.to_value, merged.actor.email) == ("into", "INC-000001", AGENT)
        assert not TicketEvent.objects.filter(ticket=source, kind=TicketEvent.Kind.TRANSITION, to_value="closed")
        came = TicketEvent.objects.get(ticket=target, kind=TicketEvent.Kind.MERGED)
        assert (came.field, came.to_value) == ("from", "INC-000002")
        assert not SlaClock.objects.filter(ticket=source, state=SlaClock.State.RUNNING).exists()


def test_the_old_number_of_a_merged_ticket_leads_to_the_target(world):  # noqa: F811
    source = ticket("INC-000002", world.northwind)
    signed_in(AGENT).post(
        URL.format("INC-000002") + "merge/", {"version": source.version, "target": "INC-000001", "confirm": "on"}
    )

    found = signed_in(AGENT).get("/console/tickets/", {"q": "INC-000002", "status": "all"})
    opened_by_customer = signed_in("alice@acme.example").get("/portal/tickets/INC-000002/")
    opened_by_agent = signed_in(AGENT).get(URL.format("INC-000002"))

    assert "INC-000001" in numbers_listed(found)
    assert opened_by_customer.status_code == 302
    assert opened_by_customer["Location"] == "/portal/tickets/INC-000001/"
    assert 'href="/console/tickets/INC-000001/"' in text(opened_by_agent)
    assert "Merged into INC-000001" in text(opened_by_agent)
    assert "Merged into INC-000001 by Lena Fischer." in text(opened_by_agent)  # its history's line
    assert "INC-000002 was merged into this ticket." in text(signed_in(AGENT).get(URL.format("INC-000001")))
    assert "INC-000002 was merged into this ticket." in text(
        signed_in("alice@acme.example").get("/portal/tickets/INC-000001/")
    )


def test_merging_into_a_resolved_ticket_or_on_a_stale_page_is_refused_and_changes_nothing(world):  # noqa: F811
    source = ticket("INC-000002", world.northwind)
    before = snapshot("INC-000002", world.northwind), snapshot("CMP-000001", world.northwind)
    agent = signed_in(AGENT)

    resolved = agent.post(
        URL.format("INC-000002") + "merge/", {"version": source.version, "target": "CMP-000001", "confirm": "on"}
    )
    stale = agent.post(
        URL.format("INC-000002") + "merge/", {"version": source.version - 1, "target": "INC-000001", "confirm": "on"}
    )

    assert resolved.status_code == 400
    assert errors_of(resolved, "target") == ["CMP-000001 is no longer open: merge into an open ticket."]
    assert stale.status_code == 409
    assert "Someone else changed this ticket after you loaded it." in text(stale)
    assert (snapshot("INC-000002", world.northwind), snapshot("CMP-000001", world.northwind)) == before


def test_the_customer_finds_the_merged_conversation_by_the_old_number(world):  # noqa: F811
    source = ticket("INC-000002", world.northwind)
    signed_in(AGENT).post(
        URL.format("INC-000002") + "merge/", {"version": source.version, "target": "INC-000001", "confirm": "on"}
    )

    found = signed_in("alice@acme.example").get("/portal/tickets/", {"q": "INC-000002"})

    assert numbers_listed(found) == ["INC-000001"]


def test_merging_needs_a_confirmation_and_a_target(world):  # noqa: F811
    source = ticket("INC-000002", world.northwind)
    before = snapshot("INC-000002", world.northwind)

    response = signed_in(AGENT).post(URL.format("INC-000002") + "merge/", {"version": source.version})

    assert response.status_code == 400
    page = text(response)
    assert "Choose the ticket to merge this one into." in page
    assert "Confirm that this ticket is a duplicate." in page
    assert snapshot("INC-000002", world.northwind) == before


def test_merging_into_another_accounts_or_another_tenants_ticket_is_a_404(world):  # noqa: F811
    source = ticket("INC-000002", world.northwind)
    before = snapshot("INC-000002", world.northwind), snapshot("INC-000004", world.northwind)
    agent = signed_in(AGENT)

    globex = agent.post(
        URL.format("INC-000002") + "merge/", {"version": source.version, "target": "INC-000004", "confirm": "on"}
    )
    unknown = agent.post(
        URL.format("INC-000002") + "merge/", {"version": source.version, "target": "INC-999999", "confirm": "on"}
    )

    assert globex.status_code == 404
    assert unknown.status_code == 404
    assert (snapshot("INC-000002", world.northwind), snapshot("INC-000004", world.northwind)) == before


# --- problems -------------------------------------------------------------------------------


def test_an_incident_is_linked_to_a_new_problem_or_an_existing_one(world):  # noqa: F811
    agent = signed_in(AGENT)

    created = agent.post(URL.format("INC-000001") + "problem/", {"title": "Carrier fibre cut in Frankfurt"})
    with tenant_context(world.northwind):
        problem = Problem.objects.get(title="Carrier fibre cut in Frankfurt")
    linked = agent.post(URL.format("INC-000002") + "problem/", {"problem": problem.number})

    assert created.status_code == linked.status_code == 302
    with tenant_context(world.northwind):
        assert sorted(problem.links.values_list("ticket__number", flat=True)) == ["INC-000001", "INC-000002"]
    assert problem.number in text(agent.get(URL.format("INC-000002")))


def test_linking_needs_a_problem_or_a_title(world):  # noqa: F811
    response = signed_in(AGENT).post(URL.format("INC-000001") + "problem/", {})

    assert response.status_code == 400
    assert "Choose a problem, or give the new one a title." in errors_of(response, "problem")


def test_another_tenants_problem_does_not_exist(world):  # noqa: F811
    with tenant_context(world.bluepeak):
        theirs = open_problem(actor=User.objects.get(email=OUTSIDER), title="Bluepeak's own")

    response = signed_in(AGENT).post(URL.format("INC-000001") + "problem/", {"problem": theirs.number})

    # Bluepeak numbers its problems like Northwind does; a Northwind problem of that number
    # does not exist here either, so the number names nothing.
    assert response.status_code == 404
    with tenant_context(world.bluepeak):
        assert not theirs.links.exists()


# --- presence ---------------------------------------------------------------------------------


def test_presence_shows_who_else_has_the_ticket_open_and_who_is_typing_then_expires(world):  # noqa: F811
    agent, manager = signed_in(AGENT), signed_in("manager@northwind.example")
    with time_machine.travel(dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        manager.post(URL.format("INC-000001") + "presence/", {"typing": "1"})
        seen = text(agent.post(URL.format("INC-000001") + "presence/"))
        own = text(manager.post(URL.format("INC-000001") + "presence/", {"typing": "1"}))

        clock.shift(presence.TYPING_SECONDS + 1)
        manager.post(URL.format("INC-000001") + "presence/")  # still there, no longer typing
        idle = text(agent.post(URL.format("INC-000001") + "presence/"))

        clock.shift(presence.TTL_SECONDS + 1)  # the manager's page stopped polling
        gone = text(agent.post(URL.format("INC-000001") + "presence/"))

    assert "Markus Weber is typing a reply" in seen
    assert "Lena Fischer has this ticket open" in own
    assert "Markus Weber has this ticket open" in idle
    assert "typing" not in idle
    assert "Markus Weber" not in gone


def test_presence_is_per_ticket_and_per_tenant(world):  # noqa: F811
    signed_in("manager@northwind.example").post(URL.format("INC-000001") + "presence/")

    other_ticket = text(signed_in(AGENT).post(URL.format("INC-000002") + "presence/"))
    other_tenant = text(signed_in(OUTSIDER).post(URL.format("INC-000001") + "presence/"))

    assert "Markus Weber" not in other_ticket
    assert "Markus Weber" not in other_tenant


# --- walls on every new path ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("take/", {"version": "1"}),
        ("callback/", {"note": "x"}),
        ("merge/", {"version": "1", "target": "INC-000001", "confirm": "on"}),
        ("problem/", {"title": "x"}),
        ("presence/", {"typing": "1"}),
    ],
)
def test_an_agent_of_bluepeak_reaches_nothing_of_northwinds(world, path, data):  # noqa: F811
    # Bluepeak has no INC-000002: the number names Northwind's Acme ticket only.
    before = snapshot("INC-000002", world.northwind)
    outsider = signed_in(OUTSIDER)

    assert outsider.post(URL.format("INC-000002") + path, data).status_code == 404
    assert outsider.get(URL.format("INC-000002")).status_code == 404
    assert snapshot("INC-000002", world.northwind) == before


def test_customers_reach_none_of_the_workspace_paths(world):  # noqa: F811
    alice = signed_in("alice@acme.example")
    before = snapshot("INC-000001", world.northwind)

    for path in ("take/", "callback/", "merge/", "problem/", "presence/"):
        assert alice.post(URL.format("INC-000001") + path, {"version": "1"}).status_code == 404
    assert alice.get("/console/tickets/new/").status_code == 404
    assert snapshot("INC-000001", world.northwind) == before


# --- phone intake -----------------------------------------------------------------------------


def call_data(world, **changes) -> dict[str, str]:  # noqa: F811 - the world, passed in
    """A call from Bob of Globex about the London internet service."""
    data = {
        "account": str(world.globex.pk),
        "caller_name": "Bob Taylor",
        "caller_phone": "+44 20 7946 0111",
        "kind": "incident",
        "service": "NW-INET-3001",
        "subject": "Store internet down",
        "description": "Bob reports the London store has no internet since 10:00.",
        "impact": "outage",
        "urgency": "high",
        "problem_started_at": "2026-12-01T10:00",
        "answer_power_at_site": "yes",
        "answer_symptom": "no_service",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_agent_logs_a_phone_call_under_the_portals_intake_rules(world):  # noqa: F811
    response = signed_in(AGENT).post("/console/tickets/new/", call_data(world))

    assert response.status_code == 302
    with tenant_context(world.northwind):
        logged = Ticket.objects.order_by("-id").first()
        assert response["Location"] == f"/console/tickets/{logged.number}/"
        assert logged.channel == Ticket.Channel.PHONE
        assert logged.account_id == world.globex.pk
        assert (logged.caller_name, logged.caller_company) == ("Bob Taylor", "Globex Retail Ltd")
        assert logged.product_name == "Business Internet"  # the service's, as none was given
        assert logged.priority == "P1"  # outage × high in the matrix
        assert logged.answers == {"power_at_site": "yes", "symptom": "no_service"}
        assert logged.created_by.email == AGENT


def test_a_customer_user_fills_the_callers_fields(world):  # noqa: F811
    with tenant_context(world.northwind):
        bob = User.objects.get(email="bob@globex.example")
    data = call_data(world, caller_name="", caller_phone="", customer_user=str(bob.pk))

    assert signed_in(AGENT).post("/console/tickets/new/", data).status_code == 302
    with tenant_context(world.northwind):
        logged = Ticket.objects.order_by("-id").first()
        assert logged.caller_name == "Bob Taylor"
        assert logged.contacts["callback"]["email"] == "bob@globex.example"


def test_a_call_with_errors_shows_them_next_to_the_fields_and_writes_nothing(world):  # noqa: F811
    with tenant_context(world.northwind):
        count = Ticket.objects.count()

    response = signed_in(AGENT).post(
        "/console/tickets/new/",
        call_data(world, caller_name="", subject="", problem_started_at=""),
    )

    assert response.status_code == 400
    assert errors_of(response, "caller_name") == ["Who called?"]
    assert errors_of(response, "subject") == ["A short description is required."]
    assert errors_of(response, "problem_started_at") == ["Say when the problem started."]
    page = text(response)
    assert 'id="error-summary" autofocus' in page
    assert 'value="+44 20 7946 0111"' in page  # what was typed stays
    with tenant_context(world.northwind):
        assert Ticket.objects.count() == count


def test_a_call_needs_an_account_and_only_that_accounts_services(world):  # noqa: F811
    agent = signed_in(AGENT)

    no_account = agent.post("/console/tickets/new/", call_data(world, account="", service=""))
    acme_service = agent.post("/console/tickets/new/", call_data(world, service="NW-MPLS-1001"))
    other_tenant = agent.post("/console/tickets/new/", call_data(world, account=str(world.initech.pk)))
    their_service = agent.post("/console/tickets/new/", call_data(world, service="BP-INET-0001"))

    assert {r.status_code for r in (no_account, acme_service, other_tenant, their_service)} == {400}
    assert errors_of(no_account, "account") == ["Name the customer account, site or service this ticket is for."]
    assert errors_of(no_account, "service") == ["An incident names the affected service."]
    assert errors_of(acme_service, "account") == ["The service or site belongs to another customer account."]
    assert errors_of(other_tenant, "account")
    assert errors_of(their_service, "service") == ["There is no service BP-INET-0001."]
    with tenant_context(world.northwind):
        assert not Ticket.objects.filter(channel=Ticket.Channel.PHONE).exists()


def test_the_call_forms_fragments_follow_the_account_and_the_service(world):  # noqa: F811
    agent = signed_in(AGENT)

    scope = text(agent.get("/console/tickets/new/questions/", {"part": "scope", "account": world.globex.pk}))
    questions = text(
        agent.get("/console/tickets/new/questions/", {"account": world.globex.pk, "service": "NW-INET-3001"})
    )
    outsider = signed_in(OUTSIDER).get("/console/tickets/new/questions/", {"service": "NW-INET-3001"})

    assert "NW-INET-3001" in scope
    assert "NW-MPLS-1001" not in scope
    assert "Bob Taylor" in scope
    assert 'name="answer_symptom"' in questions
    assert outsider.status_code == 404

"""The agents' queues: which tickets each queue shows and in what order, their counts, saved
views (each agent's own), bulk actions (confirmed first, one outcome per ticket, partial
refusals) and the walls (another tenant's tickets and another agent's views are not found).

The world: Northwind tickets in each state at 09:30 on a Wednesday, opened from 09:00 (Acme's
clocks count wall-clock time: respond 15 min, restore P1 4 h), and one overdue Bluepeak ticket.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client

from escalation.services.manual import escalate_ticket
from servicedesk.keyset import keyset_page
from servicedesk.models import Team
from servicedesk.tenancy import tenant_context
from tickets.models import Comment, SavedQueueView, Ticket
from tickets.services.conversation import log_callback
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket
from tickets.services.updates import assign_ticket

T0 = dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC)
AGENT = "agent@northwind.example"
QUEUE = "/console/tickets/"


def _open(user, subject: str) -> Ticket:
    draft = TicketDraft(
        kind="incident", service_id="NW-MPLS-1001", subject=subject, description="Down.", impact="outage",
        urgency="high", problem_started_at=T0 - dt.timedelta(hours=1),
        answers={"power_at_site": "yes", "symptom": "no_service"},
    )  # fmt: skip
    return open_ticket(actor=user, draft=draft)


def _again(ticket: Ticket) -> Ticket:
    with tenant_context(ticket.tenant_id):
        return Ticket.objects.get(pk=ticket.pk)


def _work(ticket: Ticket, agent) -> Ticket:
    transition_ticket(ticket=ticket, actor=agent, action="start_work")
    log_callback(ticket=_again(ticket), actor=agent)
    return _again(ticket)


@pytest.fixture
def world(demo, time_machine):
    time_machine.move_to(T0, tick=False)
    alice, agent = demo.user("alice@acme.example"), demo.user(AGENT)
    tickets: dict[str, Ticket] = {}
    with tenant_context(demo.northwind):
        tickets["overdue"] = _open(alice, "Overdue")
        acked = _work(_open(alice, "Acked"), agent)
        assign_ticket(ticket=acked, actor=agent, version=acked.version, team_id=acked.team_id, assignee_id=agent.pk)
        tickets["acked"] = acked
        waiting = _work(_open(alice, "Waiting"), agent)
        voice = Team.objects.get(name="Voice desk")
        assign_ticket(ticket=waiting, actor=agent, version=waiting.version, team_id=voice.pk, assignee_id=None)
        transition_ticket(ticket=_again(waiting), actor=agent, action="wait_for_customer")
        tickets["waiting"] = waiting
        escalated = _work(_open(alice, "Escalated"), agent)
        escalate_ticket(ticket=escalated, by=agent, reason="progress", comment="Slow.")
        tickets["escalated"] = escalated
        resolved = _work(_open(alice, "Resolved"), agent)
        transition_ticket(ticket=_again(resolved), actor=agent, action="resolve", reason="Fixed.")
        tickets["resolved"] = resolved
        time_machine.move_to(T0 + dt.timedelta(minutes=25), tick=False)
        tickets["fresh"] = _open(alice, "Fresh")
    with tenant_context(demo.bluepeak):
        draft = TicketDraft(kind="enquiry", subject="Bluepeak overdue", description="Hello.")
        time_machine.move_to(T0, tick=False)
        tickets["bluepeak"] = open_ticket(actor=demo.user("carol@initech.example"), draft=draft)
    time_machine.move_to(T0 + dt.timedelta(minutes=30), tick=False)
    return {name: _again(ticket) for name, ticket in tickets.items()}


def subjects(response) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
    if body is None:
        return []
    return [
        unescape(s).split("<")[0].strip() for s in re.findall(r'<td class="subject">(.*?)</td>', body.group(1), re.S)
    ]


@pytest.fixture
def agent_client(client, demo):
    client.force_login(demo.user(AGENT))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        # In next-due order: overdue (09:15), fresh (09:40), acked and escalated (13:00), waiting (nothing due).
        ("open", ["Overdue", "Fresh", "Acked", "Escalated", "Waiting"]),
        ("mine", ["Acked"]),
        ("team", ["Overdue", "Fresh", "Acked", "Escalated"]),
        ("unassigned", ["Overdue", "Fresh", "Escalated", "Waiting"]),
        ("breaching", ["Fresh"]),
        ("breached", ["Overdue"]),
        ("escalated", ["Escalated"]),
        ("waiting", ["Waiting"]),
    ],
)
def test_each_queue_shows_its_tickets_next_due_first(world, agent_client, queue, expected):
    response = agent_client.get(QUEUE, {"queue": queue})

    assert response.status_code == 200
    assert subjects(response) == expected


@pytest.mark.django_db
def test_a_warned_ticket_is_breaching_soon_though_due_later_than_the_window(world, agent_client, time_machine):
    # Restore P1 is due at 13:00 and warned at 80 % (12:12): at 12:30 it is due in 30 min.
    time_machine.move_to(T0 + dt.timedelta(hours=3, minutes=15), tick=False)
    tenant = world["acked"].tenant
    tenant.breaching_soon_minutes = 5
    tenant.save(update_fields=["breaching_soon_minutes"])

    assert subjects(agent_client.get(QUEUE, {"queue": "breaching"})) == ["Acked", "Escalated"]


@pytest.mark.django_db
def test_a_row_shows_the_next_target_with_its_time_left_escalation_customer_and_assignee(world, agent_client):
    page = agent_client.get(QUEUE, {"queue": "escalated"}).content.decode()

    assert "Restoration<br>" in page
    assert 'class="countdown" datetime="2026-11-18T13:00:00+00:00"' in page
    assert "Level 1" in page
    assert "Acme Logistics GmbH" in page
    assert "Frankfurt" in page
    overdue = agent_client.get(QUEUE, {"queue": "breached"}).content.decode()
    assert "Response<br>" in overdue
    assert "15 minutes overdue" in overdue


@pytest.mark.django_db
def test_the_counts_fragment_counts_each_queue_of_the_agents_tenant_only(world, agent_client, demo):
    client = Client()
    response = agent_client.get("/console/tickets/counts/", {"current": "mine"})

    counts = dict(re.findall(r">([^<>]+?) <span class=\"tab-count\">(\d+)</span>", unescape(response.content.decode())))
    assert counts == {
        "Mine": "1", "My teams'": "4", "Unassigned": "4", "Breaching soon": "1", "Breached": "1", "Escalated": "1",
        "Waiting for customer": "1", "All open": "5",
    }  # fmt: skip
    assert 'aria-current="page">Mine' in response.content.decode()
    client.force_login(demo.user("agent@bluepeak.example"))
    theirs = client.get("/console/tickets/counts/").content.decode()
    assert re.findall(r'<span class="tab-count">(\d+)</span>', theirs) == ["0", "0", "1", "0", "1", "0", "0", "1"]


@pytest.mark.django_db
def test_the_queue_never_shows_another_tenants_tickets(world, client, demo):
    client.force_login(demo.user("agent@bluepeak.example"))

    assert subjects(client.get(QUEUE, {"queue": "open"})) == ["Bluepeak overdue"]
    assert subjects(client.get(QUEUE, {"queue": "breached"})) == ["Bluepeak overdue"]


# --- saved views --------------------------------------------------------------------------------


def saved_views(demo) -> list[SavedQueueView]:
    with tenant_context(demo.northwind):
        return list(SavedQueueView.objects.all())


@pytest.mark.django_db
def test_a_saved_view_keeps_the_filters_and_order_and_is_the_agents_own(world, agent_client, demo):
    client = Client()
    response = agent_client.post(
        "/console/tickets/views/", {"name": "Urgent unassigned", "query": "queue=unassigned&sort=priority"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/console/tickets/?queue=unassigned&sort=priority"
    page = agent_client.get(QUEUE).content.decode()
    assert 'href="/console/tickets/?queue=unassigned&amp;sort=priority">Urgent unassigned</a>' in page
    (view,) = saved_views(demo)
    # Another agent of the same desk neither sees it nor deletes it.
    client.force_login(demo.user("voice.agent@northwind.example"))
    assert "Urgent unassigned" not in client.get(QUEUE).content.decode()
    assert client.post(f"/console/tickets/views/{view.pk}/delete/").status_code == 404
    # Nor does an agent of another tenant.
    client.force_login(demo.user("agent@bluepeak.example"))
    assert client.post(f"/console/tickets/views/{view.pk}/delete/").status_code == 404
    assert saved_views(demo) == [view]
    # The agent deletes it.
    assert agent_client.post(f"/console/tickets/views/{view.pk}/delete/").status_code == 302
    assert saved_views(demo) == []


@pytest.mark.django_db
def test_saving_a_view_under_its_name_again_replaces_it(world, agent_client, demo):
    agent_client.post("/console/tickets/views/", {"name": "Mine", "query": "queue=mine"})
    agent_client.post("/console/tickets/views/", {"name": "Mine", "query": "queue=mine&sort=priority"})

    assert [(v.name, v.query) for v in saved_views(demo)] == [("Mine", "queue=mine&sort=priority")]


@pytest.mark.django_db
def test_a_view_without_a_name_is_refused_next_to_the_field_keeping_the_queue(world, agent_client, demo):
    response = agent_client.post("/console/tickets/views/", {"name": "  ", "query": "queue=breached"})

    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "Give the view a name." in page
    assert subjects(response) == ["Overdue"]
    assert saved_views(demo) == []


# --- bulk actions -------------------------------------------------------------------------------


def _picked(*tickets: Ticket) -> list[str]:
    return [f"{ticket.number}:{ticket.version}" for ticket in tickets]


@pytest.mark.django_db
def test_bulk_assign_to_me_asks_for_confirmation_first_and_changes_nothing_before(world, agent_client, demo):
    chosen = [world["overdue"], world["fresh"], world["escalated"]]

    review = agent_client.post("/console/tickets/bulk/", {"action": "assign_me", "ticket": _picked(*chosen)})

    assert review.status_code == 200
    page = unescape(review.content.decode())
    assert "3 tickets will change: Assign to me" in re.sub(r"<[^>]+>", "", page)
    assert 'name="confirm" value="yes"' in page
    assert [_again(t).assignee_id for t in chosen] == [None, None, None]

    done = agent_client.post(
        "/console/tickets/bulk/", {"action": "assign_me", "ticket": _picked(*chosen), "confirm": "yes"}
    )

    assert done.status_code == 200
    assert "3 of 3 tickets changed." in unescape(done.content.decode())
    agent = demo.user(AGENT)
    assert [_again(t).assignee_id for t in chosen] == [agent.pk] * 3
    assert [_again(t).team_id for t in chosen] == [t.team_id for t in chosen]  # the teams stay


@pytest.mark.django_db
def test_bulk_refusals_are_reported_per_ticket_and_the_rest_is_done(world, agent_client, demo):
    stale = world["fresh"]
    with tenant_context(demo.northwind):
        transition_ticket(ticket=stale, actor=demo.user(AGENT), action="acknowledge")  # after the agent chose it
    tickets = [*_picked(world["overdue"], stale, world["waiting"]), f"{world['bluepeak'].number}:1"]

    response = agent_client.post(
        "/console/tickets/bulk/",
        {"action": "transition", "transition": "start_work", "ticket": tickets, "confirm": "yes"},
    )

    assert response.status_code == 200
    outcomes = [
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", li))).strip()
        for li in re.findall(r"<li class=\"outcome-[a-z]+\">(.*?)</li>", response.content.decode(), re.S)
    ]
    assert outcomes == [
        f"{world['overdue'].number}: Done",
        f"{stale.number}: Not changed — Someone else changed this ticket after you loaded it. Reload it and apply "
        "your change again.",
        f"{world['waiting'].number}: Not changed — A ticket that is waiting for customer cannot be start work now.",
        f"{world['bluepeak'].number}: Not changed — There is no such ticket.",
    ]
    assert _again(world["overdue"]).status == "in_progress"
    assert _again(stale).status == "acknowledged"
    assert _again(world["waiting"]).status == "waiting_for_customer"
    assert _again(world["bluepeak"]).status == "new"


@pytest.mark.django_db
def test_bulk_note_adds_one_internal_note_to_each_ticket(world, agent_client):
    chosen = [world["acked"], world["waiting"]]

    agent_client.post(
        "/console/tickets/bulk/",
        {"action": "note", "body": "Carrier outage.", "ticket": _picked(*chosen), "confirm": "yes"},
    )

    with tenant_context(chosen[0].tenant_id):
        notes = list(Comment.objects.filter(ticket__in=chosen, body="Carrier outage."))
    assert sorted((n.ticket_id, n.internal) for n in notes) == sorted((t.pk, True) for t in chosen)


@pytest.mark.django_db
def test_bulk_without_tickets_or_details_is_refused_with_the_errors_and_changes_nothing(world, agent_client):
    response = agent_client.post("/console/tickets/bulk/", {"action": "assign_team", "confirm": "yes"})

    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "Choose at least one ticket." in page
    assert "Choose a team." in page
    assert 'name="confirm"' not in page


@pytest.mark.django_db
def test_a_bluepeak_agent_changes_nothing_of_northwinds_in_bulk(world, client, demo):
    client.force_login(demo.user("agent@bluepeak.example"))
    northwind = [world["overdue"], world["fresh"]]

    response = client.post(
        "/console/tickets/bulk/", {"action": "assign_me", "ticket": _picked(*northwind), "confirm": "yes"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("outcome-refused") == 2
    assert "outcome-done" not in page
    assert "Overdue" not in page
    assert "Fresh" not in page
    assert [_again(t).assignee_id for t in northwind] == [None, None]
    assert [_again(t).version for t in northwind] == [t.version for t in northwind]


@pytest.mark.django_db
def test_the_next_due_order_pages_through_every_ticket_nothing_due_last_both_ways(world, demo):
    with tenant_context(demo.northwind):
        tickets = Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES)
        expected = [t.number for t in sorted(tickets, key=lambda t: (t.next_due_at is None, t.next_due_at or T0, t.pk))]
        assert expected[-1] == world["waiting"].number  # nothing due: last
        forward, pages, cursor = [], [], None
        while True:
            page = keyset_page(tickets, ordering=("next_due_at", "id"), size=2, after=cursor)
            forward += [t.number for t in page]
            pages.append(page)
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        assert forward == expected
        backward, page = [], pages[-1]
        while page.previous_cursor:
            page = keyset_page(tickets, ordering=("next_due_at", "id"), size=2, before=page.previous_cursor)
            backward = [t.number for t in page] + backward
        assert backward == expected[: len(backward)]
        assert backward + [t.number for t in pages[-1]] == expected

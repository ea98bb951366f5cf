"""Updating tickets: optimistic concurrency by version, fields by role, assignment, timeline."""

import datetime as dt

import pytest

from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT
from tickets.models import Ticket, TicketEvent


def _open(desk):
    body = desk.api("alice@acme.example").post("/api/v1/tickets/", INCIDENT, format="json").json()
    return body["number"], body["version"]


def _ticket(desk, number):
    with tenant_context(desk.northwind):
        return Ticket.objects.get(number=number)


@pytest.mark.django_db
def test_an_update_with_the_current_version_applies_and_bumps_it(desk):
    number, version = _open(desk)
    response = desk.api("alice@acme.example").patch(
        f"/api/v1/tickets/{number}/", {"version": version, "subject": "MPLS down since 08:10"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["subject"], response.json()["version"]) == ("MPLS down since 08:10", version + 1)


@pytest.mark.django_db
def test_a_stale_write_is_a_409_and_changes_nothing(desk):
    number, version = _open(desk)
    alice, agent = desk.api("alice@acme.example"), desk.api("agent@northwind.example")
    # Both read version 1; the agent saves first.
    first = agent.patch(f"/api/v1/tickets/{number}/", {"version": version, "urgency": "medium"}, format="json")
    assert first.status_code == 200
    second = alice.patch(f"/api/v1/tickets/{number}/", {"version": version, "subject": "Overwritten?"}, format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "stale_version"
    assert second.json()["current_version"] == version + 1
    ticket = _ticket(desk, number)
    assert (ticket.subject, ticket.urgency, ticket.version) == ("MPLS link down", "medium", version + 1)


@pytest.mark.django_db
def test_an_update_needs_the_version(desk):
    number, _version = _open(desk)
    response = desk.api("alice@acme.example").patch(f"/api/v1/tickets/{number}/", {"subject": "X"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["version"]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["impact", "urgency", "team", "assignee"])
def test_customers_cannot_change_desk_fields(desk, field):
    number, version = _open(desk)
    value = {"impact": "none", "urgency": "low", "team": None, "assignee": None}[field]
    response = desk.api("alice@acme.example").patch(
        f"/api/v1/tickets/{number}/", {"version": version, field: value}, format="json"
    )
    assert response.status_code == 403
    assert _ticket(desk, number).version == version


@pytest.mark.django_db
def test_an_agent_assigns_a_colleague_and_the_timeline_says_so(desk):
    number, version = _open(desk)
    colleague = desk.user("voice.agent@northwind.example")
    body = (
        desk.api("agent@northwind.example")
        .patch(f"/api/v1/tickets/{number}/", {"version": version, "assignee": colleague.pk}, format="json")
        .json()
    )
    assert body["assignee"] == {"id": colleague.pk, "name": "Jonas Becker"}
    with tenant_context(desk.northwind):
        event = TicketEvent.objects.get(ticket__number=number, kind=TicketEvent.Kind.ASSIGNED)
    assert (event.field, event.from_value, event.to_value, event.actor.email) == (
        "assignee",
        "",
        "Jonas Becker",
        "agent@northwind.example",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["agent@bluepeak.example", "alice@acme.example"])
def test_only_staff_of_the_same_desk_can_be_assigned(desk, email):
    number, version = _open(desk)
    response = desk.api("agent@northwind.example").patch(
        f"/api/v1/tickets/{number}/", {"version": version, "assignee": desk.user(email).pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["assignee"]
    assert _ticket(desk, number).assignee_id is None


@pytest.mark.django_db
def test_another_tenants_team_does_not_exist(desk):
    from servicedesk.models import Team

    number, version = _open(desk)
    with tenant_context(desk.bluepeak):
        foreign_team = Team.objects.first()
    response = desk.api("agent@northwind.example").patch(
        f"/api/v1/tickets/{number}/", {"version": version, "team": foreign_team.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["team"]


@pytest.mark.django_db
def test_closed_tickets_cannot_be_edited(desk):
    number, _version = _open(desk)
    agent = desk.api("agent@northwind.example")
    agent.post(f"/api/v1/tickets/{number}/transition/", {"action": "cancel", "reason": "Duplicate"}, format="json")
    version = _ticket(desk, number).version
    response = agent.patch(f"/api/v1/tickets/{number}/", {"version": version, "subject": "X"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "ticket_closed"


@pytest.mark.django_db
def test_the_timeline_records_every_step_in_order(desk):
    number, version = _open(desk)
    alice, agent = desk.api("alice@acme.example"), desk.api("agent@northwind.example")
    agent.post(f"/api/v1/tickets/{number}/transition/", {"action": "acknowledge"}, format="json")
    agent.patch(f"/api/v1/tickets/{number}/", {"version": version + 1, "urgency": "low"}, format="json")
    agent.post(
        f"/api/v1/tickets/{number}/comments/", {"body": "Checking the PE router.", "internal": True}, format="json"
    )
    alice.post(f"/api/v1/tickets/{number}/comments/", {"body": "Thanks!"}, format="json")

    staff_view = agent.get(f"/api/v1/tickets/{number}/timeline/").json()["results"]
    assert [(e["kind"], e["field"], e["from_value"], e["to_value"], e["actor"]["name"]) for e in staff_view] == [
        ("created", "", "", "new", "Alice Schneider"),
        ("transition", "status", "new", "acknowledged", "Lena Fischer"),
        ("field_changed", "urgency", "high", "low", "Lena Fischer"),
        ("field_changed", "priority", "P1", "P2", "Lena Fischer"),
        ("commented", "", "", "internal note", "Lena Fischer"),
        ("commented", "", "", "reply", "Alice Schneider"),
    ]
    customer_view = alice.get(f"/api/v1/tickets/{number}/timeline/").json()["results"]
    assert [e["to_value"] for e in customer_view if e["kind"] == "commented"] == ["reply"]


def _read(client, number):
    body = client.get(f"/api/v1/tickets/{number}/").json()
    return body["version"], body["updated_at"]


@pytest.mark.django_db
def test_an_internal_note_changes_nothing_the_customer_sees_and_does_not_make_their_write_stale(desk):
    number, _version = _open(desk)
    alice, agent = desk.api("alice@acme.example"), desk.api("agent@northwind.example")
    version, updated_at = _read(alice, number)
    note = agent.post(f"/api/v1/tickets/{number}/comments/", {"body": "PE router flapping.", "internal": True})
    assert note.status_code == 201
    assert _read(alice, number) == (version, updated_at)

    reply = alice.patch(f"/api/v1/tickets/{number}/", {"version": version, "subject": "MPLS down"}, format="json")

    assert reply.status_code == 200
    assert reply.json()["version"] == version + 1
    assert _ticket(desk, number).subject == "MPLS down"


@pytest.mark.django_db
def test_a_staff_only_file_does_not_make_the_customers_write_stale(desk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    number, _version = _open(desk)
    alice, agent = desk.api("alice@acme.example"), desk.api("agent@northwind.example")
    version, updated_at = _read(alice, number)
    upload = SimpleUploadedFile("trace.log", b"BGP neighbour down\n", content_type="text/plain")
    uploaded = agent.post(
        f"/api/v1/tickets/{number}/attachments/", {"file": upload, "internal": "true"}, format="multipart"
    )
    assert uploaded.status_code == 201, uploaded.json()
    assert _read(alice, number) == (version, updated_at)

    response = alice.patch(f"/api/v1/tickets/{number}/", {"version": version, "subject": "MPLS down"}, format="json")

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_public_reply_still_makes_the_customers_write_stale(desk):
    number, _version = _open(desk)
    alice, agent = desk.api("alice@acme.example"), desk.api("agent@northwind.example")
    version, _updated_at = _read(alice, number)
    agent.post(f"/api/v1/tickets/{number}/comments/", {"body": "Internal note first.", "internal": True})
    agent.post(f"/api/v1/tickets/{number}/comments/", {"body": "We are on it."})

    stale = alice.patch(f"/api/v1/tickets/{number}/", {"version": version, "subject": "Overwritten?"}, format="json")

    assert stale.status_code == 409
    assert (stale.json()["code"], stale.json()["current_version"]) == ("stale_version", version + 1)
    assert _ticket(desk, number).subject == "MPLS link down"


@pytest.mark.django_db
def test_of_two_agents_editing_the_one_on_a_stale_version_is_refused(desk):
    number, version = _open(desk)
    agent, manager = desk.api("agent@northwind.example"), desk.api("manager@northwind.example")
    colleague = desk.user("voice.agent@northwind.example")
    # Both read the same version; the agent's internal note changes no version either.
    agent.post(f"/api/v1/tickets/{number}/comments/", {"body": "Looking.", "internal": True})
    first = agent.patch(f"/api/v1/tickets/{number}/", {"version": version, "assignee": colleague.pk}, format="json")
    assert first.status_code == 200

    second = manager.patch(
        f"/api/v1/tickets/{number}/", {"version": version, "priority": "P3", "priority_reason": "Backup link up"},
        format="json",
    )  # fmt: skip

    assert (second.status_code, second.json()["code"]) == (409, "stale_version")
    ticket = _ticket(desk, number)
    assert (ticket.assignee_id, ticket.priority, ticket.priority_overridden) == (colleague.pk, "P1", False)


@pytest.mark.django_db
def test_one_patch_of_several_kinds_reports_every_bad_field_and_changes_nothing(desk):
    number, version = _open(desk)
    response = desk.api("agent@northwind.example").patch(
        f"/api/v1/tickets/{number}/",
        {"version": version, "subject": "Renamed", "assignee": desk.user("alice@acme.example").pk, "priority": "P4"},
        format="json",
    )
    assert response.status_code == 400
    assert sorted(response.json()) == ["assignee", "priority_reason"]
    ticket = _ticket(desk, number)
    assert (ticket.subject, ticket.priority, ticket.version) == ("MPLS link down", "P1", version)
    with tenant_context(desk.northwind):
        assert list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)) == ["created"]


@pytest.mark.django_db
def test_lines_of_the_same_instant_read_in_the_order_they_were_written(desk):
    number, version = _open(desk)
    agent = desk.api("agent@northwind.example")
    agent.patch(f"/api/v1/tickets/{number}/", {"version": version, "urgency": "low"}, format="json")
    with tenant_context(desk.northwind):
        urgency, priority = TicketEvent.objects.filter(ticket__number=number, kind="field_changed")
        assert urgency.at == priority.at
        # Rewriting the earlier line's instant (away and back) moves its row behind the later
        # one in the table and in the index: only the id still tells which came first.
        TicketEvent.objects.filter(pk=urgency.pk).update(at=urgency.at + dt.timedelta(microseconds=1))
        TicketEvent.objects.filter(pk=urgency.pk).update(at=urgency.at)

    lines = agent.get(f"/api/v1/tickets/{number}/timeline/").json()["results"]

    assert [(line["field"], line["id"]) for line in lines[1:]] == [("urgency", urgency.pk), ("priority", priority.pk)]


@pytest.mark.django_db
def test_an_inactive_team_or_a_deactivated_agent_gets_no_ticket_but_keeps_its_own(desk):
    from servicedesk.models import Team

    number, version = _open(desk)
    agent = desk.api("agent@northwind.example")
    colleague = desk.user("voice.agent@northwind.example")
    with tenant_context(desk.northwind):
        team = Team.objects.create(tenant=desk.northwind, name="Old voice desk")
    given = agent.patch(
        f"/api/v1/tickets/{number}/", {"version": version, "team": team.pk, "assignee": colleague.pk}, format="json"
    )
    assert given.status_code == 200
    version = given.json()["version"]
    with tenant_context(desk.northwind):
        Team.objects.filter(pk=team.pk).update(is_active=False)
    type(colleague).objects.filter(pk=colleague.pk).update(is_active=False)
    other_number, other_version = _open(desk)
    routed_to = _ticket(desk, other_number).team_id  # the intake's routing (an active team)

    team_refused = agent.patch(
        f"/api/v1/tickets/{other_number}/", {"version": other_version, "team": team.pk}, format="json"
    )
    agent_refused = agent.patch(
        f"/api/v1/tickets/{other_number}/", {"version": other_version, "assignee": colleague.pk}, format="json"
    )
    # The ticket that has them keeps them: another change of it goes through.
    kept = agent.patch(
        f"/api/v1/tickets/{number}/",
        {"version": version, "team": team.pk, "assignee": colleague.pk, "urgency": "low"},
        format="json",
    )

    assert team_refused.status_code == 400
    assert team_refused.json() == {"team": ["Old voice desk is inactive: choose an active team."]}
    assert agent_refused.status_code == 400
    assert agent_refused.json() == {"assignee": ["Jonas Becker is deactivated: choose an active agent or manager."]}
    other = _ticket(desk, other_number)
    assert (other.team_id, other.assignee_id, other.version) == (routed_to, None, other_version)
    assert kept.status_code == 200
    assert (kept.json()["team"]["id"], kept.json()["assignee"]["id"]) == (team.pk, colleague.pk)

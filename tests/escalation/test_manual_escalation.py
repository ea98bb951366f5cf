"""Escalation by people, through POST /api/v1/tickets/{number}/escalate/ (API.md) and the
portal: the customer's reasons and rate limit, refusals for tickets that are not open, walls,
and desk staff escalating and de-escalating with a reason."""

import pytest

from escalation.models import EscalationEvent, TicketEscalation
from escalation.services.sweep import sweep_escalations
from servicedesk.tenancy import tenant_context
from tests.escalation.conftest import act, at, incident, level_of
from tickets.models import Ticket, TicketEvent


def _escalate(desk, number, who="alice@acme.example", **body):
    return desk.api(who).post(f"/api/v1/tickets/{number}/escalate/", body, format="json")


def _events(ticket):
    with tenant_context(ticket.tenant_id):
        return list(
            EscalationEvent.objects.filter(ticket_id=ticket.pk)
            .order_by("round", "level")
            .values_list("round", "level", "trigger", "reason", "is_skipped")
        )


def _unchanged(ticket, level=0, events=0):
    with tenant_context(ticket.tenant_id):
        fresh = Ticket.objects.get(pk=ticket.pk)
        assert (fresh.escalation_level, fresh.version) == (level, ticket.version)
        assert EscalationEvent.objects.filter(ticket_id=ticket.pk).count() == events


@pytest.fixture
def p1(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    ticket = incident(desk)
    return act(desk, ticket, "acknowledge")


@pytest.mark.django_db
def test_the_customer_escalates_to_the_next_level_with_a_reason(
    desk, p1, mailoutbox, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _escalate(desk, p1.number, reason="progress", comment="Nothing has happened for an hour.")
    assert response.status_code == 200, response.json()
    assert response.json()["escalation_level"] == 1
    assert _events(p1) == [(1, 1, "customer", "progress", False)]
    # The level's first contact (German) and the account's user (English) are told.
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("alice@acme.example", f"Your ticket {p1.number} was escalated to level 1"),
        ("n.vogel@northwind.example", f"Eskalationsstufe 1: {p1.number} Link down"),
    ]
    with tenant_context(desk.northwind):
        line = TicketEvent.objects.get(ticket=p1, field="escalation_level")
    assert (line.from_value, line.to_value, line.actor.email, line.reason) == (
        "0", "1", "alice@acme.example", "Nothing has happened for an hour."
    )  # fmt: skip


@pytest.mark.django_db
def test_the_customer_may_escalate_once_per_the_tenants_interval(desk, p1, time_machine):
    assert _escalate(desk, p1.number, reason="missed_target").status_code == 200
    time_machine.move_to("2026-11-18T09:59:00Z", tick=False)
    response = _escalate(desk, p1.number, reason="progress")
    assert response.status_code == 409
    assert response.json()["code"] == "too_soon"
    assert response.json()["next_allowed_at"] == "2026-11-18T10:00:00+00:00"
    _unchanged(p1, level=1, events=1)
    time_machine.move_to("2026-11-18T10:00:00Z", tick=False)
    response = _escalate(desk, p1.number, reason="progress")
    assert (response.status_code, response.json()["escalation_level"]) == (200, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "angry"}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "other"}, "comment"),
        ({"reason": "other", "comment": "   "}, "comment"),
    ],
)
def test_an_invalid_reason_or_other_without_a_comment_is_refused(desk, p1, body, field):
    response = _escalate(desk, p1.number, **body)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    _unchanged(p1)


@pytest.mark.django_db
def test_other_with_a_comment_is_accepted(desk, p1):
    response = _escalate(desk, p1.number, reason="other", comment="Our CEO's office is offline.")
    assert response.status_code == 200
    assert _events(p1) == [(1, 1, "customer", "other", False)]


@pytest.mark.django_db
@pytest.mark.parametrize("actions", [["start_work", "resolve"], ["start_work", "resolve", "close"], ["cancel"]])
def test_a_resolved_closed_or_cancelled_ticket_cannot_be_escalated(desk, p1, actions):
    for action in actions:
        p1 = act(
            desk,
            p1,
            action,
            reason="Done.",
            who="alice@acme.example" if action == "close" else "agent@northwind.example",
        )
    response = _escalate(desk, p1.number, reason="progress")
    assert response.status_code == 409
    assert response.json()["code"] == "ticket_not_open"
    _unchanged(p1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "outsider", ["carol@initech.example", "bob@globex.example", "dave@acme.example", "agent@bluepeak.example"]
)
def test_another_tenants_or_accounts_ticket_is_a_404_and_nothing_changes(desk, p1, outsider):
    """Carol and Bluepeak's agent: another tenant; Bob: another account; Dave: Acme, but only
    the Madrid site (the ticket is Frankfurt's)."""
    with tenant_context(desk.northwind):
        timers = list(TicketEscalation.objects.filter(ticket=p1).values())  # the one the opening gave it
    response = _escalate(desk, p1.number, who=outsider, reason="progress")
    assert response.status_code == 404
    assert desk.api(outsider).get(f"/api/v1/tickets/{p1.number}/escalations/").status_code == 404
    _unchanged(p1)
    with tenant_context(desk.northwind):
        assert list(TicketEscalation.objects.filter(ticket=p1).values()) == timers


@pytest.mark.django_db
def test_at_the_top_level_there_is_nowhere_to_go(desk, p1):
    response = _escalate(desk, p1.number, who="agent@northwind.example", reason="progress", level=5)
    assert response.status_code == 200
    response = _escalate(desk, p1.number, who="agent@northwind.example", reason="progress")
    assert (response.status_code, response.json()["code"]) == (409, "top_level")


@pytest.mark.django_db
def test_a_customer_cannot_choose_the_level_or_de_escalate(desk, p1):
    assert _escalate(desk, p1.number, reason="progress", level=3).status_code == 403
    response = desk.api("alice@acme.example").post(
        f"/api/v1/tickets/{p1.number}/deescalate/", {"comment": "Calm now."}, format="json"
    )
    assert response.status_code == 403
    _unchanged(p1)


@pytest.mark.django_db
def test_an_agent_escalates_to_a_chosen_level_and_the_levels_between_are_skipped(desk, p1):
    response = _escalate(desk, p1.number, who="agent@northwind.example", reason="missed_target", level=3)
    assert (response.status_code, response.json()["escalation_level"]) == (200, 3)
    assert _events(p1) == [
        (1, 1, "agent", "missed_target", True), (1, 2, "agent", "missed_target", True), (1, 3, "agent", "missed_target", False),
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_manager_de_escalates_with_a_reason_and_age_counts_again_from_then(desk, p1, time_machine):
    manager = "manager@northwind.example"
    _escalate(desk, p1.number, who=manager, reason="progress", level=2)
    time_machine.move_to("2026-11-18T09:10:00Z", tick=False)
    url = f"/api/v1/tickets/{p1.number}/deescalate/"
    assert desk.api(manager).post(url, {"comment": ""}, format="json").status_code == 400
    response = desk.api(manager).post(url, {"comment": "Carrier confirmed the fix.", "level": 0}, format="json")
    assert (response.status_code, response.json()["escalation_level"]) == (200, 0)
    assert _events(p1) == [
        (1, 1, "agent", "progress", True),
        (1, 2, "agent", "progress", False),
        (2, 0, "agent", "", False),
    ]
    # The ticket is 2 hours old at 11:00, but age counts from the de-escalation: level 1 at 09:40.
    sweep_escalations(now=at("2026-11-18 09:39"), tenant_ids=[desk.northwind.pk])
    assert level_of(p1) == 0
    sweep_escalations(now=at("2026-11-18 09:40"), tenant_ids=[desk.northwind.pk])
    assert level_of(p1) == 1
    assert _events(p1)[-1] == (2, 1, "age", "", False)
    response = desk.api(manager).post(url, {"comment": "Back down."}, format="json")
    assert response.json()["escalation_level"] == 0


@pytest.mark.django_db
def test_the_escalations_endpoint_lists_levels_who_was_tried_and_who_acknowledged(desk, p1):
    _escalate(desk, p1.number, who="agent@northwind.example", reason="progress", level=2)
    body = desk.api("alice@acme.example").get(f"/api/v1/tickets/{p1.number}/escalations/").json()
    rows = [(e["level"], e["trigger"], e["is_skipped"], [n["name"] for n in e["notified"]]) for e in body["results"]]
    assert rows == [(1, "agent", True, []), (2, "agent", False, ["Laura Sánchez"])]
    assert body["results"][1]["actor"]["name"] == "Lena Fischer"
    assert body["results"][1]["acknowledged_at"] is None


@pytest.mark.django_db
def test_the_customer_escalates_in_the_portal(client, desk, p1):
    client.force_login(desk.user("alice@acme.example"))
    url = f"/portal/tickets/{p1.number}/escalate/"
    page = client.get(url)
    assert page.status_code == 200
    assert "not escalated" in page.content.decode()
    refused = client.post(url, {"reason": "other", "comment": ""})
    assert refused.status_code == 400
    _unchanged(p1)
    done = client.post(url, {"reason": "progress", "comment": ""})
    assert (done.status_code, done["Location"]) == (302, f"/portal/tickets/{p1.number}/")
    assert level_of(p1) == 1
    too_soon = client.post(url, {"reason": "progress"})
    assert too_soon.status_code == 400
    assert "escalated less than 60 minutes ago" in too_soon.content.decode()


@pytest.mark.django_db
def test_the_portal_page_of_another_accounts_ticket_does_not_exist(client, desk, p1):
    client.force_login(desk.user("bob@globex.example"))
    assert client.post(f"/portal/tickets/{p1.number}/escalate/", {"reason": "progress"}).status_code == 404
    _unchanged(p1)

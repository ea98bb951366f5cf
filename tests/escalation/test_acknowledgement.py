"""Notifications and acknowledgement: each level's contacts are tried one after another, in
their own language, each with a signed link; unanswered within the tenant's 15 minutes, the
next contact; after 3 unanswered attempts, the next level (seed 001); at the top level, the
escalation manager. Acknowledging stops the attempts."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from escalation.models import EscalationAttempt, EscalationEvent, EscalationNotice
from escalation.services.notifications import ack_token
from escalation.services.sweep import sweep_escalations
from servicedesk.models import User
from servicedesk.tenancy import tenant_context
from tests.escalation.conftest import act, at, incident, level_of

LINK = re.compile(r"https?://\S+/escalation/acknowledge/(\S+)/")


@pytest.fixture
def p2(desk, time_machine):
    """Acme's MPLS outage, low urgency: P2 (level 1 at 1 h, level 2 at 2 h), opened 09:00 and
    acknowledged at once; its call-back target breaches at 11:00."""
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    ticket = incident(desk, urgency="low")
    assert ticket.priority == "P2"
    return act(desk, ticket, "acknowledge")


@pytest.fixture
def sweep(desk, django_capture_on_commit_callbacks, eager_tasks):
    def run(when):
        with django_capture_on_commit_callbacks(execute=True):
            return sweep_escalations(now=at(when), tenant_ids=[desk.northwind.pk])

    return run


def _attempts(ticket):
    with tenant_context(ticket.tenant_id):
        return list(
            EscalationAttempt.objects.filter(event__ticket_id=ticket.pk)
            .order_by("event__round", "event__level", "number")
            .values_list("event__level", "number", "name", "acknowledged_at")
        )


def _subject(language, level, ticket):
    """The attempt's subject in that language (the wording is the catalogue's)."""
    with translation.override(language):
        subject = gettext("Escalation level %(level)d: %(number)s %(subject)s")
    assert subject.startswith("Nivel de escal" if language == "es" else "")
    return subject % {"level": level, "number": ticket.number, "subject": "Link down"}


def _mails(outbox, start=0):
    return [(m.to[0], m.subject) for m in outbox[start:]]


@pytest.mark.django_db
def test_unanswered_attempts_go_to_the_next_contact_and_after_three_to_the_next_level(desk, p2, sweep, mailoutbox):
    sweep("2026-11-18 10:00")
    assert _mails(mailoutbox) == [
        ("n.vogel@northwind.example", f"Eskalationsstufe 1: {p2.number} Link down"),
        ("alice@acme.example", f"Your ticket {p2.number} was escalated to level 1"),
    ]
    assert "bis 2026-11-18 10:15 UTC" in mailoutbox[0].body
    sweep("2026-11-18 10:14")
    assert len(mailoutbox) == 2
    sweep("2026-11-18 10:15")
    assert _mails(mailoutbox, 2) == [("c.ortega@northwind.example", _subject("es", 1, p2))]
    sweep("2026-11-18 10:30")
    assert _mails(mailoutbox, 3) == [("n.vogel@northwind.example", f"Eskalationsstufe 1: {p2.number} Link down")]
    assert level_of(p2) == 1
    sweep("2026-11-18 10:45")  # the third attempt went unanswered: level 2, before its age (11:00)
    assert level_of(p2) == 2
    assert _attempts(p2) == [
        (1, 1, "Nina Vogel", None), (1, 2, "Carlos Ortega", None), (1, 3, "Nina Vogel", None),
        (2, 1, "Laura Sánchez", None),
    ]  # fmt: skip
    with tenant_context(desk.northwind):
        assert list(EscalationEvent.objects.filter(ticket_id=p2.pk).values_list("level", "trigger")) == [
            (1, "age"), (2, "unanswered")
        ]  # fmt: skip
    assert _mails(mailoutbox, 4) == [
        ("l.sanchez@northwind.example", _subject("es", 2, p2)),
        ("alice@acme.example", f"Your ticket {p2.number} was escalated to level 2"),
    ]


@pytest.mark.django_db
def test_acknowledging_through_the_link_stops_the_attempts(client, desk, p2, sweep, mailoutbox):
    sweep("2026-11-18 10:00")
    token = LINK.search(mailoutbox[0].body).group(1)
    page = client.get(f"/escalation/acknowledge/{token}/")
    assert page.status_code == 200
    assert "Nina Vogel" in page.content.decode()
    assert _attempts(p2)[0][3] is None  # looking is not acknowledging
    done = client.post(f"/escalation/acknowledge/{token}/")
    assert done.status_code == 200
    assert "Acknowledged by Nina Vogel" in done.content.decode()
    sweep("2026-11-18 10:44")
    assert [a[:3] for a in _attempts(p2)] == [(1, 1, "Nina Vogel")]
    assert level_of(p2) == 1
    body = desk.api("alice@acme.example").get(f"/api/v1/tickets/{p2.number}/escalations/").json()
    (event,) = body["results"]
    assert (event["acknowledged_by"], event["acknowledged_at"]) == ("Nina Vogel", "2026-11-18T09:00:00Z")
    assert event["notified"][0]["acknowledged_at"] == "2026-11-18T09:00:00Z"
    # Acknowledging a level does not stop the clock: the next level by age still comes.
    sweep("2026-11-18 11:00")
    assert level_of(p2) == 2


@pytest.mark.django_db
def test_links_in_mails_start_with_the_public_address_when_one_is_set(desk, p2, sweep, mailoutbox, settings):
    settings.PUBLIC_BASE_URL = "https://desk.example.com"
    sweep("2026-11-18 10:00")
    assert "https://desk.example.com/escalation/acknowledge/" in mailoutbox[0].body


@pytest.mark.django_db
def test_acknowledging_through_the_api_and_a_second_time_changes_nothing(desk, p2, sweep, mailoutbox, client):
    sweep("2026-11-18 10:00")
    token = LINK.search(mailoutbox[0].body).group(1)
    response = client.post("/api/v1/escalation-acknowledgements/", {"token": token}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"ticket": p2.number, "level": 1, "acknowledged_at": "2026-11-18T09:00:00Z"}
    again = client.post("/api/v1/escalation-acknowledgements/", {"token": token}, content_type="application/json")
    assert again.json() == response.json()


@pytest.mark.django_db
def test_a_signed_in_manager_acknowledging_is_recorded_by_name(client, desk, p2, sweep, mailoutbox):
    sweep("2026-11-18 10:00")
    token = LINK.search(mailoutbox[0].body).group(1)
    client.force_login(desk.user("manager@northwind.example"))
    client.post(f"/escalation/acknowledge/{token}/")
    with tenant_context(desk.northwind):
        assert EscalationEvent.objects.get(ticket_id=p2.pk).acknowledged_by == "Markus Weber"


@pytest.mark.django_db
def test_a_forged_or_foreign_link_acknowledges_nothing(client, desk, p2, sweep, mailoutbox):
    sweep("2026-11-18 10:00")
    token = LINK.search(mailoutbox[0].body).group(1)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client.post(f"/escalation/acknowledge/{forged}/").status_code == 404
    response = client.post("/api/v1/escalation-acknowledgements/", {"token": forged}, content_type="application/json")
    assert (response.status_code, list(response.json())) == (400, ["token"])
    # A genuine signature over another tenant's id finds nothing there.
    with tenant_context(desk.northwind):
        attempt = EscalationAttempt.objects.get()
    attempt.tenant_id = desk.bluepeak.pk
    assert client.post(f"/escalation/acknowledge/{ack_token(attempt)}/").status_code == 404
    assert _attempts(p2)[0][3] is None


@pytest.mark.django_db
def test_when_the_top_level_does_not_answer_the_escalation_manager_is_told(desk, p2, sweep, mailoutbox):
    agent = desk.user("agent@northwind.example")
    from escalation.services.manual import escalate_ticket

    with tenant_context(desk.northwind):
        escalate_ticket(ticket=p2, by=agent, reason="missed_target", level=5, now=at("2026-11-18 09:10"))
    for when in ("2026-11-18 09:25", "2026-11-18 09:40", "2026-11-18 09:55"):
        sweep(when)
    assert [a[:3] for a in _attempts(p2) if a[0] == 5] == [
        (5, 1, "Richard Hale"), (5, 2, "Richard Hale"), (5, 3, "Richard Hale"), (5, 4, "Escalation manager on duty"),
    ]  # fmt: skip
    assert ("escalation@northwind.example", f"Escalation manager: {p2.number} is unanswered at level 5") in _mails(
        mailoutbox
    )
    assert sweep("2026-11-18 23:00").attempts == 0


@pytest.mark.django_db
def test_a_user_contact_gets_an_in_app_notice_in_their_language(desk, sweep, time_machine):
    """Level 1 of Transmission/Voice is tried first with Jonas Becker, a desk user (German)."""
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    ticket = act(desk, incident(desk, service="NW-VOICE-1003"), "acknowledge")
    sweep("2026-11-18 09:30")
    body = desk.api("voice.agent@northwind.example").get("/api/v1/escalation-notices/").json()
    assert [(n["ticket"], n["level"], n["text"]) for n in body["results"]] == [
        (ticket.number, 1, f"Eskalationsstufe 1: {ticket.number} Link down")
    ]
    alice = desk.api("alice@acme.example").get("/api/v1/escalation-notices/").json()
    assert [n["text"] for n in alice["results"]] == [f"Your ticket {ticket.number} was escalated to level 1"]
    # Nobody else's notices.
    assert desk.api("bob@globex.example").get("/api/v1/escalation-notices/").json()["results"] == []
    with tenant_context(desk.northwind):
        assert EscalationNotice.objects.count() == 2


@pytest.mark.django_db
def test_a_madrid_only_user_is_not_told_about_a_frankfurt_ticket(desk, sweep, mailoutbox, p2):
    sweep("2026-11-18 10:00")
    assert "dave@acme.example" not in [m.to[0] for m in mailoutbox]


@pytest.mark.django_db
@pytest.mark.parametrize("opted_out", [False, True], ids=["wanted", "turned-off"])
def test_contacts_and_customers_who_turned_escalation_mail_off_get_none_but_the_notice(
    desk, time_machine, sweep, mailoutbox, opted_out
):
    """A voice outage: level 1's first contact is the voice agent's user; Alice is told of the
    level. Whoever turned that mail off gets no mail, and still the notice in the desk."""
    if opted_out:
        User.objects.filter(email="voice.agent@northwind.example").update(mail_opt_outs=["escalation_contact"])
        User.objects.filter(email="alice@acme.example").update(mail_opt_outs=["escalation_account"])
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    ticket = act(desk, incident(desk, service="NW-VOICE-1003", urgency="low"), "acknowledge")
    sweep("2026-11-18 10:00")
    mailed = {m.to[0] for m in mailoutbox}
    assert ({"voice.agent@northwind.example", "alice@acme.example"} & mailed == set()) is opted_out
    assert ({"voice.agent@northwind.example", "alice@acme.example"} <= mailed) is not opted_out
    with tenant_context(desk.northwind):
        told = set(EscalationNotice.objects.filter(event__ticket_id=ticket.pk).values_list("user__email", flat=True))
    assert {"voice.agent@northwind.example", "alice@acme.example"} <= told

"""The desk answers by mail: a staff user's reply to a mail about a ticket becomes the desk's
public reply on it (threads first, the number in the subject second), through the reply use
case of the console, so the ticket's participants hear of it and its timeline and version
move as for a reply typed in the console. Another tenant's staff and inactive staff are
strangers."""

from __future__ import annotations

import pytest
from django.core import mail

from config.celery import app as celery_app
from mailroom.models import InboundMessage
from servicedesk.mailing import new_message_id, thread_id
from servicedesk.models import User
from servicedesk.notifications import MailKind
from servicedesk.tenancy import tenant_context
from tests.mailroom.conftest import corpus
from tickets.models import Comment, Ticket, TicketEvent
from tickets.services.conversation import add_comment
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket

Outcome = InboundMessage.Outcome


@pytest.fixture
def eager_tasks():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def _ticket(demo, email: str = "alice@acme.example", site: str = "frankfurt") -> Ticket:
    user = demo.user(email)
    draft = TicketDraft(kind="enquiry", subject="MPLS link down", description="x", site_id=getattr(demo, site).pk)
    with tenant_context(user.tenant_id):
        return open_ticket(actor=user, draft=draft)


def _staff_reply(ticket: Ticket, sender: str = "agent@northwind.example", *, threaded: bool = True) -> bytes:
    """The agent answering the desk's notification about ``ticket`` from their mail client
    (Gmail's shape: the new text above the quoted notification)."""
    if threaded:
        root = thread_id(tenant_id=ticket.tenant_id, number=ticket.number, domain="northwind.example")
        answers = new_message_id(domain="northwind.example")
        raw = corpus("gmail_reply.eml", ANSWERS=answers, REFERENCES=f"{root} {answers}")
    else:
        raw = corpus("outlook_reply.eml", NUMBER=ticket.number).replace(b"AM0PR-outlook-reply-0007", b"staff-1")
    return raw.replace(b"alice@acme.example", sender.encode()).replace(b"Alice Example", b"Staff")


def test_an_agents_mail_reply_in_the_thread_is_the_desks_public_reply_and_reaches_the_customer(
    demo, deliver, eager_tasks, django_capture_on_commit_callbacks, settings
):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8016"
    ticket = _ticket(demo)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        message = deliver(_staff_reply(ticket)).message

    assert (message.outcome, message.ticket_id) == (Outcome.COMMENT, ticket.pk)
    assert message.author.email == "agent@northwind.example"
    with tenant_context(demo.northwind):
        comment = Comment.objects.get(ticket=ticket)
    # Quoted history cut, as for customers; public, by the agent.
    assert comment.body == "Thanks, the link is back since 11:55."
    assert (comment.internal, comment.author.email) == (False, "agent@northwind.example")
    # The reply use case of the console: the customer is told, the timeline shows the agent's
    # reply, the version the customer reads against moves on.
    assert [m.to for m in mail.outbox] == [["alice@acme.example"]]
    assert "Thanks, the link is back since 11:55." in mail.outbox[0].body
    assert f"http://127.0.0.1:8016/portal/tickets/{ticket.number}/" in mail.outbox[0].body
    with tenant_context(demo.northwind):
        event = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.COMMENTED).get()
        assert (event.actor.email, event.internal) == ("agent@northwind.example", False)
        assert Ticket.objects.get(pk=ticket.pk).version == ticket.version + 1


def test_the_ticket_number_in_the_subject_finds_the_ticket_when_the_thread_is_lost(demo, deliver):
    ticket = _ticket(demo, "bob@globex.example", site="london")
    message = deliver(_staff_reply(ticket, "manager@northwind.example", threaded=False)).message
    assert (message.outcome, message.ticket_id) == (Outcome.COMMENT, ticket.pk)
    with tenant_context(demo.northwind):
        comment = Comment.objects.get(ticket=ticket)
    assert comment.author.email == "manager@northwind.example"
    # Quoted history and signature cut.
    assert comment.body == "The router was restarted at 10:45, still no connection."


def test_staff_mail_that_answers_no_ticket_opens_nothing_and_gets_no_answer(
    demo, deliver, django_capture_on_commit_callbacks
):
    with tenant_context(demo.northwind):
        before = Ticket.objects.count()
    raw = corpus("plain_incident.eml").replace(b"alice@acme.example", b"agent@northwind.example")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = deliver(raw).message
    assert message.outcome == Outcome.STAFF_NOT_A_REPLY
    assert callbacks == []
    assert mail.outbox == []
    with tenant_context(demo.northwind):
        assert Ticket.objects.count() == before


def test_a_staff_reply_to_a_closed_ticket_adds_nothing(demo, deliver):
    ticket = _ticket(demo)
    agent = demo.user("agent@northwind.example")
    with tenant_context(demo.northwind):
        transition_ticket(ticket=ticket, actor=agent, action="cancel", reason="Sent twice.")
        before = Ticket.objects.count()
    message = deliver(_staff_reply(ticket)).message
    assert message.outcome == Outcome.STAFF_NOT_A_REPLY
    with tenant_context(demo.northwind):
        assert not Comment.objects.filter(ticket=ticket).exists()
        assert Ticket.objects.count() == before


@pytest.mark.parametrize("sender", ["agent@bluepeak.example", "inactive"])
def test_another_tenants_staff_and_inactive_staff_are_strangers(
    demo, deliver, sender, django_capture_on_commit_callbacks
):
    ticket = _ticket(demo)
    if sender == "inactive":
        sender = "agent@northwind.example"
        User.objects.filter(email=sender).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        message = deliver(_staff_reply(ticket, sender)).message
    assert (message.outcome, message.ticket_id, message.author_id) == (Outcome.UNKNOWN_SENDER, None, None)
    with tenant_context(demo.northwind):
        assert not Comment.objects.filter(ticket=ticket).exists()
    assert mail.outbox == []


def _with_cc(raw: bytes, cc: str) -> bytes:
    return raw.replace(b"To: ", f"Cc: {cc}\nTo: ".encode(), 1)


def test_the_desks_reply_by_mail_goes_to_everyone_of_the_account_who_took_part_and_no_one_else(
    demo, deliver, eager_tasks, django_capture_on_commit_callbacks
):
    """alice answers about Madrid's ticket with dave (restricted to Madrid), bob (another
    account) and an agent in Cc; the desk's reply reaches alice and dave, each in their own
    language, and not bob. On Frankfurt's ticket, which dave may not see, he gets nothing."""
    madrid, frankfurt = _ticket(demo, site="madrid"), _ticket(demo, site="frankfurt")
    cc = "Dave <DAVE@acme.example>, bob@globex.example, agent@northwind.example"
    for n, ticket in enumerate((madrid, frankfurt)):
        raw = corpus("outlook_reply.eml", NUMBER=ticket.number).replace(b"reply-0007", f"cc-{n}".encode())
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver(_with_cc(raw, cc)).message.outcome == Outcome.COMMENT
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        deliver(_staff_reply(madrid))
    sent = {m.to[0]: m for m in mail.outbox}
    assert sorted(sent) == ["alice@acme.example", "dave@acme.example"]
    assert sent["dave@acme.example"].subject == f"[{madrid.number}] Nueva respuesta en su ticket: {madrid.subject}"
    assert sent["alice@acme.example"].subject == f"[{madrid.number}] New reply on your ticket: {madrid.subject}"
    assert all(m.extra_headers["References"].startswith(f"<t{madrid.tenant_id}.{madrid.number}.") for m in mail.outbox)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deliver(_staff_reply(frankfurt).replace(b"CAgmail-reply-0008", b"staff-frankfurt"))
    assert [m.to for m in mail.outbox] == [["alice@acme.example"]]


def test_a_user_of_the_account_who_wrote_on_the_ticket_hears_of_the_reply_unless_they_said_no(
    demo, eager_tasks, django_capture_on_commit_callbacks
):
    ticket = _ticket(demo, site="madrid")
    dave, agent = demo.user("dave@acme.example"), demo.user("agent@northwind.example")
    with django_capture_on_commit_callbacks(execute=True), tenant_context(demo.northwind):
        add_comment(ticket=ticket, actor=dave, body="Madrid is down as well.")
        add_comment(ticket=ticket, actor=agent, body="Looking at it.", internal=True)
    assert mail.outbox == []  # neither a customer's reply nor a note is mailed

    with django_capture_on_commit_callbacks(execute=True), tenant_context(demo.northwind):
        add_comment(ticket=ticket, actor=agent, body="A card failed; replaced.")
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@acme.example", "dave@acme.example"]

    mail.outbox.clear()
    User.objects.filter(pk=dave.pk).update(mail_opt_outs=[str(MailKind.TICKET_REPLY)])
    with django_capture_on_commit_callbacks(execute=True), tenant_context(demo.northwind):
        add_comment(ticket=ticket, actor=agent, body="Closing soon.")
    assert [m.to for m in mail.outbox] == [["alice@acme.example"]]

"""The rules around the corpus: what fails is kept and leaves nothing behind, a closed
ticket's reply opens a follow-up, the rate limit, and strangers told at most once a day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from mailroom.models import InboundMessage, SenderNotice
from mailroom.selectors import messages_needing_attention
from mailroom.services import inbound
from mailroom.services.answers import send_acknowledgement, send_sender_notice
from mailroom.services.inbound import discard_message, retry_message
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.tenancy import tenant_context
from tests.mailroom.conftest import corpus
from tickets.models import Attachment, Comment, Ticket, TicketEvent
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket

Outcome = InboundMessage.Outcome


def _count(tenant, model) -> int:
    with tenant_context(tenant):
        return model.objects.count()


def test_a_message_that_fails_half_way_leaves_no_half_ticket_and_is_kept_for_a_retry(
    demo, deliver, mailboxes, monkeypatch
):
    before = (_count(demo.northwind, Ticket), _count(demo.northwind, TicketEvent))

    def broken(**kwargs):
        raise RuntimeError("storage unavailable")

    monkeypatch.setattr(inbound, "add_attachment", broken)
    message = deliver(corpus("attachment_only.eml")).message
    assert message.status == InboundMessage.Status.FAILED
    assert message.error == "RuntimeError: storage unavailable"
    assert message.ticket_id is None
    # The ticket opened before the failure was rolled back with everything it wrote.
    assert (_count(demo.northwind, Ticket), _count(demo.northwind, TicketEvent)) == before
    admin = demo.user("admin@northwind.example")
    with tenant_context(demo.northwind):
        assert list(messages_needing_attention(actor=admin)) == [message]
        assert list(messages_needing_attention(actor=demo.user("agent@northwind.example"))) == []

    monkeypatch.undo()
    with tenant_context(demo.northwind):
        retried = retry_message(actor=admin, message=message, mailbox=mailboxes["northwind"])
        assert (retried.status, retried.outcome) == (InboundMessage.Status.PROCESSED, Outcome.TICKET)
        assert Attachment.objects.filter(ticket_id=retried.ticket_id).count() == 1
        assert list(messages_needing_attention(actor=admin)) == []


def test_only_a_tenant_administrator_retries_or_discards_and_only_failed_messages(demo, deliver, mailboxes):
    message = deliver(corpus("plain_incident.eml")).message
    agent, admin = demo.user("agent@northwind.example"), demo.user("admin@northwind.example")
    with tenant_context(demo.northwind):
        with pytest.raises(Conflict):
            retry_message(actor=agent, message=message, mailbox=mailboxes["northwind"])
        with pytest.raises(Conflict):
            retry_message(actor=admin, message=message, mailbox=mailboxes["northwind"])
        with pytest.raises(Conflict):
            discard_message(actor=admin, message=message)
        InboundMessage.objects.filter(pk=message.pk).update(status=InboundMessage.Status.FAILED)
        assert discard_message(actor=admin, message=message).status == InboundMessage.Status.DISCARDED
        assert Ticket.objects.filter(channel=Ticket.Channel.EMAIL).count() == 1


def test_a_reply_to_a_closed_ticket_opens_a_follow_up_that_names_it(demo, deliver):
    first = deliver(corpus("plain_incident.eml")).message
    agent = demo.user("agent@northwind.example")
    with tenant_context(demo.northwind):
        ticket = Ticket.objects.get(pk=first.ticket_id)
        ticket = transition_ticket(ticket=ticket, actor=agent, action="cancel", reason="Solved on site.")
    message = deliver(corpus("outlook_reply.eml", NUMBER=ticket.number)).message
    assert message.outcome == Outcome.TICKET
    with tenant_context(demo.northwind):
        follow_up = Ticket.objects.get(pk=message.ticket_id)
        assert not Comment.objects.filter(ticket=ticket).exists()
    assert follow_up.description.startswith(f"Follow-up to {ticket.number}, which is closed.")


def test_past_the_hourly_limit_a_senders_mail_is_kept_but_ignored(demo, deliver, settings):
    settings.MAILROOM_SENDER_LIMIT_PER_HOUR = 2
    outcomes = []
    for n in range(3):
        raw = corpus("plain_incident.eml").replace(b"CAplain-incident-0001", f"limit-{n}".encode())
        outcomes.append(deliver(raw).message.outcome)
    assert outcomes == [Outcome.TICKET, Outcome.TICKET, Outcome.RATE_LIMITED]
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=61)):
        raw = corpus("plain_incident.eml").replace(b"CAplain-incident-0001", b"limit-later")
        assert deliver(raw).message.outcome == Outcome.TICKET
    # Another sender is not held back by alice's limit.
    raw = (
        corpus("plain_incident.eml")
        .replace(b"CAplain-incident-0001", b"bob-1")
        .replace(b"alice@acme.example", b"bob@globex.example")
    )
    assert deliver(raw).message.outcome == Outcome.TICKET


def test_strangers_are_not_answered_unless_the_tenant_wants_it(demo, deliver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deliver(corpus("unknown_sender.eml"))
    assert mail.outbox == []
    assert _count(demo.northwind, SenderNotice) == 0


def test_a_stranger_is_told_to_use_the_portal_once_a_day_when_the_tenant_wants_it(demo, deliver, mailboxes):
    mailbox = mailboxes["northwind"]
    with tenant_context(demo.northwind):
        type(mailbox).objects.filter(pk=mailbox.pk).update(answer_unknown_senders=True)
    mailbox.answer_unknown_senders = True
    for n in range(3):
        deliver(corpus("unknown_sender.eml").replace(b"unknown-0015", f"stranger-{n}".encode()))
    with tenant_context(demo.northwind):
        notices = list(SenderNotice.objects.all())
        assert [n.address for n in notices] == ["someone@elsewhere.example"]
        assert send_sender_notice(notice_id=notices[0].pk) is True
    sent = mail.outbox[0]
    assert sent.to == ["someone@elsewhere.example"]
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    # In the tenant's language (northwind: German), with the way in.
    assert "Bitte eröffnen Sie Ihr Ticket im Portal" in sent.body
    assert "https://testserver/accounts/login/" in sent.body
    # The next day: once more.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=1)):
        deliver(corpus("unknown_sender.eml").replace(b"unknown-0015", b"stranger-next-day"))
    assert _count(demo.northwind, SenderNotice) == 2
    # Never to an automatic message.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)):
        deliver(corpus("bounce_dsn.eml"))
    assert _count(demo.northwind, SenderNotice) == 2


def test_staff_mailing_the_desk_open_nothing(demo, deliver):
    # Staff answer tickets by mail (tests/mailroom/test_staff_replies.py); they never open one.
    raw = corpus("plain_incident.eml").replace(b"alice@acme.example", b"agent@northwind.example")
    assert deliver(raw).message.outcome == Outcome.STAFF_NOT_A_REPLY


def test_an_inactive_customer_user_is_a_stranger(demo, deliver):
    type(demo.user("alice@acme.example")).objects.filter(email="alice@acme.example").update(is_active=False)
    assert deliver(corpus("plain_incident.eml")).message.outcome == Outcome.UNKNOWN_SENDER


def test_an_incident_word_without_a_service_is_an_enquiry_and_the_acknowledgement_asks_for_the_service(demo, deliver):
    raw = corpus("plain_incident.eml").replace(b"FRA-MPLS-77120 ", b"")
    message = deliver(raw).message
    with tenant_context(demo.northwind):
        ticket = Ticket.objects.get(pk=message.ticket_id)
        send_acknowledgement(message_id=message.pk)
    assert (ticket.kind, ticket.service_id) == (Ticket.Kind.ENQUIRY, None)
    body = mail.outbox[0].body
    assert "Which service is this about?" in body
    assert "NW-MPLS-1001 (FRA-MPLS-77120): MPLS IP-VPN" in body
    # Only alice's account's services are listed.
    assert "NW-INET-3001" not in body


def test_the_acknowledgement_is_in_the_senders_language(demo, deliver):
    type(demo.user("alice@acme.example")).objects.filter(email="alice@acme.example").update(language="de")
    message = deliver(corpus("plain_incident.eml")).message
    with tenant_context(demo.northwind):
        send_acknowledgement(message_id=message.pk)
    body = mail.outbox[0].body
    with tenant_context(demo.northwind):
        number = Ticket.objects.get(pk=message.ticket_id).number
    assert f"wir haben Ihre Nachricht erhalten und das Ticket {number} (Störung) eröffnet." in body
    assert mail.outbox[0].subject.startswith(f"[{number}] ")


def test_an_agent_can_open_a_ticket_as_a_logged_mail_but_a_customer_cannot_claim_the_channel(demo):
    alice = demo.user("alice@acme.example")
    draft = TicketDraft(kind="enquiry", subject="x", description="y", channel=Ticket.Channel.EMAIL)
    with tenant_context(demo.northwind), pytest.raises(InvalidInput) as refused:
        open_ticket(actor=alice, draft=draft)
    assert set(refused.value.errors) == {"channel"}


def test_a_reply_by_mail_to_a_ticket_waiting_for_the_customer_resumes_it_and_sends_nothing(demo, deliver, monkeypatch):
    sent = []
    monkeypatch.setattr(inbound, "send_on_commit", lambda name, **kwargs: sent.append(name))
    first = deliver(corpus("plain_incident.eml")).message
    assert sent == [inbound.SEND_ACKNOWLEDGEMENT_TASK]
    agent = demo.user("agent@northwind.example")
    with tenant_context(demo.northwind):
        ticket = Ticket.objects.get(pk=first.ticket_id)
        transition_ticket(ticket=ticket, actor=agent, action="start_work")
        ticket = transition_ticket(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, action="wait_for_customer")
    assert ticket.status == Ticket.Status.WAITING_FOR_CUSTOMER
    message = deliver(corpus("outlook_reply.eml", NUMBER=ticket.number)).message
    assert message.outcome == Outcome.COMMENT
    with tenant_context(demo.northwind):
        assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.IN_PROGRESS
    # No acknowledgement for a reply.
    assert sent == [inbound.SEND_ACKNOWLEDGEMENT_TASK]

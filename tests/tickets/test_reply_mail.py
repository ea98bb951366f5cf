"""The desk's public reply reaches the customer who opened the ticket by mail, in the ticket's
thread (answering it comes back through the mail room as a reply), unless they said no."""

from __future__ import annotations

import pytest
from django.core import mail

from config.celery import app as celery_app
from servicedesk.notifications import MailKind
from servicedesk.tenancy import tenant_context
from tests.escalation.conftest import incident
from tickets.services.conversation import add_comment


@pytest.fixture
def eager_tasks():
    """Tasks run in the sending thread instead of going to the broker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def _reply(desk, ticket, who, body, *, internal=False, capture):
    user = desk.user(who)
    with capture(execute=True), tenant_context(user.tenant_id):
        return add_comment(ticket=ticket, actor=user, body=body, internal=internal)


@pytest.mark.django_db
def test_an_agents_reply_is_mailed_to_the_opener_in_the_tickets_thread(
    demo, eager_tasks, django_capture_on_commit_callbacks
):
    ticket = incident(demo)
    mail.outbox.clear()

    _reply(
        demo,
        ticket,
        "agent@northwind.example",
        "We replaced the line card.",
        capture=django_capture_on_commit_callbacks,
    )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@acme.example"]
    assert message.subject.startswith(f"[{ticket.number}] ")
    assert "We replaced the line card." in message.body
    assert message.extra_headers["In-Reply-To"]
    assert f"/portal/tickets/{ticket.number}/" in message.body


@pytest.mark.django_db
def test_no_mail_for_a_note_a_customers_own_reply_or_someone_who_turned_it_off(
    demo, eager_tasks, django_capture_on_commit_callbacks
):
    ticket = incident(demo)
    mail.outbox.clear()
    capture = django_capture_on_commit_callbacks

    _reply(demo, ticket, "agent@northwind.example", "Checked the PoP.", internal=True, capture=capture)
    _reply(demo, ticket, "alice@acme.example", "Still down here.", capture=capture)
    assert mail.outbox == []

    alice = demo.user("alice@acme.example")
    alice.mail_opt_outs = [str(MailKind.TICKET_REPLY)]
    alice.save(update_fields=["mail_opt_outs"])
    _reply(demo, ticket, "agent@northwind.example", "On our way.", capture=capture)
    assert mail.outbox == []

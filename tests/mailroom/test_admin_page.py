"""The tenant administrators' incoming-mail page: failed messages retried or discarded there,
by nobody else, and never across the wall."""

from __future__ import annotations

import pytest
from django.test import Client

from mailroom.models import InboundMessage
from mailroom.services import inbound
from servicedesk.tenancy import tenant_context
from tests.mailroom.conftest import corpus
from tickets.models import Ticket


def _client(demo, email: str) -> Client:
    client = Client()
    client.force_login(demo.user(email))
    return client


@pytest.fixture
def failed(demo, deliver, monkeypatch) -> InboundMessage:
    monkeypatch.setattr(inbound, "_apply", lambda **kwargs: 1 / 0)
    message = deliver(corpus("plain_incident.eml")).message
    monkeypatch.undo()
    assert message.status == InboundMessage.Status.FAILED
    return message


def test_the_administrator_sees_the_failed_message_and_retries_it(demo, failed):
    client = _client(demo, "admin@northwind.example")
    page = client.get("/desk-admin/mail/").content.decode()
    assert "ZeroDivisionError: division by zero" in page
    assert "Customers write to desk@northwind.example (read from: Maildir folder)." in page
    response = client.post(f"/desk-admin/mail/{failed.pk}/retry/", follow=True)
    assert response.redirect_chain == [("/desk-admin/mail/", 302)]
    assert "The message was processed: New ticket." in response.content.decode()
    with tenant_context(demo.northwind):
        failed.refresh_from_db()
        assert (failed.status, failed.outcome) == (InboundMessage.Status.PROCESSED, InboundMessage.Outcome.TICKET)
        assert Ticket.objects.filter(pk=failed.ticket_id, channel="email").exists()


def test_the_administrator_discards_a_failed_message(demo, failed):
    response = _client(demo, "admin@northwind.example").post(f"/desk-admin/mail/{failed.pk}/discard/", follow=True)
    assert "The message was discarded." in response.content.decode()
    with tenant_context(demo.northwind):
        failed.refresh_from_db()
    assert failed.status == InboundMessage.Status.DISCARDED


@pytest.mark.parametrize("email", ["agent@northwind.example", "manager@northwind.example", "alice@acme.example"])
def test_nobody_but_the_administrator_has_the_page(demo, failed, email):
    client = _client(demo, email)
    # The tenant's other roles get the administration's refusal page (tests/portal/test_desk_admin.py).
    assert client.get("/desk-admin/mail/").status_code == 403
    assert client.post(f"/desk-admin/mail/{failed.pk}/retry/").status_code == 403
    with tenant_context(demo.northwind):
        failed.refresh_from_db()
    assert failed.status == InboundMessage.Status.FAILED


def test_another_tenants_administrator_cannot_touch_the_message(demo, failed):
    from servicedesk.models import User  # noqa: PLC0415

    User.objects.create_user(
        "admin@bluepeak.example", "x", full_name="Bluepeak Admin", tenant=demo.bluepeak, role=User.Role.ADMIN
    )
    client = _client(demo, "admin@bluepeak.example")
    own_page = client.get("/desk-admin/mail/")
    assert own_page.status_code == 200
    assert "ZeroDivisionError" not in own_page.content.decode()
    for action in ("retry", "discard"):
        assert client.post(f"/desk-admin/mail/{failed.pk}/{action}/").status_code == 404
    with tenant_context(demo.northwind):
        failed.refresh_from_db()
    assert failed.status == InboundMessage.Status.FAILED


def test_an_unknown_action_is_not_found(demo, failed):
    assert _client(demo, "admin@northwind.example").post(f"/desk-admin/mail/{failed.pk}/delete/").status_code == 404

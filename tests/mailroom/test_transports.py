"""The transports: a file dropped into a tenant's Maildir folder is taken in by the sweep task,
a failing one is quarantined, one that cannot be stored waits; a mail server's pipe; the IMAP
password encrypted at rest."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command

from mailroom.models import InboundMessage, Mailbox
from mailroom.secrets import UnreadableSecret, decrypt_secret, encrypt_secret
from mailroom.services import inbound, transports
from mailroom.tasks import inbound_mail_sweep_task
from servicedesk.tenancy import tenant_context
from tests.mailroom.conftest import corpus
from tickets.models import Ticket


@pytest.fixture
def maildir(settings, tmp_path, mailboxes):
    settings.MAILROOM_MAILDIR_ROOT = tmp_path / "mail"
    return tmp_path / "mail"


def _drop(maildir, tenant: str, name: str, raw: bytes):
    folder = maildir / tenant / "new"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(raw)
    return folder / name


def test_a_message_dropped_into_the_maildir_is_taken_in_by_the_sweep_task(demo, maildir):
    dropped = _drop(maildir, "northwind", "1764490800.M1P1.mx", corpus("plain_incident.eml"))
    inbound_mail_sweep_task.apply().get()
    assert not dropped.exists()
    assert [p.name for p in (maildir / "northwind" / "cur").iterdir()] == ["1764490800.M1P1.mx:2,S"]
    with tenant_context(demo.northwind):
        message = InboundMessage.objects.get()
        ticket = Ticket.objects.get(pk=message.ticket_id)
    assert (message.source, message.outcome) == ("maildir", InboundMessage.Outcome.TICKET)
    assert ticket.channel == Ticket.Channel.EMAIL
    assert ticket.created_by.email == "alice@acme.example"
    # Bluepeak's folder is its own: nothing there, nothing of this mail in bluepeak.
    assert list((maildir / "bluepeak" / "new").iterdir()) == []
    with tenant_context(demo.bluepeak):
        assert not InboundMessage.objects.exists()


def test_the_same_file_delivered_twice_is_moved_twice_and_taken_in_once(demo, maildir):
    _drop(maildir, "northwind", "a.mx", corpus("plain_incident.eml"))
    _drop(maildir, "northwind", "b.mx", corpus("plain_incident.eml"))
    result = transports.sweep_inbound_mail()["northwind"]
    assert (result.taken, result.failed, result.left) == (2, 0, 0)
    assert sorted(p.name for p in (maildir / "northwind" / "cur").iterdir()) == ["a.mx:2,S", "b.mx:2,S"]
    with tenant_context(demo.northwind):
        assert InboundMessage.objects.count() == 1
        assert Ticket.objects.filter(channel=Ticket.Channel.EMAIL).count() == 1


def test_a_message_that_fails_to_process_is_quarantined_and_kept(demo, maildir, monkeypatch):
    monkeypatch.setattr(inbound, "_apply", lambda **kwargs: 1 / 0)
    _drop(maildir, "northwind", "bad.mx", corpus("plain_incident.eml"))
    result = transports.sweep_inbound_mail()["northwind"]
    assert (result.taken, result.failed) == (0, 1)
    assert [p.name for p in (maildir / "northwind" / "quarantine").iterdir()] == ["bad.mx:2,S"]
    with tenant_context(demo.northwind):
        message = InboundMessage.objects.get()
        assert message.status == InboundMessage.Status.FAILED
        with message.raw.open("rb") as stored:
            assert stored.read() == corpus("plain_incident.eml")


def test_a_message_that_cannot_be_stored_stays_in_new_for_the_next_sweep(demo, maildir, monkeypatch):
    def no_database(**kwargs):
        raise OSError("database unavailable")

    monkeypatch.setattr(transports, "receive_message", no_database)
    dropped = _drop(maildir, "northwind", "wait.mx", corpus("plain_incident.eml"))
    result = transports.sweep_inbound_mail()["northwind"]
    assert (result.taken, result.left) == (0, 1)
    assert dropped.exists()
    monkeypatch.undo()
    assert transports.sweep_inbound_mail()["northwind"].taken == 1
    assert not dropped.exists()


def test_a_tenant_without_an_active_mailbox_is_not_read(demo, maildir):
    with tenant_context(demo.bluepeak):
        Mailbox.objects.update(is_active=False)
    dropped = _drop(maildir, "bluepeak", "x.mx", corpus("plain_incident.eml"))
    assert "bluepeak" not in transports.sweep_inbound_mail()
    assert dropped.exists()


def test_ingest_email_reads_one_message_from_standard_input(demo, mailboxes, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(corpus("plain_incident.eml"))))
    out = io.StringIO()
    call_command("ingest_email", "--tenant", "northwind", stdout=out)
    with tenant_context(demo.northwind):
        message = InboundMessage.objects.select_related("ticket").get()
    assert message.source == "pipe"
    assert out.getvalue() == f"stored as message {message.pk}: processed ticket {message.ticket.number}\n"


def test_ingest_email_refuses_an_unknown_tenant(demo, mailboxes):
    from django.core.management.base import CommandError  # noqa: PLC0415

    with pytest.raises(CommandError, match="No active tenant"):
        call_command("ingest_email", "--tenant", "nowhere")


def test_imap_passwords_are_stored_encrypted_and_only_the_right_key_reads_them(settings):
    token = encrypt_secret("s3cret-imap")
    assert "s3cret" not in token
    assert decrypt_secret(token) == "s3cret-imap"
    settings.MAILROOM_SECRET_KEY = "another-key-entirely-0123456789"
    with pytest.raises(UnreadableSecret):
        decrypt_secret(token)


def test_the_mailboxes_are_read_often_enough_to_acknowledge_a_mail_within_a_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["inbound-mail-sweep"]
    # A mail that arrives just after a sweep waits one interval, then is acknowledged at once.
    assert entry["schedule"] <= 30
    assert entry["options"]["expires"] < entry["schedule"]

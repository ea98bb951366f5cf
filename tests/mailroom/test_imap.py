"""The production transport against a real IMAP server (dovecot, TLS only, started by the
test): unseen messages are taken in once and flagged seen; nothing is lost when the mailbox
cannot be read."""

from __future__ import annotations

import pytest

from mailroom.models import InboundMessage, Mailbox
from mailroom.secrets import encrypt_secret
from mailroom.services import transports
from servicedesk.tenancy import tenant_context
from tests.mailroom import imap_server
from tests.mailroom.conftest import corpus
from tickets.models import Ticket

pytestmark = pytest.mark.skipif(not imap_server.available(), reason="dovecot is not installed (make test installs it)")


@pytest.fixture
def imap(settings):
    with imap_server.dovecot() as server:
        settings.MAILROOM_IMAP_ENABLED = True
        settings.MAILROOM_IMAP_CA_FILE = server.ca_file
        yield server


@pytest.fixture
def imap_mailbox(demo, mailboxes, imap) -> Mailbox:
    mailbox = mailboxes["northwind"]
    with tenant_context(demo.northwind):
        Mailbox.objects.filter(pk=mailbox.pk).update(
            transport=Mailbox.Transport.IMAP, imap_host=imap.host, imap_port=imap.port, imap_username=imap.username,
            imap_password_encrypted=encrypt_secret(imap.password),
        )  # fmt: skip
    return mailbox


def test_unseen_imap_messages_are_taken_in_once_and_flagged_seen(demo, imap, imap_mailbox, settings, tmp_path):
    settings.MAILROOM_MAILDIR_ROOT = tmp_path / "mail"
    imap.append(corpus("plain_incident.eml"))
    imap.append(corpus("bounce_dsn.eml"))
    imap.append(corpus("plain_incident.eml"))  # delivered twice
    result = transports.sweep_inbound_mail()["northwind"]
    assert (result.taken, result.failed, result.left) == (3, 0, 0)
    assert imap.unseen() == 0
    with tenant_context(demo.northwind):
        outcomes = sorted(InboundMessage.objects.values_list("source", "outcome"))
        assert outcomes == [("imap", "bounce"), ("imap", "ticket")]
        assert Ticket.objects.filter(channel=Ticket.Channel.EMAIL).count() == 1
    # The next poll finds nothing new.
    assert transports.sweep_inbound_mail()["northwind"].taken == 0


def test_a_mailbox_that_cannot_be_read_loses_nothing(demo, imap, imap_mailbox, settings, tmp_path):
    settings.MAILROOM_MAILDIR_ROOT = tmp_path / "mail"
    imap.append(corpus("plain_incident.eml"))
    with tenant_context(demo.northwind):
        Mailbox.objects.update(imap_password_encrypted=encrypt_secret("wrong"))
    assert "northwind" not in transports.sweep_inbound_mail()
    assert imap.unseen() == 1
    with tenant_context(demo.northwind):
        assert not InboundMessage.objects.exists()


def test_a_server_whose_certificate_is_not_trusted_is_not_read(demo, imap, imap_mailbox, settings, tmp_path):
    settings.MAILROOM_MAILDIR_ROOT = tmp_path / "mail"
    settings.MAILROOM_IMAP_CA_FILE = ""
    imap.append(corpus("plain_incident.eml"))
    assert "northwind" not in transports.sweep_inbound_mail()
    assert imap.unseen() == 1

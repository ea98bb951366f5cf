"""The mail room's fixtures: both demo desks with their mailboxes, a message corpus of real-world
shapes (tests/mailroom/corpus/), and a way to hand a message to the desk as a transport would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mailroom.models import InboundMessage, Mailbox
from mailroom.services.inbound import Received, receive_message
from servicedesk.models import Tenant
from servicedesk.tenancy import tenant_context

CORPUS = Path(__file__).parent / "corpus"


def corpus(name: str, **replacements: str) -> bytes:
    """A corpus message with its $PLACEHOLDERS filled in (ticket numbers, Message-IDs)."""
    raw = (CORPUS / name).read_bytes()
    for key, value in replacements.items():
        raw = raw.replace(f"${key}".encode(), value.encode())
    return raw


@pytest.fixture
def mailboxes(demo) -> dict[str, Mailbox]:
    found = {}
    for tenant in (demo.northwind, demo.bluepeak):
        Tenant.objects.filter(pk=tenant.pk).update(desk_address=f"desk@{tenant.slug}.example")
        tenant.refresh_from_db()
        with tenant_context(tenant):
            found[tenant.slug], _ = Mailbox.objects.get_or_create(tenant=tenant)
            found[tenant.slug].tenant = tenant
    return found


@pytest.fixture
def deliver(mailboxes) -> Callable[..., Received]:
    """deliver(raw, to="northwind"): the message received by that tenant's desk."""

    def _deliver(raw: bytes, to: str = "northwind") -> Received:
        mailbox = mailboxes[to]
        with tenant_context(mailbox.tenant_id):
            received = receive_message(mailbox=mailbox, raw=raw, source="pipe")
            received.message = InboundMessage.objects.select_related("ticket", "comment").get(pk=received.message.pk)
        return received

    return _deliver


def tenant_of(slug: str) -> Tenant:
    return Tenant.objects.get(slug=slug)

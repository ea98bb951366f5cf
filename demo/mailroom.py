"""The demo desks' mailboxes: desk@northwind.example and desk@bluepeak.example, read from the
Maildir folders var/mail/{tenant slug}/new/ under ``make run``; and one mail from alice waiting
in northwind's folder, which the sweep takes in within a minute of the start."""

from mailroom.models import InboundMessage, Mailbox
from mailroom.services.inbound import dedup_key
from mailroom.services.transports import maildir_of
from servicedesk.models import Tenant
from servicedesk.tenancy import tenant_context

DEMO_FILE = "1764490500.demo.acme"
DEMO_MAIL = b"""From: Alice Schneider <alice@acme.example>
To: Northwind Desk <desk@northwind.example>
Subject: Copy of last month's SLA report, please
Date: Mon, 30 Nov 2026 09:15:00 +0100
Message-ID: <demo-mail-0001@mail.acme.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello,

could you send us the SLA report for October again? Our controller cannot find it.

Thanks,
Alice
""".replace(b"\n", b"\r\n")


def seed_mailbox(tenant: Tenant) -> Mailbox:
    """The tenant's desk address and demo mailbox (idempotent)."""
    if not tenant.desk_address:
        tenant.desk_address = f"desk@{tenant.slug}.example"
        tenant.save(update_fields=["desk_address"])
    with tenant_context(tenant):
        mailbox, _ = Mailbox.objects.get_or_create(tenant=tenant, defaults={"transport": Mailbox.Transport.MAILDIR})
    mailbox.tenant = tenant
    return mailbox


def seed_mail(tenant: Tenant) -> None:
    """Drop the demo mail into northwind's Maildir folder (the sweep, not the seed, takes it in:
    the worker that sends the acknowledgement is not running yet); once only: not again when it
    is waiting, was dealt with, or was taken in before."""
    if tenant.slug != "northwind":
        return
    with tenant_context(tenant):
        if InboundMessage.objects.filter(dedup_key=dedup_key(DEMO_MAIL)[0]).exists():
            return
    root = maildir_of(tenant)
    if any(any((root / folder).glob(f"{DEMO_FILE}*")) for folder in ("new", "cur", "quarantine")):
        return
    written = root / "tmp" / DEMO_FILE
    written.write_bytes(DEMO_MAIL)
    # Written in tmp/ and moved into new/, as mail servers do: the sweep never reads half a file.
    written.rename(root / "new" / DEMO_FILE)

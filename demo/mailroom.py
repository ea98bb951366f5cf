"""The demo desks' mailboxes: desk@northwind.example and desk@bluepeak.example, read from the
Maildir folders var/mail/{tenant slug}/new/ under ``make run``."""

from mailroom.models import Mailbox
from servicedesk.models import Tenant
from servicedesk.tenancy import tenant_context


def seed_mailbox(tenant: Tenant) -> Mailbox:
    """The tenant's demo mailbox (idempotent)."""
    if not tenant.desk_address:
        tenant.desk_address = f"desk@{tenant.slug}.example"
        tenant.save(update_fields=["desk_address"])
    with tenant_context(tenant):
        mailbox, _ = Mailbox.objects.get_or_create(tenant=tenant, defaults={"transport": Mailbox.Transport.MAILDIR})
    return mailbox

"""What the mail room reads: the tenant's mailbox, who a sender is, the messages kept."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from mailroom.models import InboundMessage, Mailbox
from servicedesk.models import Tenant, User
from servicedesk.tenancy import require_tenant_id, tenant_context


def mailbox_of_tenant() -> Mailbox | None:
    """The current tenant's active mailbox, if it has one (and the tenant a desk address)."""
    return Mailbox.objects.filter(is_active=True).exclude(tenant__desk_address="").select_related("tenant").first()


def tenants_with_mailboxes(*, transport: str) -> list[tuple[Tenant, Mailbox]]:
    """Every active tenant's active mailbox read over ``transport``: tenant by tenant, each
    looked up inside its own wall (a handful of tenants; no path across them is needed)."""
    found = []
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        with tenant_context(tenant):
            mailbox = mailbox_of_tenant()
            if mailbox is not None and mailbox.transport != transport:
                mailbox = None
        if mailbox is not None:
            found.append((tenant, mailbox))
    return found


def known_customer(*, address: str) -> User | None:
    """The current tenant's active customer user with this address, whose account is active;
    anyone else (staff, another tenant's user, a stranger) is not a sender the desk takes
    tickets from."""
    if not address:
        return None
    user = (
        User.objects.filter(
            tenant_id=require_tenant_id(), role=User.Role.CUSTOMER, is_active=True, email__iexact=address
        )
        .select_related("customer_account")
        .first()
    )
    if user is None or user.customer_account is None or not user.customer_account.is_active:
        return None
    return user


def known_staff(*, address: str) -> User | None:
    """The current tenant's active desk staff user (agent, manager, tenant administrator) with
    this address: their mail may answer a ticket, never open one. Another tenant's staff and
    inactive users are strangers."""
    if not address:
        return None
    return (
        User.objects.filter(
            tenant_id=require_tenant_id(), role__in=User.STAFF_ROLES, is_active=True, email__iexact=address
        )
        .order_by("pk")
        .first()
    )


def accepted_recently(*, sender: str, since: dt.datetime) -> int:
    """How many of the sender's messages became tickets or replies since ``since``."""
    return InboundMessage.objects.filter(
        sender=sender,
        received_at__gte=since,
        outcome__in=[InboundMessage.Outcome.TICKET, InboundMessage.Outcome.COMMENT],
    ).count()


def tickets_of_message_ids(*, message_ids: list[str]) -> list[str]:
    """Ticket numbers of the received messages with these Message-IDs (a customer replying to
    their own earlier mail), in no particular order."""
    if not message_ids:
        return []
    return list(
        InboundMessage.objects.filter(message_id__in=message_ids, ticket__isnull=False)
        .values_list("ticket__number", flat=True)
        .distinct()
    )


def messages_needing_attention(*, actor: User) -> QuerySet[InboundMessage]:
    """The tenant's failed messages, for its administrators (nothing for anyone else)."""
    if not actor.is_tenant_admin:
        return InboundMessage.objects.none()
    return InboundMessage.objects.filter(status=InboundMessage.Status.FAILED).order_by("-received_at", "-id")


def recent_messages(*, actor: User) -> QuerySet[InboundMessage]:
    """The tenant's latest messages, for its administrators (nothing for anyone else)."""
    if not actor.is_tenant_admin:
        return InboundMessage.objects.none()
    return InboundMessage.objects.select_related("ticket").order_by("-received_at", "-id")

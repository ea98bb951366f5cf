"""Who takes part in a ticket's conversation, and so hears of the desk's replies by mail.

The participants of a ticket are the customer user who opened it, the users of the same
customer account who wrote on it, and those of them who were in To or Cc of a mail that
opened or answered it (``add_participants``, called by the mail room). Only active customer
users of the ticket's own account who may see the ticket (site restrictions included) count:
an address of another account, of the desk, or of nobody known is never one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower

from servicedesk.models import User
from tickets.models import Comment, Ticket, TicketParticipant


def _may_see(user: User, ticket: Ticket) -> bool:
    return Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists()


def _of_account(ticket: Ticket) -> QuerySet[User]:
    return User.objects.filter(
        tenant_id=ticket.tenant_id, customer_account_id=ticket.account_id, role=User.Role.CUSTOMER, is_active=True
    )


def add_participants(*, ticket: Ticket, addresses: Iterable[str]) -> list[User]:
    """Record the known, active users of the ticket's account among ``addresses`` (a mail's
    To and Cc) who may see the ticket; returns those newly recorded. Others are ignored."""
    wanted = {a.strip().lower() for a in addresses if a and "@" in a}
    if not wanted or ticket.account_id is None:
        return []
    known = set(TicketParticipant.objects.filter(ticket=ticket).values_list("user_id", flat=True)) | {
        ticket.created_by_id
    }
    added: list[User] = []
    for user in _of_account(ticket).annotate(address=Lower("email")).filter(address__in=wanted).order_by("pk"):
        if user.pk in known or not _may_see(user, ticket):
            continue
        try:
            with transaction.atomic():
                TicketParticipant.objects.create(tenant_id=ticket.tenant_id, ticket=ticket, user=user)
        except IntegrityError:
            continue  # recorded at the same moment by another message
        added.append(user)
    return added


def participants_of(ticket: Ticket) -> list[User]:
    """The ticket's participants now (the opener first, then by id): active customer users of
    its account who may see it."""
    writers = Comment.objects.filter(ticket=ticket, internal=False).values_list("author_id", flat=True)
    listed = TicketParticipant.objects.filter(ticket=ticket).values_list("user_id", flat=True)
    ids = {ticket.created_by_id, *writers, *listed} - {None}
    people = list(_of_account(ticket).filter(pk__in=ids).order_by("pk"))
    people.sort(key=lambda u: (u.pk != ticket.created_by_id, u.pk))
    return [person for person in people if _may_see(person, ticket)]

"""Merging a duplicate into another ticket of the same customer account.

The duplicate's replies, notes and files move to the other ticket (the target), the customer
reads a public reply there saying so, and the duplicate is closed pointing at the target
(``TicketMerge``). Its own history stays on it, so nothing is lost; its number stays
findable: the target's search document carries it, and opening it leads to the target.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import User
from tickets.events import ticket_changed
from tickets.models import Attachment, Comment, Ticket, TicketMerge
from tickets.services import sla, timeline
from tickets.services.conversation import add_comment, search_document_for
from tickets.services.lifecycle import bump
from tickets.services.updates import StaleTicket


class MergeRefused(Conflict):
    """The two tickets cannot be merged as they are now."""


@transaction.atomic
def merge_ticket(*, ticket: Ticket, into: Ticket, actor: User, version: int) -> Ticket:
    """Merge ``ticket`` (on the version the caller read) into ``into``; returns the target.

    Both must come through the actor's walls (get_ticket_for). Desk staff only; never across
    customer accounts (InvalidInput: the caller shows that as "no such ticket"); never into
    itself or into a ticket no longer open (InvalidInput on ``target``); ``ticket`` open
    (MergeRefused). Raises StaleTicket when ``ticket`` changed since it was read. Each ticket's
    history gets a line naming the other."""
    if not actor.is_desk_staff:
        raise PermissionRefused(_("Only the desk merges tickets."))
    if into.pk == ticket.pk:
        raise InvalidInput.single("target", _("A ticket cannot be merged into itself."))
    # Both rows locked, always in the same order (by id), so two merges cannot deadlock.
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[ticket.pk, into.pk]).order_by("pk")}
    source, target = locked[ticket.pk], locked[into.pk]
    if source.tenant_id != target.tenant_id or source.account_id != target.account_id:
        raise InvalidInput.single("target", _("There is no such ticket of this customer account."))
    if source.version != version:
        raise StaleTicket(source.version)
    if not source.is_open:
        raise MergeRefused(_("Only an open ticket can be merged into another."), code="merge_source_closed")
    if not target.is_open:
        raise InvalidInput.single(
            "target", _("%(number)s is no longer open: merge into an open ticket.") % {"number": target.number}
        )
    now = timezone.now()
    moved_comments = Comment.objects.filter(ticket=source).update(ticket=target)
    moved_files = Attachment.objects.filter(ticket=source).update(ticket=target)

    before = source.status
    source.close_as_duplicate()
    source.save(update_fields=["status", "closed_at", *bump(source, now)])
    TicketMerge.objects.create(tenant_id=source.tenant_id, source=source, target=target, merged_by=actor, merged_at=now)
    timeline.record_merge(source=source, target=target, actor=actor, at=now, before=before)
    sla.stop(source, now)

    # What the customer reads on the target, in the target's conversation, in their language.
    opener = target.created_by
    with translation.override(opener.language if opener.is_customer and opener.language else None):
        told = _(
            "Your ticket %(old)s (“%(subject)s”) asked about the same thing as this one, so the desk has "
            "merged it into %(new)s: its messages (%(comments)d) and files (%(files)d) are now here. "
            "Please reply here from now on."
        ) % {
            "old": source.number, "subject": source.subject, "new": target.number,
            "comments": moved_comments, "files": moved_files,
        }  # fmt: skip
    add_comment(ticket=target, actor=actor, body=told)
    target.refresh_from_db()
    target.search_document = search_document_for(target)
    target.save(update_fields=["search_document"])
    ticket_changed(source)
    return target

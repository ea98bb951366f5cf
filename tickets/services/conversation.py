"""Public replies and internal notes."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from servicedesk.dispatch import send_on_commit
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import User
from tickets.events import ticket_changed
from tickets.models import Comment, SlaTarget, Ticket, TicketEvent, TicketMerge
from tickets.rendering import render_markdown
from tickets.services import sla, timeline
from tickets.services.lifecycle import apply_to_clocks, bump
from tickets.services.notifications import NOTIFY_REPLY_TASK

MAX_COMMENT = 20_000


def search_document_for(ticket: Ticket) -> str:
    """What full-text search reads: subject, description, the public replies and the numbers
    of the tickets merged into it (so an old number still finds its conversation)."""
    replies = Comment.objects.filter(ticket=ticket, internal=False).order_by("created_at", "id")
    merged = TicketMerge.objects.filter(target=ticket).order_by("id").values_list("source__number", flat=True)
    return "\n".join([ticket.subject, ticket.description, *replies.values_list("body", flat=True), *merged])


@transaction.atomic
def add_comment(*, ticket: Ticket, actor: User, body: str, internal: bool = False) -> Comment:
    """Add a public reply or (staff only) an internal note.

    A public reply is a change the customer sees (a new version); an internal note is not.
    The desk's public reply is mailed to the ticket's participants (``notifications.notify_reply``).
    A customer's reply to a ticket that waits for the customer resumes it. Closed and
    cancelled tickets take internal notes only."""
    body = _checked_body(actor=actor, body=body, internal=internal)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    return _comment_on(locked=locked, actor=actor, body=body, internal=internal)


def comment_on_locked(*, ticket: Ticket, actor: User, body: str, internal: bool = False) -> Comment:
    """``add_comment`` on a ticket the caller has read whole and locked (``select_for_update``)
    in the transaction it runs in: the API finds the ticket inside the actor's walls and locks
    it in one statement (``get_ticket_to_write(lock=True)``) instead of reading it twice."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("comment_on_locked runs inside the transaction that locked the ticket.")
    body = _checked_body(actor=actor, body=body, internal=internal)
    return _comment_on(locked=ticket, actor=actor, body=body, internal=internal)


def _checked_body(*, actor: User, body: str, internal: bool) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput.single("body", _("Write something."))
    if len(body) > MAX_COMMENT:
        raise InvalidInput.single("body", _("At most %(max)d characters.") % {"max": MAX_COMMENT})
    if internal and not actor.is_desk_staff:
        raise InvalidInput.single("internal", _("Only the desk writes internal notes."))
    return body


def _comment_on(*, locked: Ticket, actor: User, body: str, internal: bool) -> Comment:
    if not internal and locked.status in (Ticket.Status.CLOSED, Ticket.Status.CANCELLED):
        raise Conflict(
            _("This ticket is closed. Open a new ticket and mention %(n)s.") % {"n": locked.number},
            code="ticket_closed",
        )
    now = timezone.now()
    comment = Comment.objects.create(
        tenant_id=locked.tenant_id, ticket=locked, author=actor, body=body, body_html=render_markdown(body),
        internal=internal, created_at=now,
    )  # fmt: skip
    timeline.record_comment(ticket=locked, actor=actor, at=now, internal=internal)
    if internal:
        # Staff only: the version and updated_at stay, so the customer's next write is not
        # refused as stale and nothing they read changes.
        return comment
    if actor.is_desk_staff:
        # The ticket's participants hear of the desk's reply by mail (each if they want).
        send_on_commit(NOTIFY_REPLY_TASK, tenant_id=locked.tenant_id, comment_id=comment.pk)
    fields = bump(locked, now)
    locked.search_document = f"{locked.search_document}\n{body}"
    fields.append("search_document")
    resumed = actor.is_customer and locked.status == Ticket.Status.WAITING_FOR_CUSTOMER and can_proceed(locked.resume)
    if resumed:
        locked.resume()
        fields.append("status")
    locked.save(update_fields=fields)
    if resumed:
        timeline.record_status_change(
            ticket=locked, actor=actor, at=now, before=Ticket.Status.WAITING_FOR_CUSTOMER,
            reason=_("The customer replied."),
        )  # fmt: skip
        apply_to_clocks(locked, "resume", now)
        ticket_changed(locked)
    return comment


@transaction.atomic
def log_callback(*, ticket: Ticket, actor: User, note: str = "") -> TicketEvent:
    """A specialist called the customer back: recorded on the timeline; meets the call-back
    target (seed 004: a specialist calls back within 2 hours)."""
    if not actor.is_desk_staff:
        raise PermissionRefused(_("Only the desk logs call-backs."))
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not locked.is_open:
        raise Conflict(_("This ticket is no longer open."), code="ticket_closed")
    now = timezone.now()
    event = timeline.record_callback(ticket=locked, actor=actor, at=now, note=(note or "").strip())
    locked.save(update_fields=bump(locked, now))
    sla.meet(locked, SlaTarget.CALLBACK, now)
    return event

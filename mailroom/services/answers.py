"""What the desk answers to mail: the acknowledgement with the ticket number (which also
confirms the number, the response target of the ticket's SLA), and the once-a-day note to an
unknown sender. Both are automatic replies: Auto-Submitted, threaded, Reply-To the desk."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mailroom.models import InboundMessage, Mailbox, SenderNotice
from mailroom.selectors import mailbox_of_tenant
from orders.selectors import services_visible_to
from servicedesk.mailing import Threading, build_mail, new_message_id, public_url, ticket_threading
from tickets.models import SlaTarget, Ticket
from tickets.services import sla


def _language_of(message: InboundMessage) -> str:
    author = message.author
    if author is not None and author.language:
        return author.language
    return str(message.tenant.default_language)


@transaction.atomic
def send_acknowledgement(*, message_id: int) -> bool:
    """Send the acknowledgement of the ticket a message opened, once; returns whether it was
    sent now. Meets the ticket's response target (the number is confirmed)."""
    message = (
        InboundMessage.objects.select_for_update(of=("self",))
        .select_related("ticket", "author", "tenant")
        .filter(pk=message_id, outcome=InboundMessage.Outcome.TICKET, acknowledged_at__isnull=True)
        .first()
    )
    mailbox = mailbox_of_tenant()
    if message is None or message.ticket is None or message.author is None or mailbox is None:
        return False
    ticket, author = message.ticket, message.author
    language = _language_of(message)
    with translation.override(language):
        subject = f"[{ticket.number}] {ticket.subject}"
        services = [] if ticket.service_id else list(services_visible_to(actor=author).order_by("service_id")[:20])
        context = {
            "ticket": ticket,
            "author": author,
            "services": services,
            "refused": message.refused_attachments,
            "url": public_url(reverse("portal:customer-ticket", args=[ticket.number])),
            "tenant": message.tenant,
            "kind": ticket.get_kind_display(),
        }
    threading = ticket_threading(
        tenant_id=ticket.tenant_id, number=ticket.number, domain=mailbox.domain, answers=message.message_id
    )
    mail = build_mail(
        template="acknowledgement", context=context, language=language, subject=subject, to=[author.email],
        from_email=mailbox.address, reply_to=mailbox.address, threading=threading, auto_submitted="auto-replied",
    )  # fmt: skip
    now = timezone.now()
    mail.send()
    message.acknowledged_at = now
    message.save(update_fields=["acknowledged_at"])
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    sla.meet(locked, SlaTarget.RESPOND, now)
    return True


@transaction.atomic
def send_sender_notice(*, notice_id: int) -> bool:
    """Tell an unknown sender, once, to use the portal or ask their administrator."""
    notice = SenderNotice.objects.select_related("tenant").filter(pk=notice_id).first()
    mailbox: Mailbox | None = mailbox_of_tenant()
    if notice is None or mailbox is None:
        return False
    language = str(notice.tenant.default_language)
    with translation.override(language):
        subject = _("Your message to %(desk)s was not taken in") % {"desk": notice.tenant.name}
    mail = build_mail(
        template="unknown_sender", context={"tenant": notice.tenant, "url": public_url(reverse(settings.LOGIN_URL))},
        language=language, subject=subject, to=[notice.address], from_email=mailbox.address,
        reply_to=mailbox.address, threading=Threading(message_id=new_message_id(domain=mailbox.domain)),
        auto_submitted="auto-replied",
    )  # fmt: skip
    mail.send()
    return True

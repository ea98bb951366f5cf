"""Telling people about SLA warnings and breaches (e-mail, in each recipient's language)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from servicedesk.dispatch import send_on_commit
from servicedesk.mailing import public_url, send_notification
from servicedesk.models import User
from servicedesk.notifications import MailKind, wants_mail
from tickets.models import Comment, SlaAlert

# The task that mails a batch's alerts, found by name (tasks import services, never the reverse).
NOTIFY_SLA_ALERTS_TASK = "tickets.tasks.notify_sla_alerts_task"
# The task that mails the desk's public reply to the customer who opened the ticket.
NOTIFY_REPLY_TASK = "tickets.tasks.notify_reply_task"


def _recipients(alert: SlaAlert) -> list[User]:
    ticket = alert.clock.ticket
    people = {u.pk: u for u in User.objects.filter(tenant_id=ticket.tenant_id, role=User.Role.MANAGER, is_active=True)}
    if ticket.assignee_id and ticket.assignee is not None:
        people[ticket.assignee_id] = ticket.assignee
    return [person for person in people.values() if wants_mail(person, MailKind.SLA_ALERT)]


@transaction.atomic
def notify_sla_alerts(*, clock_ids: list[int]) -> int:
    """Send each not yet notified alert of these clocks once; returns how many were sent."""
    alerts = list(
        SlaAlert.objects.filter(clock_id__in=clock_ids, notified_at__isnull=True)
        .select_related("clock__ticket__assignee", "clock__ticket__tenant")
        .select_for_update(of=("self",), skip_locked=True)
    )
    for alert in alerts:
        ticket = alert.clock.ticket
        for person in _recipients(alert):
            language = person.language or ticket.tenant.default_language
            with translation.override(language):
                subject = (
                    _("SLA breached: %(number)s %(target)s") if alert.kind == SlaAlert.Kind.BREACH
                    else _("SLA warning: %(number)s %(target)s")
                ) % {"number": ticket.number, "target": alert.clock.get_target_display()}  # fmt: skip
                body = _("%(number)s “%(subject)s” (%(priority)s): %(target)s due at %(due)s UTC.") % {
                    "number": ticket.number,
                    "subject": ticket.subject,
                    "priority": ticket.priority,
                    "target": alert.clock.get_target_display(),
                    "due": alert.clock.due_at.strftime("%Y-%m-%d %H:%M"),
                }
            send_notification(
                tenant=ticket.tenant, to=[person.email], subject=subject, body=body, language=language,
                number=ticket.number, kind=MailKind.SLA_ALERT,
            )  # fmt: skip
    SlaAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(notified_at=timezone.now())
    return len(alerts)


def send_sla_notifications_on_commit(
    clock_ids_by_tenant: Mapping[int, list[int]], *, across_tenants: bool = False
) -> None:
    """Hand the alerts of these clocks (of one tenant, or a batch across tenants) to one task
    once the transaction commits (the system connection's, ``across_tenants``); the task works
    through the tenants one wall at a time."""
    batch = {str(tenant_id): ids for tenant_id, ids in clock_ids_by_tenant.items() if ids}
    if batch:
        send_on_commit(NOTIFY_SLA_ALERTS_TASK, across_tenants=across_tenants, clock_ids_by_tenant=batch)


def notify_reply(*, comment_id: int) -> bool:
    """Mail the desk's public reply ``comment_id`` to the customer user who opened its ticket,
    in their language and in the ticket's mail thread (so answering the mail adds a reply to
    the ticket, through the mail room); not to someone who turned these mails off, and never
    for an internal note or a customer's own reply. Returns whether a mail went."""
    comment = (
        Comment.objects.select_related("ticket__tenant", "ticket__created_by", "author").filter(pk=comment_id).first()
    )
    if comment is None or comment.internal or comment.author is None or not comment.author.is_desk_staff:
        return False
    ticket = comment.ticket
    person = ticket.created_by
    if person is None or not person.is_customer or not person.email or not wants_mail(person, MailKind.TICKET_REPLY):
        return False
    language = person.language or ticket.tenant.default_language
    with translation.override(language):
        subject = _("New reply on your ticket: %(subject)s") % {"subject": ticket.subject}
        body = _("%(agent)s replied to your ticket %(number)s:\n\n%(reply)s\n\nAnswer this mail to reply.") % {
            "agent": comment.author.full_name or _("The desk"),
            "number": ticket.number,
            "reply": comment.body,
        }
    send_notification(
        tenant=ticket.tenant, to=[person.email], subject=subject, body=body, language=language,
        number=ticket.number, link=public_url(reverse("portal:customer-ticket", args=[ticket.number])),
        kind=MailKind.TICKET_REPLY,
    )  # fmt: skip
    return True

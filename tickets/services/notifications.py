"""Telling people about SLA warnings and breaches (e-mail, in each recipient's language)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from servicedesk import cross_tenant
from servicedesk.dispatch import send_on_commit
from servicedesk.mailing import public_url, send_notification
from servicedesk.models import User
from servicedesk.notifications import MailKind, wants_mail
from tickets.models import Comment, SlaAlert
from tickets.services.participants import participants_of

# The task that mails a batch's alerts, found by name (tasks import services, never the reverse).
NOTIFY_SLA_ALERTS_TASK = "tickets.tasks.notify_sla_alerts_task"
# The task that mails the desk's public reply to the ticket's participants.
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


def notify_reply(*, comment_id: int) -> int:
    """Mail the desk's public reply ``comment_id`` to the ticket's participants (the opener, the
    account's users who wrote on it or were in To/Cc of its mail: ``participants_of``), each
    in their language and in the ticket's mail thread (so answering the mail adds a reply to
    the ticket, through the mail room); not to someone who turned these mails off, and never
    for an internal note or a customer's own reply. Returns how many mails went."""
    comment = Comment.objects.select_related("ticket__tenant", "author").filter(pk=comment_id).first()
    if comment is None or comment.internal or comment.author is None or not comment.author.is_desk_staff:
        return 0
    ticket = comment.ticket
    link = public_url(reverse("portal:customer-ticket", args=[ticket.number]))
    sent = 0
    for person in participants_of(ticket):
        if not person.email or not wants_mail(person, MailKind.TICKET_REPLY):
            continue
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
            number=ticket.number, link=link, kind=MailKind.TICKET_REPLY,
        )  # fmt: skip
        sent += 1
    return sent


RESEND_LIMIT = 1_000
# Older than this, a notification is news no more: it is left unsent (and a deployment does not
# send what went missing long before).
RESEND_WITHIN = dt.timedelta(days=1)


def resend_overdue_sla_notifications(*, now: dt.datetime | None = None) -> int:
    """Hand the alerts recorded more than NOTIFICATION_RESEND_SECONDS ago (and within
    RESEND_WITHIN) and still not mailed to the task again, across tenants: their task was lost
    (a worker killed in the middle of it, a broker restarted with it in the queue). Safe beside
    a task still at work: ``notify_sla_alerts`` sends only what is not sent yet and skips rows
    another task holds. Returns how many alerts were handed on."""
    now = now or timezone.now()
    before, since = now - dt.timedelta(seconds=settings.NOTIFICATION_RESEND_SECONDS), now - RESEND_WITHIN
    overdue: dict[int, set[int]] = {}
    alerts = (
        cross_tenant.across_tenants(SlaAlert)
        .filter(notified_at__isnull=True, at__lt=before, at__gte=since)
        .order_by()
        .values_list("tenant_id", "clock_id")[:RESEND_LIMIT]
    )
    for tenant_id, clock_id in alerts:
        overdue.setdefault(tenant_id, set()).add(clock_id)
    send_sla_notifications_on_commit({tenant_id: sorted(ids) for tenant_id, ids in overdue.items()})
    return len(alerts)

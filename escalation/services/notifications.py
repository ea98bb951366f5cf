"""Telling people about escalations: the contact tried (e-mail, and in-app for users), with a
signed link to acknowledge, and the customer account's users; each in their own language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from escalation.models import EscalationAttempt, EscalationEvent, EscalationNotice
from escalation.services.config import settings_of_tenant
from servicedesk import cross_tenant
from servicedesk.dispatch import send_on_commit
from servicedesk.mailing import public_url, send_notification
from servicedesk.models import User
from servicedesk.notifications import MailKind, wants_mail
from tickets.models import Ticket

# The task that sends a batch's notifications, found by name (tasks import services, never
# the reverse).
NOTIFY_ESCALATIONS_TASK = "escalation.tasks.notify_escalations_task"
ACK_SALT = "escalation.acknowledge"
ACK_MAX_AGE = dt.timedelta(days=7)


class InvalidAcknowledgeLink(Exception):
    """The link is not one we signed, or it is too old."""


def ack_token(attempt: EscalationAttempt) -> str:
    return signing.dumps({"t": attempt.tenant_id, "a": attempt.pk}, salt=ACK_SALT)


def read_ack_token(token: str) -> tuple[int, int]:
    """(tenant id, attempt id) of a signed acknowledgement link."""
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=ACK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        raise InvalidAcknowledgeLink(token) from None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int) or not isinstance(data.get("a"), int):
        raise InvalidAcknowledgeLink(token)
    return data["t"], data["a"]


def ack_url(attempt: EscalationAttempt) -> str:
    return public_url(reverse("portal:escalation-acknowledge", args=[ack_token(attempt)]))


def _trigger_text(event: EscalationEvent) -> str:
    if event.level < event.from_level:
        return _("lowered by the desk")
    return {
        EscalationEvent.Trigger.AGE: _("the ticket's age"),
        EscalationEvent.Trigger.BREACH: _("an SLA breach"),
        EscalationEvent.Trigger.CUSTOMER: _("the customer's request"),
        EscalationEvent.Trigger.AGENT: _("the desk's decision"),
        EscalationEvent.Trigger.UNANSWERED: _("no answer at the previous level"),
    }.get(EscalationEvent.Trigger(event.trigger), event.trigger)


def _reason_lines(event: EscalationEvent) -> list[str]:
    lines = []
    if event.reason:
        lines.append(_("Reason: %(reason)s") % {"reason": EscalationEvent.Reason(event.reason).label})
    if event.comment:
        lines.append(_("Comment: %(comment)s") % {"comment": event.comment})
    return lines


def _attempt_message(attempt: EscalationAttempt, ticket: Ticket) -> tuple[str, str, str]:
    """(subject, body, in-app text) in the active language."""
    event = attempt.event
    values = {"number": ticket.number, "subject": ticket.subject, "level": event.level, "title": event.title,
              "priority": ticket.priority, "why": _trigger_text(event)}  # fmt: skip
    if attempt.is_manager:
        subject = _("Escalation manager: %(number)s is unanswered at level %(level)d") % values
        intro = (
            _("Nobody at the top level (%(level)d, %(title)s) acknowledged %(number)s “%(subject)s” (%(priority)s).")
            % values
        )
    else:
        subject = _("Escalation level %(level)d: %(number)s %(subject)s") % values
        intro = (
            _(
                "%(number)s “%(subject)s” (%(priority)s) reached escalation level %(level)d (%(title)s) because of %(why)s."
            )
            % values
        )
    lines = [intro, *_reason_lines(event)]
    if attempt.ack_due_at is not None:
        lines.append(
            _("Please acknowledge by %(due)s UTC, or the next contact is tried: %(link)s")
            % {"due": attempt.ack_due_at.strftime("%Y-%m-%d %H:%M"), "link": ack_url(attempt)}
        )
    else:
        lines.append(_("Acknowledge: %(link)s") % {"link": ack_url(attempt)})
    return subject, "\n\n".join(lines), subject


def _account_message(event: EscalationEvent, ticket: Ticket) -> tuple[str, str]:
    values = {"number": ticket.number, "subject": ticket.subject, "level": event.level, "title": event.title,
              "why": _trigger_text(event)}  # fmt: skip
    if event.level < event.from_level:
        subject = _("Your ticket %(number)s: escalation level now %(level)d") % values
        intro = _("The escalation level of %(number)s “%(subject)s” was lowered to %(level)d.") % values
    else:
        subject = _("Your ticket %(number)s was escalated to level %(level)d") % values
        intro = (
            _("%(number)s “%(subject)s” reached escalation level %(level)d (%(title)s) because of %(why)s.") % values
        )
    return subject, "\n\n".join([intro, *_reason_lines(event)])


def account_contacts(ticket: Ticket) -> list[User]:
    """The customer account's active users who can see the ticket (a user restricted to some
    sites: only tickets of those sites, or the ones they opened)."""
    people = User.objects.filter(
        customer_account_id=ticket.account_id, role=User.Role.CUSTOMER, is_active=True
    ).prefetch_related("site_restrictions")
    visible = []
    for person in people:
        sites = {r.site_id for r in person.site_restrictions.all()}
        if not sites or ticket.site_id in sites or ticket.created_by_id == person.pk:
            visible.append(person)
    return visible


@transaction.atomic
def notify_escalation(*, event_ids: list[int]) -> int:
    """Send every not yet sent attempt of these events, and tell the customer account about
    each level reached (or lowered to), exactly once. Returns the number of messages sent."""
    now = timezone.now()
    sent = 0
    attempts = list(
        EscalationAttempt.objects.filter(event_id__in=event_ids, notified_at__isnull=True)
        .select_related("event__ticket__tenant", "user", "contact")
        .select_for_update(of=("self",), skip_locked=True)
    )
    notices = []
    for attempt in attempts:
        ticket = attempt.event.ticket
        default = ticket.tenant.default_language
        language = attempt.contact.language_or(default) if attempt.contact is not None else default
        if (
            attempt.user is not None
            and attempt.user.language
            and (attempt.contact is None or not attempt.contact.language)
        ):
            language = attempt.user.language
        with translation.override(language):
            subject, body, text = _attempt_message(attempt, ticket)
        if attempt.email and (attempt.user is None or wants_mail(attempt.user, MailKind.ESCALATION_CONTACT)):
            send_notification(
                tenant=ticket.tenant, to=[attempt.email], subject=subject, body=body, language=language,
                number=ticket.number, kind=MailKind.ESCALATION_CONTACT,
            )  # fmt: skip
            sent += 1
        if attempt.user_id is not None:
            notices.append(EscalationNotice(tenant_id=attempt.tenant_id, user_id=attempt.user_id, event=attempt.event,
                                            attempt=attempt, text=text[:500], created_at=now))  # fmt: skip
    EscalationAttempt.objects.filter(pk__in=[a.pk for a in attempts]).update(notified_at=now)

    events = list(
        EscalationEvent.objects.filter(pk__in=event_ids, account_notified_at__isnull=True, is_skipped=False)
        .select_related("ticket__tenant")
        .select_for_update(of=("self",), skip_locked=True)
    )
    if events and settings_of_tenant().notify_account:
        for event in events:
            ticket = event.ticket
            for person in account_contacts(ticket):
                language = person.language or ticket.tenant.default_language
                with translation.override(language):
                    subject, body = _account_message(event, ticket)
                if wants_mail(person, MailKind.ESCALATION_ACCOUNT):
                    send_notification(
                        tenant=ticket.tenant, to=[person.email], subject=subject, body=body, language=language,
                        number=ticket.number, kind=MailKind.ESCALATION_ACCOUNT,
                    )  # fmt: skip
                    sent += 1
                notices.append(EscalationNotice(tenant_id=event.tenant_id, user_id=person.pk, event=event,
                                                text=subject[:500], created_at=now))  # fmt: skip
    EscalationEvent.objects.filter(pk__in=[e.pk for e in events]).update(account_notified_at=now)
    EscalationNotice.objects.bulk_create(notices)
    return sent


def send_notifications_on_commit(event_ids_by_tenant: Mapping[int, list[int]], *, across_tenants: bool = False) -> None:
    """Hand the notifications of these events (of one tenant, or a batch across tenants) to
    one task once the transaction commits (the system connection's, ``across_tenants``); the
    task works through the tenants one wall at a time. (A task per tenant per batch cost more
    than the rest of a sweep: bench/escalation_sweep.py.)"""
    batch = {str(tenant_id): ids for tenant_id, ids in event_ids_by_tenant.items() if ids}
    if batch:
        send_on_commit(NOTIFY_ESCALATIONS_TASK, across_tenants=across_tenants, event_ids_by_tenant=batch)


RESEND_LIMIT = 1_000
# Older than this, a notification is news no more: it is left unsent (and a deployment does not
# send what went missing long before).
RESEND_WITHIN = dt.timedelta(days=1)


def resend_overdue_notifications(*, now: dt.datetime | None = None) -> int:
    """Hand the notifications of events recorded more than NOTIFICATION_RESEND_SECONDS ago
    (and within RESEND_WITHIN) and still not sent (attempts or account notices) to the task
    again, across tenants: their task was lost (a worker killed in the middle of it, a broker
    restarted with it in the queue). Safe beside a task still at work: ``notify_escalation``
    sends only what is not sent yet and skips rows another task holds. Returns how many events
    were handed on."""
    now = now or timezone.now()
    before, since = now - dt.timedelta(seconds=settings.NOTIFICATION_RESEND_SECONDS), now - RESEND_WITHIN
    attempts = (
        cross_tenant.across_tenants(EscalationAttempt)
        .filter(notified_at__isnull=True, at__lt=before, at__gte=since)
        .order_by()
        .values_list("tenant_id", "event_id")[:RESEND_LIMIT]
    )
    events = (
        cross_tenant.across_tenants(EscalationEvent)
        .filter(account_notified_at__isnull=True, is_skipped=False, at__lt=before, at__gte=since)
        .order_by()
        .values_list("tenant_id", "pk")[:RESEND_LIMIT]
    )
    overdue: dict[int, set[int]] = {}
    for tenant_id, event_id in [*attempts, *events]:
        overdue.setdefault(tenant_id, set()).add(event_id)
    send_notifications_on_commit({tenant_id: sorted(ids) for tenant_id, ids in overdue.items()})
    return sum(len(ids) for ids in overdue.values())

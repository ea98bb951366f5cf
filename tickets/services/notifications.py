"""Telling people about SLA warnings and breaches (e-mail, in each recipient's language)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from servicedesk.dispatch import send_on_commit
from servicedesk.mailing import send_notification
from servicedesk.models import User
from servicedesk.notifications import MailKind, wants_mail
from tickets.models import SlaAlert

# The task that mails a batch's alerts, found by name (tasks import services, never the reverse).
NOTIFY_SLA_ALERTS_TASK = "tickets.tasks.notify_sla_alerts_task"


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
                number=ticket.number,
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

"""The planned-work notice: once a change request is scheduled, the customer account's
contacts are told what will be done where and when (e-mail, in each recipient's language)."""

from __future__ import annotations

import zoneinfo

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orders.models import ChangeRequest
from orders.services import timeline
from servicedesk.mailing import send_notification
from servicedesk.models import SiteRestriction, User
from servicedesk.notifications import MailKind, wants_mail


def planned_work_recipients(change: ChangeRequest) -> list[User]:
    """The account's active customer users who can see the site (a user restricted to other
    sites is not told about work elsewhere) and who want planned-work mail."""
    users = list(
        User.objects.filter(
            tenant_id=change.tenant_id, customer_account_id=change.account_id, role=User.Role.CUSTOMER, is_active=True
        ).order_by("email")
    )
    restricted: dict[int, set[int]] = {}
    for user_id, site_id in SiteRestriction.objects.filter(user__in=users).values_list("user_id", "site_id"):
        restricted.setdefault(user_id, set()).add(site_id)
    return [
        user
        for user in users
        if (user.pk not in restricted or change.site_id in restricted[user.pk])
        and wants_mail(user, MailKind.PLANNED_WORK)
    ]


@transaction.atomic
def send_planned_work_notice(*, change_request_id: int) -> int:
    """Mail the notice of a scheduled change once (idempotent: a retried task sends nothing
    twice); returns how many people were told."""
    change = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("site", "tenant", "service")
        .filter(pk=change_request_id, status=ChangeRequest.Status.SCHEDULED, notice_sent_at__isnull=True)
        .first()
    )
    if change is None or change.planned_start is None or change.planned_end is None:
        return 0
    recipients = planned_work_recipients(change)
    zone = zoneinfo.ZoneInfo(change.site.time_zone)
    start, end = change.planned_start.astimezone(zone), change.planned_end.astimezone(zone)
    for person in recipients:
        language = person.language or change.tenant.default_language
        with translation.override(language):
            subject = _("Planned work: %(number)s %(title)s") % {"number": change.number, "title": change.title}
            body = _(
                "Planned work at %(site)s: %(title)s.\n\n"
                "From %(start)s to %(end)s (%(zone)s time).\n"
                "Service: %(service)s\n\n%(description)s\n\nReference: %(number)s"
            ) % {
                "site": change.site.name,
                "title": change.title,
                "start": start.strftime("%Y-%m-%d %H:%M"),
                "end": end.strftime("%Y-%m-%d %H:%M"),
                "zone": change.site.time_zone,
                "service": change.service.service_id if change.service else "–",
                "description": change.description,
                "number": change.number,
            }
        send_notification(
            tenant=change.tenant, to=[person.email], subject=subject, body=body, language=language,
            number=change.number, kind=MailKind.PLANNED_WORK,
        )  # fmt: skip
    now = timezone.now()
    change.notice_sent_at = now
    change.save(update_fields=["notice_sent_at"])
    timeline.record_notice_sent(change_request=change, at=now, recipients=[person.email for person in recipients])
    return len(recipients)

"""Mailing each customer account its monthly service report on the first business day of the
month, once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from reports.dashboard import build_dashboard
from reports.models import MonthlyReportDelivery
from reports.periods import month
from reports.selectors import ReportFilters
from servicedesk import calendars
from servicedesk.mailing import public_url
from servicedesk.models import CustomerAccount, SiteRestriction, Tenant, User


def first_business_day(tenant: Tenant, day: dt.date) -> dt.date:
    """The first business day of ``day``'s month on the tenant's office calendar (the 1st
    when the tenant has none)."""
    first = day.replace(day=1)
    if tenant.business_calendar is None:
        return first
    calendar = tenant.business_calendar.as_calendar()
    while not calendars.is_business_day(calendar, first):
        first += dt.timedelta(days=1)
    return first


def send_monthly_reports(*, tenant: Tenant, now: dt.datetime) -> int:
    """On the tenant's first business day of a month, mail every active account last month's
    report, to the account's active users who see the whole account (a user restricted to
    some sites would read the others' figures), each in their language with the report as a PDF
    in their language and time zone attached. Call inside the tenant's context. Returns the
    number of reports sent; a second call on the same day sends none."""
    from reports.pdf import filename, monthly_report_pdf  # noqa: PLC0415 - fpdf2 and fontTools (≈ 45 MiB) load only where a PDF is made

    zone = ZoneInfo(tenant.time_zone)
    today = now.astimezone(zone).date()
    if today != first_business_day(tenant, today):
        return 0
    previous = today.replace(day=1) - dt.timedelta(days=1)
    period = month(previous.year, previous.month, zone)
    restricted = SiteRestriction.objects.values("user_id")
    sent = 0
    for account in CustomerAccount.objects.filter(is_active=True).order_by("pk"):
        users = list(
            User.objects.filter(tenant=tenant, customer_account=account, is_active=True)
            .exclude(pk__in=restricted)
            .exclude(email="")
            .order_by("pk")
        )
        with transaction.atomic():
            delivery, created = MonthlyReportDelivery.objects.get_or_create(
                tenant=tenant, account=account, month=period.first
            )
            if not created or not users:
                continue
            report = build_dashboard(
                actor=users[0], filters=ReportFilters(), period=period, now=now, breach_limit=20, every_service=True
            )
            pdfs: dict[tuple[str, str], bytes] = {}
            for user in users:
                language = user.language or tenant.default_language
                reader_zone = user.time_zone or tenant.time_zone
                with translation.override(language), timezone.override(ZoneInfo(reader_zone)):
                    context = {
                        "account": account, "report": report, "user": user, "tenant": tenant,
                        "reports_url": public_url(reverse("portal:customer-reports")),
                    }  # fmt: skip
                    subject = render_to_string("reports/monthly_report_subject.txt", context).strip()
                    body = render_to_string("reports/monthly_report.txt", context)
                    if (language, reader_zone) not in pdfs:
                        pdfs[language, reader_zone] = monthly_report_pdf(
                            report=report, account=account, zone_name=tenant.time_zone, restricted=False
                        )
                message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
                message.attach(filename(account, report), pdfs[language, reader_zone], "application/pdf")
                message.send()
            delivery.recipients, delivery.sent_at = len(users), now
            delivery.save(update_fields=["recipients", "sent_at"])
            sent += 1
    return sent

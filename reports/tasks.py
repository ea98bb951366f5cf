"""The reports' periodic task: the monthly service reports (thin: it calls the service per
tenant)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reports.services import send_monthly_reports
from servicedesk.models import Tenant
from servicedesk.tenancy import tenant_context


@shared_task(soft_time_limit=600, time_limit=660)
def send_monthly_reports_task() -> int:
    """Every active tenant, inside its own wall: on its first business day of the month, each
    account's report of last month, once (MonthlyReportDelivery's unique key)."""
    now, sent = timezone.now(), 0
    for tenant_id in Tenant.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True):
        with tenant_context(tenant_id):
            tenant = Tenant.objects.select_related("business_calendar").get(pk=tenant_id)
            sent += send_monthly_reports(tenant=tenant, now=now)
    return sent

"""The reports' periodic tasks: the monthly service reports and the daily roll-ups (thin: each
calls its service per tenant)."""

from __future__ import annotations

import time

from celery import shared_task
from django.utils import timezone

from reports.rollup import roll_up, supported
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


@shared_task(soft_time_limit=240, time_limit=270)
def roll_up_reports_task(budget_seconds: float = 150.0) -> dict[str, int]:
    """Every active tenant, inside its own wall: its daily roll-ups kept (``reports.rollup``),
    the whole run within ``budget_seconds`` (what is left waits for the next run)."""
    done = {"dirty": 0, "forward": 0, "backward": 0}
    if not supported():
        return done
    now = timezone.now()
    deadline = time.monotonic() + budget_seconds
    tenants = list(Tenant.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    # First every tenant's changed days and yesterday, then the older days: one tenant's first
    # year of history does not hold up the others' current figures.
    for backward in (False, True):
        for tenant_id in tenants:
            left = deadline - time.monotonic()
            if left <= 0:
                return done
            with tenant_context(tenant_id):
                tenant = Tenant.objects.get(pk=tenant_id)
                for kind, days in roll_up(tenant, now=now, budget_seconds=left, backward=backward).items():
                    done[kind] += days
    return done

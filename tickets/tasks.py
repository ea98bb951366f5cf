"""Celery tasks of tickets: thin, idempotent, calling one service each."""

from celery import shared_task
from django.db import transaction

from servicedesk.tasks import TenantTask
from servicedesk.tenancy import tenant_context
from tickets.services.notifications import notify_sla_alerts
from tickets.services.sla_sweep import sweep_sla_clocks


@shared_task(ignore_result=True, acks_late=True)
def sla_sweep_task() -> None:
    """Every minute (beat): warnings and breaches. Idempotent, so a late ack is safe."""
    sweep_sla_clocks()


@shared_task(base=TenantTask, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_sla_alerts_task(*, clock_ids: list[int]) -> None:
    """Mail the alerts of these clocks that nobody was told about yet (retries on mail errors)."""
    notify_sla_alerts(clock_ids=clock_ids)


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_sla_alert_batch_task(*, clock_ids_by_tenant: dict[str, list[int]]) -> None:
    """A sweep batch's alerts, tenant by tenant, each inside its tenant (idempotent: alerts
    already mailed are skipped)."""
    for tenant_id, clock_ids in clock_ids_by_tenant.items():
        with tenant_context(int(tenant_id)), transaction.atomic():
            notify_sla_alerts(clock_ids=clock_ids)

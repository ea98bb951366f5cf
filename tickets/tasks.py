"""Celery tasks of tickets: thin, idempotent, calling one service each."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from servicedesk.tasks import TenantTask
from servicedesk.tenancy import tenant_context
from tickets.services.notifications import (
    NOTIFY_REPLY_TASK,
    NOTIFY_SLA_ALERTS_TASK,
    notify_reply,
    notify_sla_alerts,
    resend_overdue_sla_notifications,
)
from tickets.services.sla import RECOMPUTE_CLOCKS_TASK, recompute_running_clocks
from tickets.services.sla_sweep import sweep_sla_clocks


@shared_task(ignore_result=True, acks_late=True)
def sla_sweep_task() -> None:
    """Every minute (beat): warnings and breaches; then hands on again alerts whose mail task
    was lost. Idempotent, so a late ack is safe."""
    sweep_sla_clocks()
    resend_overdue_sla_notifications()


@shared_task(
    name=NOTIFY_SLA_ALERTS_TASK, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def notify_sla_alerts_task(*, clock_ids_by_tenant: dict[str, list[int]]) -> None:
    """Mail the alerts of these clocks nobody was told about yet, tenant by tenant, each inside
    its tenant (idempotent: a retry on a mail error sends only the rest)."""
    for tenant_id, clock_ids in clock_ids_by_tenant.items():
        with tenant_context(int(tenant_id)), transaction.atomic():
            notify_sla_alerts(clock_ids=clock_ids)


@shared_task(name=NOTIFY_REPLY_TASK, ignore_result=True)
def notify_reply_task(*, tenant_id: int, comment_id: int) -> None:
    """Mail the desk's public reply to the ticket's participants (once: no retry, so a
    mail error never sends it twice)."""
    with tenant_context(tenant_id):
        notify_reply(comment_id=comment_id)


@shared_task(name=RECOMPUTE_CLOCKS_TASK, base=TenantTask, ignore_result=True, acks_late=True)
def recompute_clocks_task(
    *, calendar_id: int | None = None, policy_id: int | None = None, service_id: int | None = None
) -> int:
    """A calendar, SLA policy or contract changed: the running clocks on it are recomputed,
    inside the tenant that sent the task (its own transaction). Idempotent (each clock from
    its start, pauses kept), so a late ack or a second run is safe. Returns how many tickets."""
    if calendar_id is None and policy_id is None and service_id is None:
        return 0  # never every clock of the tenant
    return recompute_running_clocks(
        calendar_id=calendar_id, policy_id=policy_id, service_id=service_id, now=timezone.now()
    )

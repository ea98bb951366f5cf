"""Celery tasks of escalation: thin, idempotent, calling one service each."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from escalation.services.notifications import (
    NOTIFY_ESCALATIONS_TASK,
    notify_escalation,
    resend_overdue_notifications,
)
from escalation.services.sweep import discover, sweep_escalations
from servicedesk.tenancy import tenant_context


@shared_task(ignore_result=True, acks_late=True)
def escalation_sweep_task() -> None:
    """Every minute (beat): timers for new tickets, escalation by age and breach, unanswered
    attempts; then hands on again notifications whose task was lost. Idempotent, so a late ack
    is safe."""
    sweep_escalations()
    resend_overdue_notifications()


@shared_task(ignore_result=True, acks_late=True)
def escalation_full_discovery_task() -> None:
    """Daily (beat): every open ticket without an open timer gets one, whenever it was created
    (re-opened tickets, imports). Idempotent."""
    discover(now=timezone.now(), full=True)


@shared_task(
    name=NOTIFY_ESCALATIONS_TASK, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def notify_escalations_task(*, event_ids_by_tenant: dict[str, list[int]]) -> None:
    """Send the attempts and account notices of these events not sent yet, tenant by tenant,
    each inside its tenant (idempotent: a retry on a mail error sends only the rest)."""
    for tenant_id, event_ids in event_ids_by_tenant.items():
        with tenant_context(int(tenant_id)), transaction.atomic():
            notify_escalation(event_ids=event_ids)

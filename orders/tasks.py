"""Celery tasks of orders: thin, idempotent, calling one service each."""

from celery import shared_task

from orders.services.notices import send_planned_work_notice
from servicedesk.tasks import TenantTask


@shared_task(base=TenantTask, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_planned_work_notice_task(*, change_request_id: int) -> None:
    """Mail the planned-work notice of a scheduled change request, once (retries on mail errors)."""
    send_planned_work_notice(change_request_id=change_request_id)

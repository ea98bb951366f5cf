"""Celery tasks of feedback: thin, idempotent, calling one service each."""

from celery import shared_task
from django.db import transaction

from feedback.services import INVITE_TASK, invite_to_survey
from servicedesk.tenancy import tenant_context


@shared_task(name=INVITE_TASK, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invite_to_survey_task(*, tenant_id: int, survey_id: int) -> None:
    """Mail the survey's invitation unless it went out already (a retry sends nothing twice)."""
    with tenant_context(tenant_id), transaction.atomic():
        invite_to_survey(survey_id=survey_id)

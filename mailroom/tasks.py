"""Celery tasks of the mail room: thin, idempotent, calling one service each."""

from celery import shared_task

from mailroom.services.answers import send_acknowledgement, send_sender_notice
from mailroom.services.inbound import SEND_ACKNOWLEDGEMENT_TASK, SEND_SENDER_NOTICE_TASK
from mailroom.services.transports import sweep_inbound_mail
from servicedesk.tenancy import tenant_context


@shared_task(ignore_result=True)
def inbound_mail_sweep_task() -> None:
    """Every MAILROOM_SWEEP_SECONDS (beat): the tenants' Maildir folders and IMAP mailboxes. Idempotent (a
    message delivered twice is one row), so an overlapping run does no harm."""
    sweep_inbound_mail()


@shared_task(
    name=SEND_ACKNOWLEDGEMENT_TASK, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_acknowledgement_task(*, tenant_id: int, message_id: int) -> None:
    """The acknowledgement of a mail that opened a ticket (once: a retry after it went out
    sends nothing)."""
    with tenant_context(tenant_id):
        send_acknowledgement(message_id=message_id)


@shared_task(
    name=SEND_SENDER_NOTICE_TASK, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_sender_notice_task(*, tenant_id: int, notice_id: int) -> None:
    """The once-a-day note to an unknown sender."""
    with tenant_context(tenant_id):
        send_sender_notice(notice_id=notice_id)

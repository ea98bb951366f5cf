"""End to end through a real Celery worker and beat against Redis: nobody calls the sweep; beat
schedules the real "escalation-sweep" entry (every second here), a worker runs it, and the
notification task it sends on commit runs on the same worker. A queue of its own keeps other
test runs' workers on the shared broker out; the worker and beat stop with the test."""

import datetime as dt
import threading
import time
import uuid

import pytest
from celery.beat import Scheduler, Service
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from config.celery import app as celery_app
from escalation.models import EscalationAttempt, EscalationEvent
from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tests.conftest import seed_world
from tickets.models import Ticket
from tickets.services.intake import TicketDraft, open_ticket


@pytest.fixture
def own_queue():
    """Every task this test sends goes to a queue nobody else reads; beat runs the real entry
    every second."""
    queue = f"escalation-e2e-{uuid.uuid4().hex}"
    queues = celery_app.amqp.queues
    # A worker started with ``queues=`` narrows the app's shared Queues to them: put back what
    # it consumed from before, or a later worker in this process would read only our queue.
    saved = celery_app.conf.task_default_queue, celery_app.conf.beat_schedule, queues._consume_from
    entry = dict(settings.CELERY_BEAT_SCHEDULE["escalation-sweep"], schedule=1.0)
    celery_app.conf.task_default_queue = queue
    celery_app.conf.beat_schedule = {"escalation-sweep": entry}
    yield queue
    celery_app.conf.task_default_queue, celery_app.conf.beat_schedule, queues._consume_from = saved
    queues.pop(queue, None)


def _escalated(tenant, ticket):
    with tenant_context(tenant):
        return list(EscalationEvent.objects.filter(ticket_id=ticket.pk).values_list("level", "trigger", "is_skipped"))


@pytest.mark.django_db(transaction=True, databases=["default", "system"])
def test_a_real_worker_and_beat_escalate_an_old_ticket(own_queue, tmp_path):
    seed_world()
    northwind = Tenant.objects.get(slug="northwind")
    with tenant_context(northwind):
        # P1, 45 minutes old, never answered: level 1 by age (30 min) and level 2 by the
        # response target's breach (15 min).
        ticket = open_ticket(
            actor=User.objects.get(email="alice@acme.example"),
            draft=TicketDraft(
                kind="incident", service_id="NW-MPLS-1001", subject="Down", description="Down.", impact="outage",
                urgency="high", answers={"power_at_site": "yes", "symptom": "no_service"},
                problem_started_at=timezone.now() - dt.timedelta(hours=1),
            ),
            now=timezone.now() - dt.timedelta(minutes=45),
        )  # fmt: skip
    assert _escalated(northwind, ticket) == []

    beat = Service(celery_app, max_interval=0.5, scheduler_cls=Scheduler, schedule_filename=str(tmp_path / "beat"))
    with start_worker(celery_app, pool="solo", queues=[own_queue], perform_ping_check=False, shutdown_timeout=10):
        thread = threading.Thread(target=beat.start, name="beat", daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 30
            notified = False
            while time.monotonic() < deadline and not notified:
                time.sleep(0.2)
                with tenant_context(northwind):
                    notified = EscalationAttempt.objects.filter(
                        event__ticket_id=ticket.pk, notified_at__isnull=False
                    ).exists()
        finally:
            beat.stop()
            thread.join(timeout=10)
    assert not thread.is_alive()
    assert _escalated(northwind, ticket) == [(1, "breach", True), (2, "breach", False)]
    assert notified, "the notification task did not run"
    with tenant_context(northwind):
        assert Ticket.objects.get(pk=ticket.pk).escalation_level == 2

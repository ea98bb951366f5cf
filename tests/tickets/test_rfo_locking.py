"""Publishing an RFO locks its ticket's row before it reads the ticket, as every use case of a
ticket does: a transaction that is writing the ticket's row finishes first, so the ticket's
due instants are written from the ticket as it is then, never from a copy read before."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction

from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tests.conftest import seed_world
from tickets.models import Rfo, SlaClock, Ticket
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.lifecycle import transition_ticket
from tickets.services.problems import publish_rfo, request_rfo
from tickets.services.sla import due_instants


def _backend_waits_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


@pytest.mark.django_db(transaction=True, databases=["default", "system"])
def test_publishing_an_rfo_waits_for_a_transition_in_progress_on_its_ticket():
    seed_world()
    northwind = Tenant.objects.get(slug="northwind")
    alice = User.objects.get(email="alice@acme.example")
    agent = User.objects.get(email="agent@northwind.example")
    with tenant_context(northwind):
        ticket = open_ticket(
            actor=alice,
            draft=TicketDraft(
                kind="incident", service_id="NW-MPLS-1001", subject="Down", description="Down.", impact="outage",
                urgency="high", problem_started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                answers={"power_at_site": "yes", "symptom": "no_service"},
            ),
        )  # fmt: skip
        for action in ("acknowledge", "resolve"):
            transition_ticket(ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, action=action, reason="Fixed.")
        rfo = request_rfo(ticket=Ticket.objects.get(pk=ticket.pk), actor=alice)
        rfo_due = SlaClock.objects.get(ticket=ticket, target="rfo").due_at
        # The call-back still counts and is due first: publishing leaves the due instants as they
        # are, so without the row lock nothing would make the publishing wait.
        assert Ticket.objects.get(pk=ticket.pk).next_due_at < rfo_due

    holding, release = threading.Event(), threading.Event()
    pids: list[int] = []
    errors: list[Exception] = []

    def transition_in_progress() -> None:
        try:
            with tenant_context(northwind), transaction.atomic():
                # A write of the row, as a transition writes the status and the due instants
                # (these ones the clocks do not say: the publishing must write them again).
                Ticket.objects.filter(pk=ticket.pk).update(next_due_at=rfo_due, next_warn_at=rfo_due)
                holding.set()
                release.wait(timeout=60)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    def publish() -> None:
        try:
            with tenant_context(northwind):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    pids.append(cursor.fetchone()[0])
                publish_rfo(rfo=Rfo.objects.get(pk=rfo.pk), actor=agent, summary="A line card failed.")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    holder = threading.Thread(target=transition_in_progress)
    holder.start()
    assert holding.wait(timeout=60)
    publisher = threading.Thread(target=publish)
    publisher.start()
    waited = False
    try:
        # Until the publishing either waits on a lock or has finished without waiting.
        for _ in range(1200):
            if pids and _backend_waits_on_a_lock(pids[0]):
                waited = True
                break
            if not publisher.is_alive():
                break
            time.sleep(0.05)
    finally:
        release.set()
        holder.join(timeout=60)
        publisher.join(timeout=60)

    assert errors == []
    assert waited, "publish_rfo finished while another transaction held the ticket's row"
    with tenant_context(northwind):
        published = Rfo.objects.get(pk=rfo.pk)
        assert published.status == Rfo.Status.PUBLISHED
        after = Ticket.objects.get(pk=ticket.pk)
        assert (after.next_due_at, after.next_warn_at) == due_instants(SlaClock.objects.filter(ticket=after))

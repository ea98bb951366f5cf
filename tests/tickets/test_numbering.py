"""Ticket numbers: per tenant and prefix, human-readable, unique and gap-free, also when
many tickets are opened at once."""

import threading

import pytest
from django.db import connections, transaction

from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tests.factories.world import build_world
from tickets.models import Ticket
from tickets.services.intake import TicketDraft, open_ticket


def _enquiry(subject="Question"):
    return TicketDraft(kind="enquiry", subject=subject, description="Please call me back.")


@pytest.mark.django_db
def test_numbers_count_per_tenant_and_prefix(desk):
    alice, carol = desk.user("alice@acme.example"), desk.user("carol@initech.example")
    with tenant_context(desk.northwind):
        numbers = [open_ticket(actor=alice, draft=_enquiry()).number for _ in range(3)]
        complaint = open_ticket(
            actor=alice, draft=TicketDraft(kind="complaint", subject="Late engineer", description="Two hours late.")
        )
    with tenant_context(desk.bluepeak):
        theirs = open_ticket(actor=carol, draft=_enquiry()).number
    assert numbers == ["ENQ-000001", "ENQ-000002", "ENQ-000003"]
    assert complaint.number == "CMP-000001"
    assert theirs == "ENQ-000001"  # unique per tenant, not globally


def _open_then_fail(actor):
    with transaction.atomic():
        open_ticket(actor=actor, draft=_enquiry())
        raise RuntimeError("the surrounding work failed")


@pytest.mark.django_db
def test_a_rolled_back_ticket_gives_its_number_back(desk):
    alice = desk.user("alice@acme.example")
    with tenant_context(desk.northwind):
        with pytest.raises(RuntimeError, match="surrounding"):
            _open_then_fail(alice)
        assert open_ticket(actor=alice, draft=_enquiry()).number == "ENQ-000001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_gives_unique_gap_free_numbers():
    build_world()
    northwind = Tenant.objects.get(slug="northwind")
    alice_id = User.objects.get(email="alice@acme.example").pk
    threads_count, per_thread = 8, 5
    start = threading.Barrier(threads_count)
    errors = []

    def worker():
        try:
            alice = User.objects.select_related("customer_account").get(pk=alice_id)
            start.wait()
            with tenant_context(northwind):
                for _ in range(per_thread):
                    open_ticket(actor=alice, draft=_enquiry())
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    with tenant_context(northwind):
        numbers = sorted(Ticket.objects.values_list("number", flat=True))
    expected = [f"ENQ-{n:06d}" for n in range(1, threads_count * per_thread + 1)]
    assert numbers == expected

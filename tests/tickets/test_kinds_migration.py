"""Migration 0005: tickets of the retired kinds (service request, change request) become
enquiries with their numbers, and each gets a timeline line saying what it was; no row is
lost, and going back restores the kinds."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from servicedesk.tenancy import tenant_context
from tickets.models import Ticket, TicketEvent
from tickets.services.intake import TicketDraft, open_ticket

BEFORE = [("tickets", "0004_problems")]
AFTER = [("tickets", "0005_service_and_change_requests_leave_tickets")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()


def _open(desk, who, subject):
    user = desk.user(who)
    with tenant_context(user.tenant_id):
        return open_ticket(actor=user, draft=TicketDraft(kind="enquiry", subject=subject, description="As it was."))


def _rows(tenant):
    with tenant_context(tenant):
        tickets = list(Ticket.objects.order_by("pk").values_list("number", "kind", "subject"))
        lines = list(
            TicketEvent.objects.filter(field="kind")
            .order_by("ticket__number")
            .values_list("ticket__number", "from_value", "to_value", "actor", "internal")
        )
        return tickets, lines, TicketEvent.objects.count()


@pytest.mark.django_db
def test_tickets_of_the_retired_kinds_become_enquiries_with_a_line_and_come_back(desk):
    # Opened by today's code on today's schema, then taken back to the schema before the change.
    extensions = _open(desk, "alice@acme.example", "Five more extensions")
    antenna = _open(desk, "bob@globex.example", "Move the antenna")
    question = _open(desk, "alice@acme.example", "Invoice copy")
    uplink = _open(desk, "carol@initech.example", "Faster uplink")
    with connection.cursor() as cursor:  # the new rows' deferred checks now, so the tables may be altered
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _migrate(BEFORE)
    with tenant_context(desk.northwind):
        Ticket.objects.filter(pk=extensions.pk).update(kind="service_request", number="SR-000001")
        Ticket.objects.filter(pk=antenna.pk).update(kind="change_request", number="CHG-000001")
    with tenant_context(desk.bluepeak):
        Ticket.objects.filter(pk=uplink.pk).update(kind="service_request", number="SR-000001")
    northwind_before, _, northwind_events = _rows(desk.northwind)
    bluepeak_before, _, bluepeak_events = _rows(desk.bluepeak)

    _migrate(AFTER)

    northwind_after, northwind_lines, northwind_count = _rows(desk.northwind)
    assert northwind_after == [
        ("SR-000001", "enquiry", "Five more extensions"),
        ("CHG-000001", "enquiry", "Move the antenna"),
        (question.number, "enquiry", "Invoice copy"),
    ]
    assert northwind_lines == [
        ("CHG-000001", "change_request", "enquiry", None, False),
        ("SR-000001", "service_request", "enquiry", None, False),
    ]
    assert northwind_count == northwind_events + 2
    bluepeak_after, bluepeak_lines, _ = _rows(desk.bluepeak)
    assert bluepeak_after == [("SR-000001", "enquiry", "Faster uplink")]
    assert bluepeak_lines == [("SR-000001", "service_request", "enquiry", None, False)]
    with tenant_context(desk.northwind):
        reason = TicketEvent.objects.get(ticket=extensions, field="kind").reason
    assert reason.startswith("This ticket was a service request.")

    _migrate(BEFORE)
    assert _rows(desk.northwind) == (northwind_before, [], northwind_events)
    assert _rows(desk.bluepeak) == (bluepeak_before, [], bluepeak_events)
    _migrate(AFTER)

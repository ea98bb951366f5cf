"""Recording in one statement per table (servicedesk.db.bulk), as the sweep does on
PostgreSQL: the rows inserted and only those come back, choices are stored as their values,
and the tenant's wall holds for rows written this way."""

import pytest
from django.db import ProgrammingError, transaction

from escalation.models import EscalationEvent
from servicedesk import cross_tenant
from servicedesk.db.bulk import insert_rows
from servicedesk.tenancy import tenant_context
from tests.escalation.conftest import at, incident
from tickets.models import TicketEvent


def _event(ticket, level, trigger=EscalationEvent.Trigger.AGE):
    return EscalationEvent(
        tenant_id=ticket.tenant_id, ticket_id=ticket.pk, round=1, level=level, from_level=0, trigger=trigger,
        at=at("2026-11-18 10:00"),
    )  # fmt: skip


@pytest.mark.django_db
def test_only_the_rows_inserted_come_back_and_a_conflict_is_left_out(desk):
    ticket = incident(desk)
    with tenant_context(ticket.tenant_id):
        first = insert_rows(EscalationEvent.objects.all(), [_event(ticket, 1)], returning=("id", "level"))
        assert [level for _pk, level in first] == [1]
        again = insert_rows(
            EscalationEvent.objects.all(),
            [_event(ticket, 1), _event(ticket, 2, EscalationEvent.Trigger.BREACH)],
            ignore_conflicts=True,
            returning=("id", "level"),
        )
        assert [level for _pk, level in again] == [2]
        stored = dict(EscalationEvent.objects.filter(ticket_id=ticket.pk).values_list("level", "trigger"))
        assert stored == {1: "age", 2: "breach"}
        assert type(stored[2]) is str
        assert {pk for pk, _level in first + again} == set(
            EscalationEvent.objects.filter(ticket_id=ticket.pk).values_list("pk", flat=True)
        )


@pytest.mark.django_db
def test_defaults_of_the_instances_are_written_and_nothing_comes_back_unasked(desk):
    ticket = incident(desk)
    with tenant_context(ticket.tenant_id):
        line = TicketEvent(
            tenant_id=ticket.tenant_id, ticket_id=ticket.pk, kind=TicketEvent.Kind.FIELD_CHANGED,
            at=at("2026-11-18 10:00"), field="escalation_level", from_value="0", to_value="1",
        )  # fmt: skip
        assert insert_rows(TicketEvent.objects.all(), [line]) == []
        stored = TicketEvent.objects.get(ticket_id=ticket.pk, field="escalation_level")
        assert (stored.kind, stored.reason, stored.internal, stored.actor_id) == ("field_changed", "", False, None)


@pytest.mark.django_db
def test_a_row_of_another_tenant_is_refused_inside_a_tenants_wall(desk):
    ticket = incident(desk)
    other = desk.bluepeak
    with tenant_context(ticket.tenant_id):
        stray = _event(ticket, 1)
        stray.tenant_id = other.pk
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            insert_rows(EscalationEvent.objects.all(), [stray])
        assert not EscalationEvent.objects.filter(ticket_id=ticket.pk).exists()


def test_an_unknown_column_is_refused():
    with pytest.raises(TypeError):
        insert_rows(cross_tenant.across_tenants(EscalationEvent), [EscalationEvent()], ["attempts"])

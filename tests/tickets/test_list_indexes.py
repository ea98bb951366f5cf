"""The partial indexes of the open tickets hold exactly the statuses the lists call open."""

from tickets.models import Ticket


def test_the_open_tickets_indexes_are_conditioned_on_the_open_statuses():
    partial = [index for index in Ticket._meta.indexes if index.name.startswith("ticket_open_")]

    assert {index.name for index in partial} == {"ticket_open_created_idx", "ticket_open_priority_idx"}
    for index in partial:
        assert index.condition.children == [("status__in", list(Ticket.OPEN_STATUSES))]

"""The partial indexes of the open tickets hold exactly the statuses the lists call open (the
agents' queues' indexes narrow them further: unassigned, or waiting for the customer; the
escalated queue starts from the escalation timers, tests/escalation/test_escalated_queue.py)."""

from django.db.models import Q

from tickets.models import Ticket

OPEN = ("status__in", list(Ticket.OPEN_STATUSES))


def test_the_open_tickets_indexes_are_conditioned_on_the_open_statuses():
    # (The reports' partial indexes hold resolved tickets and outages: tests/reports.)
    reports = {"ticket_tenant_resolved_idx", "ticket_outage_restored_idx"}
    partial = {
        index.name: index.condition
        for index in Ticket._meta.indexes
        if index.condition is not None and index.name not in reports
    }

    assert set(partial) == {
        "ticket_open_created_idx", "ticket_open_priority_idx", "ticket_open_due_idx", "ticket_assignee_due_idx",
        "ticket_team_due_idx", "ticket_unassigned_due_idx", "ticket_waiting_due_idx",
        "ticket_open_warn_lead_idx",
    }  # fmt: skip
    for name in ("ticket_open_created_idx", "ticket_open_priority_idx", "ticket_open_due_idx", "ticket_assignee_due_idx",
                 "ticket_team_due_idx", "ticket_open_warn_lead_idx"):  # fmt: skip
        assert partial[name].children == [OPEN], name
    assert partial["ticket_unassigned_due_idx"] == Q(OPEN) & Q(assignee__isnull=True)
    assert partial["ticket_waiting_due_idx"].children == [("status", Ticket.Status.WAITING_FOR_CUSTOMER)]
    assert Ticket.Status.WAITING_FOR_CUSTOMER in Ticket.OPEN_STATUSES

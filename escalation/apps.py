from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig

if TYPE_CHECKING:
    import datetime as dt

    from django.db.models import QuerySet

    from tickets.models import Ticket


class EscalationConfig(AppConfig):
    name = "escalation"

    def ready(self) -> None:
        # Services hand work to tasks by name (they never import tasks): register the tasks in
        # every process, not only in a worker, whose autodiscovery would.
        import escalation.tasks  # noqa: F401, PLC0415 - the app registry is ready now
        from tickets.events import subscribe_ticket_changed, subscribe_ticket_opened  # noqa: PLC0415
        from tickets.selectors import serve_escalated_queue_from  # noqa: PLC0415

        subscribe_ticket_opened(_start_timer)
        subscribe_ticket_changed(_look_again)
        serve_escalated_queue_from(_escalated_tickets)


def _start_timer(ticket: Ticket, now: dt.datetime) -> None:
    """A ticket opened: its escalation timer, in the same transaction."""
    from escalation.services.timers import start_new_ticket_timer  # noqa: PLC0415

    start_new_ticket_timer(ticket=ticket, now=now)


def _escalated_tickets() -> QuerySet[Any]:
    """The current tenant's tickets at a level above 0 whose timer runs (their ticket is open,
    or closed a moment ago: the queue reads the ticket's status too)."""
    from escalation.models import TicketEscalation  # noqa: PLC0415

    return TicketEscalation.objects.filter(level__gt=0, closed_at__isnull=True)


def _look_again(ticket: Ticket) -> None:
    """A ticket opened, moved or changed priority: its escalation timer is looked at again."""
    from escalation.services.timers import sync_ticket_escalation  # noqa: PLC0415

    sync_ticket_escalation(ticket=ticket)

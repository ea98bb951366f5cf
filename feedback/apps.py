from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from orders.models import Order
    from tickets.models import Ticket


class FeedbackConfig(AppConfig):
    name = "feedback"

    def ready(self) -> None:
        # Services hand work to tasks by name (they never import tasks): register the tasks in
        # every process, not only in a worker, whose autodiscovery would.
        import feedback.tasks  # noqa: F401, PLC0415 - the app registry is ready now
        from orders.events import subscribe_order_handed_over  # noqa: PLC0415
        from tickets.events import subscribe_ticket_changed  # noqa: PLC0415

        subscribe_ticket_changed(_ticket_changed)
        subscribe_order_handed_over(_order_handed_over)


def _ticket_changed(ticket: Ticket) -> None:
    """A resolved ticket: its opener is asked how the repair went (once per resolution)."""
    from feedback.services import survey_ticket_resolution  # noqa: PLC0415

    # Most changes (a reply, a new priority) are of open tickets: no query, no lock for them.
    if ticket.resolved_at is not None:
        survey_ticket_resolution(ticket_id=ticket.pk)


def _order_handed_over(order: Order) -> None:
    """A handed-over order: the ordering user is asked how the delivery went."""
    from feedback.services import survey_order_handover  # noqa: PLC0415

    survey_order_handover(order_id=order.pk)

"""The tickets layer's one domain event: a ticket changed in a way the layers above may care
about (it opened, moved through its lifecycle, or its priority changed).

Layers above subscribe in their AppConfig.ready() (escalation looks at the ticket's
escalation timer again). Handlers run after the ticket's transaction commits, each in a
transaction of its own, inside the same tenant: they never hold the ticket's row lock while
taking their own, so they cannot deadlock with a sweep that locks in the other order, and a
rolled-back change tells nobody.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from servicedesk.tenancy import require_tenant_id, tenant_context
from tickets.models import Ticket

TicketChangedHandler = Callable[[Ticket], None]
_handlers: list[TicketChangedHandler] = []


def subscribe_ticket_changed(handler: TicketChangedHandler) -> None:
    if handler not in _handlers:
        _handlers.append(handler)


def ticket_changed(ticket: Ticket) -> None:
    """Announce the change once the current transaction commits."""
    if not _handlers:
        return
    tenant_id = require_tenant_id()

    def deliver() -> None:
        with tenant_context(tenant_id):
            for handler in list(_handlers):
                with transaction.atomic():
                    handler(ticket)

    transaction.on_commit(deliver)

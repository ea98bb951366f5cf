"""The tickets layer's domain events: a ticket opened, and a ticket changed in a way the
layers above may care about (it moved through its lifecycle, or its priority changed).

Layers above subscribe in their AppConfig.ready() (escalation gives a new ticket its timer,
and looks at a changed ticket's timer again).

- ``ticket_opened`` handlers run inside the opening transaction: the ticket is nobody else's
  yet (no other transaction can see or lock its row), so what they write there cannot
  deadlock, and it commits or rolls back with the ticket (a new ticket never lacks what they
  give it, and a rolled-back one leaves nothing).
- ``ticket_changed`` handlers run after the ticket's transaction commits, each in a
  transaction of its own, inside the same tenant: they never hold the ticket's row lock while
  taking their own, so they cannot deadlock with a sweep that locks in the other order, and a
  rolled-back change tells nobody.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from servicedesk.tenancy import require_tenant_id, tenant_context
from tickets.models import Ticket

TicketChangedHandler = Callable[[Ticket], None]
TicketOpenedHandler = Callable[[Ticket, dt.datetime], None]
_handlers: list[TicketChangedHandler] = []
_opened_handlers: list[TicketOpenedHandler] = []


def subscribe_ticket_opened(handler: TicketOpenedHandler) -> None:
    if handler not in _opened_handlers:
        _opened_handlers.append(handler)


def ticket_opened(ticket: Ticket, now: dt.datetime) -> None:
    """Announce a ticket just saved, inside its opening transaction (call after ``save()``)."""
    for handler in list(_opened_handlers):
        handler(ticket, now)


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

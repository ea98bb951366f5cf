"""The orders layer's domain event: an order was handed over to the customer.

Layers above subscribe in their AppConfig.ready() (feedback asks the ordering user how the
delivery went). Handlers run after the order's transaction commits, each in a transaction
of its own, inside the same tenant: a rolled-back handover tells nobody, and a handler never
holds the order's row lock.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from orders.models import Order
from servicedesk.tenancy import require_tenant_id, tenant_context

OrderHandedOverHandler = Callable[[Order], None]
_handed_over_handlers: list[OrderHandedOverHandler] = []


def subscribe_order_handed_over(handler: OrderHandedOverHandler) -> None:
    if handler not in _handed_over_handlers:
        _handed_over_handlers.append(handler)


def order_handed_over(order: Order) -> None:
    """Announce the handover once the current transaction commits."""
    if not _handed_over_handlers:
        return
    tenant_id = require_tenant_id()

    def deliver() -> None:
        with tenant_context(tenant_id):
            for handler in list(_handed_over_handlers):
                with transaction.atomic():
                    handler(order)

    transaction.on_commit(deliver)

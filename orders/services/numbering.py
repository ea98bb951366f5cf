"""Per-tenant, gap-free numbers: ORD-000001 (orders), SSR-000001 (simple service requests,
the "SSR ID"), CR-000001 (change requests), SVC-000001 (services created at handover)."""

from __future__ import annotations

from orders.models import OrderSequence
from servicedesk.tenancy import require_tenant_id

ORDER, SSR, CHANGE_REQUEST, SERVICE = "ORD", "SSR", "CR", "SVC"


def next_number(*, prefix: str) -> str:
    """The next number for ``prefix`` in the current tenant, e.g. ``ORD-000042``.

    Call inside the creating transaction: the sequence row stays locked until it commits, so
    concurrent creators queue here, and a rollback returns the number (no gaps)."""
    sequence, _created = OrderSequence.objects.get_or_create(prefix=prefix, defaults={"tenant_id": require_tenant_id()})
    sequence = OrderSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"{prefix}-{sequence.last_value:06d}"

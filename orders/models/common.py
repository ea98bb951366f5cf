"""What the order-side models share: per-tenant numbering and named transition guards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise

from servicedesk.models import TenantOwned


class OrderSequence(TenantOwned):
    """The last number given out per tenant and prefix (``ORD``, ``SSR``, ``CR``, ``SVC``).
    Incremented under a row lock inside the creating transaction, so numbers are unique and,
    because a rollback returns the increment, gap-free."""

    prefix = models.CharField(max_length=8)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "prefix"], name="order_sequence_unique_prefix")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.last_value:06d}"


@dataclass(frozen=True)
class Guard:
    """A transition condition that can say why it failed: django-fsm-2 calls it with the
    object; the lifecycle services read ``message`` to tell the caller what is missing."""

    test: Callable[[Any], bool]
    message: str | Promise

    def __call__(self, obj: Any) -> bool:
        return bool(self.test(obj))


def unmet_guards(model: type[models.Model], obj: Any, action: str, state: str) -> list[str]:
    """The messages of the guards of ``action`` from ``state`` that ``obj`` does not meet."""
    meta = getattr(getattr(model, action), "_django_fsm", None)
    transition = meta.get_transition(state) if meta else None
    if transition is None:
        return []
    return [str(guard.message) for guard in transition.conditions if isinstance(guard, Guard) and not guard(obj)]

"""The current tenant, and the manager that keeps tenant-owned queries inside it.

The tenant lives in a context variable: the request middleware and the API token
authentication set it from the signed-in user, the Celery base task from the task's
arguments. A tenant-owned model's default manager filters by it and raises
``TenantNotSet`` when there is none, so a forgotten scope fails loudly instead of
returning every tenant's rows. On PostgreSQL the database enforces the same wall again
(row-level security; see ``servicedesk.db.postgresql``). Work across tenants goes through
``servicedesk.cross_tenant`` and says so by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any, TypeVar

from django.db import models

_current_tenant_id: ContextVar[int | None] = ContextVar("current_tenant_id", default=None)

M = TypeVar("M", bound=models.Model)


class TenantNotSet(RuntimeError):
    """A tenant-owned model was queried with no current tenant."""


def current_tenant_id() -> int | None:
    return _current_tenant_id.get()


def require_tenant_id() -> int:
    tenant_id = _current_tenant_id.get()
    if tenant_id is None:
        raise TenantNotSet(
            "No current tenant. Run inside tenant_context(), or use servicedesk.cross_tenant for a system-wide sweep."
        )
    return tenant_id


def activate_tenant(tenant_id: int | None) -> Token[int | None]:
    """Make ``tenant_id`` current until ``deactivate_tenant(token)``; prefer ``tenant_context``."""
    return _current_tenant_id.set(tenant_id)


def deactivate_tenant(token: Token[int | None]) -> None:
    _current_tenant_id.reset(token)


@contextmanager
def tenant_context(tenant: models.Model | int | None) -> Iterator[None]:
    """Make ``tenant`` (a ``Tenant`` or its id) current for the block, restoring the previous
    one afterwards."""
    tenant_id = tenant if tenant is None or isinstance(tenant, int) else tenant.pk
    token = _current_tenant_id.set(tenant_id)
    try:
        yield
    finally:
        _current_tenant_id.reset(token)


class TenantManager(models.Manager[M]):
    """Default manager of tenant-owned models: the current tenant's rows, or an error."""

    def get_queryset(self) -> models.QuerySet[M]:
        return super().get_queryset().filter(tenant_id=require_tenant_id())

    # An insert reads nothing: the tenant's filter would be built for every row written and
    # never used (its compilation was a tenth of a reply's ORM time). A current tenant is still
    # required, as for any query, and row-level security checks the rows' tenant.

    def create(self, **kwargs: Any) -> M:
        require_tenant_id()
        return super().get_queryset().create(**kwargs)

    def bulk_create(self, objs: Iterable[M], *args: Any, **kwargs: Any) -> list[M]:
        require_tenant_id()
        return super().get_queryset().bulk_create(objs, *args, **kwargs)


def create_kwargs(**kwargs: Any) -> dict[str, Any]:
    """Keyword arguments for creating a tenant-owned row in the current tenant."""
    return {"tenant_id": require_tenant_id(), **kwargs}

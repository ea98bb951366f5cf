"""The cross-tenant path: the only code that reaches the system connection.

The system connection (alias in ``servicedesk.db.aliases``, defined in
``config.settings.database``) logs in as a role that bypasses row-level security, and no
tenant manager filters what is read through it. Two kinds of work use it, and nothing else
(``tests/test_architecture.py`` fails for any other code that names the alias, the base
manager or the system connection):

- **The sweeps** (SLA clocks, escalation timers) find due work of every tenant here, and on
  PostgreSQL claim and settle whole batches of rows of many tenants here in set-based SQL
  (``SELECT … FOR UPDATE SKIP LOCKED``, ``UPDATE … FROM``, ``INSERT … SELECT``), each row
  written with its own ``tenant_id``. Elsewhere (SQLite) they work tenant by tenant inside
  each tenant's wall on the default connection.
- **The platform operators' admin** reads and writes tenant-owned rows here: its users are
  superusers outside every tenant.

Everything here says "across tenants" by its name; code inside a tenant uses the model's
default manager on the default connection, where the tenant's wall holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, models, transaction
from django.db.backends.utils import CursorWrapper

from servicedesk.db.aliases import SYSTEM_DB

M = TypeVar("M", bound=models.Model)


def across_tenants(model: type[M]) -> models.QuerySet[M]:
    """Every tenant's rows of ``model`` (no tenant filter), read and written on the system
    connection; ``bulk_create``, ``bulk_update`` and ``update`` on it write there too."""
    return model._base_manager.using(SYSTEM_DB)


def rows_of(model: type[M], *, across_tenants: bool) -> models.QuerySet[M]:
    """The rows a sweep works on: every tenant's on the system connection (``across_tenants``),
    or the current tenant's through the model's default manager on the default connection."""
    return model._base_manager.using(SYSTEM_DB) if across_tenants else model._default_manager.all()


def atomic() -> transaction.Atomic:
    """A transaction on the system connection (a sweep's batch across tenants)."""
    return transaction.atomic(using=SYSTEM_DB)


def cursor() -> CursorWrapper:
    """A cursor on the system connection, for a sweep's set-based SQL (call inside ``atomic``)."""
    return connections[SYSTEM_DB].cursor()


def on_commit(func: Callable[[], object]) -> None:
    """Run ``func`` once the system connection's transaction commits (a batch's hand-over)."""
    transaction.on_commit(func, using=SYSTEM_DB)


def supports_set_based_sweeps() -> bool:
    """Whether the sweeps may settle batches across tenants in SQL here: the system connection
    is PostgreSQL (the SQL uses ``unnest``, ``SKIP LOCKED`` and data-modifying CTEs)."""
    return connections[SYSTEM_DB].vendor == "postgresql"


def save(obj: models.Model) -> None:
    """Save a row of any tenant (the platform operators' admin)."""
    obj.save(using=SYSTEM_DB)


def delete(obj: models.Model) -> None:
    """Delete a row of any tenant (the platform operators' admin)."""
    obj.delete(using=SYSTEM_DB)


def connection_settings() -> dict[str, Any]:
    """The system connection's settings (``ensure_database`` creates its role from them)."""
    found: dict[str, Any] = settings.DATABASES[SYSTEM_DB]
    return found

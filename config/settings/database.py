"""Database aliases built from DATABASE_URL and DATABASE_SYSTEM_URL.

Two aliases point at the same database:
- ``default``: the application's connection. On PostgreSQL it logs in as a role with neither
  SUPERUSER nor BYPASSRLS, through ``servicedesk.db.postgresql``, which puts the current
  tenant into every transaction; row-level security holds it to that tenant's rows.
- ``system``: the explicit path for work that crosses tenants (the sweeps' batches across
  tenants, the platform operators' admin). On PostgreSQL a role with BYPASSRLS; code reaches
  it only through ``servicedesk.cross_tenant``.
"""

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from servicedesk.db.aliases import SYSTEM_DB


def _sqlite(config: dict[str, Any]) -> dict[str, Any]:
    Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    config["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE takes the write
        # lock at BEGIN, so two writers queue on the timeout instead of failing mid-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    return config


def database_settings(url: str, system_url: str | None, conn_max_age: int) -> dict[str, Any]:
    default: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True))
    engine = default["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        default = _sqlite(default)
        system: dict[str, Any] = dict(default)
    elif engine == "django.db.backends.postgresql":
        if not system_url:
            raise ImproperlyConfigured(
                "DATABASE_SYSTEM_URL must name the cross-tenant role when DATABASE_URL is PostgreSQL."
            )
        default["ENGINE"] = "servicedesk.db.postgresql"
        # Server-side cursors wrap the query in DECLARE, which cannot carry the tenant
        # statement the backend puts in front; they also break behind a transaction pooler.
        default["DISABLE_SERVER_SIDE_CURSORS"] = True
        default.setdefault("TEST", {})["NAME"] = "test_" + default["NAME"]
        system = dict(dj_database_url.parse(system_url, conn_max_age=conn_max_age, conn_health_checks=True))
        system["DISABLE_SERVER_SIDE_CURSORS"] = True
        # In tests the system role reaches the test database (its own login, same data).
        system["TEST"] = {"MIRROR": "default"}
    else:
        raise ImproperlyConfigured(f"DATABASE_URL names an unsupported engine: {engine}")
    # Requests that change something run in a transaction (servicedesk.middleware.
    # AtomicWritesMiddleware); reads run in autocommit.
    default["ATOMIC_REQUESTS"] = False
    system["ATOMIC_REQUESTS"] = False
    return {"default": default, SYSTEM_DB: system}

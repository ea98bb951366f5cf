"""What the per-statement tenant setting costs.

The PostgreSQL backend puts ``SELECT set_config('app.tenant_id', …, true);`` in front of every
statement it sends (same round trip), so row-level security always sees the current tenant
and nothing can leak through a reused connection. This measures a primary-key read and a
small indexed list through the ORM, with and without that prefix, on the test database.

Run:  DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/tenant_statement_overhead.py
(after `make test` has created the roles; it uses its own database, bench_servicedesk)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DATABASE_URL"] = "postgres://servicedesk_app@127.0.0.1:5432/bench_servicedesk"
os.environ["DATABASE_SYSTEM_URL"] = "postgres://servicedesk_system@127.0.0.1:5432/bench_servicedesk"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from demo.core import seed_core  # noqa: E402
from servicedesk.db.postgresql.base import _with_tenant_setting  # noqa: E402
from servicedesk.models import Site, Tenant  # noqa: E402
from servicedesk.tenancy import tenant_context  # noqa: E402

ROUNDS, QUERIES = 7, 2_000


def _timed(fn) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(QUERIES):
            fn()
        samples.append((time.perf_counter() - start) / QUERIES * 1e6)
    return statistics.median(samples)


def main() -> None:
    call_command("ensure_database", verbosity=0)
    call_command("migrate", verbosity=0)
    seed_core()
    tenant = Tenant.objects.get(slug="northwind")
    with tenant_context(tenant), transaction.atomic():
        site = Site.objects.first()
        assert site is not None

        def by_pk() -> None:
            Site.objects.get(pk=site.pk)

        def small_list() -> None:
            list(Site.objects.filter(account_id=site.account_id).order_by("name")[:20])

        results = {}
        for name, fn in (("primary-key read", by_pk), ("list of 20", small_list)):
            with_prefix = _timed(fn)
            connection.execute_wrappers.remove(_with_tenant_setting)
            try:
                # Without the prefix RLS sees no tenant, so set it once for the comparison.
                with connection.connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
                without_prefix = _timed(fn)
            finally:
                connection.execute_wrappers.append(_with_tenant_setting)
            results[name] = (with_prefix, without_prefix)

    print(f"ORM statement latency, median of {ROUNDS} rounds x {QUERIES} queries (microseconds):")
    for name, (with_prefix, without_prefix) in results.items():
        extra = with_prefix - without_prefix
        print(
            f"  {name:<18} with tenant statement {with_prefix:7.1f}   without {without_prefix:7.1f}   "
            f"cost {extra:+6.1f} ({extra / without_prefix:+.0%})"
        )


if __name__ == "__main__":
    main()

"""The managers' dashboard and the service-level report at a million tickets: server time.

Runs against the load benchmark's desk (``bench_load``, built by bench/load_desk.py; this
script never builds or changes its data) as its manager, in-process through Django's test
client (the whole request: middleware, walls, queries, templates; no network, no web server),
for each case: ``--warm`` requests discarded, then ``--runs`` timed ones, one after the other.
Prints p50/p95/max server time and the number of queries per request, the machine's load
(``uptime``) and the share of the run in which some task waited for a core
(/proc/pressure/cpu): the machine is shared, and figures taken under pressure say so.

Cases: the dashboard page and ``GET /api/v1/reports/sla/``, each for last month with no filter,
for this month so far, and last month filtered (product area and priority; one account and
kind; one site). Target: under 500 ms server time each on 2 cores.

The daily roll-ups (reports.rollup) answer for the whole-tenant and product-area/priority cases:
``--roll-up`` first keeps them as the beat task does (the first time it rolls up the year, timed);
``--direct`` measures as if there were none (every figure counted from the clocks and tickets).
The run prints which days they cover.

``--explain`` prints the plan (EXPLAIN ANALYZE, buffers) of each report query for last month.
``--ensure-indexes`` first creates the report indexes of migrations tickets 0008 and
escalation 0002 (CONCURRENTLY, IF NOT EXISTS, as the application's role, which owns the tables)
where the database was built by a checkout without them; it changes no row. ``--drop-indexes``
removes them again and exits: bench/load.py migrates ``bench_load`` with the measured checkout,
and a migration cannot create an index that is already there.

    .venv/bin/python bench/dashboard.py [--runs 30] [--warm 3] [--roll-up] [--direct] [--ensure-indexes] [--explain]
    .venv/bin/python bench/dashboard.py --drop-indexes
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ["BENCH_DB"] = os.environ.get("BENCH_DB", "bench_load")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset  # noqa: E402, F401 - sets up Django on $BENCH_DB
import psycopg2  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from servicedesk.models import CustomerAccount, ProductArea, Site, Tenant, User  # noqa: E402
from servicedesk.tenancy import tenant_context  # noqa: E402

MANAGER_EMAIL = "manager@load-desk.example"

#: The indexes the reports read (migrations tickets 0008_report_indexes, 0012_ticket_product_area,
#: 0013_slaclock_business_seconds and escalation 0002_escalations_by_time), for a database
#: migrated without them.
REPORT_INDEXES = {
    "slaclock_met_idx": (
        "tickets_slaclock (tenant_id, met_at) INCLUDE (state, target, ticket_id, started_at, business_seconds)"
        " WHERE met_at IS NOT NULL"
    ),
    "slaclock_breached_idx": (
        "tickets_slaclock (tenant_id, due_at) INCLUDE (target, ticket_id, met_at) WHERE state = 'breached'"
    ),
    "ticket_tenant_resolved_idx": "tickets_ticket (tenant_id, resolved_at) WHERE resolved_at IS NOT NULL",
    "ticketevent_reopen_idx": (
        "tickets_ticketevent (tenant_id, at) INCLUDE (ticket_id, to_value, field)"
        " WHERE kind = 'transition' AND from_value = 'resolved'"
    ),
    "ticket_outage_restored_idx": (
        "tickets_ticket (tenant_id, resolved_at) INCLUDE (service_id, problem_started_at, created_at, status,"
        " account_id, site_id) WHERE kind = 'incident' AND impact = 'outage' AND service_id IS NOT NULL"
    ),
    "escalationevent_tenant_at_idx": "escalation_escalationevent (tenant_id, at)",
    "ticket_tenant_area_idx": "tickets_ticket (tenant_id, product_area_id, created_at DESC, id DESC)",
}


def ensure_indexes() -> None:
    """As the application's role, which owns the tables (migrations run as it)."""
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    conn.autocommit = True
    with conn.cursor() as cur:
        # Another session's long lock on a table (a VACUUM, a rebuild) would leave the build
        # waiting unseen: give up instead, and say so.
        cur.execute("SET lock_timeout = '30s'")
        for name, definition in REPORT_INDEXES.items():
            started = time.perf_counter()
            cur.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")
            print(f"  index {name}: {time.perf_counter() - started:.1f} s")
        cur.execute("ANALYZE tickets_slaclock; ANALYZE tickets_ticket; ANALYZE tickets_ticketevent")
    conn.close()


def uptime() -> str:
    """What ``uptime`` prints: how long the machine is up and its load averages."""
    seconds = float(Path("/proc/uptime").read_text().split()[0])
    loads = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return f"up {seconds / 3600:.1f} h, load average {loads}"


def drop_indexes() -> None:
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET lock_timeout = '30s'")
        for name in REPORT_INDEXES:
            cur.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            print(f"  index {name}: dropped")
    conn.close()


def roll_ups(tenant: Tenant, *, keep: bool, direct: bool) -> None:
    from django.utils import timezone  # noqa: PLC0415

    from reports import rollup  # noqa: PLC0415
    from reports.models import DailyFigures, RollupDirtyDay, RollupState  # noqa: PLC0415

    with tenant_context(tenant):
        if keep:
            started = time.perf_counter()
            done = rollup.roll_up(tenant, now=timezone.now(), budget_seconds=3600)
            print(f"roll-ups kept in {time.perf_counter() - started:.1f} s: days rolled up {done}")
        state = RollupState.objects.first()
        covered = "none" if state is None or state.since is None else f"{state.since} to {state.through}"
        print(
            f"roll-ups: {covered}, {DailyFigures.objects.count():,} rows,"
            f" {RollupDirtyDay.objects.count()} dirty days{'; not read (--direct)' if direct else ''}"
        )
    if direct:
        rollup.coverage = lambda **kwargs: rollup.direct(kwargs["period"])  # type: ignore[assignment]


def cpu_pressure() -> float | None:
    """Seconds (cumulative) in which some task waited for a core."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return None
    return int(line.rsplit("total=", 1)[1]) / 1e6


def cases(tenant: Tenant) -> list[tuple[str, dict[str, str]]]:
    with tenant_context(tenant):
        area = ProductArea.objects.order_by("pk").first()
        account = CustomerAccount.objects.order_by("pk").first()
        site = Site.objects.filter(account=account).order_by("pk").first()
    if area is None or account is None or site is None:
        raise SystemExit("the load desk has no product area, account or site: build it with bench/load_desk.py")
    return [
        ("last month, no filter", {"preset": "last_month"}),
        ("this month so far, no filter", {"preset": "month"}),
        ("last month, product area + P1/P2", {"preset": "last_month", "product_area": str(area.pk), "priority": "P2"}),
        (
            "last month, one account, incidents",
            {"preset": "last_month", "account": str(account.pk), "kind": "incident"},
        ),
        ("last month, one site", {"preset": "last_month", "site": str(site.pk)}),
    ]


def page_params(params: dict[str, str]) -> dict[str, str]:
    return {"period": params["preset"], **{k: v for k, v in params.items() if k != "preset"}}


def api_params(params: dict[str, str], tenant: Tenant) -> dict[str, str]:
    import datetime as dt  # noqa: PLC0415
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from reports.periods import preset  # noqa: PLC0415

    period = preset(params["preset"], ZoneInfo(tenant.time_zone), timezone.now())
    extra = {k: v for k, v in params.items() if k != "preset"}
    assert isinstance(period.first, dt.date)
    return {"from": period.first.isoformat(), "to": period.last.isoformat(), **extra}


def measure(client: Client, path: str, params: dict[str, str], runs: int, warm: int) -> tuple[list[float], int]:
    for _ in range(warm):
        assert client.get(path, params).status_code == 200
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as captured:
        client.get(path, params)
    return times, len(captured)


def explain(tenant: Tenant, manager: User) -> None:
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    from django.db.models import Count  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from reports.periods import preset  # noqa: PLC0415
    from reports.selectors import ReportFilters, clocks_in_scope, met_in, tickets_in_scope  # noqa: PLC0415

    period = preset("last_month", ZoneInfo(tenant.time_zone), timezone.now())
    scope = {"actor": manager, "filters": ReportFilters()}
    with tenant_context(tenant):
        queries = {
            "met": clocks_in_scope(**scope, condition=met_in(period)).values("target").annotate(n=Count("*")),
            "opened": tickets_in_scope(**scope).filter(created_at__gte=period.start).values("pk"),
        }
        for name, queryset in queries.items():
            print(f"--- {name}\n{queryset.explain(analyze=True, buffers=True)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--ensure-indexes", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--drop-indexes", action="store_true")
    parser.add_argument("--only", default="", help="page, api, or empty for both")
    parser.add_argument("--roll-up", action="store_true", help="keep the daily roll-ups first (timed)")
    parser.add_argument("--direct", action="store_true", help="count every figure directly (no roll-ups)")
    args = parser.parse_args()
    if args.drop_indexes:
        drop_indexes()
        return
    if args.ensure_indexes:
        ensure_indexes()
    tenant = Tenant.objects.get(slug="load-desk")
    manager = User.objects.get(email=MANAGER_EMAIL)
    with tenant_context(tenant):
        from tickets.models import Ticket  # noqa: PLC0415

        tickets = Ticket.objects.count()
    print(f"bench_load: tenant {tenant.slug}, {tickets:,} tickets; uptime: {uptime()}")
    roll_ups(tenant, keep=args.roll_up, direct=args.direct)
    if args.explain:
        explain(tenant, manager)
    client = Client()
    client.force_login(manager)
    print(f"{'case':<44} {'what':<6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'cpu wait':>9}")
    for name, params in cases(tenant):
        for what, path, query in (
            ("page", "/dashboard/", page_params(params)),
            ("api", "/api/v1/reports/sla/", api_params(params, tenant)),
        ):
            if args.only and args.only != what:
                continue
            pressure, started = cpu_pressure(), time.perf_counter()
            times, queries = measure(client, path, query, args.runs, args.warm)
            elapsed = time.perf_counter() - started
            waited = "" if pressure is None else f"{((cpu_pressure() or 0) - pressure) / elapsed:.0%}"
            p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 20 else max(times)
            print(
                f"{name:<44} {what:<6} {statistics.median(times):>8.0f} {p95:>8.0f} {max(times):>8.0f}"
                f" {queries:>8} {waited:>9}",
                flush=True,
            )


if __name__ == "__main__":
    main()

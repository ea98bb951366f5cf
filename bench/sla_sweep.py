"""How fast the SLA sweep is on 1,000,000 open tickets across 1,000 tenants (PostgreSQL).

(a) Nothing due: the sweep every beat minute pays for one discovery query (the tenants
    with due clocks, through the system connection). Median of several sweeps.
(b) 10,000 clocks due (10 per tenant, warning and breach both past): one sweep settles
    them all, tenant by tenant under row-level security, exactly as beat runs it. Then:
    exactly 10,000 breach alerts exist, and a second sweep settles nothing.

The data set comes from bench/dataset.py (built once, reused by later runs and by other
benchmarks). Clocks are made due, and put back afterwards, through the loading connection;
everything timed goes through ``sweep_sla_clocks()`` on the application's connections.

Run:  DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/sla_sweep.py
(after `make test` has created the roles; it uses its own database, bench_servicedesk)
Options: --runs N (sweeps timed for (a)), --b-runs N (times (b) is set up and swept; the verdict
uses the median), --due-per-tenant N, --no-profile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db import connection, connections, transaction  # noqa: E402
from django.db.models import QuerySet  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.dataset import (  # noqa: E402  (sets up Django on bench_servicedesk)
    TICKETS_PER_TENANT,
    Dataset,
    ensure_dataset,
    loader_connection,
    reset_sla_state,
    ticket_number,
)
from servicedesk import cross_tenant  # noqa: E402
from servicedesk.db.aliases import SYSTEM_DB  # noqa: E402
from servicedesk.tenancy import tenant_context  # noqa: E402
from tickets.models import SlaAlert, SlaClock, TicketEvent  # noqa: E402
from tickets.services import sla_sweep  # noqa: E402
from tickets.tasks import notify_sla_alerts_task  # noqa: E402

TARGET_IDLE_MS = 50.0
TARGET_CLOCKS_PER_S = 2_000.0
INDEX = "slaclock_next_check_idx"
SWEEP_TABLES = ("tickets_slaclock", "tickets_slaalert", "tickets_ticketevent")


def _vacuum(loader: Any) -> None:
    """Clear the dead rows a previous make-due / sweep / reset left, so every run starts alike."""
    loader.autocommit = True
    with loader.cursor() as cur:
        for table in SWEEP_TABLES:
            cur.execute(f"VACUUM {table}")
    loader.autocommit = False


def _reset(loader: Any, data: Dataset) -> int:
    with loader.cursor() as cur:
        count = reset_sla_state(cur, data.tenant_ids)
    loader.commit()
    _vacuum(loader)
    return count


def _due_clock_ids(loader: Any, data: Dataset, per_tenant: int) -> list[int]:
    """The restore clocks of tickets INC-000001, INC-000101, … (``per_tenant`` per tenant)."""
    numbers = [ticket_number(seq) for seq in range(1, TICKETS_PER_TENANT + 1, TICKETS_PER_TENANT // per_tenant)]
    with loader.cursor() as cur:
        cur.execute(
            """SELECT c.id FROM tickets_slaclock c JOIN tickets_ticket t ON t.id = c.ticket_id
                WHERE c.target = 'restore' AND t.tenant_id = ANY(%s) AND t.number = ANY(%s) ORDER BY c.id""",
            [data.tenant_ids, numbers],
        )
        ids = [row[0] for row in cur.fetchall()]
    loader.rollback()
    return ids


def _make_due(loader: Any, data: Dataset, clock_ids: list[int]) -> None:
    """Move these clocks back in time: breached an hour before ``data.now``, warning due before
    that (start, due and warning stay consistent with the clock's budget)."""
    due = data.now - dt.timedelta(hours=1)
    with loader.cursor() as cur:
        cur.execute(
            """UPDATE tickets_slaclock
                  SET started_at = %(due)s - budget_minutes * interval '1 minute', due_at = %(due)s,
                      warn_at = %(due)s - (budget_minutes * (100 - warning_percent) / 100.0) * interval '1 minute',
                      next_check_at = %(due)s
                                      - (budget_minutes * (100 - warning_percent) / 100.0) * interval '1 minute'
                WHERE id = ANY(%(ids)s) AND state = 'running'""",
            {"due": due, "ids": clock_ids},
        )
        assert cur.rowcount == len(clock_ids), cur.rowcount
    loader.commit()
    _vacuum(loader)


def _due_now(data: Dataset) -> tuple[int, int]:
    due = cross_tenant.across_tenants(SlaClock).filter(next_check_at__lte=data.now)
    return due.count(), due.order_by().values("tenant_id").distinct().count()


def _explain(alias: str, sql: str, tenant_id: int | None = None) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) on ``alias``; in a tenant and rolled back if ``tenant_id``."""
    conn = connections[alias]
    with tenant_context(tenant_id), transaction.atomic(using=alias):
        with conn.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            lines = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True, using=alias)
    return lines


def _uses_index(plan: list[str]) -> bool:
    scans = ("Index Only Scan", "Index Scan", "Bitmap Index Scan")
    return any(INDEX in line and any(scan in line for scan in scans) for line in plan)


def _strip_tenant_statement(sql: str) -> str:
    """The statement the backend sent after its ``SELECT set_config(…);`` prefix."""
    if sql.startswith("SELECT set_config('app.tenant_id'"):
        return sql.split("; ", 1)[1]
    return sql


def _discovery_sql(data: Dataset) -> str:
    with CaptureQueriesContext(connections[SYSTEM_DB]) as queries:
        sla_sweep.due_tenants(data.now)
    (query,) = queries.captured_queries
    return query["sql"]


def _batch_statements(data: Dataset, tenant_id: int) -> list[str]:
    """What one sweep batch sends for a tenant (run once, rolled back)."""
    with tenant_context(tenant_id), transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            sla_sweep._sweep_batch(data.now, sla_sweep.BATCH_SIZE, sla_sweep.SweepResult())
        transaction.set_rollback(True)
    sent = [_strip_tenant_statement(q["sql"]) for q in queries.captured_queries]
    # The savepoints are this capture's (the batch runs inside our rolled-back transaction).
    return [sql for sql in sent if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK"))]


def _print_plan(title: str, plan: list[str]) -> None:
    print(f"  {title}")
    for line in plan:
        print(f"    | {line}")


# --- (a) -------------------------------------------------------------------------------------


def bench_nothing_due(data: Dataset, runs: int) -> dict[str, Any]:
    due, _ = _due_now(data)
    assert due == 0, f"{due} clocks are due at the reference instant; expected none"
    for _ in range(3):  # connections open, caches warm
        sla_sweep.sweep_sla_clocks(now=data.now)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = sla_sweep.sweep_sla_clocks(now=data.now)
        samples.append((time.perf_counter() - start) * 1000)
        assert result.clocks == 0, result
        assert result.tenants == 0, result
    plan = _explain(SYSTEM_DB, _discovery_sql(data))
    return {"samples": samples, "median": statistics.median(samples), "plan": plan}


# --- (b) -------------------------------------------------------------------------------------


@contextmanager
def _profiled() -> Iterator[dict[str, list[float]]]:
    """Wall time of each SQL statement (by kind) on both aliases, of each COMMIT, of each task
    sent, and of the ORM's bulk_update / bulk_create calls (their SQL included)."""
    times: dict[str, list[float]] = defaultdict(list)

    def kind(sql: str) -> str:
        sql = _strip_tenant_statement(sql.lstrip())
        head = sql[:40].upper()
        if "FOR UPDATE" in sql.upper():
            return "sql:claim"
        if head.startswith("UPDATE"):
            return "sql:update"
        if head.startswith('INSERT INTO "TICKETS_SLAALERT"'):
            return "sql:alerts"
        if head.startswith('INSERT INTO "TICKETS_TICKETEVENT"'):
            return "sql:events"
        if "DISTINCT" in head:
            return "sql:discovery"
        return "sql:other"

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            times[kind(sql)].append(time.perf_counter() - start)

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                times[name].append(time.perf_counter() - start)

        return run

    default = connections["default"]
    originals = (QuerySet.bulk_update, QuerySet.bulk_create)
    default._commit = timed("commit", default._commit)
    QuerySet.bulk_update = timed("orm:bulk_update", QuerySet.bulk_update)  # type: ignore[method-assign]
    QuerySet.bulk_create = timed("orm:bulk_create", QuerySet.bulk_create)  # type: ignore[method-assign]
    notify_sla_alerts_task.delay = timed("notify", notify_sla_alerts_task.delay)
    try:
        with default.execute_wrapper(wrapper), connections[SYSTEM_DB].execute_wrapper(wrapper):
            yield times
    finally:
        del default._commit  # back to the class's method
        del notify_sla_alerts_task.delay  # back to the class's method
        QuerySet.bulk_update, QuerySet.bulk_create = originals  # type: ignore[method-assign]


def _breakdown(total: float, times: dict[str, list[float]]) -> list[tuple[str, int, float]]:
    """(what, how many, seconds), exclusive: the ORM rows count only their Python part."""

    def spent(key: str) -> float:
        return sum(times.get(key, []))

    def count(key: str) -> int:
        return len(times.get(key, []))

    rows = [
        ("SQL: claim (psycopg2's implicit BEGIN + SELECT … FOR UPDATE SKIP LOCKED)", "sql:claim"),
        ("SQL: UPDATE clocks (bulk_update's CASE WHEN id = … per field)", "sql:update"),
        ("SQL: INSERT alerts (ON CONFLICT DO NOTHING)", "sql:alerts"),
        ("SQL: INSERT timeline events", "sql:events"),
        ("SQL: COMMIT (synchronous_commit: WAL flush)", "commit"),
        ("SQL: discovery (system connection)", "sql:discovery"),
        ("SQL: other", "sql:other"),
        ("Celery: notify task .delay() in on_commit", "notify"),
    ]
    out = [(label, count(key), spent(key)) for label, key in rows if count(key)]
    update_python = spent("orm:bulk_update") - spent("sql:update")
    create_python = spent("orm:bulk_create") - spent("sql:alerts") - spent("sql:events")
    out.append(("Python: bulk_update building and compiling CASE/WHEN", count("orm:bulk_update"), update_python))
    out.append(("Python: bulk_create x2 (alerts, events)", count("orm:bulk_create"), create_python))
    rest = total - sum(seconds for _, _, seconds in out)
    out.append(("Python: the rest (claim queryset, model instances, loop, atomic)", 0, rest))
    return out


def _verify(data: Dataset, expected: int) -> dict[str, int]:
    alerts = cross_tenant.across_tenants(SlaAlert).filter(tenant_id__in=data.tenant_ids)
    events = cross_tenant.across_tenants(TicketEvent).filter(
        tenant_id__in=data.tenant_ids, kind__in=[TicketEvent.Kind.SLA_WARNING, TicketEvent.Kind.SLA_BREACH]
    )
    found = {
        "breach alerts": alerts.filter(kind=SlaAlert.Kind.BREACH).count(),
        "warning alerts": alerts.filter(kind=SlaAlert.Kind.WARNING).count(),
        "SLA events": events.count(),
        "still due": _due_now(data)[0],
        "breached clocks": cross_tenant.across_tenants(SlaClock)
        .filter(tenant_id__in=data.tenant_ids, state=SlaClock.State.BREACHED)
        .count(),
    }
    assert found["breach alerts"] == expected, found
    assert found["warning alerts"] == expected, found
    assert found["SLA events"] == 2 * expected, found
    assert found["still due"] == 0, found
    assert found["breached clocks"] == expected, found
    return found


def _timed_due_sweep(data: Dataset, expected: int) -> dict[str, Any]:
    """One measured sweep of the due clocks, checked afterwards, then a second sweep."""
    start, cpu = time.perf_counter(), time.process_time()
    result = sla_sweep.sweep_sla_clocks(now=data.now)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    run = {"seconds": seconds, "cpu": cpu, "result": result, "rate": result.clocks / seconds}
    run["verified"] = _verify(data, expected)
    start = time.perf_counter()
    run["second"] = sla_sweep.sweep_sla_clocks(now=data.now)
    run["second_ms"] = (time.perf_counter() - start) * 1000
    assert run["second"].clocks == 0, run["second"]
    return run


def bench_due(data: Dataset, loader: Any, per_tenant: int, runs: int, profile: bool) -> dict[str, Any]:
    clock_ids = _due_clock_ids(loader, data, per_tenant)
    expected = len(data.tenant_ids) * per_tenant
    assert len(clock_ids) == expected, len(clock_ids)
    out: dict[str, Any] = {"expected": expected, "runs": []}
    for number in range(runs):
        _make_due(loader, data, clock_ids)
        try:
            if number == 0:
                out["due"], out["due_tenants"] = _due_now(data)
                assert out["due"] == expected, out
                out["discovery_plan"] = _explain(SYSTEM_DB, _discovery_sql(data))
                statements = _batch_statements(data, data.tenant_ids[0])
                out["batch_statements"] = statements
                claim = next(s for s in statements if "FOR UPDATE" in s)
                out["claim_plan"] = _explain("default", claim, tenant_id=data.tenant_ids[0])
            run = _timed_due_sweep(data, expected)
            out["runs"].append(run)
            print(
                f"  sweep {number + 1}: {run['result'].clocks:,} clocks in {run['seconds']:.2f} s "
                f"= {run['rate']:,.0f} clocks/s (this process's CPU {run['cpu']:.2f} s)"
            )
        finally:
            out["reset"] = _reset(loader, data)

    if profile:
        # The same sweep again, with every statement, commit and task timed (the timers cost a
        # little, so this run is not one of those measured above).
        _make_due(loader, data, clock_ids)
        try:
            with _profiled() as times:
                start = time.perf_counter()
                result = sla_sweep.sweep_sla_clocks(now=data.now)
                total = time.perf_counter() - start
            assert result.clocks == expected, result
            out["profile"] = (total, dict(times))
        finally:
            _reset(loader, data)
    return out


# --- report ----------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=21, help="sweeps timed with nothing due (median)")
    parser.add_argument("--due-per-tenant", type=int, default=10)
    parser.add_argument("--b-runs", type=int, default=3, help="times (b) is set up and swept (median)")
    parser.add_argument("--no-profile", action="store_true", help="skip the per-statement breakdown of (b)")
    args = parser.parse_args()

    wall = time.perf_counter()
    data = ensure_dataset()
    loader = loader_connection()
    with loader.cursor() as cur:
        cur.execute("SELECT current_setting('server_version'), current_setting('shared_buffers')")
        server_version, shared_buffers = cur.fetchone()
    loader.rollback()
    leftover = _reset(loader, data)  # an interrupted earlier run may have left clocks due
    if leftover:
        print(f"Put back {leftover} clocks an earlier, interrupted run had left changed.")

    print("\n(a) nothing due …")
    idle = bench_nothing_due(data, args.runs)
    print("(b) clocks due …")
    due = bench_due(data, loader, args.due_per_tenant, args.b_runs, profile=not args.no_profile)
    loader.close()

    rates = [run["rate"] for run in due["runs"]]
    rate = statistics.median(rates)
    idle_ok = idle["median"] < TARGET_IDLE_MS
    rate_ok = rate >= TARGET_CLOCKS_PER_S
    print()
    print("=" * 100)
    print(
        f"SLA sweep benchmark: PostgreSQL {server_version} (shared_buffers {shared_buffers}), "
        f"{os.cpu_count()} CPUs, database bench_servicedesk"
    )
    print(
        f"Data set: {len(data.tenant_ids):,} tenants, {data.tickets:,} open tickets (in progress), "
        f"{data.clocks:,} SLA clocks ({data.tickets:,} running, the rest met); reference now {data.now:%Y-%m-%d %H:%M} UTC"
    )
    how = "by an earlier run; reused" if data.reused else "by this run"
    print(f"Build: {data.build_seconds:.1f} s (COPY, FK check, VACUUM ANALYZE; {how})")
    print()
    samples = idle["samples"]
    print(
        f"(a) nothing due: median {idle['median']:.2f} ms per sweep over {len(samples)} sweeps "
        f"(min {min(samples):.2f}, max {max(samples):.2f})  target < {TARGET_IDLE_MS:.0f} ms: {_verdict(idle_ok)}"
    )
    print(f"  discovery query uses {INDEX}: {'yes' if _uses_index(idle['plan']) else 'NO'}")
    _print_plan("EXPLAIN (ANALYZE, BUFFERS), system connection:", idle["plan"])
    print()
    print(
        f"(b) {due['due']:,} clocks due across {due['due_tenants']:,} tenants, one sweep each time, "
        f"{len(rates)} times: median {rate:,.0f} clocks/s  target >= {TARGET_CLOCKS_PER_S:,.0f}/s: {_verdict(rate_ok)}"
    )
    for number, run in enumerate(due["runs"], 1):
        result = run["result"]
        verified = ", ".join(f"{k} {v:,}" for k, v in run["verified"].items())
        print(
            f"  sweep {number}: settled {result.clocks:,} clocks ({result.tenants:,} tenants, {result.warnings:,} "
            f"warnings, {result.breaches:,} breaches) in {run['seconds']:.2f} s = {run['rate']:,.0f} clocks/s; "
            f"this process's CPU {run['cpu']:.2f} s ({run['cpu'] / run['seconds']:.0%} of the wall time)"
        )
        print(f"    afterwards (system connection): {verified}")
        print(f"    second sweep settled {run['second'].clocks} clocks in {run['second_ms']:.1f} ms")
    print(f"  clocks put back for the next run: {due['reset']:,}")
    print(f"  discovery query uses {INDEX}: {'yes' if _uses_index(due['discovery_plan']) else 'NO'}")
    _print_plan("EXPLAIN (ANALYZE, BUFFERS) of the discovery query with the clocks due:", due["discovery_plan"])
    print(f"  one tenant's batch sends {len(due['batch_statements'])} statements (each behind the tenant setting):")
    for sql in due["batch_statements"]:
        print(f"    - {sql[:150]}{' …' if len(sql) > 150 else ''}")
    print(f"  claim query uses {INDEX}: {'yes' if _uses_index(due['claim_plan']) else 'no'}")
    _print_plan(
        "EXPLAIN (ANALYZE, BUFFERS) of the claim, default connection, tenant set, rolled back:", due["claim_plan"]
    )
    if "profile" in due:
        total, times = due["profile"]
        print(f"  where a sweep's time goes (a second, instrumented sweep of the same clocks took {total:.2f} s):")
        for label, calls, seconds in sorted(_breakdown(total, times), key=lambda row: -row[2]):
            each = f"{calls:>6,} x {seconds / calls * 1000:6.3f} ms" if calls else " " * 19
            print(f"    {label:<72} {each} = {seconds:6.2f} s ({seconds / total:4.0%})")
    print()
    print(
        f"Targets: (a) {_verdict(idle_ok)}   (b) {_verdict(rate_ok)}   (benchmark took {time.perf_counter() - wall:.0f} s)"
    )


if __name__ == "__main__":
    main()

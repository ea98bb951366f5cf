"""The benchmarks' large data set: 1,000 tenants x 1,000 open tickets, in bench_servicedesk.

Importing this module points Django at its own database (``bench_servicedesk``, never the
development or test one) and calls ``django.setup()``; a benchmark imports it first.

``ensure_dataset()`` creates the roles and the database if missing (``ensure_database``),
migrates it, and builds the data set unless a marker row says it is already there. Per
tenant: a 24x7 business calendar, one customer account with one site, one agent, a
catch-all SLA policy, the ticket number sequence, and 1,000 incidents ``in_progress``
(``INC-000001`` …, interleaved across tenants in creation order, as they would arrive),
each with three SLA clocks: ``respond`` and ``callback`` met (``next_check_at`` NULL, so
outside the sweep's partial index) and ``restore`` running, due 10 to 45 days after the
data set's reference instant (``Dataset.now``): at ``Dataset.now`` nothing is due.

Loading goes through PostgreSQL COPY on an administrative connection (``PG_ADMIN_URL``'s
role, by default the local ``postgres`` superuser), in one transaction (a build that
stops half-way leaves nothing behind) with ``session_replication_role = replica``, so the
deferred foreign-key triggers do not queue ~20 million row checks for the commit; the
same foreign keys are then checked set-wise (one anti-join per constraint) before the
marker is written. Timed work in the benchmarks never uses this connection: it runs
through the application's code on the ``default`` alias, under row-level security.

Run on its own to build (or check) the data set:
    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/dataset.py
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
BENCH_DB = os.environ.get("BENCH_DB", "bench_servicedesk")
os.environ["DATABASE_URL"] = f"postgres://servicedesk_app@127.0.0.1:5432/{BENCH_DB}"
os.environ["DATABASE_SYSTEM_URL"] = f"postgres://servicedesk_system@127.0.0.1:5432/{BENCH_DB}"
# Tasks a sweep sends (e.g. the SLA alert mails) go to an in-process queue, not to the shared
# Redis the test suite's workers read. Set CELERY_BROKER_URL to measure with a real broker.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
if os.environ["CELERY_BROKER_URL"].startswith("memory://"):
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)  # "No hostname was supplied"

import psycopg2  # noqa: E402
from django.core.management import call_command  # noqa: E402

from servicedesk.models import tenant_owned_models  # noqa: E402

NAME = "tickets-1m-v1"  # change when the shape of the data changes: the next run rebuilds
TENANTS = 1_000
TICKETS_PER_TENANT = 1_000
SLUG_PREFIX = "bench-"
CHUNK_ROWS = 100_000
TIME_ZONE = "Europe/Berlin"
# Catch-all policy (minutes). 24x7 calendar, so business time is wall-clock time.
RESPOND_MINUTES, CALLBACK_MINUTES = 15, 60
RESTORE_MINUTES = {"P1": 240, "P2": 480, "P3": 30 * 24 * 60, "P4": 45 * 24 * 60}
WARNING_PERCENT = 80
# Tickets were created over the 20 days before the reference instant (the last one an hour
# before it); with restore budgets of 30 and 45 days every running clock's next check
# (its warning) lies at least 4 days after it.
CREATED_SPAN = dt.timedelta(days=20)

LOADED_TABLES = (
    "servicedesk_tenant",
    "servicedesk_businesscalendar",
    "servicedesk_customeraccount",
    "servicedesk_site",
    "servicedesk_user",
    "tickets_slapolicy",
    "tickets_ticketsequence",
    "tickets_ticket",
    "tickets_slaclock",
)

Log = Callable[[str], None]


@dataclass(frozen=True)
class Dataset:
    now: dt.datetime  # the data set's reference instant: pass it as the sweeps' "now"
    tenant_ids: list[int]
    tickets: int
    clocks: int
    built_at: dt.datetime
    build_seconds: float  # how long the build took (when it was built, maybe by an earlier run)
    reused: bool  # True: found already built by an earlier run


def ticket_number(seq: int) -> str:
    return f"INC-{seq:06d}"


def restore_priority(seq: int) -> str:
    return "P3" if seq % 2 else "P4"


def admin_url(database: str = BENCH_DB) -> str:
    """The administrative role's URL (as ensure_database uses it), on ``database``."""
    url = urlparse(os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    return urlunparse(url._replace(path=f"/{database}"))


def loader_connection() -> Any:
    """A psycopg2 connection for loading and resetting bench data (bypasses RLS: never timed)."""
    conn = psycopg2.connect(admin_url())
    with conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
    conn.commit()
    return conn


def _ensure_marker_table(cur: Any) -> None:
    cur.execute(
        """CREATE TABLE IF NOT EXISTS bench_dataset_marker (
               name text PRIMARY KEY, reference_now timestamptz NOT NULL, tenants int NOT NULL,
               tickets int NOT NULL, clocks int NOT NULL, built_at timestamptz NOT NULL,
               build_seconds double precision NOT NULL)"""
    )


def bench_tenant_ids(cur: Any) -> list[int]:
    cur.execute("SELECT id FROM servicedesk_tenant WHERE slug LIKE %s ORDER BY id", [SLUG_PREFIX + "%"])
    return [row[0] for row in cur.fetchall()]


def ensure_dataset(log: Log = print) -> Dataset:
    """Migrate bench_servicedesk and build the data set unless it is already there."""
    call_command("ensure_database", verbosity=0, stdout=io.StringIO())
    call_command("migrate", verbosity=0)
    conn = loader_connection()
    try:
        with conn.cursor() as cur:
            _ensure_marker_table(cur)
            conn.commit()
            cur.execute(
                "SELECT reference_now, tickets, clocks, built_at, build_seconds FROM bench_dataset_marker "
                "WHERE name = %s",
                [NAME],
            )
            row = cur.fetchone()
            tenant_ids = bench_tenant_ids(cur)
            if row is not None and len(tenant_ids) == TENANTS:
                cur.execute("SELECT count(*) FROM tickets_ticket WHERE tenant_id = %s", [tenant_ids[-1]])
                if cur.fetchone()[0] == TICKETS_PER_TENANT:
                    conn.rollback()
                    now, tickets, clocks, built_at, seconds = row
                    log(f"Data set {NAME} already built at {built_at:%Y-%m-%d %H:%M} UTC (in {seconds:.0f} s): reused.")
                    return Dataset(now, tenant_ids, tickets, clocks, built_at, seconds, reused=True)
            conn.rollback()
        return _build(conn, log)
    finally:
        conn.close()


def _build(conn: Any, log: Log) -> Dataset:
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    with conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers; checked set-wise below
        stale = bench_tenant_ids(cur)
        if stale:
            log(f"Removing an earlier bench data set ({len(stale)} tenants) …")
            _purge(cur, stale)
        cur.execute("DELETE FROM bench_dataset_marker")
        log(f"Building {NAME}: {TENANTS} tenants x {TICKETS_PER_TENANT} tickets x 3 SLA clocks (COPY) …")
        tenant_ids, tickets, clocks = _load(cur, now, log)
        log("  checking foreign keys set-wise …")
        _check_foreign_keys(cur, list(LOADED_TABLES))
        cur.execute("SET session_replication_role = DEFAULT")
        seconds_loaded = time.perf_counter() - started
        cur.execute(
            "INSERT INTO bench_dataset_marker VALUES (%s, %s, %s, %s, %s, now(), %s)",
            [NAME, now, TENANTS, tickets, clocks, seconds_loaded],
        )
    conn.commit()
    log(f"  loaded and committed in {time.perf_counter() - started:.1f} s; VACUUM (ANALYZE) …")
    conn.autocommit = True
    with conn.cursor() as cur:
        for table in LOADED_TABLES:
            cur.execute(f"VACUUM (ANALYZE) {table}")
        seconds = time.perf_counter() - started
        cur.execute("UPDATE bench_dataset_marker SET build_seconds = %s WHERE name = %s", [seconds, NAME])
    conn.autocommit = False
    log(f"  built in {seconds:.1f} s")
    return Dataset(now, tenant_ids, tickets, clocks, now, seconds, reused=False)


def _purge(cur: Any, tenant_ids: list[int]) -> None:
    """Every row of these tenants, in every tenant-owned table, then their users and them."""
    for model in tenant_owned_models():
        table = model._meta.db_table
        cur.execute("SELECT to_regclass(%s)", [f'"{table}"'])
        if cur.fetchone()[0] is not None:  # a model whose migration is not written yet has no table
            cur.execute(f'DELETE FROM "{table}" WHERE tenant_id = ANY(%s)', [tenant_ids])
    cur.execute("DELETE FROM servicedesk_user WHERE tenant_id = ANY(%s)", [tenant_ids])
    cur.execute("DELETE FROM servicedesk_tenant WHERE id = ANY(%s)", [tenant_ids])


def _reserve_ids(cur: Any, table: str, count: int) -> int:
    """The first of ``count`` consecutive ids taken from the table's identity sequence."""
    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cur.fetchone()[0]
    cur.execute("SELECT nextval(%s)", [sequence])
    first = cur.fetchone()[0]
    cur.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return int(first)


def _copy(cur: Any, table: str, columns: str, rows: Iterator[str], log: Log | None = None) -> int:
    """COPY CSV lines (NULL written as \\N) into ``table`` in chunks; the number of rows."""
    sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    buffer, pending, total, started = io.StringIO(), 0, 0, time.perf_counter()
    for line in rows:
        buffer.write(line)
        pending += 1
        if pending == CHUNK_ROWS:
            buffer.seek(0)
            cur.copy_expert(sql, buffer)
            total += pending
            buffer, pending = io.StringIO(), 0
    if pending:
        buffer.seek(0)
        cur.copy_expert(sql, buffer)
        total += pending
    if log:
        log(f"  {table}: {total:,} rows in {time.perf_counter() - started:.1f} s")
    return total


def _ts(value: dt.datetime) -> str:
    return value.isoformat()


def _load(cur: Any, now: dt.datetime, log: Log) -> tuple[list[int], int, int]:
    n = TENANTS
    tenant0 = _reserve_ids(cur, "servicedesk_tenant", n)
    calendar0 = _reserve_ids(cur, "servicedesk_businesscalendar", n)
    account0 = _reserve_ids(cur, "servicedesk_customeraccount", n)
    site0 = _reserve_ids(cur, "servicedesk_site", n)
    user0 = _reserve_ids(cur, "servicedesk_user", n)
    policy0 = _reserve_ids(cur, "tickets_slapolicy", n)
    sequence0 = _reserve_ids(cur, "tickets_ticketsequence", n)
    ticket_count = n * TICKETS_PER_TENANT
    ticket0 = _reserve_ids(cur, "tickets_ticket", ticket_count)
    clock0 = _reserve_ids(cur, "tickets_slaclock", 3 * ticket_count)
    created = _ts(now - CREATED_SPAN - dt.timedelta(days=1))
    slugs = [f"{SLUG_PREFIX}{i + 1:04d}" for i in range(n)]

    _copy(
        cur,
        "servicedesk_tenant",
        "id, slug, name, country, time_zone, default_language, is_active, created_at, reopen_window_days, "
        "business_calendar_id, breaching_soon_minutes, desk_address, accent_colour, logo",
        (
            f"{tenant0 + i},{slugs[i]},Bench tenant {i + 1},DE,{TIME_ZONE},en,t,{created},7,{calendar0 + i},60,,,\n"
            for i in range(n)
        ),
    )
    _copy(
        cur,
        "servicedesk_businesscalendar",
        "id, tenant_id, name, time_zone, always_open, weekly_hours, country, subdivision, is_active",
        (f"{calendar0 + i},{tenant0 + i},24x7,{TIME_ZONE},t,{{}},,,t\n" for i in range(n)),
    )
    _copy(
        cur,
        "servicedesk_customeraccount",
        "id, tenant_id, name, reference, is_active",
        (f"{account0 + i},{tenant0 + i},Customer of {slugs[i]},C-{i + 1:04d},t\n" for i in range(n)),
    )
    _copy(
        cur,
        "servicedesk_site",
        "id, tenant_id, account_id, name, street, postcode, city, country, subdivision, time_zone",
        (
            f"{site0 + i},{tenant0 + i},{account0 + i},Head office,Hauptstrasse 1,10115,Berlin,DE,BE,{TIME_ZONE}\n"
            for i in range(n)
        ),
    )
    _copy(
        cur,
        "servicedesk_user",
        "id, password, last_login, is_superuser, email, full_name, role, phone, language, time_zone, is_active, "
        "is_staff, date_joined, customer_account_id, tenant_id, mail_opt_outs",
        (
            f"{user0 + i},!bench-unusable,\\N,f,agent@{slugs[i]}.bench.invalid,Agent of {slugs[i]},agent,,,,t,f,"
            f"{created},\\N,{tenant0 + i},[]\n"
            for i in range(n)
        ),
    )
    r = RESTORE_MINUTES
    _copy(
        cur,
        "tickets_slapolicy",
        "id, tenant_id, name, contract_tier, ticket_kind, calendar_id, respond_minutes, callback_minutes, "
        "restore_minutes_p1, restore_minutes_p2, restore_minutes_p3, restore_minutes_p4, warning_percent, "
        "defer_outside_hours, is_active",
        (
            f"{policy0 + i},{tenant0 + i},Standard,,,{calendar0 + i},{RESPOND_MINUTES},{CALLBACK_MINUTES},"
            f"{r['P1']},{r['P2']},{r['P3']},{r['P4']},{WARNING_PERCENT},t,t\n"
            for i in range(n)
        ),
    )
    _copy(
        cur,
        "tickets_ticketsequence",
        "id, tenant_id, prefix, last_value",
        (f"{sequence0 + i},{tenant0 + i},INC,{TICKETS_PER_TENANT}\n" for i in range(n)),
    )

    # Ticket j (0-based, in creation order) belongs to tenant j % n and is its (j // n + 1)th.
    step = (CREATED_SPAN - dt.timedelta(hours=1)) / (ticket_count - 1)
    start = now - CREATED_SPAN

    def created_at(j: int) -> dt.datetime:
        return start + step * j

    def tickets() -> Iterator[str]:
        for j in range(ticket_count):
            i, seq = j % n, j // n + 1
            at = _ts(created_at(j))
            subject = f"Packet loss on access line {seq} of {slugs[i]}"
            description = "Intermittent packet loss since this morning; the router was restarted."
            yield (
                f"{ticket0 + j},{tenant0 + i},{ticket_number(seq)},incident,in_progress,portal,{account0 + i},"
                f'{site0 + i},\\N,{subject},{description},"<p>{description}</p>",degradation,medium,'
                f"{restore_priority(seq)},f,,\\N,,,{{}},{{}},,,,,,t,0,\\N,{user0 + i},{user0 + i},{at},{at},\\N,\\N,1,"
                f'"{subject}\n{description}"\n'
            )

    _copy(
        cur,
        "tickets_ticket",
        "id, tenant_id, number, kind, status, channel, account_id, site_id, service_id, subject, description, "
        "description_html, impact, urgency, priority, priority_overridden, priority_reason, problem_started_at, "
        "occurrence, customer_reference, contacts, answers, caller_name, caller_company, caller_phone, "
        "product_name, serial_number, is_entitled, escalation_level, team_id, assignee_id, created_by_id, "
        "created_at, updated_at, resolved_at, closed_at, version, search_document",
        tickets(),
        log,
    )

    minute = dt.timedelta(minutes=1)

    def clocks() -> Iterator[str]:
        for j in range(ticket_count):
            i, seq = j % n, j // n + 1
            at = created_at(j)
            common = f"{tenant0 + i},{ticket0 + j}"
            tail = f"{policy0 + i},{calendar0 + i}"
            met = (
                ("respond", RESPOND_MINUTES, 5),
                ("callback", CALLBACK_MINUTES, 30),
            )
            for k, (target, budget, met_after) in enumerate(met):
                yield (
                    f"{clock0 + 3 * j + k},{common},{target},{tail},met,{_ts(at)},{budget},{WARNING_PERCENT},0,\\N,"
                    f"{_ts(at + budget * minute)},{_ts(at + budget * WARNING_PERCENT / 100 * minute)},"
                    f"{_ts(at + met_after * minute)},\\N,\\N,\\N\n"
                )
            budget = RESTORE_MINUTES[restore_priority(seq)]
            warn = _ts(at + budget * WARNING_PERCENT / 100 * minute)
            yield (
                f"{clock0 + 3 * j + 2},{common},restore,{tail},running,{_ts(at)},{budget},{WARNING_PERCENT},0,\\N,"
                f"{_ts(at + budget * minute)},{warn},\\N,\\N,\\N,{warn}\n"
            )

    clock_count = _copy(
        cur,
        "tickets_slaclock",
        "id, tenant_id, ticket_id, target, policy_id, calendar_id, state, started_at, budget_minutes, "
        "warning_percent, paused_seconds, paused_since, due_at, warn_at, met_at, warned_at, breached_at, "
        "next_check_at",
        clocks(),
        log,
    )
    return [tenant0 + i for i in range(n)], ticket_count, clock_count


def _check_foreign_keys(cur: Any, tables: list[str]) -> None:
    """What the skipped FK triggers would have checked on ``tables``, one anti-join per constraint
    (bench/load_desk.py checks its own tables with it too)."""
    cur.execute(
        """SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND c.conrelid = ANY(%s::regclass[])""",
        [tables],
    )
    for table, column, parent, parent_column in cur.fetchall():
        cur.execute(
            f"SELECT count(*) FROM {table} x WHERE x.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {parent} p WHERE p.{parent_column} = x.{column})"
        )
        missing = cur.fetchone()[0]
        if missing:
            raise RuntimeError(f"{missing} rows of {table}.{column} point at no {parent} row")


def reset_sla_state(cur: Any, tenant_ids: list[int]) -> int:
    """Undo what SLA sweeps did to the bench tenants: alerts and SLA timeline events go, and
    every restore clock that is not as built is put back on its schedule (running, started at
    its ticket's creation, due and warned per its budget). The number of clocks reset."""
    cur.execute("DELETE FROM tickets_slaalert WHERE tenant_id = ANY(%s)", [tenant_ids])
    cur.execute(
        "DELETE FROM tickets_ticketevent WHERE tenant_id = ANY(%s) AND kind IN ('sla_warning', 'sla_breach')",
        [tenant_ids],
    )
    cur.execute(
        """UPDATE tickets_slaclock c
              SET state = 'running', warned_at = NULL, breached_at = NULL, met_at = NULL,
                  started_at = t.created_at,
                  due_at = t.created_at + c.budget_minutes * interval '1 minute',
                  warn_at = t.created_at + (c.budget_minutes * c.warning_percent / 100.0) * interval '1 minute',
                  next_check_at = t.created_at
                                  + (c.budget_minutes * c.warning_percent / 100.0) * interval '1 minute'
             FROM tickets_ticket t
            WHERE t.id = c.ticket_id AND c.target = 'restore' AND c.tenant_id = ANY(%s)
              AND (c.state <> 'running' OR c.warned_at IS NOT NULL OR c.breached_at IS NOT NULL
                   OR c.started_at <> t.created_at OR c.next_check_at IS DISTINCT FROM c.warn_at)""",
        [tenant_ids],
    )
    return int(cur.rowcount)


if __name__ == "__main__":
    data = ensure_dataset()
    print(f"{len(data.tenant_ids)} tenants, {data.tickets:,} tickets, {data.clocks:,} clocks; reference now {data.now}")

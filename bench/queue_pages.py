"""The agents' queue page at a million tickets: p50/p95 of its server time, per queue.

Serves ``GET /console/tickets/`` (the default queue: every open ticket, the next service-level
due instant first) and the other queues through Django's test client in this process, with
production settings (``config.settings.base``, DEBUG off, templates cached), signed in as the
large tenant's agent of the load desk (bench/load_desk.py: one tenant holding 1,000,000
tickets, 100,000 open, beside 999 small ones) in the database ``bench_load``. No HTTP server:
the figures are the page's own time, from the request entering Django to the rendered body
(middleware, session, the tenant, the queries, the template). Each URL is requested ``--runs``
times after ``--warm`` unmeasured requests; the SQL statements of one request are counted.

It prints the machine's load and the share of the run in which some task waited for a core
(/proc/pressure/cpu): on a shared machine, read the figures with them.

    .venv/bin/python bench/load.py --build-only   # the desk, once (≈ 12 min on 2 free cores)
    .venv/bin/python bench/queue_pages.py [--runs 200] [--explain]

``--explain`` ends with the plans of the default queue page's statements on the tickets, taken
from what one request sent.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
DB = os.environ.get("BENCH_DB", "bench_load")
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings.base",
    DEBUG="0",
    SECRET_KEY="queue-benchmark-secret-key-not-for-production-0123456789abcdef",  # noqa: S106 - a benchmark's
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="0",
    SESSION_COOKIE_SECURE="0",
    CSRF_COOKIE_SECURE="0",
    DATABASE_URL=f"postgres://servicedesk_app@127.0.0.1:5432/{DB}",
    DATABASE_SYSTEM_URL=f"postgres://servicedesk_system@127.0.0.1:5432/{DB}",
    LOG_LEVEL="WARNING",
)
# Production settings serve hashed static files: collected once into a scratch directory.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="bench-queue-static-"))
os.environ["STATIC_ROOT"] = str(STATIC_ROOT)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402

from servicedesk.models import Tenant, User  # noqa: E402
from servicedesk.tenancy import tenant_context  # noqa: E402
from tickets.models import Ticket  # noqa: E402

AGENT_EMAIL = "agent@load-desk.example"
URLS = [
    ("default queue (all open, next due first)", "/console/tickets/"),
    ("its second page", None),  # the first page's "Next" link
    ("breaching soon", "/console/tickets/?queue=breaching"),
    ("breached", "/console/tickets/?queue=breached"),
    ("mine", "/console/tickets/?queue=mine"),
    ("unassigned", "/console/tickets/?queue=unassigned"),
    ("my teams'", "/console/tickets/?queue=team"),
    ("counts of every queue (polled)", "/console/tickets/counts/"),
    ("agent home", "/console/"),
]


def count_statements(client: Client, address: str) -> tuple[int, HttpResponse]:
    """The SQL statements of one request, on every connection (the request closes and reopens
    its connection, so each wrapper's log is read rather than a context around one)."""
    statements, response = capture_statements(client, address)
    return len(statements), response


def capture_statements(client: Client, address: str) -> tuple[list[str], HttpResponse]:
    """The SQL of each statement one request sent, as sent (parameters in place)."""
    for alias in connections:
        connections[alias].force_debug_cursor = True
        connections[alias].queries_log.clear()
    response = client.get(address)
    statements = [query["sql"] for alias in connections for query in connections[alias].queries]
    for alias in connections:
        connections[alias].force_debug_cursor = False
    return statements, response


def pressure() -> float | None:
    """Seconds (total) some task waited for a core so far, from /proc/pressure/cpu."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return None
    return int(line.rsplit("total=", 1)[1]) / 1e6


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def next_page(body: str) -> str | None:
    marker = 'rel="next"'
    end = body.find(marker)
    if end == -1:
        return None
    start = body.rfind('href="', 0, end) + len('href="')
    return "/console/tickets/" + body[start : body.find('"', start)].replace("&amp;", "&")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--explain", action="store_true", help="print the default queue's row query plan")
    args = parser.parse_args()
    call_command("collectstatic", interactive=False, verbosity=0)

    agent = User.objects.get(email=AGENT_EMAIL)
    tenant = Tenant.objects.get(pk=agent.tenant_id)
    with tenant_context(tenant):
        total = Ticket.objects.count()
        open_count = Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).count()
    print(f"Desk: {tenant.name} in {DB}: {total:,} tickets, {open_count:,} open")
    client = Client()
    client.force_login(agent)
    load_before, waited_before, started = os.getloadavg(), pressure(), time.perf_counter()
    print(
        f"Load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} ({os.cpu_count()} cores)"
    )
    previous = ""
    print(f"{'page':42} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'SQL':>4} {'rows':>5}")
    for label, url in URLS:
        address = url or next_page(previous)
        if address is None:
            print(f"{label:42} (no such page)")
            continue
        for _ in range(args.warm):
            response = client.get(address)
            assert response.status_code == 200, (address, response.status_code)
        statements, response = count_statements(client, address)
        body = response.content.decode()
        if url == "/console/tickets/":
            previous = body
        times = []
        for _ in range(args.runs):
            begin = time.perf_counter()
            client.get(address)
            times.append((time.perf_counter() - begin) * 1000)
        rows = body.count("data-queue-row>")
        print(
            f"{label:42} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f} {max(times):8.1f} "
            f"{statements:4d} {rows:5d}"
        )
    seconds = time.perf_counter() - started
    waited_after, load_after = pressure(), os.getloadavg()
    print(f"Load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    if waited_before is not None and waited_after is not None:
        print(f"Some task waited for a core during {100 * (waited_after - waited_before) / seconds:.0f} % of the run")
    if args.explain:
        explain(client)


def explain(client: Client) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement on the tickets that the default queue page
    sends, as the page sends it (so the plans follow the code, not a copy of its query)."""
    statements, _ = capture_statements(client, "/console/tickets/")
    prefix = re.compile(r"^SELECT set_config\('app\.tenant_id', '(\d*)', true\); ", re.DOTALL)
    for sql in statements:
        found = prefix.match(sql)
        query = sql[found.end() :] if found else sql
        if not query.lstrip().upper().startswith(("SELECT", "WITH")) or "tickets_ticket" not in query:
            continue
        print(f"\n{query[:300]}{' …' if len(query) > 300 else ''}")
        # In the tenant the statement ran for: the connection sets it for row-level security.
        tenant_id = int(found.group(1)) if found and found.group(1) else None
        with tenant_context(tenant_id), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}")
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()

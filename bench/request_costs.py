"""Where one request's time goes: SQL statements and in-process milliseconds per operation.

Drives the API through Django's test client in this process (no HTTP server, no network):
open a ticket, add a reply (the customer's; the agent's, whose public reply also queues the
notification task after commit: give ``CELERY_BROKER_URL`` a Redis database to count that
round trip, the default is an in-process queue), read a ticket, list the customer's open tickets (a page of 50),
``GET /api/v1/me/`` (the fixed cost every request pays: middleware, token authentication, the
tenant, DRF, rendering), the agent's queue page (HTML, 50 rows, signed in by session) and the
manager's dashboard (HTML, this month, no filter). Each is
repeated; the figures are the median and the 90th percentile of the wall time, and the
statements of one request (``CaptureQueriesContext``), and the mean CPU of the database
session per request (its backend's /proc figures, when PostgreSQL runs on this machine).

The desk is the tests' world (tests/factories/world.py: two tenants, their staff, accounts,
sites, inventory, SLA policies, questionnaires and escalation matrices) plus filler
tickets with replies, filler customer accounts (the queue's account filter offers each) and
filler sites spread over those accounts (as the load desk's 1,002 sites over 400 accounts),
built once in the database DATABASE_URL names (it refuses one that
holds other tickets). With ``--profile OPERATION`` it prints cProfile's top functions of
that operation instead.

    DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=… DATABASE_SYSTEM_URL=… \\
        .venv/bin/python bench/request_costs.py [--runs 40] [--filler 2000] [--accounts 400] [--sites 1000] \\
        [--profile "queue page"]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import itertools
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
# Tasks sent on commit go to an in-process queue, not to a shared broker.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
logging.getLogger("kombu.connection").setLevel(logging.ERROR)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from servicedesk.api_auth import issue_token  # noqa: E402
from servicedesk.models import CustomerAccount, Site, Tenant, User  # noqa: E402
from servicedesk.tenancy import tenant_context  # noqa: E402
from tests.factories.world import build_world  # noqa: E402
from tickets.models import Ticket  # noqa: E402
from tickets.services.conversation import add_comment  # noqa: E402
from tickets.services.intake import TicketDraft, open_ticket  # noqa: E402

INCIDENT = {
    "kind": "incident",
    "service": "NW-MPLS-1001",
    "subject": "MPLS link down",
    "description": "Since 08:10 the warehouse cannot reach the data centre.",
    "impact": "outage",
    "urgency": "high",
    "problem_started_at": "2026-11-20T07:10:00Z",
    "answers": {"power_at_site": "yes", "symptom": "no_service"},
}


OPEN = "new,acknowledged,in_progress,waiting_for_customer"


def ensure_desk(filler: int, accounts: int, sites: int) -> None:
    build_world()
    northwind = Tenant.objects.get(slug="northwind")
    alice = User.objects.get(email="alice@acme.example")
    with tenant_context(northwind):
        have = Ticket.objects.count()
        if have and not Ticket.objects.filter(subject__startswith="Filler ").exists():
            raise SystemExit("This database holds tickets of its own; point DATABASE_URL at a scratch database.")
        for n in range(have, filler):
            ticket = open_ticket(
                actor=alice,
                draft=TicketDraft(
                    kind="incident", service_id="NW-MPLS-1001", subject=f"Filler {n}", description="Down.",
                    impact="outage", problem_started_at=alice.date_joined,
                    answers={"power_at_site": "yes", "symptom": "no_service"},
                ),
            )  # fmt: skip
            add_comment(ticket=ticket, actor=alice, body=f"Reply {n}")
        have = CustomerAccount.objects.filter(name__startswith="Filler account ").count()
        CustomerAccount.objects.bulk_create(
            [CustomerAccount(tenant=northwind, name=f"Filler account {n:04d}") for n in range(have, accounts)]
        )
        fillers = list(CustomerAccount.objects.filter(name__startswith="Filler account ").order_by("name"))
        have = Site.objects.filter(name__startswith="Filler site ").count()
        if fillers and have < sites:
            Site.objects.bulk_create(
                [
                    Site(
                        tenant=northwind, account=fillers[n % len(fillers)], name=f"Filler site {n:04d}",
                        country="DE", time_zone="Europe/Berlin",
                    )
                    for n in range(have, sites)
                ]
            )  # fmt: skip
        # The filler must not make an operation's plan differ from a long-lived desk's.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def client_for(email: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user=User.objects.get(email=email))}")
    client.get("/api/v1/me/")  # the token's first use writes last_used_at
    return client


def operations() -> dict[str, Callable[[], Any]]:
    alice = client_for("alice@acme.example")
    agent = client_for("agent@northwind.example")
    number = alice.post("/api/v1/tickets/", INCIDENT, format="json").json()["number"]
    # Replies go round a few tickets opened for them, as a desk's replies spread over its open
    # tickets: each reply appends to its ticket's search document, so a single ticket taking
    # every reply would make each reply (and each read of that ticket) dearer than the last.
    conversations = itertools.cycle(
        [alice.post("/api/v1/tickets/", INCIDENT, format="json").json()["number"] for _ in range(40)]
    )

    def create() -> Any:
        return alice.post("/api/v1/tickets/", INCIDENT, format="json")

    def comment() -> Any:
        return alice.post(f"/api/v1/tickets/{next(conversations)}/comments/", {"body": "Still down."}, format="json")

    def reply_agent() -> Any:
        url = f"/api/v1/tickets/{next(conversations)}/comments/"
        return agent.post(url, {"body": "We are on it."}, format="json")

    def detail() -> Any:
        return alice.get(f"/api/v1/tickets/{number}/")

    def detail_agent() -> Any:
        return agent.get(f"/api/v1/tickets/{number}/")

    def me() -> Any:
        return alice.get("/api/v1/me/")

    def list_customer() -> Any:
        return alice.get(f"/api/v1/tickets/?status={OPEN}&page_size=50")

    page = Client()
    page.force_login(User.objects.get(email="agent@northwind.example"))

    def queue() -> Any:
        return page.get("/console/tickets/")

    manager = Client()
    manager.force_login(User.objects.get(email="manager@northwind.example"))

    def dashboard() -> Any:
        return manager.get("/dashboard/")

    return {
        "create": create, "comment": comment, "reply (agent)": reply_agent, "detail": detail, "detail (agent)": detail_agent, "me": me,
        "list (customer)": list_customer, "queue page": queue, "dashboard page": dashboard,
    }  # fmt: skip


def sql_of(operation: Callable[[], Any]) -> list[str]:
    """The statements one call sends, BEGIN, SAVEPOINT and COMMIT included (each a round trip)."""
    connection.queries_log.clear()
    connection.force_debug_cursor = True
    try:
        operation()
    finally:
        connection.force_debug_cursor = False
    return [query["sql"] for query in connection.queries_log]


def measure(name: str, operation: Callable[[], Any], runs: int) -> None:
    for _ in range(3):
        operation()
    statements = sql_of(operation)
    response = operation()
    assert response.status_code in (200, 201), (name, response.status_code, response.content[:300])
    times, cpu = [], []
    in_gc = _GcClock()
    database_before = _database_cpu()
    with in_gc:
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            operation()
            cpu.append((time.process_time() - started_cpu) * 1000)
            times.append((time.perf_counter() - started) * 1000)
    database_after = _database_cpu()
    database = (
        f"  database CPU {(database_after - database_before) * 1000 / runs:4.1f} ms"
        if database_before is not None and database_after is not None
        else ""
    )
    times.sort()
    p90 = times[int(len(times) * 0.9) - 1]
    print(
        f"{name:16} {len(statements):3d} statements  median {statistics.median(times):6.1f} ms  p90 {p90:6.1f} ms  "
        f"CPU median {statistics.median(cpu):5.1f} ms  in the garbage collector {in_gc.seconds * 1000 / runs:5.2f} ms  "
        f"{len(response.content):7,d} bytes{database}"
    )


def _database_cpu() -> float | None:
    """CPU seconds so far of this connection's PostgreSQL backend (and of the system
    connection's, which the requests do not use), from /proc when the server runs on this
    machine and /proc is readable; None otherwise. Per request it is the mean (clock ticks of
    10 ms: take it over many requests)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _GcClock:
    """The time the garbage collector ran while inside the block."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started

    def __enter__(self) -> None:
        gc.callbacks.append(self._callback)

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


def profile(operation: Callable[[], Any], runs: int) -> None:
    for _ in range(3):
        operation()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        operation()
    profiler.disable()
    pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
        int(os.environ.get("PROFILE_LINES", "60"))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--filler", type=int, default=500, help="tickets (with a reply each) besides the measured")
    parser.add_argument("--accounts", type=int, default=400, help="customer accounts besides the world's")
    parser.add_argument("--sites", type=int, default=1000, help="sites of the filler accounts besides the world's")
    parser.add_argument("--profile", default="", help="an operation to profile instead of timing")
    parser.add_argument("--only", default="", help="comma-separated operations to time")
    parser.add_argument("--sql", default="", help="an operation whose statements to print")
    parser.add_argument(
        "--gc",
        action="store_true",
        help="freeze the loaded objects out of the garbage collector, as config/gunicorn.py does",
    )
    parser.add_argument("--gc-threshold", type=int, default=0, help="with --gc: generation 0's threshold")
    args = parser.parse_args()
    ensure_desk(args.filler, args.accounts, args.sites)
    ops = operations()
    if args.gc:
        from config.gunicorn import tune_garbage_collector  # noqa: PLC0415

        tune_garbage_collector()
        if args.gc_threshold:
            gc.set_threshold(args.gc_threshold, *gc.get_threshold()[1:])
    if args.profile:
        profile(ops[args.profile], args.runs)
        return
    if args.sql:
        ops[args.sql]()
        for sql in sql_of(ops[args.sql]):
            print(sql[:400])
        return
    print(
        f"{args.runs} runs each, in-process (Django's test client), database {connection.settings_dict['NAME']}, "
        f"garbage collector {'tuned' if args.gc else 'as Python starts'} {gc.get_threshold()}"
    )
    for name, operation in ops.items():
        if not args.only or name in args.only.split(","):
            measure(name, operation, args.runs)


if __name__ == "__main__":
    main()

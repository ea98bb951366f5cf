"""The desk behind PgBouncer in transaction mode: many clients share a few server connections,
and a server connection serves one tenant's transaction, then another's.

The tenant reaches PostgreSQL as ``set_config('app.tenant_id', …, true)`` in front of every
statement (servicedesk.db.postgresql), local to the statement's transaction, so nothing of it
may outlive the transaction on a pooled connection. These tests start Debian's PgBouncer in a
temporary directory, point both aliases at it, and prove it under concurrent requests of two
tenants: every read sees exactly its own tenant's rows and every write lands in its own tenant;
the escalation and SLA sweeps work through it too.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, connections

from escalation.services.sweep import sweep_escalations
from servicedesk.db.aliases import SYSTEM_DB
from servicedesk.models import Site, Tenant, User
from servicedesk.tenancy import tenant_context
from tests.conftest import seed_world
from tests.escalation.conftest import at
from tickets.models import SlaClock, Ticket
from tickets.services.intake import TicketDraft, open_ticket
from tickets.services.sla_sweep import sweep_sla_clocks

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, databases=["default", SYSTEM_DB])]

CLIENTS_PER_TENANT = 4
ROUNDS = 40
SERVER_CONNECTIONS = 2  # far fewer than the clients: every server connection serves both tenants


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"PgBouncer stopped at start:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"PgBouncer did not listen within 15 s:\n{log.read_text()}")


@pytest.fixture
def pooler() -> Iterator[int]:
    """PgBouncer in transaction mode in front of the test database, with both aliases pointed
    at it for the test (and back afterwards)."""
    executable = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.path.exists(executable):
        pytest.fail("PgBouncer is not installed; `make pooler` installs Debian's package.")
    default, system = connections.settings["default"], connections.settings[SYSTEM_DB]
    port = _free_port()
    # PgBouncer refuses to run as root; it then runs as nobody, which must read its files.
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    folder.chmod(0o755)
    users = folder / "users.txt"
    users.write_text("".join(f'"{alias["USER"]}" ""\n' for alias in (default, system)))
    config = folder / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"* = host={default['HOST'] or '127.0.0.1'} port={default['PORT'] or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {users}\n"
        f"pool_mode = transaction\ndefault_pool_size = {SERVER_CONNECTIONS}\nmax_client_conn = 200\n"
        "server_reset_query =\nignore_startup_parameters = extra_float_digits\n"
    )
    for path in (users, config):
        path.chmod(0o644)
    command = [executable, str(config)]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "nobody"]
    log = folder / "pgbouncer.log"
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    before = {
        alias: (settings["HOST"], settings["PORT"]) for alias, settings in (("default", default), (SYSTEM_DB, system))
    }
    try:
        _wait_for(port, process, log)
        connections.close_all()
        for settings in (default, system):
            settings["HOST"], settings["PORT"] = "127.0.0.1", str(port)
        yield port
    finally:
        connections.close_all()
        for alias, settings in (("default", default), (SYSTEM_DB, system)):
            settings["HOST"], settings["PORT"] = before[alias]
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _through_pooler(port: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT inet_server_port()")  # the server's port, not the pooler's
        (server_port,) = cursor.fetchone()
    return connection.settings_dict["PORT"] == str(port) and server_port != port


def _incident(user: User, subject: str) -> Ticket:
    return open_ticket(
        actor=user,
        draft=TicketDraft(
            kind="incident", service_id="NW-MPLS-1001", subject=subject, description="Down.", impact="outage",
            urgency="high", answers={"power_at_site": "yes", "symptom": "no_service"},
            problem_started_at=at("2026-01-01 00:00"),
        ),
        now=at("2026-11-18 09:00"),
    )  # fmt: skip


def _enquiry(user: User, subject: str) -> Ticket:
    return open_ticket(
        actor=user,
        draft=TicketDraft(kind="enquiry", subject=subject, description="Pregunta."),
        now=at("2026-11-18 09:00"),
    )


def _run_at_once(work, count: int) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_two_tenants_at_once_through_a_transaction_pooler_each_see_and_write_only_their_own(pooler):
    seed_world()
    assert _through_pooler(pooler)
    northwind, bluepeak = Tenant.objects.get(slug="northwind"), Tenant.objects.get(slug="bluepeak")
    alice = User.objects.get(email="alice@acme.example")
    carol = User.objects.get(email="carol@initech.example")
    with tenant_context(northwind):
        _incident(alice, "Before")
    with tenant_context(bluepeak):
        _enquiry(carol, "Antes")
    clients = [(northwind, alice, _incident), (bluepeak, carol, _enquiry)] * CLIENTS_PER_TENANT
    seen: dict[int, set[int]] = {northwind.pk: set(), bluepeak.pk: set()}
    counts: dict[int, set[int]] = {northwind.pk: set(), bluepeak.pk: set()}

    def client(index: int) -> None:
        tenant, user, open_one = clients[index]
        for round_ in range(ROUNDS):
            with tenant_context(tenant):
                with connection.cursor() as cursor:
                    # No manager here: only the row-level security policy and the tenant the
                    # backend put in front of this very statement decide what comes back.
                    cursor.execute("SELECT DISTINCT tenant_id FROM tickets_ticket")
                    seen[tenant.pk].update(row[0] for row in cursor.fetchall())
                    cursor.execute("SELECT count(*) FROM servicedesk_site")
                    counts[tenant.pk].add(cursor.fetchone()[0])
                if round_ % 10 == 0:
                    open_one(user, f"From client {index}, round {round_}")

    errors = _run_at_once(client, len(clients))

    assert errors == []
    assert seen == {northwind.pk: {northwind.pk}, bluepeak.pk: {bluepeak.pk}}
    for tenant in (northwind, bluepeak):
        with tenant_context(tenant):
            assert counts[tenant.pk] == {Site.objects.count()}
    written = ROUNDS // 10 * CLIENTS_PER_TENANT + 1
    for tenant in (northwind, bluepeak):
        with tenant_context(tenant):
            tickets = Ticket.objects.all()
            assert tickets.count() == written
            assert set(tickets.values_list("tenant_id", flat=True)) == {tenant.pk}
            numbers = sorted(int(number.split("-")[1]) for number in tickets.values_list("number", flat=True))
            assert numbers == list(range(1, written + 1))  # gap-free per tenant, none taken by the other


def test_the_sweeps_work_through_a_transaction_pooler(pooler):
    seed_world()
    assert _through_pooler(pooler)
    northwind = Tenant.objects.get(slug="northwind")
    alice = User.objects.get(email="alice@acme.example")
    with tenant_context(northwind):
        tickets = [_incident(alice, f"Down {n}") for n in range(3)]

    sla = sweep_sla_clocks(now=at("2026-11-18 09:16"))  # P1 respond due 09:15, nobody answered
    escalation = sweep_escalations(now=at("2026-11-18 13:05"))  # age warrants level 4

    assert sla.breaches >= 3
    assert escalation.escalations == 3
    with tenant_context(northwind):
        assert set(
            Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("escalation_level", flat=True)
        ) == {4}
        assert SlaClock.objects.filter(ticket__in=tickets, target="respond", breached_at__isnull=False).count() == 3

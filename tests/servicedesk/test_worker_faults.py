"""Faults with real processes: a Celery worker killed (SIGKILL) in the middle of the escalation
sweep's batch, while the SLA sweep's batch commits, or in the middle of a notification task,
and the broker (Redis) restarted under a running beat and worker. The escalations, alerts and
their mails happen exactly once all the same, and nothing needs a hand to recover.

Each test starts its own ``redis-server`` on a free port in a temporary folder (never the
shared ones), a mail sink on another, and ``celery -A config beat`` and ``worker`` processes
on the test database, the sweeps every second. Waits are on conditions, with generous
deadlines; nothing is timed.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest
from django.db import connections
from django.utils import timezone

from escalation.models import DiscoveryWatermark, EscalationAttempt, EscalationEvent, EscalationNotice, TicketEscalation
from servicedesk.db.aliases import SYSTEM_DB
from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tests.conftest import seed_world
from tickets.models import SlaAlert, Ticket, TicketEvent
from tickets.services.intake import TicketDraft, open_ticket

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, databases=["default", SYSTEM_DB])]

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
DEADLINE = 60.0
RESEND_SECONDS = 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], object], what: str, timeout: float = DEADLINE) -> None:
    start = time.monotonic()
    deadline = start + timeout
    while time.monotonic() < deadline:
        if condition():
            if os.environ.get("FAULTS_TRACE"):
                print(f"{time.monotonic() - start:6.1f} s: {what}")
            return
        time.sleep(0.1)
    pytest.fail(f"not within {timeout:.0f} s: {what}")


# --- A broker of the test's own ------------------------------------------------------------------


class RedisServer:
    """``redis-server`` on a free port in a temporary folder, without persistence (a restart
    loses every queued message, the harshest case)."""

    def __init__(self, folder: Path) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.skip("redis-server is not installed (Debian's redis-server package provides it)")
        self.executable, self.folder, self.port = executable, folder, _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = (self.folder / "redis.log").open("a")
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(self.answers, "redis-server answers", timeout=15)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe:
                probe.sendall(b"PING\r\n")
                return probe.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None


# --- A mail server that counts what it accepted ----------------------------------------------


@dataclass
class MailSink:
    """An SMTP server counting the messages it accepted (answered 250 after DATA). With
    ``hold`` set, it keeps the next message unanswered until ``release``: the sender is then
    stuck in the middle of sending, and the message is never accepted."""

    port: int = 0
    accepted: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def mails(self) -> list[tuple[tuple[str, ...], str]]:
        with self.lock:
            return list(self.accepted)


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        sink: MailSink = self.server.sink  # type: ignore[attr-defined]
        self.wfile.write(b"220 sink ESMTP\r\n")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command.startswith(b"RCPT TO:"):
                recipients.append(line.strip()[8:].strip(b" <>").decode().lower())
                self.wfile.write(b"250 ok\r\n")
            elif command == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                data = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                if sink.hold.is_set():
                    sink.hold.clear()
                    sink.held.set()
                    sink.release.wait(DEADLINE)
                    return  # the connection closes without an answer: not accepted
                subject = str(email.message_from_bytes(data, policy=email.policy.default)["Subject"])
                with sink.lock:
                    sink.accepted.append((tuple(sorted(recipients)), subject))
                recipients = []
                self.wfile.write(b"250 accepted\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # EHLO, MAIL FROM, RSET, NOOP
                recipients = [] if command.startswith((b"MAIL", b"RSET")) else recipients
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.sink = sink  # type: ignore[attr-defined]
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield sink
    sink.release.set()
    server.shutdown()
    server.server_close()


# --- Beat and workers as the deployment runs them ------------------------------------------------


def _database_url(alias: str) -> str:
    db = connections[alias].settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Desk:
    """``celery -A config beat`` and ``worker`` processes on the test database, this broker
    and this mail sink, as production starts them (logs in the temporary folder)."""

    def __init__(self, folder: Path, redis: RedisServer, sink: MailSink) -> None:
        self.folder, self.redis = folder, redis
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url("default"),
            "DATABASE_SYSTEM_URL": _database_url(SYSTEM_DB),
            "REDIS_URL": f"{redis.url}/0",
            "CACHE_URL": f"{redis.url}/1",
            "TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "ESCALATION_SWEEP_SECONDS": "1",
            "NOTIFICATION_RESEND_SECONDS": str(RESEND_SECONDS),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def _start(self, name: str, *arguments: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [str(CELERY), "-A", "config", *arguments], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def beat(self) -> subprocess.Popen[bytes]:
        return self._start(
            "beat", "beat", "--loglevel", "INFO", "--max-interval", "1",
            "--schedule", str(self.folder / "beat-schedule"), "--pidfile", str(self.folder / "beat.pid"),
        )  # fmt: skip

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self._start(
            name, "worker", "--pool", "solo", "--loglevel", "INFO", "--hostname", f"{name}-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        )  # fmt: skip

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="desk-faults-"))
    yield path
    if not os.environ.get("FAULTS_KEEP"):  # FAULTS_KEEP=1 keeps the processes' logs
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def redis(folder: Path) -> Iterator[RedisServer]:
    server = RedisServer(folder)
    server.start()
    yield server
    if server.process is not None:
        server.kill()


@pytest.fixture
def desk(folder: Path, redis: RedisServer, mail_sink: MailSink) -> Iterator[Desk]:
    if not CELERY.exists():
        pytest.skip(f"celery is not installed in this environment ({CELERY})")
    processes = Desk(folder, redis, mail_sink)
    try:
        yield processes
    finally:
        processes.stop()
        _wait_for_no_other_backends()


def _wait_for_no_other_backends() -> None:
    """The killed worker's database sessions end before the test's teardown empties the
    tables (or the emptying would wait on their locks)."""
    connections.close_all()
    with psycopg2.connect(_database_url(SYSTEM_DB)) as conn, conn.cursor() as cursor:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.1)
    conn.close()


# --- The world -----------------------------------------------------------------------------------


def _old_p1(subject: str) -> Ticket:
    """A P1 incident opened 45 minutes ago, never answered: level 1 by age (30 min) and level 2
    by the response target's breach (15 min) are due at once."""
    northwind = Tenant.objects.get(slug="northwind")
    with tenant_context(northwind):
        return open_ticket(
            actor=User.objects.get(email="alice@acme.example"),
            draft=TicketDraft(
                kind="incident", service_id="NW-MPLS-1001", subject=subject, description="Down.", impact="outage",
                urgency="high", answers={"power_at_site": "yes", "symptom": "no_service"},
                problem_started_at=timezone.now() - dt.timedelta(hours=1),
            ),
            now=timezone.now() - dt.timedelta(minutes=45),
        )  # fmt: skip


def _events(ticket: Ticket) -> list[tuple[int, str, bool]]:
    with tenant_context(ticket.tenant_id):
        return list(
            EscalationEvent.objects.filter(ticket_id=ticket.pk)
            .order_by("level")
            .values_list("level", "trigger", "is_skipped")
        )


def _attempts(ticket: Ticket) -> list[EscalationAttempt]:
    with tenant_context(ticket.tenant_id):
        return list(EscalationAttempt.objects.filter(event__ticket_id=ticket.pk))


def _all_notified(ticket: Ticket) -> bool:
    with tenant_context(ticket.tenant_id):
        events = EscalationEvent.objects.filter(ticket_id=ticket.pk, is_skipped=False)
        return (
            events.exists()
            and not events.filter(account_notified_at__isnull=True).exists()
            and not EscalationAttempt.objects.filter(event__ticket_id=ticket.pk, notified_at__isnull=True).exists()
        )


def _sweeps_since(instant: dt.datetime, count: int = 2) -> Callable[[], bool]:
    """True once the sweep ran ``count`` more times after ``instant`` and notifications overdue
    since then were looked for (each run moves the discovery watermark to its start)."""
    until = instant + dt.timedelta(seconds=RESEND_SECONDS + count)

    def ran() -> bool:
        mark = DiscoveryWatermark.objects.filter(name="escalation-discovery").first()
        return mark is not None and mark.value > until

    return ran


def _assert_escalated_once(ticket: Ticket, sink: MailSink) -> None:
    assert _events(ticket) == [(1, "breach", True), (2, "breach", False)]
    with tenant_context(ticket.tenant_id):
        assert Ticket.objects.get(pk=ticket.pk).escalation_level == 2
        timer = TicketEscalation.objects.get(ticket_id=ticket.pk)
        assert timer.level == 2
        notices = list(EscalationNotice.objects.filter(event__ticket_id=ticket.pk).values_list("user_id", "event_id"))
    attempts = _attempts(ticket)
    assert attempts
    assert all(a.notified_at is not None for a in attempts)
    assert len(notices) == len(set(notices)), f"a notice twice: {notices}"
    mails = [mail for mail in sink.mails() if ticket.number in mail[1]]
    twice = {mail: n for mail, n in Counter(mails).items() if n > 1}
    assert not twice, f"mailed more than once: {twice}"
    mailed_to = {address for recipients, _subject in mails for address in recipients}
    assert {a.email.lower() for a in attempts if a.email} <= mailed_to


def _sla_alerts(ticket: Ticket) -> list[tuple[str, str, bool]]:
    with tenant_context(ticket.tenant_id):
        return sorted(
            (target, kind, notified is not None)
            for target, kind, notified in SlaAlert.objects.filter(clock__ticket_id=ticket.pk).values_list(
                "clock__target", "kind", "notified_at"
            )
        )


def _sla_events(ticket: Ticket) -> list[tuple[str, str]]:
    with tenant_context(ticket.tenant_id):
        return sorted(
            TicketEvent.objects.filter(ticket_id=ticket.pk, kind__startswith="sla_").values_list("kind", "field")
        )


def _blocked_by(pid: int) -> list[int]:
    with connections[SYSTEM_DB].cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid])
        return [row[0] for row in cursor.fetchall()]


def _backend_alive(pid: int) -> bool:
    with connections[SYSTEM_DB].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


# --- The tests -----------------------------------------------------------------------------------


def test_a_worker_killed_in_the_middle_of_a_sweep_batch_leaves_nothing_and_the_batch_is_redone_once(
    desk: Desk, mail_sink: MailSink
):
    seed_world()
    ticket = _old_p1("Down: worker killed in the batch")
    with tenant_context(ticket.tenant_id):
        before = TicketEscalation.objects.values("level", "next_check_at").get(ticket_id=ticket.pk)

    # Another session holds the ticket's row: the sweep claims the timer, then waits on that
    # row inside its batch's transaction (recording the events refers to the ticket).
    holder = psycopg2.connect(_database_url(SYSTEM_DB))
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT 1 FROM tickets_ticket WHERE id = %s FOR UPDATE", [ticket.pk])
        holder_pid = holder.get_backend_pid()
        desk.beat()
        first = desk.worker("worker-a")
        wait_for(lambda: _blocked_by(holder_pid), "the worker's sweep batch waits on the held ticket")
        (stuck,) = _blocked_by(holder_pid)

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        holder.rollback()
        holder.close()
    wait_for(lambda: not _backend_alive(stuck), "the killed worker's transaction ends")

    # Nothing of the batch was kept: no event, the ticket and its timer as they were.
    assert _events(ticket) == []
    with tenant_context(ticket.tenant_id):
        assert Ticket.objects.get(pk=ticket.pk).escalation_level == 0
        assert TicketEscalation.objects.values("level", "next_check_at").get(ticket_id=ticket.pk) == before

    desk.worker("worker-b")  # another worker takes over; beat was never told anything
    wait_for(lambda: _all_notified(ticket), "the next worker escalates and notifies")
    wait_for(_sweeps_since(timezone.now()), "two more sweeps ran")
    _assert_escalated_once(ticket, mail_sink)


def test_a_worker_killed_while_committing_an_sla_batch_leaves_it_whole_and_its_mails_are_sent_once(
    desk: Desk, mail_sink: MailSink
):
    seed_world()
    desk.env.update(SLA_SWEEP_SECONDS="1", ESCALATION_SWEEP_SECONDS="3600")  # the SLA sweep alone
    ticket = _old_p1("Down: worker killed committing the SLA batch")

    # The batch's statement records the alerts and the timeline events; their reference to the
    # ticket is checked when the transaction commits (deferred), and waits there on the held row.
    holder = psycopg2.connect(_database_url(SYSTEM_DB))
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT 1 FROM tickets_ticket WHERE id = %s FOR UPDATE", [ticket.pk])
        holder_pid = holder.get_backend_pid()
        desk.beat()
        first = desk.worker("worker-a")
        wait_for(lambda: _blocked_by(holder_pid), "the worker's SLA batch waits on the held ticket")
        (stuck,) = _blocked_by(holder_pid)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        holder.rollback()
        holder.close()
    wait_for(lambda: not _backend_alive(stuck), "the killed worker's transaction ends")
    # The database finished the commit it had been sent: the batch is whole, and its mails
    # were to be handed on by the worker that is gone.
    unsent = [("respond", "breach", False), ("respond", "warning", False)]
    assert _sla_alerts(ticket) == unsent
    assert _sla_events(ticket) == [("sla_breach", "respond"), ("sla_warning", "respond")]

    desk.worker("worker-b")
    sent = [("respond", "breach", True), ("respond", "warning", True)]
    wait_for(lambda: _sla_alerts(ticket) == sent, "the next worker mails the alerts")
    runs = desk.log("worker-b").count("sla_sweep_task") + 2 * (RESEND_SECONDS + 2)  # received and succeeded
    wait_for(lambda: desk.log("worker-b").count("sla_sweep_task") >= runs, "more sweeps ran")
    assert _sla_alerts(ticket) == sent
    assert _sla_events(ticket) == [("sla_breach", "respond"), ("sla_warning", "respond")]  # not redone
    mails = [mail for mail in mail_sink.mails() if ticket.number in mail[1]]
    assert len(mails) == len(set(mails)) == 2, mails  # the breach and the warning, to the manager, once


def test_a_worker_killed_while_mailing_an_escalation_mails_it_once_later(desk: Desk, mail_sink: MailSink):
    seed_world()
    ticket = _old_p1("Down: worker killed while mailing")
    mail_sink.hold.set()  # the first message's sender waits for an answer that does not come
    desk.beat()
    first = desk.worker("worker-a")
    wait_for(mail_sink.held.is_set, "the worker is in the middle of sending a notification")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    mail_sink.release.set()

    # The escalation itself was committed before its notifications were handed on.
    assert _events(ticket) == [(1, "breach", True), (2, "breach", False)]
    assert not _all_notified(ticket)

    desk.worker("worker-b")  # the notification task died with the first worker
    wait_for(lambda: _all_notified(ticket), "the notifications are sent after all")
    wait_for(_sweeps_since(timezone.now()), "two more sweeps ran")
    _assert_escalated_once(ticket, mail_sink)


def test_beat_and_worker_recover_from_a_redis_restart_and_escalate_once(
    desk: Desk, redis: RedisServer, mail_sink: MailSink
):
    seed_world()
    before = _old_p1("Down before the broker restart")
    beat = desk.beat()
    worker = desk.worker("worker")
    wait_for(lambda: _all_notified(before), "escalated and notified before the restart")

    redis.kill()  # every queued message is gone with it
    wait_for(lambda: "Connection to broker lost" in desk.log("worker"), "the worker notices the broker is gone")
    wait_for(lambda: "Message Error" in desk.log("beat"), "beat fails to send a sweep")
    during = _old_p1("Down while the broker is away")
    redis.start()

    wait_for(lambda: _all_notified(during), "escalated and notified after the restart, with no restart of ours")
    wait_for(_sweeps_since(timezone.now()), "two more sweeps ran")
    assert beat.poll() is None  # neither was restarted
    assert worker.poll() is None
    _assert_escalated_once(before, mail_sink)
    _assert_escalated_once(during, mail_sink)

"""Start the whole desk in one terminal: web server, Celery worker and beat.

Used by ``make run``: migrates, seeds the demo data, starts ``runserver`` and a worker with
an embedded beat, prints the URL and the demo log-ins, and stops every process it started on
Ctrl-C or SIGTERM (or when one of them dies). Unless ``PUBLIC_BASE_URL`` is given, the
processes get it set to this server (``http://127.0.0.1:PORT``), so links in mails work.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.core import demo_logins
from servicedesk.auth import DEMO_PASSWORD

STOP_GRACE_SECONDS = 15


def local_base_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches ``runserver`` on ``host``:``port`` (a server
    listening on every address is reached on 127.0.0.1)."""
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - names the wildcard, binds nothing
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and beat together, with demo data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-seed", action="store_true", help="Skip seed_demo.")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        self._check_port_free(host, port)
        self._prepare_folders()
        if connection.vendor == "postgresql":
            # PostgreSQL mode: the roles row-level security needs, and the database.
            call_command("ensure_database")
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_seed"]:
            call_command("seed_demo", quiet_logins=True, verbosity=0)

        # Links in the mails the worker sends lead to this server, port included (unless given).
        os.environ.setdefault("PUBLIC_BASE_URL", local_base_url(host, port))
        python = sys.executable
        children = {
            "web": subprocess.Popen([python, "manage.py", "runserver", f"{host}:{port}", "--noreload"]),
            "worker": subprocess.Popen(
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--beat",
                    "--loglevel=INFO",
                    "--concurrency=2",
                    f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
                ]
            ),
        }
        stopping = False

        def request_stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self._banner(host, port)
        exit_code = 0
        while not stopping:
            for name, process in children.items():
                if process.poll() is not None:
                    self.stderr.write(f"The {name} process stopped (exit {process.returncode}); stopping the desk.")
                    stopping, exit_code = True, 1
            time.sleep(0.5)
        self._stop(children)
        if exit_code:
            raise CommandError("The desk stopped because a process died.")

    def _check_port_free(self, host: str, port: int) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex((host, port)) == 0:
                raise CommandError(f"Port {port} on {host} is taken. Stop what runs there, or start with PORT=<other>.")

    def _prepare_folders(self) -> None:
        folders = [str(settings.VAR_DIR), str(settings.STATIC_ROOT)]
        transport_options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
        folders += [
            str(transport_options[key])
            for key in ("data_folder_in", "processed_folder", "control_folder")
            if key in transport_options
        ]
        for folder in folders:
            os.makedirs(folder, exist_ok=True)

    def _banner(self, host: str, port: int) -> None:
        lines = [
            "",
            f"  The service desk runs at http://{host}:{port}/",
            f"  API docs: http://{host}:{port}/api/docs/   Health: http://{host}:{port}/healthz",
            f"  Demo log-ins (password for all: {DEMO_PASSWORD}):",
            *(f"    {email:<32} {what}" for email, what in demo_logins()),
            "  Ctrl-C stops the web server, the worker and beat.",
            "",
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _stop(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for process in children.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in children.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.stdout.write("The desk has stopped.")

"""Smoke test of `make run`: the embedded default (SQLite, folder broker, worker with beat)
starts from a temporary directory, answers /healthz, shows the worker's heartbeat, and
stops on SIGTERM to make with no process left behind."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthz(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status, json.loads(response.read())
    except OSError:
        return None, None


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_run_serves_the_desk_with_worker_and_beat_and_stops_cleanly(tmp_path):
    port = _free_port()
    # Only what a developer's shell has: no DATABASE_URL or REDIS_URL, so the embedded default.
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TERM"}}
    env.update(VAR_DIR=str(tmp_path / "var"), PORT=str(port))
    log = (tmp_path / "make-run.log").open("w+")
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        status, body = None, None
        while time.monotonic() < deadline and make.poll() is None:
            status, body = _healthz(port)
            if status == 200 and body["worker"]["last_heartbeat"]:
                break
            time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert status == 200, output
        assert body["database"] == {"ok": True, "vendor": "sqlite"}
        assert body["broker"] == {"ok": True, "transport": "filesystem"}
        assert body["worker"]["last_heartbeat"], output  # beat scheduled it, a worker ran it
        assert f"http://127.0.0.1:{port}/" in output
        assert "alice@acme.example" in output
        assert "demo-pass-2026" in output
        assert (tmp_path / "var" / "desk.sqlite3").exists()
        assert not (ROOT / "control").exists()  # the broker keeps everything under VAR_DIR
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as page:
            assert page.status == 200
        # The demo's mail from alice (seeded into var/mail/northwind/new/) is taken in by the
        # sweep, and the console backend prints the acknowledgement; its link leads to this
        # server, port included (run_desk sets PUBLIC_BASE_URL).
        acknowledged = re.compile(rf"opened ticket [A-Z]+-\d{{6}}[\s\S]*?http://127\.0\.0\.1:{port}/portal/tickets/")
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and make.poll() is None and not acknowledged.search(output):
            time.sleep(1)
            log.seek(0)
            output = log.read()
        assert acknowledged.search(output), output[-4000:]
        assert "Auto-Submitted: auto-replied" in output
    finally:
        make.send_signal(signal.SIGTERM)  # to make alone: it must pass the stop on
        try:
            make.wait(timeout=60)
        finally:
            stopped_by = time.monotonic() + 20
            while _group_alive(make.pid) and time.monotonic() < stopped_by:
                time.sleep(0.2)
            leftover = _group_alive(make.pid)
            if leftover:
                os.killpg(make.pid, signal.SIGKILL)
            log.close()
    assert not leftover, "processes of the desk were still running after make stopped"
    assert _healthz(port) == (None, None)

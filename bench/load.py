"""Load benchmark: the request paths under wrk, against gunicorn with production settings.

Builds once (bench/load_desk.py: COPY, reusing bench/dataset.py; later runs reuse it; a marker
row says it is complete) a desk in its own database ``bench_load``: one tenant with
``--tickets`` tickets (default 1,000,000, a tenth of them open) beside ``--small-tenants``
small ones. Then migrates it with the measured checkout's code, collects the static files
into a temporary directory, starts gunicorn (``config.wsgi``, ``--workers`` sync workers,
DEBUG off, ``config.settings.base``) on 127.0.0.1:``--port``, signs the bench users in
(API tokens through ``POST /api/v1/auth/token/``, a session through the sign-in form) and
runs each phase with wrk and a Lua script (``--connections`` × ``--duration``):

    create          POST /api/v1/tickets/ as a customer (an incident on one of the account's
                    services, with the questionnaire's answers)
    list_customer   GET /api/v1/tickets/?status=<the open ones> as that customer
    list_agent      the same as an agent (the whole tenant's open tickets)
    detail          GET /api/v1/tickets/{number}/ as the agent, numbers drawn in Lua from 400
    comment         POST /api/v1/tickets/{number}/comments/ as the agent, on open tickets
    queue           GET /console/tickets/ (the agent's queue page, HTML) with the agent's session
    dashboard, report  GET /dashboard/ (this month so far) and /api/v1/reports/sla/ as the
                    manager (bench/dashboard.py measures both alone, with filters off and on)
  and, without wrk, ``list_agent_alone`` and ``queue_alone``: ``--alone`` single requests one
  after the other (p50/p95 of one request with nothing else running).

For each phase it prints requests/s, p50/p95/p99 latency (wrk's distribution, through the
script's ``done``), errors (non-2xx/3xx responses and socket errors), the workers' peak RSS
(VmHWM during the phase) and the SQL statements one request of that kind runs. Statements are counted once per
operation in a separate process with the same settings, through Django's test client, with an
``execute_wrapper`` on every database alias (what Django sends; BEGIN and COMMIT are not
statements Django executes, the per-statement tenant setting rides in the same round trip).
During each phase it samples the CPU time of every process that is not gunicorn, wrk, this
script or a PostgreSQL backend of bench_load; if other work used more than ``--busy-limit`` of
a core, the phase is run once more, and if the machine is still busy the figure is marked.

    .venv/bin/python bench/load.py                       # 1,000,000 tickets (build ≈ 12 min, once)
    .venv/bin/python bench/load.py --tickets 100000      # a quick desk for development
    .venv/bin/python bench/load.py --only detail,queue --duration 10
    .venv/bin/python bench/load.py --checkout /work/main # measure another checkout's code

Needs wrk (``apt-get install -y wrk``), PostgreSQL at 127.0.0.1:5432 (trust auth for the
desk's roles, ``PG_ADMIN_URL`` for building) and Redis (``--redis-url``, default 127.0.0.1:6379
database 9; the run empties that database first).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import http.cookiejar
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OPEN_STATUSES = "new,acknowledged,in_progress,waiting_for_customer"
DB = "bench_load"
REDIS_URL = "redis://127.0.0.1:6379/9"


@dataclass
class Phase:
    name: str
    title: str
    method: str = "GET"
    paths: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    target: str = ""
    count: dict[str, Any] = field(default_factory=dict)  # how the statement counter makes one such request


@dataclass
class Result:
    phase: Phase
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    requests: int = 0
    errors: int = 0
    error_detail: str = ""
    rss_mib: float = 0.0
    statements: int | None = None
    other_cpu: float = 0.0  # cores' worth of other work during the phase
    other_detail: str = ""
    busy: bool = False
    note: str = ""
    alone: list[float] = field(default_factory=list)


# --- the machine: CPU time of other work, workers' RSS ------------------------------------------


def _proc_ticks() -> dict[int, tuple[str, int]]:
    """pid → (what it is, utime + stime in clock ticks) for every process."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2 :].split()
        found[int(entry)] = (cmdline, int(rest[11]) + int(rest[12]))
    return found


class CpuSampler:
    """CPU time used during a phase by processes other than ours."""

    def __init__(self, ours: set[int]) -> None:
        self.ours = ours
        self.started = time.monotonic()
        self.before = _proc_ticks()

    def _is_ours(self, pid: int, cmdline: str, every: dict[int, tuple[str, int]]) -> bool:
        if pid in self.ours or pid == os.getpid():
            return True
        if cmdline.startswith("postgres: "):
            # Backends of other databases are other work; a parallel worker is its leader's; the
            # server's own processes (checkpointer, WAL writer, …) are shared.
            leader = re.search(r"parallel worker for PID (\d+)", cmdline)
            if leader:
                cmdline = every.get(int(leader.group(1)), ("", 0))[0]
            words = cmdline.replace("postgres: 15/main: ", "postgres: ").split()
            return f" {DB} " in cmdline or len(words) < 4 or words[1] == "logical"
        return cmdline.startswith("wrk ")

    def other_cores(self) -> tuple[float, str]:
        """Cores' worth of other work since the start, and the three busiest other processes."""
        after = _proc_ticks()
        used: dict[str, int] = {}
        for pid, (cmdline, total) in after.items():
            if self._is_ours(pid, cmdline, after):
                continue
            ticks = total - self.before[pid][1] if pid in self.before else total
            if ticks > 0:
                key = " ".join(cmdline.split()[:3])[:60] or f"pid {pid}"
                used[key] = used.get(key, 0) + ticks
        seconds = max(time.monotonic() - self.started, 0.001)
        hz = os.sysconf("SC_CLK_TCK")
        top = sorted(used.items(), key=lambda kv: -kv[1])[:3]
        detail = "; ".join(f"{name} {ticks / hz / seconds:.2f}" for name, ticks in top)
        return sum(used.values()) / hz / seconds, detail


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry))
    return found


def _reset_peak(pids: list[int]) -> None:
    """Start the workers' VmHWM afresh (``5`` to clear_refs), so it is the phase's own peak: the
    sign-in's Argon2 hash (memory_cost 100 MiB) would otherwise stand for every phase."""
    for pid in pids:
        try:
            with open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass


def _vm_hwm_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# --- gunicorn ------------------------------------------------------------------------------------


class Server:
    def __init__(self, checkout: Path, env: dict[str, str], port: int, workers: int, log_path: Path) -> None:
        self.checkout, self.env, self.port, self.workers, self.log_path = checkout, env, port, workers, log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        gunicorn = self.checkout / ".venv/bin/gunicorn"
        # The deployment's own configuration where the checkout has one (preloading, the garbage
        # collector frozen; its access log written to /dev/null); workers, bind and logs from here.
        config = (
            ["-c", "config/gunicorn.py", "--access-logfile", "/dev/null"]
            if (self.checkout / "config/gunicorn.py").exists()
            else []
        )
        command = [
            str(gunicorn), *config, "config.wsgi", "--workers", str(self.workers), "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "--error-logfile", str(self.log_path),
        ]  # fmt: skip
        output = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=self.checkout, env=self.env, start_new_session=True, stdout=output, stderr=output
        )
        output.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start (see {self.log_path})")
            try:
                status, _ = request(self.port, "GET", "/accounts/login/")
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer within 60 s (see {self.log_path})")

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid) if self.process else []

    def pids(self) -> set[int]:
        return {self.process.pid, *self.worker_pids()} if self.process else set()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def request(
    port: int, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def api_token(port: int, email: str, password: str) -> str:
    status, body = request(
        port, "POST", "/api/v1/auth/token/", json.dumps({"username": email, "password": password}),
        {"Content-Type": "application/json"},
    )  # fmt: skip
    if status != 200:
        raise SystemExit(f"token for {email}: {status} {body[:300]!r}")
    return str(json.loads(body)["token"])


def session_cookie(port: int, email: str, password: str) -> str:
    """Sign in through the form (CSRF token from the page) and return the session cookie."""
    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on the sign-in page")
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": email, "password": password})
    try:
        opener.open(urllib.request.Request(f"{base}/accounts/login/", data=data.encode()))
    except urllib.error.HTTPError as error:
        if error.code != 302:
            raise SystemExit(f"sign-in of {email}: {error.code}") from None
    for cookie in jar:
        if cookie.name == "sessionid":
            return f"sessionid={cookie.value}"
    raise SystemExit(f"sign-in of {email} gave no session")


# --- wrk -----------------------------------------------------------------------------------------

LUA = r"""
local method = "%(method)s"
local paths = {%(paths)s}
local bodies = {%(bodies)s}
%(headers)s
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() * 1000 + id)
  codes = {}
end
function request()
  local body = nil
  if #bodies > 0 then body = bodies[math.random(#bodies)] end
  return wrk.format(method, paths[math.random(#paths)], nil, body)
end
function response(status, headers, body)
  if status >= 400 then codes[status] = (codes[status] or 0) + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  local parts = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("codes")
    if c then for k, v in pairs(c) do table.insert(parts, string.format('"%%d":%%d', k, v)) end end
  end
  io.write(string.format(
    'RESULT {"requests":%%d,"duration_us":%%d,"p50":%%d,"p95":%%d,"p99":%%d,"connect":%%d,"read":%%d,' ..
    '"write":%%d,"status":%%d,"timeout":%%d,"codes":{%%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ",")))
end
"""


def _lua_string(value: str) -> str:
    level = "=" * 3
    while f"]{level}]" in value:
        level += "="
    return f"[{level}[{value}]{level}]"


def lua_script(phase: Phase) -> str:
    headers = "\n".join(f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in phase.headers.items())
    return LUA % {
        "method": phase.method,
        "paths": ", ".join(_lua_string(p) for p in phase.paths),
        "bodies": ", ".join(_lua_string(b) for b in phase.bodies),
        "headers": headers,
    }


def run_wrk(phase: Phase, port: int, connections: int, duration: int, workdir: Path) -> dict[str, Any]:
    script = workdir / f"{phase.name}.lua"
    script.write_text(lua_script(phase))
    command = [
        "wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--timeout", "60s",
        "-s", str(script), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result for {phase.name}:\n{out.stdout}\n{out.stderr}")
    return dict(json.loads(line[len("RESULT ") :]))


# --- one phase -----------------------------------------------------------------------------------


def _twice_if_busy(
    phase: Phase, args: argparse.Namespace, server: Server, run: Callable[[Result, int], None]
) -> Result:
    """``run(result, attempt)`` fills in the phase's figures; when other work used more than
    ``--busy-limit`` of a core meanwhile it runs once more (and the figure stays marked)."""
    result = Result(phase)
    for attempt in (1, 2):
        _reset_peak(server.worker_pids())
        sampler = CpuSampler(server.pids())
        run(result, attempt)
        other, result.other_detail = sampler.other_cores()
        result.other_cpu, result.busy = other, other > args.busy_limit
        if not result.busy:
            break
        if attempt == 1:
            print(f"    busy machine (other work {other:.2f} cores: {result.other_detail}): running {phase.name} "
                  "once more", flush=True)  # fmt: skip
    result.rss_mib = max((_vm_hwm_mib(pid) for pid in server.worker_pids()), default=0.0)
    return result


def measure(phase: Phase, args: argparse.Namespace, server: Server, workdir: Path) -> Result:
    def run(result: Result, attempt: int) -> None:
        spies = start_profiles(args, phase, server) if attempt == 1 else []
        data = run_wrk(phase, args.port, args.connections, args.duration, workdir)
        for spy in spies:
            spy.wait()
        seconds = data["duration_us"] / 1e6
        result.requests = data["requests"]
        result.rps = data["requests"] / seconds if seconds else 0.0
        result.p50, result.p95, result.p99 = (data[k] / 1000 for k in ("p50", "p95", "p99"))
        result.errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
        socket_errors = {k: data[k] for k in ("connect", "read", "write", "timeout") if data[k]}
        result.error_detail = ", ".join(
            [f"HTTP {k}: {v}" for k, v in sorted(data["codes"].items())]
            + [f"{k}: {v}" for k, v in socket_errors.items()]
        )

    return _twice_if_busy(phase, args, server, run)


def start_profiles(args: argparse.Namespace, phase: Phase, server: Server) -> list[subprocess.Popen[bytes]]:
    """py-spy on each worker for the phase's duration (``--profile DIR``): DIR/<phase>-<pid>.txt."""
    if args.profile is None:
        return []
    candidates = [HERE.parent / ".venv/bin/py-spy", args.checkout / ".venv/bin/py-spy"]
    spy = shutil.which("py-spy") or next((str(c) for c in candidates if c.exists()), "py-spy")
    args.profile.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(pid),
                "--duration",
                str(max(1, args.duration - 1)),
                "--rate",
                "200",
                "--format",
                "raw",
                "--idle",
                "--nonblocking",
                "-o",
                str(args.profile / f"{phase.name}-{pid}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for pid in server.worker_pids()
    ]


# Where a worker's time goes, from py-spy's stacks: the first category a stack matches.
PROFILE_CATEGORIES = (
    ("waiting on PostgreSQL", ("(psycopg2", "execute (django/db/backends/utils.py", "_execute (django/db/backends")),
    ("the ORM: compiling SQL, fetching rows", ("django/db/models/sql/compiler.py", "django/db/models/sql/query.py")),
    ("model instances", ("from_db (django/db/models/base.py", "__init__ (django/db/models/base.py")),
    ("templates", ("django/template/",)),
    ("serializers", ("rest_framework/serializers.py", "rest_framework/fields.py", "rest_framework/relations.py")),
    ("Markdown", ("markdown/", "nh3")),
    ("password/token hashing", ("argon2", "hashers.py")),
    ("middleware and the rest of Django/DRF", ("django/", "rest_framework/")),
)


def profile_summary(directory: Path, phase: str) -> str:
    """Share of the workers' sampled time per category for one phase (``--profile``)."""
    totals: dict[str, int] = {}
    samples = 0
    for path in directory.glob(f"{phase}-*.txt"):
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            samples += n
            if "handle_request" not in stack:
                label = "gunicorn between requests"
            else:
                label = next((name for name, marks in PROFILE_CATEGORIES if any(m in stack for m in marks)), "other")
            totals[label] = totals.get(label, 0) + n
    if not samples:
        return "no samples"
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{name} {100 * n / samples:.0f} %" for name, n in ranked) + f" ({samples} samples)"


def measure_alone(phase: Phase, args: argparse.Namespace, server: Server) -> Result:
    headers = dict(phase.headers)

    def run(result: Result, attempt: int) -> None:
        request(args.port, phase.method, phase.paths[0], headers=headers)  # warm
        times, result.errors = [], 0
        for _ in range(args.alone):
            started = time.perf_counter()
            status, _ = request(args.port, phase.method, phase.paths[0], headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            if status >= 400:
                result.errors += 1
        result.alone = times
        result.requests = len(times)
        ordered = sorted(times)
        result.p50 = statistics.median(ordered)
        result.p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        result.p99 = ordered[-1]
        result.rps = 1000 / statistics.mean(ordered)

    return _twice_if_busy(phase, args, server, run)


# --- statements per request (a separate process, same settings) ---------------------------------

COUNT_SCRIPT = r"""
import json, sys
from collections.abc import Callable
from contextlib import ExitStack
import django
django.setup()
from django.db import connections
from django.test import Client
from servicedesk.models import User
plan = json.loads(sys.stdin.read())
count = {"n": 0}
def wrapper(execute, sql, params, many, context):
    count["n"] += 1
    return execute(sql, params, many, context)
out = {}
for name, spec in plan.items():
    client = Client(HTTP_HOST="127.0.0.1")
    if spec.get("login"):
        client.force_login(User.objects.get(email=spec["login"]))
    headers = spec.get("headers", {})
    def call():
        if spec["method"] == "POST":
            return client.post(spec["path"], data=spec["body"], content_type="application/json", headers=headers)
        return client.get(spec["path"], headers=headers)
    call()  # the first request of a process fills caches and connects; count the second
    count["n"] = 0
    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(wrapper))
        response = call()
    out[name] = {"statements": count["n"], "status": response.status_code}
print("COUNTS " + json.dumps(out))
"""


def count_statements(phases: list[Phase], checkout: Path, env: dict[str, str]) -> dict[str, Any]:
    plan = {p.name: p.count for p in phases if p.count}
    python = checkout / ".venv/bin/python"
    out = subprocess.run(
        [str(python), "-c", COUNT_SCRIPT], input=json.dumps(plan), capture_output=True, text=True, cwd=checkout,
        env={**env, "PYTHONPATH": str(checkout)}, check=False,
    )  # fmt: skip
    line = next((x for x in out.stdout.splitlines() if x.startswith("COUNTS ")), None)
    if line is None:
        print(f"  (statement counts failed: {out.stderr[-1500:]})")
        return {}
    return dict(json.loads(line[len("COUNTS ") :]))


# --- the run -------------------------------------------------------------------------------------

TARGETS = {
    "create": "≥ 300 req/s",
    "list_customer": "p95 < 100 ms",
    "list_agent": "(alone < 50 ms)",
    "list_agent_alone": "< 50 ms",
    "detail": "p95 < 50 ms",
    "comment": "≥ 300 req/s",
    "queue": "p95 < 100 ms at ≥ 100 req/s",
    "queue_alone": "(p95 < 100 ms under load)",
    "dashboard": "server time < 500 ms (here: p95 under load)",
    "report": "server time < 500 ms (here: p95 under load)",
}


def met(result: Result) -> str:
    name = result.phase.name
    if result.note:
        return ""
    checks = {
        "create": result.rps >= 300,
        "list_customer": result.p95 < 100,
        "list_agent_alone": result.p50 < 50 and result.p95 < 50,
        "detail": result.p95 < 50,
        "comment": result.rps >= 300,
        "queue": result.p95 < 100 and result.rps >= 100,
        "dashboard": result.p95 < 500,
        "report": result.p95 < 500,
    }
    if name not in checks:
        return ""
    return "met" if checks[name] else "MISSED"


def app_env(args: argparse.Namespace, static_root: Path, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="0",
        SECRET_KEY="load-benchmark-secret-key-not-for-production-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        DATABASE_URL=f"postgres://servicedesk_app@127.0.0.1:5432/{DB}",
        DATABASE_SYSTEM_URL=f"postgres://servicedesk_system@127.0.0.1:5432/{DB}",
        REDIS_URL=args.redis_url,
        STATIC_ROOT=str(static_root),
        VAR_DIR=str(var_dir),
        LOG_LEVEL="WARNING",
    )
    return env


def flush_redis(url: str) -> None:
    """Our Redis database only: sign-in throttles, cache and queued tasks of earlier runs."""
    try:
        import redis  # noqa: PLC0415

        redis.Redis.from_url(url).flushdb()
    except Exception as error:  # noqa: BLE001 - the run goes on; throttles may refuse a sign-in
        print(f"  (could not flush Redis {url}: {error})")


def build_phases(
    desk: Any, tokens: dict[str, str], cookies: dict[str, str], numbers: dict[str, list[str]]
) -> list[Phase]:
    from load_desk import AGENT_EMAIL, MANAGER_EMAIL  # noqa: PLC0415

    def token(who: str) -> dict[str, str]:
        return {"Authorization": f"Token {tokens[who]}", "Accept": "application/json"}

    json_headers = {"Content-Type": "application/json"}
    bodies = create_bodies(desk.customer_services)
    comment_bodies = [
        json.dumps({"body": text})
        for text in (
            "We have checked the line from our side; the counters are clean since 10:40.",
            "A technician is on the way, arrival expected within two hours.",
            "Could you confirm that the service works again?\n\n- ping to the gateway\n- a test call",
            "Carrier ticket opened with the access provider, reference C-48812.",
        )
    ]
    list_path = f"/api/v1/tickets/?status={OPEN_STATUSES}"
    detail_paths = [f"/api/v1/tickets/{n}/" for n in numbers["all"]]
    comment_paths = [f"/api/v1/tickets/{n}/comments/" for n in numbers["open"]]
    return [
        Phase("list_customer", "API list open tickets (customer)", paths=[list_path], headers=token("customer"),
              count={"method": "GET", "path": list_path, "headers": token("customer")}),
        Phase("list_agent", "API list open tickets (agent)", paths=[list_path], headers=token("agent"),
              count={"method": "GET", "path": list_path, "headers": token("agent")}),
        Phase("list_agent_alone", "API list open tickets (agent), one request alone", paths=[list_path],
              headers=token("agent")),
        Phase("detail", "API ticket detail", paths=detail_paths, headers=token("agent"),
              count={"method": "GET", "path": detail_paths[0], "headers": token("agent")}),
        Phase("queue", "agent queue page /console/tickets/ (HTML)", paths=["/console/tickets/"],
              headers={"Cookie": cookies["agent"]}, count={"method": "GET", "path": "/console/tickets/", "login": AGENT_EMAIL}),
        Phase("queue_alone", "agent queue page, one request alone", paths=["/console/tickets/"],
              headers={"Cookie": cookies["agent"]}),
        Phase("dashboard", "SLA dashboard page /dashboard/ (manager)", paths=["/dashboard/"],
              headers={"Cookie": cookies["manager"]},
              count={"method": "GET", "path": "/dashboard/", "login": MANAGER_EMAIL}),
        Phase("report", "API SLA report /api/v1/reports/sla/ (manager)", paths=["/api/v1/reports/sla/"],
              headers=token("manager"),
              count={"method": "GET", "path": "/api/v1/reports/sla/", "headers": token("manager")}),
        Phase("create", "API create ticket (customer)", method="POST", paths=["/api/v1/tickets/"], bodies=bodies,
              headers={**token("customer"), **json_headers},
              count={"method": "POST", "path": "/api/v1/tickets/", "body": bodies[0], "headers": token("customer")}),
        Phase("comment", "API add a comment (agent)", method="POST", paths=comment_paths, bodies=comment_bodies,
              headers={**token("agent"), **json_headers},
              count={"method": "POST", "path": comment_paths[0], "body": comment_bodies[0], "headers": token("agent")}),
    ]  # fmt: skip


def create_bodies(services: list[tuple[str, str]]) -> list[str]:
    """Valid incidents on the customer's services, with the answers their questionnaire asks."""
    common = {"power_at_site": "yes", "devices_connected": "yes", "equipment_restarted": "no", "backup_line": "no"}
    # The outage began an hour before the run, not on a fixed day: the incidents the phase opens
    # stay open, and a fixed day in the past would add thousands of outages to that month's
    # figures (the dashboard's availability) for every later run.
    started = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).replace(microsecond=0).isoformat()
    bodies = []
    for n, (service_id, code) in enumerate(services * (1 + 12 // max(1, len(services)))):
        if code in ("mpls", "internet", "satellite", "vpn"):
            answers: dict[str, Any] = {**common, "symptom": "packet_loss", "source_ip": "10.20.1.15",
                                       "destination_ip": "198.51.100.20"}  # fmt: skip
            subject = f"Packet loss on {service_id} since this morning"
        elif code == "voice":
            answers = {"power_at_site": "yes", "voice_problem": "failed_calls", "calling_number": "+49 69 5550100",
                       "called_number": "+49 69 5550199", "failed_call_times": ["2026-11-19T09:14:00+01:00"]}  # fmt: skip
            subject = f"Calls drop after a minute on {service_id}"
        else:
            answers = {"power_at_site": "yes"}
            subject = f"{service_id} not reachable"
        body = {
            "kind": "incident", "service": service_id, "subject": subject,
            "description": "Since 08:10 the site cannot reach the data centre; ping to 10.20.1.1 shows 30 % loss.\n\n"
                           "The router was restarted at 08:30 without effect. Please call back on +49 69 5550 1234.",
            "impact": ("outage", "degradation")[n % 2], "urgency": ("high", "medium", "low")[n % 3],
            "problem_started_at": started, "answers": answers,
        }  # fmt: skip
        bodies.append(json.dumps(body))
    return bodies


def pick_numbers(tenant_id: int) -> dict[str, list[str]]:
    from dataset import loader_connection  # noqa: PLC0415

    conn = loader_connection()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT setseed(0.42)")
            cur.execute(
                "SELECT number FROM tickets_ticket TABLESAMPLE BERNOULLI (1) REPEATABLE (42) WHERE tenant_id = %s "
                "LIMIT 400",
                [tenant_id],
            )
            every = [r[0] for r in cur.fetchall()]
            cur.execute(
                "SELECT number FROM tickets_ticket TABLESAMPLE BERNOULLI (5) REPEATABLE (42) WHERE tenant_id = %s "
                "AND status IN ('new', 'acknowledged', 'in_progress', 'waiting_for_customer') LIMIT 400",
                [tenant_id],
            )
            opened = [r[0] for r in cur.fetchall()]
        conn.rollback()
    finally:
        conn.close()
    return {"all": every, "open": opened}


def prepare_checkout(checkout: Path, env: dict[str, str]) -> None:
    python = str(checkout / ".venv/bin/python")
    for command in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
        started = time.perf_counter()
        out = subprocess.run(
            [python, "manage.py", *command], cwd=checkout, env=env, capture_output=True, text=True, check=False
        )
        if out.returncode:
            raise SystemExit(f"manage.py {command[0]} failed:\n{out.stderr[-3000:]}")
        print(f"  manage.py {command[0]}: {time.perf_counter() - started:.1f} s")
    # The catalogues are compiled in the repository (locale/*/LC_MESSAGES/django.mo).


def print_table(results: list[Result], desk: Any, args: argparse.Namespace) -> None:
    print()
    print(
        f"Desk: {desk.sizes.tickets:,} tickets in one tenant beside {desk.sizes.small_tenants} tenants of "
        f"{desk.sizes.small_tickets}; gunicorn {args.workers} sync workers; wrk {args.connections} connections × "
        f"{args.duration} s; alone: {args.alone} single requests"
    )
    header = f"{'phase':<18} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'RSS MiB':>8} " \
             f"{'SQL/req':>7} {'other CPU':>9}  target"  # fmt: skip
    print(header)
    print("-" * len(header))
    for r in results:
        name = r.phase.name
        if r.note:
            print(f"{name:<18} {r.note}")
            continue
        sql = "—" if r.statements is None else str(r.statements)
        flag = " BUSY" if r.busy else ""
        verdict = met(r)
        print(
            f"{name:<18} {r.rps:>8.1f} {r.p50:>8.1f} {r.p95:>8.1f} {r.p99:>8.1f} {r.errors:>7} {r.rss_mib:>8.1f} "
            f"{sql:>7} {r.other_cpu:>8.2f}{flag}  {TARGETS.get(name, '')}{' ' + verdict if verdict else ''}"
        )
        if r.error_detail:
            print(f"{'':<18} errors: {r.error_detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000, help="the large tenant's tickets")
    parser.add_argument("--small-tenants", type=int, default=999)
    parser.add_argument("--small-tickets", type=int, default=100, help="tickets per small tenant")
    parser.add_argument("--rebuild", action="store_true", help="build the desk again even if it is there")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--duration", type=int, default=30, help="seconds per phase")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--alone", type=int, default=20, help="single requests for the *_alone phases")
    parser.add_argument("--only", default="", help="comma-separated phase names")
    parser.add_argument(
        "--profile", type=Path, default=None, help="record each wrk phase's workers with py-spy (raw stacks) into DIR"
    )
    parser.add_argument("--redis-url", default=REDIS_URL, help="a Redis database of the run's own (emptied first)")
    parser.add_argument("--busy-limit", type=float, default=0.25, help="other work's CPU (cores) that voids a phase")
    parser.add_argument(
        "--checkout", type=Path, default=HERE.parent, help="the code to measure (its .venv, manage.py, config.wsgi)"
    )
    args = parser.parse_args()
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    if not args.build_only and shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    global DB  # noqa: PLW0603 - one desk per database: the default sizes in bench_load, others beside it
    if (args.tickets, args.small_tenants, args.small_tickets) != (1_000_000, 999, 100):
        DB = f"bench_load_{args.tickets}"
    os.environ["BENCH_DB"] = DB
    sys.path.insert(0, str(HERE))
    import load_desk  # noqa: PLC0415 - sets Django up on bench_load

    sizes = load_desk.Sizes(args.tickets, args.small_tenants, args.small_tickets)
    desk = load_desk.ensure_desk(sizes, rebuild=args.rebuild)
    print(f"Build time: {desk.build_seconds:.0f} s{' (an earlier run)' if desk.reused else ''}")
    if args.build_only:
        return
    numbers = pick_numbers(desk.tenant_id)
    from django.db import connections  # noqa: PLC0415

    connections.close_all()

    checkout = args.checkout.resolve()
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-load-")))
        (workdir / "var").mkdir()
        env = app_env(args, workdir / "static", workdir / "var")
        print(f"Measuring {checkout} (git {git_head(checkout)})")
        prepare_checkout(checkout, env)
        flush_redis(args.redis_url)
        server = Server(checkout, env, args.port, args.workers, workdir / "gunicorn.log")
        stack.callback(server.stop)
        server.start()
        print(f"  gunicorn up: master {server.process.pid if server.process else '?'}, workers {server.worker_pids()}")
        password = load_desk.PASSWORD
        tokens = {
            "customer": api_token(args.port, load_desk.CUSTOMER_EMAIL, password),
            "agent": api_token(args.port, load_desk.AGENT_EMAIL, password),
            "manager": api_token(args.port, load_desk.MANAGER_EMAIL, password),
        }
        cookies = {
            "agent": session_cookie(args.port, load_desk.AGENT_EMAIL, password),
            "manager": session_cookie(args.port, load_desk.MANAGER_EMAIL, password),
            "customer": session_cookie(args.port, load_desk.CUSTOMER_EMAIL, password),
        }
        smoke(args.port, tokens, cookies, numbers)
        phases = [p for p in build_phases(desk, tokens, cookies, numbers) if not only or p.name in only]
        print("  counting SQL statements per request (one of each, in-process) …")
        counts = count_statements(phases, checkout, env)
        results = []
        for phase in phases:
            print(f"  {phase.name}: {phase.title} …", flush=True)
            if phase.name.endswith("_alone"):
                r = measure_alone(phase, args, server)
            else:
                r = measure(phase, args, server, workdir)
            counted = counts.get(phase.name) or counts.get(phase.name.removesuffix("_alone"))
            if counted:
                r.statements = counted["statements"]
            results.append(r)
            print(f"    {r.rps:.1f} req/s, p50 {r.p50:.1f} ms, p95 {r.p95:.1f} ms, p99 {r.p99:.1f} ms, "
                  f"errors {r.errors}, other CPU {r.other_cpu:.2f}", flush=True)  # fmt: skip
        print_table(results, desk, args)
        if args.profile is not None:
            print(f"\nWhere the workers' time went (py-spy, {args.profile}):")
            for r in results:
                if not r.note and not r.phase.name.endswith("_alone"):
                    print(f"  {r.phase.name}: {profile_summary(args.profile, r.phase.name)}")
        log = (workdir / "gunicorn.log").read_text()
        errors = [line for line in log.splitlines() if "Traceback" in line or "ERROR" in line]
        if errors:
            print(f"\ngunicorn's log has {len(errors)} error lines; the last part:\n{log[-3000:]}")
        server.stop()
    if any(r.busy for r in results):
        print("\nBUSY: other work used more than --busy-limit of a core during a marked phase (run twice).")


def smoke(port: int, tokens: dict[str, str], cookies: dict[str, str], numbers: dict[str, list[str]]) -> None:
    """The app reads the desk as its own: lists have rows, pages render (200) for each role."""

    def api(who: str, path: str) -> tuple[int, Any]:
        status, body = request(port, "GET", path, headers={"Authorization": f"Token {tokens[who]}"})
        return status, json.loads(body) if status == 200 else body[:200]

    status, mine = api("customer", f"/api/v1/tickets/?status={OPEN_STATUSES}")
    own = mine["results"][0]["number"] if status == 200 and mine["results"] else numbers["all"][0]
    lines = [
        f"customer's open tickets: {status}, {len(mine['results']) if status == 200 else mine} on the first page",
    ]
    status, every = api("agent", f"/api/v1/tickets/?status={OPEN_STATUSES}")
    lines.append(
        f"agent's open tickets: {status}, {len(every['results']) if status == 200 else every} on the first page"
    )
    pages = [
        ("agent", "/console/tickets/"), ("agent", f"/console/tickets/{numbers['all'][0]}/"),
        ("agent", f"/console/tickets/{numbers['open'][0]}/"), ("manager", "/dashboard/"),
        ("customer", "/portal/tickets/"), ("customer", f"/portal/tickets/{own}/"),
    ]  # fmt: skip
    for who, path in pages:
        status, body = request(port, "GET", path, headers={"Cookie": cookies[who]})
        lines.append(f"{who} {path}: {status}, {len(body):,} bytes")
    print("  the app reads the desk: " + "; ".join(lines))
    if any(" 200" not in line.split(":")[1][:5] for line in lines):
        print("  WARNING: a page or list did not answer 200 (above)")


def git_head(checkout: Path) -> str:
    git = shutil.which("git") or "git"
    out = subprocess.run([git, "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return out.stdout.strip() or "?"


if __name__ == "__main__":
    main()

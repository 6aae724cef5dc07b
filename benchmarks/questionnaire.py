"""Benchmark: the questionnaire section page, warm and cold, saving it, and the review list of a big cycle.

    python benchmarks/questionnaire.py [--databases sqlite postgresql] [--departments 3000]
                                       [--duration 10] [--rounds 3] [--clients 1 4]

For each database it builds a synthetic council (3,000 departments by default,
one open cycle, a 60-question section), serves the production app (wsgi.py, so
freeze_startup_objects() runs as it does in production) with gunicorn, 2 sync
workers, the project's app/gunicorn_hooks.py, on loopback, and drives it with wrk at
1 client (latency without queueing) and at 4 (throughput of both workers):

- a plain Jinja page with the same 60 questions, its template compiled once
  (benchmarks/bench_wsgi.py: same app, hooks and server, no database), the floor;
- /healthz (one SELECT 1), the floor of any request that touches the database;
- the section page of an EMPTY return and of a HALF-ANSWERED one (30 of the 60
  questions, with text, numbers and evidence), each WARM and COLD.
  Warm: every question block comes from the per-process cache of finished blocks
  (app/respond/question_html.py), as for a page viewed again unchanged.
  Cold: the bench app forgets those blocks at the start of each request carrying
  "X-Bench-Cold: blocks" (a hook in bench_wsgi.py only), so all 60 are made again
  for the values shown: what a return costs whose answers this worker has not
  shown before, the usual case at 3,000 returns (the cache holds 4,096 blocks,
  3,000 returns of 60 questions are 180,000). Kept: what does not depend on the
  answers, each question's form (its HTML with holes for the answers, worked out
  once from the macros per question and place) and the definition parsed from
  its snapshot, as in any worker that has served the definition once.
  "Answers that change each request" would not do: the cache is keyed on the
  values shown, so only the changed blocks would be cold.
- the half-answered page AFTER A RESTART: "X-Bench-Cold: all" forgets the forms
  too, so each request pays what the first page of a definition costs a newly
  started worker (every form worked out from the macros again). No goal: shown
  so that nothing is hidden.
- a save of the section (POST; its number question changes each time, so each
  save writes), on a third return of the lead officer, so the two above stay as built;
- the cycle's review list, /cycles/1, as the community safety officer.

Each measurement runs once per round, in turns (round 1: all of them, round 2:
all again ...), after the server is idle again (a sync worker finishes requests
whose client has gone), and the table gives medians with their range over the
rounds. The load average is printed before and after.

Worker deaths: the server's stderr is kept and scanned for any worker that died
(a signal such as SIGSEGV, a non-zero exit, a timeout, a worker booted to
replace one); they are printed, with the end of the log, and the script exits 1
after the figures. Workers run with faulthandler on (wsgi.py, app/gunicorn_hooks.py),
so a crash in C leaves a Python traceback in that log. The server is stopped as
systemd stops a service, SIGTERM to every process of the group at once, which
used to kill workers mid-exit (see app/gunicorn_hooks.py): that shows here too.

Goals, per database: the warm section page serves at least 0.5x the compiled plain
page's requests/s (4 clients); the cold section page's p50 is under 20 ms (1
client); the review list's p50 is under 200 ms at 3,000 returns (1 client).

Needs wrk (Debian: apt-get install wrk) and, for PostgreSQL, a server on
127.0.0.1:5432 (TEST_POSTGRES_URL to use another).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import Spread, print_load, verdict  # noqa: E402

PASSWORD = "benchmark passphrase for everyone"
SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnop"
WORKERS = 2
COLD_HEADER = "X-Bench-Cold"  # bench_wsgi.py clears the question HTML caches for requests carrying it
HALF = 30  # questions answered on the half-answered return: q01 to q30, every type among them

WARM_RATIO_GOAL = 0.5
COLD_P50_GOAL_MS = 20.0
REVIEW_P50_GOAL_MS = 200.0


# --------------------------------------------------------------------------- synthetic data


def sixty_question_definition() -> dict:
    questions = []
    for n in range(1, 61):
        kind = n % 6
        q: dict = {"id": f"q{n:02d}", "text": f"Question {n}: how does your department handle point {n}?"}
        if kind == 0:
            q.update(type="yes_no", target="yes", evidence={"required_for": ["yes"]})
        elif kind == 1:
            q.update(type="scale", target={"min_score": 1}, options=[
                {"value": "none", "label": "Not at all", "score": 0}, {"value": "some", "label": "In part", "score": 0.5},
                {"value": "full", "label": "Fully", "score": 1}])
        elif kind == 2:
            q.update(type="number", integer=True, min=0, max=100000, target={"min": 1}, unit="people")
        elif kind == 3:
            q.update(type="multiple_choice", target={"min_selected": 2}, options=[
                {"value": v, "label": v.title()} for v in ("crime", "substances", "reoffending", "violence")])
        elif kind == 4:
            q.update(type="long_text", required=False)
        else:
            q.update(type="percentage", target={"min": 50}, allow_not_applicable=True)
        questions.append(q)
    return {"id": "bench-departmental", "version": 1, "title": "Benchmark self-assessment", "kind": "departmental",
            "sections": [{"id": "big", "title": "Sixty questions", "questions": questions}]}


def half_answered_form(definition: dict) -> list[tuple[str, str]]:
    """A save of the first HALF questions, as a browser posts it: every type, with text and evidence."""
    questions = definition["sections"][0]["questions"]
    form = [("questions", ",".join(q["id"] for q in questions))]
    for n, q in enumerate(questions[:HALF], 1):
        name = f"q-{q['id']}"
        if q["type"] == "yes_no":
            form += [(name, "yes"), (f"{name}-evidence", f"Minutes of the meeting of {n} March, item {n}.")]
        elif q["type"] == "scale":
            form.append((name, ("none", "some", "full")[n % 3]))
        elif q["type"] == "number":
            form.append((name, str(n * 37)))
        elif q["type"] == "multiple_choice":
            form += [(name, "crime"), (name, "violence")]
        elif q["type"] == "long_text":
            form.append((name, f"Point {n} is handled by the service plan's section {n}, reviewed each quarter "
                               "with the community safety partnership & recorded in the risk register."))
        else:
            form.append((name, str(40 + n)))
    return form


@dataclass(frozen=True)
class Returns:
    """The lead officer's three returns: one left empty, one half answered, one that the save benchmark writes."""

    empty: int
    half: int
    save: int


def build_database(url: str, surveys: Path, departments: int = 3000) -> Returns:
    from flask_migrate import upgrade
    from werkzeug.datastructures import MultiDict

    from app import create_app
    from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle, open_cycle
    from app.extensions import db
    from app.models import Assignment, Department, Role, User
    from app.respond.services import Respondent, definition_of, save_section
    from app.security.passwords import hash_password

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(surveys)})
    with app.app_context():
        upgrade()
        rows = [Department(code=f"D{n:04d}", name=f"Department {n:04d}", description="", active=True)
                for n in range(1, departments + 1)]
        db.session.add_all(rows)
        password_hash = hash_password(PASSWORD)
        lead = User(name="Bench Lead", email="lead@bench.example", role=Role.LEAD_OFFICER.value,
                    password_hash=password_hash, departments=rows[:3])
        db.session.add_all([lead, User(name="Bench Officer", email="cso@bench.example",
                                       role=Role.COMMUNITY_SAFETY_OFFICER.value, password_hash=password_hash)])
        db.session.commit()
        today = date.today()
        cycle = create_cycle(None, CycleDetails("Benchmark cycle", today - timedelta(days=100),
                                                today + timedelta(days=265), today + timedelta(days=30),
                                                (QuestionnaireChoice("bench-departmental"),)))
        open_cycle(None, cycle, today)
        lead_ids = [d.id for d in rows[:3]]
        statuses = ["not_started", "in_progress", "submitted", "returned", "accepted"]
        by_department: dict[int, Assignment] = {}
        for index, assignment in enumerate(db.session.scalars(db.select(Assignment).order_by(Assignment.id))):
            by_department[assignment.department_id] = assignment
            if assignment.department_id not in lead_ids:  # the lead officer's returns stay open
                assignment.status = statuses[index % len(statuses)]
        db.session.commit()
        empty, half, save = (by_department[i] for i in lead_ids)
        with app.test_request_context():
            section = definition_of(half).sections[0]
            form = MultiDict(half_answered_form(sixty_question_definition()))
            result = save_section(Respondent(lead), half, section, form, base_version=half.version)
            if result.problems or len(result.changed) != HALF:
                raise RuntimeError(f"the half-answered return did not save: {result.problems}")
        returns = Returns(empty.id, half.id, save.id)
        db.engine.dispose()
    return returns


# --------------------------------------------------------------------------- server and its workers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    log: Path  # gunicorn's stderr: its own log and whatever a worker printed (faulthandler's tracebacks)

    def stop(self) -> None:
        """Stop as systemd does by default (KillMode=control-group): SIGTERM to the master and every worker at
        once. Each worker is then signalled twice, by us and by its master: app/gunicorn_hooks.py makes that harmless,
        and a worker killed by it shows in the log as one that died."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_gunicorn(url: str, surveys: Path, definition: Path, port: int, log: Path) -> Server:
    env = {**os.environ, "DATABASE_URL": url, "SECTION17_SURVEYS_DIR": str(surveys), "SECTION17_SECRET_KEY": SECRET,
           "BENCH_DEFINITION": str(definition), "SECTION17_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("SECTION17_ENV", None)
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--config", "python:app.gunicorn_hooks",
             "--workers", str(WORKERS), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
             "--log-level", "info", "benchmarks.bench_wsgi:app"],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=stderr)
    server = Server(process, log)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text(errors='replace')[-3000:]}")


WORKER_DEATH = re.compile(r"Worker \(pid:\d+\) (?:was sent [^!\n]+!|exited with code \d+)|WORKER TIMEOUT \(pid:\d+\)"
                          r"|Fatal Python error: .*")
BOOTED = re.compile(r"Booting worker with pid: \d+")


@dataclass(frozen=True)
class WorkerHealth:
    """What gunicorn's log says about its workers: deaths (signal, exit code, timeout, fatal error) and boots."""

    deaths: tuple[str, ...]
    boots: int

    @classmethod
    def read(cls, log_text: str) -> WorkerHealth:
        return cls(tuple(m.group(0) for m in WORKER_DEATH.finditer(log_text)), len(BOOTED.findall(log_text)))

    @property
    def replaced(self) -> int:
        """Workers booted beyond the first WORKERS: each replaced one that died."""
        return max(0, self.boots - WORKERS)

    @property
    def healthy(self) -> bool:
        return not self.deaths and not self.replaced


# --------------------------------------------------------------------------- client


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_cookie(jar: http.cookiejar.CookieJar) -> str:
    return next(f"section17_session={c.value}" for c in jar if c.name == "section17_session")


def sign_in(base: str, email: str) -> tuple[http.cookiejar.CookieJar, urllib.request.OpenerDirector]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{base}/sign-in").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD}).encode()
    try:
        opener.open(f"{base}/sign-in", data=data)
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302:
            raise
    return jar, opener


@dataclass(frozen=True)
class Target:
    """One thing wrk requests: a URL with headers, and optionally a Lua script (for the save's POST)."""

    url: str
    headers: tuple[str, ...] = ()
    script: Path | None = None


def wrk(target: Target, *, duration: int, connections: int) -> dict:
    command = ["wrk", "--latency", "--timeout", "10s", "-t", str(min(2, connections)), "-c", str(connections),
               "-d", f"{duration}s"]
    for header in target.headers:
        command += ["-H", header]
    if target.script:
        command += ["-s", str(target.script)]
    output = subprocess.run([*command, target.url], capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), "p50": ms("50%"), "p99": ms("99%"),
            "errors": (int(non_2xx.group(1)) if non_2xx else 0)
            + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0)}


def settle(base: str, *, quick_s: float = 0.1, patience_s: float = 30.0) -> None:
    """Wait until both workers are idle: requests of a run that wrk has ended may still be in hand (a sync
    worker only learns that its client left when it answers), and they would count against the next run."""
    deadline = time.monotonic() + patience_s
    while time.monotonic() < deadline:
        with ThreadPoolExecutor(WORKERS) as pool:
            times = list(pool.map(lambda _: _timed_get(f"{base}/healthz"), range(WORKERS)))
        if max(times) < quick_s:
            return
        time.sleep(0.2)


def _timed_get(url: str) -> float:
    started = time.monotonic()
    urllib.request.urlopen(url, timeout=30).read()
    return time.monotonic() - started


SAVE_VERSION = 1_000_000_000  # the version the save's form claims to be based on: see save_script


def save_script(directory: Path, form: dict[str, str]) -> Path:
    """A wrk script that posts the section with its one number question (q02) changed each time, so each save
    writes: an answer, the return's new version and an audit event.

    A person's page carries the version it was built from, and a save based on an older version than the
    last change of an answer is a conflict (409). wrk cannot read the new version from a redirect, so the
    form claims a version above any the return will reach: the conflict check runs, and finds none.
    """
    body = urllib.parse.urlencode({**form, "version": str(SAVE_VERSION)})
    script = directory / "save.lua"
    script.write_text(f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local base = "{body}"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, base .. "&q-q02=" .. (n % 100000))
end
""")
    return script


# --------------------------------------------------------------------------- run


def database_urls(names: list[str]) -> list[tuple[str, str, object]]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    out = []
    for name in names:
        if name == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="s17bench"))
            out.append(("SQLite", f"sqlite:///{folder / 'bench.sqlite'}", lambda f=folder: shutil.rmtree(f)))
        else:
            server = make_url(os.environ.get("TEST_POSTGRES_URL",
                                             "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
            database = f"section17_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{database}"'))

            def drop(database=database, admin=admin):
                with admin.connect() as connection:
                    connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                            "WHERE datname = :d"), {"d": database})
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
            out.append(("PostgreSQL", server.set(database=database).render_as_string(hide_password=False), drop))
    return out


# What is measured, in the order of the table: (key, label).
PAGES = (
    ("plain", "plain page, compiled once"),
    ("healthz", "/healthz (one SELECT 1)"),
    ("empty_warm", "section, empty return, warm"),
    ("empty_cold", "section, empty return, cold"),
    ("half_warm", "section, half answered, warm"),
    ("half_cold", "section, half answered, cold"),
    ("half_restart", "section, half, after a restart"),
    ("save", "save the section (writes)"),
    ("review", "review list /cycles/1"),
)


@dataclass
class Result:
    """One database's figures: for each (page, clients), the wrk runs of every round."""

    database: str
    departments: int
    runs: dict[tuple[str, int], list[dict]] = field(default_factory=dict)
    health: WorkerHealth = WorkerHealth((), WORKERS)
    log: Path | None = None

    def spread(self, key: str, clients: int, metric: str) -> Spread:
        return Spread(tuple(run[metric] for run in self.runs[(key, clients)]))

    def errors(self, key: str, clients: int) -> int:
        return sum(run["errors"] for run in self.runs[(key, clients)])


def targets(base: str, returns: Returns, lead_cookie: str, cso_cookie: str, save: Path) -> dict[str, Target]:
    lead, cso = f"Cookie: {lead_cookie}", f"Cookie: {cso_cookie}"
    cold, restart = f"{COLD_HEADER}: blocks", f"{COLD_HEADER}: all"

    def section(assignment_id: int) -> str:
        return f"{base}/returns/{assignment_id}/sections/big"

    return {
        "plain": Target(f"{base}/bench/plain"),
        "healthz": Target(f"{base}/healthz"),
        "empty_warm": Target(section(returns.empty), (lead,)),
        "empty_cold": Target(section(returns.empty), (lead, cold)),
        "half_warm": Target(section(returns.half), (lead,)),
        "half_cold": Target(section(returns.half), (lead, cold)),
        "half_restart": Target(section(returns.half), (lead, restart)),
        "save": Target(section(returns.save), (lead,), save),
        "review": Target(f"{base}/cycles/1", (cso,)),
    }


def prepare(base: str, returns: Returns, work: Path) -> dict[str, Target]:
    """Sign both people in; the save's form carries the CSRF token and version of the page it was read from."""
    lead_jar, lead = sign_in(base, "lead@bench.example")
    cso_jar, _ = sign_in(base, "cso@bench.example")
    page = lead.open(f"{base}/returns/{returns.save}/sections/big").read().decode()
    # The session now holds the CSRF token of the page's form: use it from here on.
    fields = dict(re.findall(r'<input type="hidden" name="(csrf_token|version|questions)" value="([^"]*)">', page))
    script = save_script(work, {**fields, "next": "later"})
    return targets(base, returns, session_cookie(lead_jar), session_cookie(cso_jar), script)


def measure_database(label: str, url: str, surveys: Path, definition_path: Path, work: Path,
                     args: argparse.Namespace) -> Result:
    print(f"\n{label}: building {args.departments:,} departments, one cycle, a 60-question section ...", flush=True)
    returns = build_database(url, surveys, args.departments)
    port = free_port()
    server = start_gunicorn(url, surveys, definition_path, port, work / f"gunicorn-{label}.log")
    result = Result(label, args.departments, log=server.log)
    try:
        base = f"http://127.0.0.1:{port}"
        pages = prepare(base, returns, work)
        for target in pages.values():  # warm up: compile templates, fill caches, open connections
            wrk(target, duration=1, connections=2)
        for number in range(1, args.rounds + 1):
            print(f"  round {number} of {args.rounds}", flush=True)
            for key, target in pages.items():
                for clients in args.clients:
                    settle(base)
                    run = wrk(target, duration=args.duration, connections=clients)
                    result.runs.setdefault((key, clients), []).append(run)
    finally:
        server.stop()
        result.health = WorkerHealth.read(server.log.read_text(errors="replace"))
    return result


# --------------------------------------------------------------------------- report


def print_table(results: list[Result], args: argparse.Namespace) -> None:
    print(f"\nGunicorn, {WORKERS} sync workers; wrk on loopback, {args.duration} s a run; median (low-high) of "
          f"{args.rounds} interleaved rounds.\nCold: the finished question blocks forgotten before each request; "
          "after a restart: their forms too.\n")
    print(f"{'database':<11} {'page':<31} {'clients':>7} {'req/s':>21} {'p50 ms':>21} {'p99 ms':>8} "
          f"{'errors':>6} {'vs plain':>8}")
    for result in results:
        for key, name in PAGES:
            for clients in args.clients:
                rps, p50 = result.spread(key, clients, "rps"), result.spread(key, clients, "p50")
                p99 = result.spread(key, clients, "p99").median
                plain = result.spread("plain", clients, "rps").median
                print(f"{result.database:<11} {name:<31} {clients:>7} {_range(rps):>21} {_range(p50, 2):>21} "
                      f"{p99:>8.1f} {result.errors(key, clients):>6} {rps.median / plain:>7.2f}x")


def _range(spread: Spread, digits: int = 1) -> str:
    f = f"{{:.{digits}f}}"
    return f"{f.format(spread.median)} ({f.format(spread.low)}-{f.format(spread.high)})"


def closing_lines(result: Result, clients: tuple[int, ...]) -> list[str]:
    """The goals' verdicts for one database, and its workers' health."""
    many, one = max(clients), min(clients)
    plain = result.spread("plain", many, "rps").median
    warm = {key: result.spread(f"{key}_warm", many, "rps").median / plain for key in ("empty", "half")}
    cold = {key: result.spread(f"{key}_cold", one, "p50").median for key in ("empty", "half")}
    review = result.spread("review", one, "p50").median
    db = result.database
    health = result.health
    return [
        verdict(f"{db}: section page warm >= {WARM_RATIO_GOAL}x the compiled plain page ({many} clients)",
                min(warm.values()) >= WARM_RATIO_GOAL,
                f"empty {warm['empty']:.2f}x, half answered {warm['half']:.2f}x of {plain:.0f} req/s"),
        verdict(f"{db}: section page cold p50 under {COLD_P50_GOAL_MS:.0f} ms ({one} client)",
                max(cold.values()) < COLD_P50_GOAL_MS,
                f"empty {cold['empty']:.1f} ms, half answered {cold['half']:.1f} ms"),
        verdict(f"{db}: review list p50 under {REVIEW_P50_GOAL_MS:.0f} ms at {result.departments:,} returns "
                f"({one} client)", review < REVIEW_P50_GOAL_MS, f"{review:.0f} ms"),
        verdict(f"{db}: no gunicorn worker died", health.healthy,
                f"{len(health.deaths)} deaths logged, {health.boots} workers booted for {WORKERS}"),
    ]


def report_dead_workers(results: list[Result]) -> bool:
    """Print every worker death with the end of the server's log; True if there was any."""
    dead = [r for r in results if not r.health.healthy]
    for result in dead:
        print(f"\n!!! {result.database}: {len(result.health.deaths)} gunicorn worker death(s), "
              f"{result.health.replaced} worker(s) replaced:", file=sys.stderr)
        for line in result.health.deaths:
            print(f"!!!   {line}", file=sys.stderr)
        if result.log is not None and result.log.exists():
            print(f"!!! end of the server's log ({result.log}):\n{result.log.read_text(errors='replace')[-4000:]}",
                  file=sys.stderr)
    return bool(dead)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--departments", type=int, default=3000, help="departments, so returns in the review list")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4], help="wrk connections, each measured")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians and ranges are reported")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs (their path is printed)")
    args = parser.parse_args()
    args.clients = tuple(sorted(set(args.clients)))
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    print_load("before")
    work = Path(tempfile.mkdtemp(prefix="s17bench-surveys"))
    surveys = work / "surveys"
    surveys.mkdir()
    definition_path = surveys / "bench-departmental.yaml"
    definition_path.write_text(yaml.safe_dump(sixty_question_definition(), sort_keys=False))
    results: list[Result] = []
    try:
        for label, url, cleanup in database_urls(args.databases):
            try:
                results.append(measure_database(label, url, surveys, definition_path, work, args))
            finally:
                cleanup()
        print_table(results, args)
        print_load("after")
        print()
        for result in results:
            for line in closing_lines(result, args.clients):
                print(line)
        died = report_dead_workers(results)
    finally:
        if args.keep_logs:
            print(f"\nServer logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if died:
        sys.exit("A gunicorn worker died during the benchmark: see its log above.")


if __name__ == "__main__":
    main()

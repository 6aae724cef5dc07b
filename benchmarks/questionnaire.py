"""Benchmark: the questionnaire section page, saving it, and the review list of a big cycle.

    python benchmarks/questionnaire.py [--databases sqlite postgresql] [--duration 10] [--rounds 3]

For each database it builds a synthetic council (300 departments, one cycle, a
60-question section), serves the app with gunicorn (2 sync workers) on
loopback, and drives it with wrk:

- GET the 60-question section page (as the lead officer),
- POST a save of that page (every request writes: one answer changes),
- GET a plain Jinja page with the same 60 questions (same server, same app),
- GET the cycle's review list of 300 returns (as the community safety officer).

It prints requests/s, p50 and p99 latency, and the ratios against the plain
page. /healthz (one SELECT 1) is measured too, as the floor of any request that
touches the database: the plain page touches none. Goals: the section page reaches at least half the plain page's
throughput; the review list renders in under 200 ms.

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
import urllib.parse
import urllib.request
import uuid
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "benchmark passphrase for everyone"
SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnop"


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


def build_database(url: str, surveys: Path) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle, open_cycle
    from app.extensions import db
    from app.models import Assignment, Department, Role, User
    from app.security.passwords import hash_password

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(surveys)})
    with app.app_context():
        upgrade()
        departments = [Department(code=f"D{n:03d}", name=f"Department {n:03d}", description="", active=True)
                       for n in range(1, 301)]
        db.session.add_all(departments)
        password_hash = hash_password(PASSWORD)
        db.session.add_all([
            User(name="Bench Lead", email="lead@bench.example", role=Role.LEAD_OFFICER.value,
                 password_hash=password_hash, departments=[departments[0]]),
            User(name="Bench Officer", email="cso@bench.example", role=Role.COMMUNITY_SAFETY_OFFICER.value,
                 password_hash=password_hash),
        ])
        db.session.commit()
        today = date.today()
        cycle = create_cycle(None, CycleDetails("Benchmark cycle", today - timedelta(days=100),
                                                today + timedelta(days=265), today + timedelta(days=30),
                                                (QuestionnaireChoice("bench-departmental"),)))
        open_cycle(None, cycle, today)
        statuses = ["not_started", "in_progress", "submitted", "returned", "accepted"]
        for index, assignment in enumerate(db.session.scalars(db.select(Assignment).order_by(Assignment.id))):
            if index:  # the lead officer's own return stays open for saving
                assignment.status = statuses[index % len(statuses)]
        db.session.commit()
        db.engine.dispose()


# --------------------------------------------------------------------------- server and client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, surveys: Path, definition: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECTION17_SURVEYS_DIR": str(surveys), "SECTION17_SECRET_KEY": SECRET,
           "BENCH_DEFINITION": str(definition), "SECTION17_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("SECTION17_ENV", None)
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", "2", "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "benchmarks.bench_wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


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


def wrk(url: str, *, cookie: str = "", duration: int, connections: int, script: Path | None = None) -> dict:
    command = ["wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{duration}s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), "p50": ms("50%"), "p99": ms("99%"),
            "errors": int(non_2xx.group(1)) if non_2xx else 0}


def save_script(directory: Path, form: dict[str, str]) -> Path:
    """A wrk script that posts the section with one number changed each time, so each save writes."""
    body = urllib.parse.urlencode(form)
    script = directory / "save.lua"
    script.write_text(f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local base = "{body}"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, base .. "&q-q03=" .. (n % 100000))
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


def measure_database(label: str, url: str, surveys: Path, definition_path: Path, work: Path,
                     args: argparse.Namespace) -> dict:
    print(f"\n{label}: building 300 departments, one cycle, a 60-question section ...", flush=True)
    build_database(url, surveys)
    port = free_port()
    server = start_gunicorn(url, surveys, definition_path, port)
    try:
        base = f"http://127.0.0.1:{port}"
        lead_jar, lead = sign_in(base, "lead@bench.example")
        cso_jar, _ = sign_in(base, "cso@bench.example")
        section = f"{base}/returns/1/sections/big"
        page = lead.open(section).read().decode()
        # The session now holds the CSRF token of the page's form: use it from here on.
        lead_cookie, cso_cookie = session_cookie(lead_jar), session_cookie(cso_jar)
        fields = dict(re.findall(r'<input type="hidden" name="(csrf_token|version|questions)" '
                                 r'value="([^"]*)">', page))
        script = save_script(work, {**fields, "overwrite": "1", "next": "later"})
        measure = {"duration": args.duration, "connections": args.connections}
        wrk(f"{base}/bench/plain", duration=2, connections=2)  # warm up
        wrk(section, cookie=lead_cookie, duration=2, connections=2)
        targets = {
            "plain": lambda: wrk(f"{base}/bench/plain", **measure),
            "healthz": lambda: wrk(f"{base}/healthz", **measure),
            "section": lambda: wrk(section, cookie=lead_cookie, **measure),
            "save": lambda: wrk(section, cookie=lead_cookie, script=script, **measure),
            "review": lambda: wrk(f"{base}/cycles/1", cookie=cso_cookie, **measure),
        }
        # Interleaved rounds, then the median of each: this machine's speed drifts
        # by more than the differences being measured.
        rounds = [{key: run() for key, run in targets.items()} for _ in range(args.rounds)]
        row: dict = {"database": label}
        for key in targets:
            runs = sorted((r[key] for r in rounds), key=lambda m: m["rps"])
            row[key] = runs[len(runs) // 2]
        return row
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="s17bench-surveys"))
    surveys = work / "surveys"
    surveys.mkdir()
    definition_path = surveys / "bench-departmental.yaml"
    definition_path.write_text(yaml.safe_dump(sixty_question_definition(), sort_keys=False))
    results = []
    try:
        for label, url, cleanup in database_urls(args.databases):
            try:
                results.append(measure_database(label, url, surveys, definition_path, work, args))
            finally:
                cleanup()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("\nGunicorn, 2 sync workers; wrk, 2 threads, "
          f"{args.connections} connections, {args.duration} s each; loopback; median of {args.rounds} "
          "interleaved rounds.\n")
    print(f"{'database':<11} {'page':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs plain':>9}")
    for row in results:
        plain = row["plain"]["rps"]
        for key, name in (("plain", "plain Jinja page, 60 questions"),
                          ("healthz", "/healthz (one database query)"), ("section", "section page, 60 questions"),
                          ("save", "save the section (writes)"), ("review", "review list, 300 returns")):
            m = row[key]
            print(f"{row['database']:<11} {name:<34} {m['rps']:>8.1f} {m['p50']:>8.1f} {m['p99']:>8.1f} "
                  f"{m['errors']:>7} {m['rps'] / plain:>8.2f}x")
    print("\nGoals: section page >= 0.5x the plain page's throughput; review list p50 under 200 ms.")
    for row in results:
        ratio = row["section"]["rps"] / row["plain"]["rps"]
        print(f"{row['database']}: section page {ratio:.2f}x plain ({'met' if ratio >= 0.5 else 'NOT met'}); "
              f"review list p50 {row['review']['p50']:.0f} ms ({'met' if row['review']['p50'] < 200 else 'NOT met'})")


if __name__ == "__main__":
    main()

"""Benchmark: search (GET /search/?q=...) across 5 cycles of answers and 10,000 extracted documents.

    python benchmarks/search.py [--databases sqlite postgresql] [--cycles 5] [--departments 300]
                                [--files 10000] [--pages 5] [--repeat 7] [--cold 3]
    python benchmarks/search.py --profile [--databases postgresql]   # where the time goes, no comparison

For each database it builds (timed, not part of the figures) a synthetic council in a
fresh database whose schema comes from the real migrations (`flask db upgrade`, so
migration 0012's generated tsvector columns and GIN indexes on PostgreSQL, its FTS5
tables and triggers on SQLite, fill the index as the rows go in): `--departments`
departments answering a 60-question self-assessment (six themed sections) in each of
`--cycles` cycles, every return submitted and every question answered with evidence
text (5 x 300 x 60 = 90,000 answers), a quarter of them with an action too; `--files`
evidence files attached to answers of those returns, each with the words of `--pages`
pages extracted (text_state 'done', about 350 words a page); three comments on every
return and an action with a progress note for every department in every cycle.
Rows are loaded with the driver (COPY on PostgreSQL, executemany on SQLite) after
the cycles are made by the product's services. PostgreSQL is then VACUUM ANALYZEd,
as autovacuum would do after such a load (it also merges the GIN indexes' pending
lists); SQLite is left as the product leaves it (no ANALYZE).

The words are made from the questionnaires' own English (surveys/*.yaml: a chain of
which word follows which), with made-up names and numbers mixed in, so documents
have a long tail of rare words (about 30,000 distinct words in 300 documents) as
real ones do. The rare word ("defibrillator") is put into 12 answers and 12 files
and nowhere else; the word that matches nothing is in no row.

Then, in a fresh process set up as a production worker is (the app created, wsgi.py's
compile_page_templates and freeze_startup_objects, signed in through the Flask test client, so no network or
queueing is in the figures), taking turns, for each query (a common word, a rare
word, two words, a word that matches nothing) it times:

- the floor: the bare full-text queries of the two big tables on the driver's own
  cursor, best 60 first, fetched (what any search page must at least do):
  SQLite  SELECT rowid FROM search_answers WHERE search_answers MATCH ? ORDER BY bm25(search_answers) LIMIT 60
          and the same on search_files;
  PostgreSQL  SELECT id FROM answers WHERE search_vector @@ websearch_to_tsquery('english', %s)
          ORDER BY ts_rank_cd(search_vector, websearch_to_tsquery('english', %s)) DESC LIMIT 60
          and the same on evidence_files;
- GET /search/?q=... as the community safety officer (sees everything);
- GET /search/?q=... as a lead officer of two departments (only their returns, and the
  actions of their departments, which they own).

Cold: `--cold` times, for each query, a fresh process creates the app, signs in and
times its FIRST search (that query), then the floor on a new driver connection. The
database's own cache (PostgreSQL's buffers, the OS page cache) stays warm: cold here
means a newly started worker, not a rebooted server.

It prints the load average before and after, how many rows each query matches, each
figure's median with its spread, its first time and its ratio to the floor. Goals
(closing lines): every query answers in under 500 ms, cold and warm, for the
community safety officer and (warm) for the lead officer.

With --profile it builds the same council and, in a fresh process, for each query
times every SQL statement the search sends (median of 3 searches), shows the plan of
the slowest (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) and the
top functions under cProfile.

SQLite in a temporary folder; PostgreSQL through a fresh database on 127.0.0.1:5432
(TEST_POSTGRES_URL to use another server), dropped afterwards.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import random
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.analysis import themed_definition, value_for  # noqa: E402
from benchmarks.common import Spread, interleaved, print_goals, print_load, verdict  # noqa: E402
from benchmarks.questionnaire import PASSWORD, database_urls  # noqa: E402

GOAL_MS = 500.0
LIMIT = 60  # app/search/services.py PER_KIND: rows of each kind considered
RARE = "defibrillator"
RARE_ROWS = 12  # answers and files that hold the rare word
QUERIES = (("common word", "safety"), ("rare word", RARE), ("two words", "domestic abuse"),
           ("matches nothing", "xylophone"))
WORDS_PER_PAGE = 350
LEAD_DEPARTMENTS = 2


# --------------------------------------------------------------------------- words


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_TOKEN = re.compile(r"[A-Za-z£][\w£'’-]*|\d[\d,.%]*")


class Prose:
    """Sentences in the questionnaires' English: each word followed by one that follows it somewhere in
    surveys/*.yaml, with made-up names and words (a tail of 40,000) and numbers mixed in."""

    def __init__(self, seed: int = 17) -> None:
        self.following: dict[str, list[str]] = {}
        for path in sorted((ROOT / "surveys").glob("*.yaml")):
            for text in _strings(yaml.safe_load(path.read_text())):
                for sentence in _SENTENCE_END.split(" ".join(text.split())):
                    words = _TOKEN.findall(sentence)
                    if len(words) >= 3:
                        for a, b in zip(["^", *words], [*words, "$"], strict=True):
                            self.following.setdefault(a, []).append(b)
        rng = random.Random(seed)
        onsets = "b bl br c ch cl cr d dr f fl g gr h j k l m n p pl pr r s sh st t th tr v w y".split()
        vowels = "a e i o u ai ea ee oo ou ay".split()
        codas = [*"n m r l s t d ck ng nd rk st ll".split(), "", "", "", ""]
        tail: set[str] = set()
        while len(tail) < 40000:
            tail.add("".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
                             for _ in range(rng.choice((1, 2, 2, 2, 3)))))
        self.tail = sorted(tail)

    def sentence(self, rng: random.Random) -> str:
        words: list[str] = []
        word, following, choice, chance = "^", self.following, rng.choice, rng.random
        while len(words) < 40:
            word = choice(following[word])
            if word == "$":
                break
            words.append(word)
            roll = chance()
            if roll < 0.02:
                words.append(choice(self.tail).title())
            elif roll < 0.05:
                words.append(choice(self.tail))
            elif roll < 0.07:
                words.append(str(rng.randint(1, 99999)))
        return " ".join(words) + "."

    def words(self, rng: random.Random, count: int) -> str:
        """Whole sentences, at least `count` words."""
        out: list[str] = []
        total = 0
        while total < count:
            out.append(self.sentence(rng))
            total += out[-1].count(" ") + 1
        return " ".join(out)

    def pages(self, rng: random.Random, pages: int, words_per_page: int = WORDS_PER_PAGE) -> str:
        """What text extraction keeps of a document: its pages' lines, about 12 words each."""
        lines: list[str] = []
        for _ in range(pages):
            words = self.words(rng, words_per_page).split()
            lines += [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
        return "\n".join(lines)


def file_name(rng: random.Random, prose: Prose, n: int) -> str:
    kind = rng.choice(["Service plan", "Minutes", "Training record", "Risk register", "Impact assessment",
                       "Partnership agreement", "Annual report", "Case review", "Procedure"])
    return f"{kind} {rng.choice(prose.tail).title()} {2020 + n % 6} v{1 + n % 4}.{rng.choice(['pdf', 'docx'])}"


def sha256_of(n: int, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}{n}".encode()).hexdigest()


# --------------------------------------------------------------------------- loading with the driver


def bulk_insert(raw: Any, dialect: str, table: str, columns: Sequence[str], rows: Iterator[tuple]) -> int:
    """Rows (naive UTC datetimes, JSON as text) into a table with the driver: COPY on PostgreSQL, executemany on
    SQLite. The database's own triggers and generated columns fill the search index. Returns the rows written."""
    count = 0
    if dialect == "postgresql":
        with raw.driver_connection.cursor() as cursor, \
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    else:
        def sqlite_rows() -> Iterator[tuple]:
            nonlocal count
            for row in rows:
                count += 1
                yield tuple(value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime)
                            else int(value) if isinstance(value, bool) else value for value in row)
        cursor = raw.cursor()
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                           sqlite_rows())
        cursor.close()
    raw.commit()
    return count


def database_size(raw: Any, dialect: str, url: str) -> str:
    if dialect == "postgresql":
        cursor = raw.cursor()
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
        cursor.close()
        return size
    return f"{Path(url.removeprefix('sqlite:///')).stat().st_size / 1e6:.0f} MB"


def build(url: str, surveys: Path, cycles: int, departments: int, files: int, pages: int) -> dict[str, Any]:
    """The synthetic council; returns what was stored and how long each part took to build."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle, open_cycle
    from app.extensions import db
    from app.models import Assignment, Department, Role, User
    from app.security.passwords import hash_password

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(surveys)})
    questions = [q for s in themed_definition()["sections"] for q in s["questions"]]
    rng = random.Random(17)
    prose = Prose()
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        timings[name] = time.perf_counter() - started
        print(f"    {name}: {timings[name]:.1f} s", flush=True)
        started = time.perf_counter()

    with app.app_context():
        upgrade()
        db.session.execute(db.insert(Department), [
            {"code": f"D{n:04d}", "name": f"Department {n:04d}", "description": "", "active": True}
            for n in range(1, departments + 1)])
        password_hash = hash_password(PASSWORD)
        leads_departments = list(db.session.scalars(db.select(Department).order_by(Department.id)
                                                    .limit(LEAD_DEPARTMENTS)))
        db.session.add_all([
            User(name="Bench Officer", email="cso@bench.example", password_hash=password_hash,
                 role=Role.COMMUNITY_SAFETY_OFFICER.value),
            User(name="Bench Auditor", email="auditor@bench.example", password_hash=password_hash,
                 role=Role.AUDITOR.value),
            User(name="Bench Lead", email="lead@bench.example", password_hash=password_hash,
                 role=Role.LEAD_OFFICER.value, departments=leads_departments)])
        db.session.commit()
        cso_id = db.session.scalar(db.select(User.id).where(User.email == "cso@bench.example"))
        lead_id = db.session.scalar(db.select(User.id).where(User.email == "lead@bench.example"))
        returns: list[tuple[int, int, int]] = []  # (assignment, cycle, department)
        first_year = date.today().year - cycles
        for year in range(first_year, first_year + cycles):
            start = date(year, 4, 1)
            cycle = create_cycle(None, CycleDetails(f"Cycle {year}", start, start + timedelta(days=364),
                                                    date.today() + timedelta(days=30),
                                                    (QuestionnaireChoice("bench-departmental"),)))
            open_cycle(None, cycle, date.today())
            db.session.execute(db.update(Assignment).where(Assignment.cycle_id == cycle.id)
                               .values(status="submitted"))
            returns += db.session.execute(db.select(Assignment.id, Assignment.cycle_id, Assignment.department_id)
                                          .where(Assignment.cycle_id == cycle.id).order_by(Assignment.id)).all()
            db.session.commit()
        dialect = db.engine.dialect.name
        lap(f"{cycles} cycles, {len(returns):,} returns (the product's services)")

        raw = db.engine.raw_connection()
        now = datetime.now(UTC).replace(tzinfo=None)
        rare_answers = set(rng.sample(range(len(returns) * len(questions)), RARE_ROWS))

        def answers() -> Iterator[tuple]:
            n = 0
            for assignment_id, _, _ in returns:
                for question in questions:
                    evidence = prose.words(rng, rng.randint(12, 40))
                    if n in rare_answers:
                        evidence += f" A {RARE} is kept at reception."
                    action = prose.words(rng, 12) if rng.random() < 0.25 else ""
                    yield (assignment_id, question["id"], json.dumps(value_for(question, rng)), False, evidence,
                           action, 1, now - timedelta(minutes=n % 50000), lead_id)
                    n += 1

        stored = {"answers": bulk_insert(raw, dialect, "answers", (
            "assignment_id", "question_id", "value", "not_applicable", "evidence", "action", "changed_in_version",
            "updated_at", "updated_by_id"), answers())}
        lap(f"{stored['answers']:,} answers with evidence text (driver)")

        rare_files = set(rng.sample(range(files), RARE_ROWS))
        characters = 0

        def evidence_files() -> Iterator[tuple]:
            nonlocal characters
            for n in range(files):
                assignment_id = returns[rng.randrange(len(returns))][0]
                text = prose.pages(rng, pages)
                if n in rare_files:
                    text += f"\nThe {RARE} in the foyer is checked each month."
                characters += len(text)
                name = file_name(rng, prose, n)
                media = "application/pdf" if name.endswith(".pdf") else \
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                yield (sha256_of(n), rng.randint(40_000, 3_000_000), media, name, assignment_id,
                       rng.choice(questions)["id"], lead_id, now - timedelta(hours=n % 9000), text, "done", pages)

        stored["files"] = bulk_insert(raw, dialect, "evidence_files", (
            "sha256", "size_bytes", "media_type", "file_name", "assignment_id", "question_id", "uploaded_by_id",
            "uploaded_at", "text", "text_state", "text_pages"), evidence_files())
        stored["file text MB"] = round(characters / 1e6)
        lap(f"{stored['files']:,} files of {pages} pages ({characters / 1e6:.0f} MB of text) (driver)")

        def comments() -> Iterator[tuple]:
            for assignment_id, _, _ in returns:
                for k in range(3):
                    reviewer = k != 2
                    yield (assignment_id, rng.choice(questions)["id"], cso_id if reviewer else lead_id,
                           "reviewer" if reviewer else "respondent", prose.words(rng, 25), now, now,
                           None, None)

        stored["comments"] = bulk_insert(raw, dialect, "answer_comments", (
            "assignment_id", "question_id", "author_id", "author_role", "body", "created_at", "shared_at",
            "resolved_at", "resolution"), comments())
        leads_own = {d.id for d in leads_departments}  # the lead officer owns their departments' actions only
        action_rows = [(cycle_id, department_id, "", "other", "", prose.words(rng, 8)[:200], prose.words(rng, 20),
                        lead_id if department_id in leads_own else cso_id, date.today() + timedelta(days=90),
                        "in_progress", "", cso_id, now, now, 1)
                       for _, cycle_id, department_id in returns]
        stored["actions"] = bulk_insert(raw, dialect, "actions", (
            "cycle_id", "department_id", "gap_text", "origin", "origin_detail", "title", "done_looks_like", "owner_id",
            "due_date", "status", "dropped_reason", "created_by_id", "created_at", "updated_at", "version"),
            iter(action_rows))
        cursor = raw.cursor()
        cursor.execute("SELECT id FROM actions ORDER BY id")
        action_ids = [row[0] for row in cursor.fetchall()]
        cursor.close()
        stored["notes"] = bulk_insert(raw, dialect, "action_notes", (
            "action_id", "written_at", "author_id", "text", "status"),
            ((action_id, now, lead_id, prose.words(rng, 30), "in_progress") for action_id in action_ids))
        lap(f"{stored['comments']:,} comments, {stored['actions']:,} actions and notes (driver)")
        if dialect == "postgresql":
            raw.driver_connection.autocommit = True
            cursor = raw.cursor()
            cursor.execute("VACUUM ANALYZE")
            cursor.close()
            lap("VACUUM ANALYZE")
        stored["database size"] = database_size(raw, dialect, url)
        raw.close()
        db.engine.dispose()
    stored["build s"] = round(sum(timings.values()))
    return stored


# --------------------------------------------------------------------------- the floor


def fts_phrase(query: str) -> str:
    """SQLite: the words as the product passes them to MATCH, each quoted, all required."""
    from app.search.engine import words_of

    return " ".join(f'"{word}"' for word in words_of(query))


FLOOR_SQL = {
    "sqlite": [f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY bm25({fts}) LIMIT {LIMIT}"
               for fts in ("search_answers", "search_files")],
    "postgresql": [f"SELECT id FROM {table} WHERE search_vector @@ websearch_to_tsquery('english', %s) "
                   f"ORDER BY ts_rank_cd(search_vector, websearch_to_tsquery('english', %s)) DESC LIMIT {LIMIT}"
                   for table in ("answers", "evidence_files")],
}


def floor_query(cursor: Any, dialect: str, query: str) -> int:
    """The bare full-text queries of answers and files on the driver's cursor, fetched; returns the rows."""
    found = 0
    for sql in FLOOR_SQL[dialect]:
        cursor.execute(sql, (fts_phrase(query),) if dialect == "sqlite" else (query, query))
        found += len(cursor.fetchall())
    return found


def driver_connection(url: str) -> Any:
    """A new connection of the driver alone, as the floor uses."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import sqlite3

        return sqlite3.connect(parsed.database)
    import psycopg

    return psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False))


def match_counts(url: str) -> dict[str, tuple[int, int]]:
    """How many answers and files each query matches (untimed)."""
    connection = driver_connection(url)
    sqlite = url.startswith("sqlite")
    cursor = connection.cursor()
    counts = {}
    for _, query in QUERIES:
        found = []
        for table, fts in (("answers", "search_answers"), ("evidence_files", "search_files")):
            if sqlite:
                cursor.execute(f"SELECT count(*) FROM {fts} WHERE {fts} MATCH ?", (fts_phrase(query),))
            else:
                cursor.execute(f"SELECT count(*) FROM {table} WHERE search_vector @@ "
                               "websearch_to_tsquery('english', %s)", (query,))
            found.append(cursor.fetchone()[0])
        counts[query] = (found[0], found[1])
    connection.close()
    return counts


# --------------------------------------------------------------------------- timing


def _app(url: str, surveys: Path):
    from app import create_app

    return create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(surveys),
                       "RATELIMIT_ENABLED": False})


def _signed_in(app: Any, email: str) -> Any:
    from tests.support import WebClient

    web = WebClient(app.test_client())
    assert web.sign_in(email, PASSWORD).status_code == 302
    return web


HITS = re.compile(r"(\d+) match(?:es)? in (\d+) place")


def search_path(query: str) -> str:
    return "/search/?" + urllib.parse.urlencode({"q": query})


def _search(web: Any, query: str) -> str:
    response = web.get(search_path(query))
    assert response.status_code == 200, (query, response.status_code)
    page = response.get_data(as_text=True)
    found = HITS.search(page)
    return f"{found.group(1)} hits in {found.group(2)} groups" if found else "nothing found"


def time_warm(url: str, surveys: Path, repeat: int) -> tuple[dict[str, Spread], dict[str, float], dict[str, str]]:
    """Floor, officer and lead officer for every query, taking turns, in this (fresh) process."""
    from app.heap import freeze_startup_objects

    app = _app(url, surveys)
    officer = _signed_in(app, "cso@bench.example")
    lead = _signed_in(app, "lead@bench.example")
    freeze_startup_objects()
    connection = driver_connection(url)
    cursor = connection.cursor()
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    calls = {}
    for _, query in QUERIES:
        calls[f"floor|{query}"] = lambda q=query: floor_query(cursor, dialect, q)
        calls[f"officer|{query}"] = lambda q=query: _search(officer, q)
        calls[f"lead|{query}"] = lambda q=query: _search(lead, q)
    spreads, first = interleaved(calls, repeat)
    connection.close()
    shown = {}
    for _, query in QUERIES:
        shown[f"officer {query}"] = _search(officer, query)
        shown[f"lead {query}"] = _search(lead, query)
    return spreads, first, shown


def time_cold(url: str, surveys: Path, query: str) -> tuple[float, float]:
    """In this fresh process, started as wsgi.py starts a worker (page templates compiled, start-up objects
    frozen): the officer's first search (this query), then the floor on a new connection (ms)."""
    from app.heap import freeze_startup_objects
    from app.templating import compile_page_templates

    app = _app(url, surveys)
    officer = _signed_in(app, "cso@bench.example")
    compile_page_templates(app)
    freeze_startup_objects()
    started = time.perf_counter()
    _search(officer, query)
    page = (time.perf_counter() - started) * 1000
    connection = driver_connection(url)
    cursor = connection.cursor()
    started = time.perf_counter()
    floor_query(cursor, "sqlite" if url.startswith("sqlite") else "postgresql", query)
    floor = (time.perf_counter() - started) * 1000
    connection.close()
    return page, floor


def in_fresh_process(function, *args):
    """Run in a new Python process: a newly started worker, with none of the build's heap."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


# --------------------------------------------------------------------------- profile


def profile(url: str, surveys: Path, top: int = 14) -> str:
    """Every statement a search sends, timed; the slowest one's plan; cProfile's top functions."""
    import cProfile
    import io
    import pstats

    from sqlalchemy import event

    from app.extensions import db

    app = _app(url, surveys)
    officer = _signed_in(app, "cso@bench.example")
    _search(officer, "warm up")
    out: list[str] = []
    with app.app_context():
        engine = db.engine
    statements: list[tuple[str, Any, float]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters, (time.perf_counter() - conn.info["bench_started"]) * 1000))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    slowest_overall: tuple[str, Any, float] | None = None
    for label, query in QUERIES:
        totals: list[float] = []
        by_statement: dict[str, list[float]] = {}
        kept: dict[str, Any] = {}
        for _ in range(3):
            statements.clear()
            started = time.perf_counter()
            _search(officer, query)
            totals.append((time.perf_counter() - started) * 1000)
            for statement, parameters, ms in statements:
                by_statement.setdefault(statement, []).append(ms)
                kept[statement] = parameters
        total = statistics.median(totals)
        in_sql = sum(sum(v) for v in by_statement.values()) / 3
        out.append(f"\n  {label} {query!r}: {total:.0f} ms a search, {in_sql:.0f} ms of it in "
                   f"{sum(len(v) for v in by_statement.values()) // 3} SQL statements (median of 3):")
        ranked = sorted(by_statement.items(), key=lambda item: -sum(item[1]))
        for statement, times in ranked[:8]:
            head = " ".join(statement.split())
            out.append(f"    {sum(times) / 3:7.1f} ms  x{len(times) // 3}  {head[:150]}{'...' if len(head) > 150 else ''}")
        statement, times = ranked[0]
        if slowest_overall is None or sum(times) / 3 > slowest_overall[2]:
            slowest_overall = (statement, kept[statement], sum(times) / 3)
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    if slowest_overall is not None:
        statement, parameters, ms = slowest_overall
        with app.app_context():
            raw = db.engine.raw_connection()
            cursor = raw.cursor()
            explain = ("EXPLAIN (ANALYZE, BUFFERS) " if db.engine.dialect.name == "postgresql"
                       else "EXPLAIN QUERY PLAN ")
            cursor.execute(explain + statement, parameters)
            plan = [" | ".join(str(c) for c in row) for row in cursor.fetchall()]
            cursor.close()
            raw.close()
        out.append(f"\n  The slowest statement ({ms:.0f} ms), with parameters {parameters!r}:\n    "
                   + " ".join(statement.split()) + "\n  its plan:\n    " + "\n    ".join(plan))
    profiler = cProfile.Profile()
    _, query = QUERIES[0]  # the common word: the most rows to rank
    profiler.enable()
    for _ in range(3):
        _search(officer, query)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        stream = io.StringIO()
        # By cumulative time, only the project's code and templates (and the GOV.UK macros): where the time goes.
        restrictions = (r"templates/|/app/",) if order == "cumulative" else ()
        pstats.Stats(profiler, stream=stream).sort_stats(order).print_stats(*restrictions, top)
        text = stream.getvalue()
        out.append(f"\n  cProfile, 3 searches for {query!r}, top {top} by {order}:\n"
                   + text[text.find("ncalls"):].rstrip())
    return "\n".join(out)


# --------------------------------------------------------------------------- run


def measure(label: str, url: str, surveys: Path, args: argparse.Namespace) -> list[str]:
    """Build, time and print one database; returns its closing lines."""
    print(f"\n{label}: building {args.cycles} cycles x {args.departments:,} departments x 60 answers, "
          f"{args.files:,} files of {args.pages} pages ...", flush=True)
    started = time.perf_counter()
    stored = in_fresh_process(build, url, surveys, args.cycles, args.departments, args.files, args.pages)
    print(f"  built in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{key} {value:,}" if isinstance(value, int) else f"{key} {value}"
                      for key, value in stored.items()), flush=True)
    counts = match_counts(url)
    for what, query in QUERIES:
        print(f"  {what} {query!r} matches {counts[query][0]:,} answers and {counts[query][1]:,} files")
    if args.profile:
        print(in_fresh_process(profile, url, surveys))
        return []
    print_load("before")
    spreads, first, shown = in_fresh_process(time_warm, url, surveys, args.repeat)
    cold: dict[str, list[tuple[float, float]]] = {query: [] for _, query in QUERIES}
    for _ in range(args.cold):
        for _, query in QUERIES:
            cold[query].append(in_fresh_process(time_cold, url, surveys, query))
    print_load("after")
    print(f"  {'':34} {'median (low-high, IQR, n)':>38} {'first':>9} {'x floor':>8}")
    lines = []
    for what, query in QUERIES:
        floor = spreads[f"floor|{query}"].median
        print(f"  {what} {query!r}: officer sees {shown[f'officer {query}']}, lead officer "
              f"{shown[f'lead {query}']}")
        for who, name in (("floor", "floor (2 bare FTS queries)"), ("officer", "search, community safety officer"),
                          ("lead", "search, lead officer")):
            spread = spreads[f"{who}|{query}"]
            print(f"    {name:32} {spread.text():>38} {first[f'{who}|{query}']:7.0f}ms "
                  f"{spread.median / floor:7.1f}x")
        cold_page = Spread(tuple(page for page, _ in cold[query]))
        cold_floor = Spread(tuple(floor_ms for _, floor_ms in cold[query]))
        print(f"    {'cold: first search, new process':32} {cold_page.text():>38} {'':9} "
              f"{cold_page.median / cold_floor.median:7.1f}x")
        print(f"    {'cold: floor, new connection':32} {cold_floor.text():>38}")
        warm = spreads[f"officer|{query}"].median
        lines.append(verdict(
            f"{label}: search for {what} {query!r} under {GOAL_MS:.0f} ms, cold and warm (officer)",
            max(warm, cold_page.median) < GOAL_MS,
            f"warm {warm:.0f} ms, cold {cold_page.median:.0f} ms, {max(warm, cold_page.median) / GOAL_MS:.2f}x the "
            f"goal, {warm / floor:.1f}x the floor warm, {cold_page.median / cold_floor.median:.1f}x cold"))
        lead = spreads[f"lead|{query}"].median
        lines.append(verdict(f"{label}: search for {what} {query!r} under {GOAL_MS:.0f} ms (lead officer, warm)",
                             lead < GOAL_MS, f"{lead:.0f} ms, {lead / GOAL_MS:.2f}x the goal, "
                                             f"{lead / floor:.1f}x the floor"))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--departments", type=int, default=300)
    parser.add_argument("--files", type=int, default=10000, help="evidence files with extracted words")
    parser.add_argument("--pages", type=int, default=5, help="pages of words in each file")
    parser.add_argument("--repeat", type=int, default=7, help="warm rounds (interleaved)")
    parser.add_argument("--cold", type=int, default=3, help="fresh processes per query for the cold figures")
    parser.add_argument("--profile", action="store_true", help="where the time goes, instead of the comparison")
    args = parser.parse_args()
    closing: list[str] = []
    with tempfile.TemporaryDirectory(prefix="s17search") as work:
        surveys = Path(work) / "surveys"
        surveys.mkdir()
        (surveys / "bench-departmental.yaml").write_text(yaml.safe_dump(themed_definition(), sort_keys=False))
        for label, url, cleanup in database_urls(args.databases):
            try:
                closing += measure(label, url, surveys, args)
            finally:
                cleanup()
    print_goals(closing)


if __name__ == "__main__":
    main()

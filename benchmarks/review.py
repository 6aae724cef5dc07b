"""Benchmark: the review page of one big return: 60 answers, 200 comments, 50 evidence files, what changed.

    python benchmarks/review.py [--databases sqlite postgresql] [--departments 300] [--comments 200]
                                [--files 50] [--file-pages 5] [--repeat 15] [--cold 5]
    python benchmarks/review.py --profile [--databases postgresql]   # where the time goes, no comparison

For each database it builds a synthetic council in a fresh database whose schema
comes from the real migrations (`flask db upgrade`): `--departments` departments
answering a 60-question self-assessment (six themed sections) in one open cycle,
every return submitted, each with a few comments and evidence files of its own. One
return, the one measured, has been through a round of review: submitted (submission
1), commented on by the community safety officer, returned, changed by its two lead
officers (a dozen answers, some files attached since and two removed) who replied to
some comments, and submitted again (submission 2), so the page computes "what changed
since submission 1". It holds:

- all 60 answers, each with evidence text, a quarter with a planned action, ten of
  them marked "evidence checked";
- `--comments` comments (200) over 45 of the questions: half the reviewer's from the
  first round (shared when the return went back; of those a third resolved by the
  change, a quarter by a reply, some by the reviewer, the rest still open), 30% the
  lead officers' replies, and 20% the reviewer's new drafts on the resubmission;
- `--files` evidence files (50) over 30 questions, rows only (the page never reads
  the bytes; it does read every column of each row, so each has its extracted words,
  `--file-pages` pages of them, as a file whose text was extracted has; 3 are scans
  without words), 40 attached before submission 1 and 10 since;
- its history (started, submitted, returned with a reason, submitted again) in the audit log.

Then, in a fresh process set up as a production worker is (the app created, wsgi.py's
compile_page_templates and freeze_startup_objects, signed in as the community safety officer through the Flask
test client, so no network or queueing is in the figures), taking turns, it times:

- the floor: the bare SELECTs of what the page shows on the driver's own cursor,
  fetched: the return's answers (values as JSON text), its comments with their
  authors' names, its files' shown columns with the uploader's name, and the
  submission compared with (its answers as JSON text);
- GET /review/<id>, the review page (every answer, with comment forms: the return
  waits for a decision);
- GET /review/<id>?show=changed (only the changed answers), for information.

Cold: `--cold` fresh processes each start as a production worker does (wsgi.py: every
page template compiled, then the start-up objects frozen; the compiling time is
printed), sign in and time their FIRST review page, then the floor on a new driver
connection. The database's own cache stays warm: cold here means a newly started
worker, not a rebooted server. Taking turns with them, as many fresh processes do the
same without compiling first (the development server's way: each template compiled
when a page first needs it), for comparison.

It prints the load average before and after, what the page holds, its size and
number of SQL statements, each figure's median with its spread, its first time and
its ratio to the floor. Goals (closing lines): the review page renders in under
300 ms, warm (median of `--repeat`) and cold (median of `--cold` first requests).

With --profile it builds the same council and, in a fresh process, times every SQL
statement the page sends (median of 5 pages) and shows the top functions under cProfile, of
its first page (cold) and of 5 pages after it (warm).

SQLite in a temporary folder; PostgreSQL through a fresh database on 127.0.0.1:5432
(TEST_POSTGRES_URL to use another server), dropped afterwards.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.analysis import themed_definition, value_for  # noqa: E402
from benchmarks.common import Spread, interleaved, print_goals, print_load, verdict  # noqa: E402
from benchmarks.questionnaire import PASSWORD, database_urls  # noqa: E402
from benchmarks.search import Prose, driver_connection, file_name, in_fresh_process, sha256_of  # noqa: E402

GOAL_MS = 300.0
CHANGED = 12  # answers changed between the two submissions
CHECKED = 10  # answers whose evidence the reviewer has checked
COMMENTED_QUESTIONS = 45
FILED_QUESTIONS = 30
FILES_SINCE = 0.2  # share of the files attached after submission 1
OTHERS_COMMENTS, OTHERS_FILES = 5, 3  # on every other return, so the tables hold more than this return's rows


def _value_changed(question: dict, value: Any, rng: random.Random) -> Any:
    for _ in range(20):
        other = value_for(question, rng)
        if other != value:
            return other
    return value


def build(url: str, surveys: Path, departments: int, comments: int, files: int, file_pages: int) -> dict[str, Any]:
    """The synthetic council; returns the measured return's id and what it holds."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle, open_cycle
    from app.extensions import db
    from app.models import (
        Answer,
        AnswerComment,
        Assignment,
        AuditEvent,
        Department,
        EvidenceFile,
        Role,
        Submission,
        User,
    )
    from app.security.passwords import hash_password

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(surveys)})
    questions = [q for s in themed_definition()["sections"] for q in s["questions"]]
    rng = random.Random(17)
    prose = Prose()
    now = datetime.now(UTC).replace(microsecond=0)
    # The measured return's story: submitted, reviewed and returned, changed, submitted again yesterday.
    started_at, first_submitted = now - timedelta(days=40), now - timedelta(days=30)
    returned_at, resubmitted = now - timedelta(days=20), now - timedelta(days=1)
    with app.app_context():
        upgrade()
        db.session.execute(db.insert(Department), [
            {"code": f"D{n:04d}", "name": f"Department {n:04d}", "description": "", "active": True}
            for n in range(1, departments + 1)])
        target_department = db.session.scalar(db.select(Department).order_by(Department.id).limit(1))
        password_hash = hash_password(PASSWORD)
        cso = User(name="Bench Officer", email="cso@bench.example", password_hash=password_hash,
                   role=Role.COMMUNITY_SAFETY_OFFICER.value)
        leads = [User(name=f"Lead Officer {n}", email=f"lead{n}@bench.example", password_hash=password_hash,
                      role=Role.LEAD_OFFICER.value, departments=[target_department]) for n in (1, 2)]
        db.session.add_all([cso, *leads])
        db.session.commit()
        cso_id, lead_ids = cso.id, [lead.id for lead in leads]
        start = date(date.today().year, 4, 1) - timedelta(days=365 if date.today().month < 4 else 0)
        cycle = create_cycle(None, CycleDetails(f"Cycle {start.year}", start, start + timedelta(days=364),
                                                date.today() + timedelta(days=30),
                                                (QuestionnaireChoice("bench-departmental"),)))
        open_cycle(None, cycle, date.today())
        db.session.execute(db.update(Assignment).where(Assignment.cycle_id == cycle.id)
                           .values(status="submitted", submission_count=1, started_at=started_at,
                                   submitted_at=first_submitted, submitted_by_id=lead_ids[0]))
        returns = list(db.session.scalars(db.select(Assignment.id).where(Assignment.cycle_id == cycle.id)
                                          .order_by(Assignment.department_id)))
        target_id, others = returns[0], returns[1:]

        # Every other return: its answers, a few comments and files.
        rows = []
        for assignment_id in others:
            for question in questions:
                if rng.random() < 0.05:
                    continue
                rows.append({"assignment_id": assignment_id, "question_id": question["id"],
                             "value": value_for(question, rng), "not_applicable": False,
                             "evidence": prose.words(rng, rng.randint(10, 30)), "action": "",
                             "changed_in_version": 1, "updated_at": first_submitted})
        db.session.execute(db.insert(Answer), rows)
        db.session.execute(db.insert(AnswerComment), [
            {"assignment_id": assignment_id, "question_id": rng.choice(questions)["id"], "author_id": cso_id,
             "author_role": "reviewer", "body": prose.words(rng, 25), "created_at": now, "shared_at": None}
            for assignment_id in others for _ in range(OTHERS_COMMENTS)])
        db.session.execute(db.insert(EvidenceFile), [
            {"sha256": sha256_of(n, "other"), "size_bytes": rng.randint(40_000, 3_000_000),
             "media_type": "application/pdf", "file_name": file_name(rng, prose, n), "assignment_id": assignment_id,
             "question_id": rng.choice(questions)["id"], "uploaded_by_id": lead_ids[0],
             "uploaded_at": first_submitted, "text": prose.pages(rng, file_pages), "text_state": "done",
             "text_pages": file_pages}
            for n, assignment_id in enumerate(a for a in others for _ in range(OTHERS_FILES))])
        db.session.commit()

        # The measured return: its answers now, and as they were at submission 1.
        now_answers: dict[str, dict[str, Any]] = {}
        for n, question in enumerate(questions):
            now_answers[question["id"]] = {
                "value": value_for(question, rng), "not_applicable": False,
                "evidence": prose.words(rng, rng.randint(15, 45)),
                "action": prose.words(rng, 15) if n % 4 == 0 else ""}
        changed = rng.sample([q["id"] for q in questions], CHANGED)
        by_id = {q["id"]: q for q in questions}
        before = {qid: dict(answer) for qid, answer in now_answers.items()}
        for k, qid in enumerate(changed):
            if k % 2 == 0:
                before[qid]["value"] = _value_changed(by_id[qid], now_answers[qid]["value"], rng)
            else:
                before[qid]["evidence"] = prose.words(rng, 20)
        checked = set(rng.sample([q["id"] for q in questions], CHECKED))
        db.session.execute(db.insert(Answer), [
            {"assignment_id": target_id, "question_id": qid, **answer,
             "changed_in_version": 3 if qid in changed else 1,
             "updated_at": returned_at + timedelta(days=5) if qid in changed else first_submitted,
             "updated_by_id": lead_ids[1] if qid in changed else lead_ids[0],
             "evidence_checked_at": now - timedelta(hours=2) if qid in checked else None,
             "evidence_checked_by_id": cso_id if qid in checked else None}
            for qid, answer in now_answers.items()])

        filed = rng.sample([q["id"] for q in questions], FILED_QUESTIONS)
        since = round(files * FILES_SINCE)
        file_rows = []
        for n in range(files):
            early = n < files - since
            scan = n % 17 == 5
            file_rows.append({
                "sha256": sha256_of(n, "target"), "size_bytes": rng.randint(40_000, 3_000_000),
                "media_type": "application/pdf", "file_name": file_name(rng, prose, n), "assignment_id": target_id,
                "question_id": filed[n % len(filed)], "uploaded_by_id": lead_ids[0] if early else lead_ids[1],
                "uploaded_at": (first_submitted - timedelta(days=2, minutes=n) if early
                                else returned_at + timedelta(days=3, minutes=n)),
                "text": "" if scan else prose.pages(rng, file_pages), "text_state": "scanned" if scan else "done",
                "text_pages": file_pages})
        db.session.execute(db.insert(EvidenceFile), file_rows)
        early_files = db.session.execute(
            db.select(EvidenceFile.id, EvidenceFile.question_id, EvidenceFile.file_name)
            .where(EvidenceFile.assignment_id == target_id, EvidenceFile.uploaded_at < first_submitted)
            .order_by(EvidenceFile.id)).all()
        kept_then: dict[str, dict[str, Any]] = {qid: dict(answer) for qid, answer in before.items()}
        for file_id, qid, name in early_files:
            kept_then[qid].setdefault("files", []).append([file_id, name])
        for k, qid in enumerate(filed[:2]):  # two files removed since submission 1
            kept_then[qid].setdefault("files", []).append([10_000_000 + k, f"Superseded plan {k + 1}.pdf"])
        kept_now = {qid: dict(answer) for qid, answer in now_answers.items()}
        for file_id, qid, name in db.session.execute(
                db.select(EvidenceFile.id, EvidenceFile.question_id, EvidenceFile.file_name)
                .where(EvidenceFile.assignment_id == target_id).order_by(EvidenceFile.id)):
            kept_now[qid].setdefault("files", []).append([file_id, name])
        db.session.add_all([
            Submission(assignment_id=target_id, number=1, submitted_at=first_submitted, submitted_by_id=lead_ids[0],
                       answers=kept_then),
            Submission(assignment_id=target_id, number=2, submitted_at=resubmitted, submitted_by_id=lead_ids[1],
                       answers=kept_now)])

        # The conversation: the first round's comments (shared when it went back), replies, new drafts.
        commented = rng.sample([q["id"] for q in questions], COMMENTED_QUESTIONS)
        first_round, replies = comments // 2, round(comments * 0.3)
        drafts = comments - first_round - replies
        comment_rows = []
        for n in range(first_round):
            qid = commented[n % len(commented)]
            row = {"assignment_id": target_id, "question_id": qid, "author_id": cso_id, "author_role": "reviewer",
                   "body": prose.words(rng, rng.randint(15, 60)),
                   "created_at": first_submitted + timedelta(days=2, minutes=n), "shared_at": returned_at}
            share = n / first_round
            if share < 1 / 3:
                row.update(resolved_at=returned_at + timedelta(days=5), resolved_by_id=lead_ids[1],
                           resolution="changed")
            elif share < 7 / 12:
                row.update(resolved_at=returned_at + timedelta(days=6), resolved_by_id=lead_ids[0],
                           resolution="replied")
            elif share < 3 / 4:
                row.update(resolved_at=resubmitted + timedelta(hours=2), resolved_by_id=cso_id,
                           resolution="reviewer")
            comment_rows.append(row)
        for n in range(replies):
            created = returned_at + timedelta(days=6, minutes=n)
            comment_rows.append({"assignment_id": target_id, "question_id": commented[n % len(commented)],
                                 "author_id": lead_ids[n % 2], "author_role": "respondent",
                                 "body": prose.words(rng, rng.randint(10, 40)), "created_at": created,
                                 "shared_at": created})
        for n in range(drafts):
            comment_rows.append({"assignment_id": target_id, "question_id": commented[(n * 7) % len(commented)],
                                 "author_id": cso_id, "author_role": "reviewer",
                                 "body": prose.words(rng, rng.randint(15, 60)),
                                 "created_at": resubmitted + timedelta(hours=3, minutes=n), "shared_at": None})
        for row in comment_rows:
            for key in ("resolved_at", "resolved_by_id", "resolution"):
                row.setdefault(key, None)
        db.session.execute(db.insert(AnswerComment), comment_rows)

        def event(when: datetime, actor: int, action: str, summary: str, after: dict) -> dict[str, Any]:
            return {"occurred_at": when, "actor_id": actor, "actor_email": None, "action": action,
                    "object_type": "assignment", "object_id": str(target_id), "summary": summary, "after": after}

        db.session.execute(db.insert(AuditEvent), [
            event(started_at, lead_ids[0], "assignment.started", "Started the return", {"status": "in_progress"}),
            event(first_submitted, lead_ids[0], "assignment.submitted", "Submitted the return",
                  {"status": "submitted"}),
            event(returned_at, cso_id, "assignment.returned", "Sent the return for Department 0001 back for changes",
                  {"status": "returned", "reason": prose.words(rng, 40)}),
            event(resubmitted, lead_ids[1], "assignment.submitted", "Submitted the return", {"status": "submitted"}),
            *(event(row["created_at"], row["author_id"], "comment.added", "Commented", {"body": row["body"]})
              for row in comment_rows)])
        db.session.execute(db.update(Assignment).where(Assignment.id == target_id).values(
            submission_count=2, submitted_at=resubmitted, submitted_by_id=lead_ids[1], reviewed_at=returned_at,
            reviewed_by_id=cso_id, return_reason="See the comments on each answer."))
        db.session.commit()
        held = {"assignment": target_id, "answers": len(now_answers), "changed": CHANGED,
                "comments": len(comment_rows), "open": sum(1 for r in comment_rows if r["author_role"] == "reviewer"
                                                           and not r.get("resolved_at")),
                "drafts": drafts, "files": files, "files since": since,
                "file text KB": round(sum(len(r["text"]) for r in file_rows) / 1000),
                "returns": len(returns)}
        db.engine.dispose()
    return held


# --------------------------------------------------------------------------- the floor


def floor_sql(dialect: str) -> list[str]:
    mark = "%s" if dialect == "postgresql" else "?"
    return [
        "SELECT question_id, CAST(value AS TEXT), not_applicable, evidence, action, carried_over, "
        f"evidence_checked_at, evidence_checked_by_id FROM answers WHERE assignment_id = {mark}",
        "SELECT c.id, c.question_id, c.author_role, c.body, c.created_at, c.shared_at, c.resolved_at, c.resolution, "
        "c.author_id, u.name FROM answer_comments c LEFT JOIN users u ON u.id = c.author_id "
        f"WHERE c.assignment_id = {mark} ORDER BY c.created_at, c.id",
        "SELECT f.id, f.question_id, f.file_name, f.size_bytes, f.uploaded_at, f.first_uploaded_at, f.text_state, "
        "u.name FROM evidence_files f LEFT JOIN users u ON u.id = f.uploaded_by_id "
        f"WHERE f.assignment_id = {mark} ORDER BY f.uploaded_at, f.id",
        f"SELECT number, submitted_at, CAST(answers AS TEXT) FROM submissions WHERE assignment_id = {mark} "
        f"AND number = {mark}",
    ]


def floor_query(cursor: Any, dialect: str, assignment_id: int) -> int:
    """The bare SELECTs of the return's answers, comments, files and the submission compared with, fetched."""
    found = 0
    for n, sql in enumerate(floor_sql(dialect)):
        cursor.execute(sql, (assignment_id, 1) if n == 3 else (assignment_id,))
        found += len(cursor.fetchall())
    return found


# --------------------------------------------------------------------------- timing


def _app(url: str, surveys: Path):
    from app import create_app

    return create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(surveys),
                       "RATELIMIT_ENABLED": False})


def _signed_in(app: Any) -> Any:
    from tests.support import WebClient

    web = WebClient(app.test_client())
    assert web.sign_in("cso@bench.example", PASSWORD).status_code == 302
    return web


def _page(web: Any, path: str) -> int:
    response = web.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(response.get_data())


def _dialect(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def time_warm(url: str, surveys: Path, assignment_id: int, repeat: int
              ) -> tuple[dict[str, Spread], dict[str, float], dict[str, Any]]:
    """Floor and pages, taking turns, in this (fresh) process; then the page's size and statements, untimed."""
    from sqlalchemy import event

    from app.extensions import db
    from app.heap import freeze_startup_objects

    app = _app(url, surveys)
    web = _signed_in(app)
    freeze_startup_objects()
    connection = driver_connection(url)
    cursor = connection.cursor()
    dialect = _dialect(url)
    path = f"/review/{assignment_id}"
    spreads, first = interleaved({
        "floor (bare SELECTs)": lambda: floor_query(cursor, dialect, assignment_id),
        "review page": lambda: _page(web, path),
        "review page, changed only": lambda: _page(web, path + "?show=changed"),
    }, repeat)
    connection.close()
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    facts = {"page KB": _page(web, path) / 1000, "statements": len(statements)}
    event.remove(engine, "before_cursor_execute", count)
    return spreads, first, facts


def time_cold(url: str, surveys: Path, assignment_id: int, precompiled: bool = True) -> tuple[float, float, float]:
    """In this fresh process: the first review page, then the floor on a new connection (ms). With `precompiled`
    (what wsgi.py does) every page template is compiled first, and the third figure is how long that took;
    without, templates are compiled as pages first need them (the development server's way)."""
    from app.heap import freeze_startup_objects
    from app.templating import compile_page_templates

    app = _app(url, surveys)
    web = _signed_in(app)
    compiling = 0.0
    if precompiled:
        started = time.perf_counter()
        compile_page_templates(app)
        compiling = (time.perf_counter() - started) * 1000
    freeze_startup_objects()
    started = time.perf_counter()
    _page(web, f"/review/{assignment_id}")
    page = (time.perf_counter() - started) * 1000
    connection = driver_connection(url)
    cursor = connection.cursor()
    started = time.perf_counter()
    floor_query(cursor, _dialect(url), assignment_id)
    floor = (time.perf_counter() - started) * 1000
    connection.close()
    return page, floor, compiling


def profile(url: str, surveys: Path, assignment_id: int, top: int = 16) -> str:
    """Every statement the page sends, timed (median of 5 pages); cProfile's top functions."""
    import cProfile

    from sqlalchemy import event

    from app.extensions import db

    app = _app(url, surveys)
    web = _signed_in(app)
    path = f"/review/{assignment_id}"
    out = []
    cold = cProfile.Profile()
    started = time.perf_counter()
    cold.enable()
    _page(web, path)
    cold.disable()
    out.append(f"\n  the first page of this process (cold) took {(time.perf_counter() - started) * 1000:.0f} ms "
               "under cProfile")
    out += _top(cold, "cold, the first page", top)
    with app.app_context():
        engine = db.engine
    statements: list[tuple[str, float]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, (time.perf_counter() - conn.info["bench_started"]) * 1000))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    totals, by_statement = [], {}
    for _ in range(5):
        statements.clear()
        started = time.perf_counter()
        _page(web, path)
        totals.append((time.perf_counter() - started) * 1000)
        for statement, ms in statements:
            by_statement.setdefault(statement, []).append(ms)
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    in_sql = sum(sum(v) for v in by_statement.values()) / 5
    out += [f"\n  review page: {statistics.median(totals):.0f} ms, {in_sql:.1f} ms of it in "
           f"{sum(len(v) for v in by_statement.values()) // 5} SQL statements (SQL time as the driver returns, "
           "before SQLAlchemy makes objects):"]
    for statement, times in sorted(by_statement.items(), key=lambda item: -sum(item[1]))[:10]:
        head = " ".join(statement.split())
        out.append(f"    {sum(times) / 5:6.1f} ms  x{len(times) // 5}  {head[:140]}{'...' if len(head) > 140 else ''}")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        _page(web, path)
    profiler.disable()
    out += _top(profiler, "5 warm pages", top)
    return "\n".join(out)


def _top(profiler: Any, what: str, top: int) -> list[str]:
    import io
    import pstats

    out = []
    for order in ("cumulative", "tottime"):
        stream = io.StringIO()
        # By cumulative time, only the project's code and templates (and the GOV.UK macros): where the time goes.
        restrictions = (r"templates/|/app/",) if order == "cumulative" else ()
        pstats.Stats(profiler, stream=stream).sort_stats(order).print_stats(*restrictions, top)
        text = stream.getvalue()
        out.append(f"\n  cProfile, {what}, top {top} by {order}:\n" + text[text.find("ncalls"):].rstrip())
    return out


# --------------------------------------------------------------------------- run


def measure(label: str, url: str, surveys: Path, args: argparse.Namespace) -> list[str]:
    """Build, time and print one database; returns its closing lines."""
    print(f"\n{label}: building {args.departments:,} returns; the measured one with 60 answers, "
          f"{args.comments} comments, {args.files} files ...", flush=True)
    started = time.perf_counter()
    held = in_fresh_process(build, url, surveys, args.departments, args.comments, args.files, args.file_pages)
    assignment_id = held.pop("assignment")
    print(f"  built in {time.perf_counter() - started:.0f} s; the return (/review/{assignment_id}) holds "
          + ", ".join(f"{key} {value:,}" for key, value in held.items()), flush=True)
    if args.profile:
        print(in_fresh_process(profile, url, surveys, assignment_id))
        return []
    print_load("before")
    spreads, first, facts = in_fresh_process(time_warm, url, surveys, assignment_id, args.repeat)
    cold, lazy = [], []
    for _ in range(args.cold):  # taking turns: as a production worker starts (wsgi.py), and compiling lazily
        cold.append(in_fresh_process(time_cold, url, surveys, assignment_id))
        lazy.append(in_fresh_process(time_cold, url, surveys, assignment_id, False))
    print_load("after")
    print(f"  the page: {facts['page KB']:.0f} KB of HTML, {facts['statements']} SQL statements")
    floor = spreads["floor (bare SELECTs)"].median
    print(f"  {'':34} {'median (low-high, IQR, n)':>38} {'first':>9} {'x floor':>8}")
    for name, spread in spreads.items():
        print(f"  {name:34} {spread.text():>38} {first[name]:7.0f}ms {spread.median / floor:7.1f}x")
    cold_page = Spread(tuple(page for page, _, _ in cold))
    cold_floor = Spread(tuple(floor_ms for _, floor_ms, _ in cold))
    compiling = Spread(tuple(ms for _, _, ms in cold))
    lazy_page = Spread(tuple(page for page, _, _ in lazy))
    print(f"  {'cold: first page, new worker':34} {cold_page.text():>38} {'':9} "
          f"{cold_page.median / cold_floor.median:7.1f}x   (templates compiled at start-up, as wsgi.py does: "
          f"{compiling.text()})")
    print(f"  {'cold: floor, new connection':34} {cold_floor.text():>38}")
    print(f"  {'cold, templates compiled lazily':34} {lazy_page.text():>38} {'':9} "
          f"{lazy_page.median / cold_floor.median:7.1f}x   (the development server: each template compiled "
          f"when a page first needs it)")
    warm = spreads["review page"].median
    return [
        verdict(f"{label}: review page under {GOAL_MS:.0f} ms, warm", warm < GOAL_MS,
                f"{warm:.0f} ms, {warm / GOAL_MS:.2f}x the goal, {warm / floor:.1f}x the floor"),
        verdict(f"{label}: review page under {GOAL_MS:.0f} ms, cold (first page of a new process)",
                cold_page.median < GOAL_MS,
                f"{cold_page.median:.0f} ms, {cold_page.median / GOAL_MS:.2f}x the goal, "
                f"{cold_page.median / cold_floor.median:.1f}x the floor's first run"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--departments", type=int, default=300, help="returns in the cycle")
    parser.add_argument("--comments", type=int, default=200, help="comments on the measured return")
    parser.add_argument("--files", type=int, default=50, help="evidence files on the measured return")
    parser.add_argument("--file-pages", type=int, default=5, help="pages of extracted words in each file")
    parser.add_argument("--repeat", type=int, default=15, help="warm rounds (interleaved)")
    parser.add_argument("--cold", type=int, default=5, help="fresh processes for the cold figures")
    parser.add_argument("--profile", action="store_true", help="where the time goes, instead of the comparison")
    args = parser.parse_args()
    closing: list[str] = []
    with tempfile.TemporaryDirectory(prefix="s17review") as work:
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

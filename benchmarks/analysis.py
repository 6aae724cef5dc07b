"""Benchmark: the heatmap page, the gap register and the review list of a large council.

    python benchmarks/analysis.py [--databases sqlite postgresql] [--departments 300 1000 3000]
                                  [--cycles 3] [--repeat 9]

For each size it builds a synthetic council: that many departments answering a
60-question self-assessment in each of `--cycles` cycles (any number; the periods run
back from this year), every return submitted, answers spread so that about a third of
them are gaps. Then, in a fresh process set up as a production worker is (the app
created, wsgi.py's freeze_startup_objects, signed in as the community safety
officer through the Flask test client, so no network or queueing is in the figures),
taking turns, it times for the latest cycle:

- a bare SELECT of the cycle's submitted answers (the driver's own cursor, one row per
  answer, values as their JSON text, fetched: the floor of anything that reads them),
- the pages' own query (one row per return, its answers as JSON) fetched and decoded,
- GET /cycles/<id>/results (the heatmap), its chart drawn on every request (charts
  are not cached: app/results/charts.py writes them in about a millisecond),
- GET /cycles/<id>/gaps (the gap register, first page),
- GET /cycles/<id> (the review list of every return).

It prints the load average before and after, each figure's median with its spread,
its first (cold) time and its ratio to the bare SELECT. Goals (closing lines): the
heatmap and the gap register under 300 ms at 1,000 departments and
under 1 s at 3,000 (under 300 ms at smaller sizes too); the review list under 200 ms
at 3,000 returns.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import Spread, interleaved, print_load, verdict  # noqa: E402
from benchmarks.questionnaire import PASSWORD, database_urls, sixty_question_definition  # noqa: E402

THEMES = ("functions", "awareness", "leadership", "planning", "decisions", "training")


def themed_definition() -> dict:
    """The 60 questions split into six themed sections of ten."""
    questions = sixty_question_definition()["sections"][0]["questions"]
    sections = [{"id": theme, "title": theme.title(), "tags": {"theme": theme},
                 "questions": questions[i * 10:(i + 1) * 10]} for i, theme in enumerate(THEMES)]
    return {"id": "bench-departmental", "version": 1, "title": "Benchmark self-assessment", "kind": "departmental",
            "sections": sections}


def value_for(question: dict, rng: random.Random):
    kind = question["type"]
    if kind == "yes_no":
        return rng.choice(["yes", "yes", "no"])
    if kind == "scale":
        return rng.choice(["none", "some", "full", "full"])
    if kind == "number":
        return rng.choice([0, 3, 12])
    if kind == "multiple_choice":
        return rng.sample(["crime", "substances", "reoffending", "violence"], rng.randint(1, 4))
    if kind == "long_text":
        return "We work with the community safety team on this."
    return float(rng.choice([20, 60, 80]))


def build(url: str, surveys: Path, departments: int, cycles: int) -> int:
    """The synthetic council; returns the latest cycle's id."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle, open_cycle
    from app.extensions import db
    from app.models import Answer, Assignment, Department, Role, User
    from app.security.passwords import hash_password

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(surveys)})
    questions = [q for s in themed_definition()["sections"] for q in s["questions"]]
    rng = random.Random(17)
    with app.app_context():
        upgrade()
        db.session.execute(db.insert(Department), [
            {"code": f"D{n:04d}", "name": f"Department {n:04d}", "description": "", "active": True}
            for n in range(1, departments + 1)])
        db.session.add(User(name="Bench Officer", email="cso@bench.example", password_hash=hash_password(PASSWORD),
                            role=Role.COMMUNITY_SAFETY_OFFICER.value))
        db.session.commit()
        latest = 0
        now = datetime.now(UTC)
        first_year = date.today().year - cycles
        for year in range(first_year, first_year + cycles):
            start = date(year, 4, 1)  # every period starts in the past, however many cycles
            cycle = create_cycle(None, CycleDetails(f"Cycle {year}", start, start + timedelta(days=364),
                                                    date.today() + timedelta(days=30),
                                                    (QuestionnaireChoice("bench-departmental"),)))
            open_cycle(None, cycle, date.today())
            ids = list(db.session.scalars(db.select(Assignment.id).where(Assignment.cycle_id == cycle.id)))
            db.session.execute(db.update(Assignment).where(Assignment.cycle_id == cycle.id)
                               .values(status="submitted"))
            rows = []
            for assignment_id in ids:
                for question in questions:
                    if rng.random() < 0.05:
                        continue  # a few left unanswered
                    rows.append({"assignment_id": assignment_id, "question_id": question["id"],
                                 "value": value_for(question, rng), "not_applicable": False, "evidence": "",
                                 "action": "", "changed_in_version": 1, "updated_at": now})
            db.session.execute(db.insert(Answer), rows)
            db.session.commit()
            latest = cycle.id
        db.engine.dispose()
        return latest


def time_pages(url: str, surveys: Path, cycle_id: int, repeat: int) -> tuple[dict[str, Spread], dict[str, float]]:
    """Time the pages in this process, set up as a production worker is (see wsgi.py)."""
    from app import create_app
    from app.extensions import db
    from app.heap import freeze_startup_objects
    from app.results.loading import cycle_returns_query
    from tests.support import WebClient

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(surveys),
                      "RATELIMIT_ENABLED": False})
    web = WebClient(app.test_client())
    assert web.sign_in("cso@bench.example", PASSWORD).status_code == 302
    freeze_startup_objects()
    counted = ("submitted", "returned", "accepted")

    def page(path: str):
        def call():
            response = web.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return call

    def bare_select():
        """The driver's own cursor, no SQLAlchemy rows, values as text (psycopg would parse jsonb): the floor."""
        with app.app_context():
            cursor = db.session.connection().connection.dbapi_connection.cursor()
            marks = ", ".join(["%s" if db.engine.dialect.name == "postgresql" else "?"] * (len(counted) + 1))
            cursor.execute("SELECT answers.assignment_id, answers.question_id, CAST(answers.value AS TEXT), "
                           "answers.not_applicable "
                           "FROM answers JOIN assignments ON assignments.id = answers.assignment_id "
                           f"WHERE assignments.cycle_id = {marks.split(', ')[0]} "
                           f"AND assignments.status IN ({', '.join(marks.split(', ')[1:])})", (cycle_id, *counted))
            cursor.fetchall()
            cursor.close()
            db.session.remove()

    def json_rows():
        with app.app_context():
            connection = db.session.connection()
            rows = connection.execute(cycle_returns_query(cycle_id, statuses=counted, details=False,
                                                          respondent_types=["department"],
                                                          dialect=connection.dialect.name)).all()
            [json.loads(row[-1]) for row in rows if row[-1]]
            db.session.remove()

    return interleaved({
        "bare SELECT of the answers": bare_select,
        "pages' query, decoded": json_rows,
        "heatmap (chart drawn)": page(f"/cycles/{cycle_id}/results"),
        "gap register": page(f"/cycles/{cycle_id}/gaps"),
        "review list": page(f"/cycles/{cycle_id}"),
    }, repeat)


def in_fresh_process(function, *args):
    """Run in a new Python process: building the answers leaves a heap no server worker has."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def page_goal(departments: int) -> float:
    """The heatmap's and gap register's goal in ms: 300 up to 1,000 departments, 1 s at 3,000."""
    return 300.0 if departments <= 1000 else 1000.0


def measure(label: str, url: str, surveys: Path, departments: int, cycles: int, repeat: int) -> list[str]:
    """Build, time and print one database at one size; returns its closing lines."""
    print(f"\n{label}: building {departments:,} departments x 60 questions x {cycles} cycles ...", flush=True)
    started = time.perf_counter()
    cycle_id = in_fresh_process(build, url, surveys, departments, cycles)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    print_load("before")
    spreads, first = in_fresh_process(time_pages, url, surveys, cycle_id, repeat)
    print_load("after")
    floor = spreads["bare SELECT of the answers"].median
    print(f"  {'':28} {'median (low-high, IQR, n)':>38} {'first':>9} {'x SELECT':>9}")
    for name, spread in spreads.items():
        print(f"  {name:28} {spread.text():>38} {first[name]:7.0f}ms {spread.median / floor:8.1f}x")
    goal = page_goal(departments)
    lines = []
    for name in ("heatmap (chart drawn)", "gap register"):
        median = spreads[name].median
        lines.append(verdict(f"{label}, {departments:,} departments: {name} under {goal:.0f} ms", median < goal,
                             f"{median:.0f} ms, {median / goal:.2f}x the goal, {median / floor:.1f}x the bare SELECT"))
    if departments >= 3000:
        median = spreads["review list"].median
        lines.append(verdict(f"{label}, {departments:,} returns: review list under 200 ms", median < 200,
                             f"{median:.0f} ms, {median / 200:.2f}x the goal"))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--departments", nargs="+", type=int, default=[300, 1000, 3000])
    parser.add_argument("--cycles", type=int, default=3, help="cycles of answers in the database (any number)")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    closing: list[str] = []
    with tempfile.TemporaryDirectory(prefix="s17analysis") as work:
        surveys = Path(work) / "surveys"
        surveys.mkdir()
        (surveys / "bench-departmental.yaml").write_text(yaml.safe_dump(themed_definition(), sort_keys=False))
        for departments in args.departments:
            for label, url, cleanup in database_urls(args.databases):
                try:
                    closing += measure(label, url, surveys, departments, args.cycles, args.repeat)
                finally:
                    cleanup()
    print("\nGoals:")
    for line in closing:
        print(f"  {line}")


if __name__ == "__main__":
    main()

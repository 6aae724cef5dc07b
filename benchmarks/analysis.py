"""Benchmark: the heatmap page and the gap register of a large council.

    python benchmarks/analysis.py [--databases sqlite postgresql] [--repeat 9]

Builds a synthetic council: 300 departments answering a 60-question self-assessment
in each of 5 cycles (90,000 returns' answers in all, every return submitted, answers
spread so that about a third of them are gaps). For the latest cycle it times, in
the app (Flask test client, signed in as the community safety officer):

- GET /cycles/<id>/results (the heatmap, with its chart),
- GET /cycles/<id>/gaps (the gap register, first page of 100),
- reading the cycle's rows only: the one query the pages use, its rows fetched and each return's
  answers decoded from JSON, nothing else.

It prints the median, best and first (cold) time of each, and each page's ratio to
reading the rows. Goal: each page under 300 ms median.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.questionnaire import PASSWORD, database_urls, sixty_question_definition  # noqa: E402

DEPARTMENTS = 300
CYCLES = 5
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


def build(url: str, surveys: Path) -> int:
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
        db.session.add_all([Department(code=f"D{n:03d}", name=f"Department {n:03d}", description="", active=True)
                            for n in range(1, DEPARTMENTS + 1)])
        db.session.add(User(name="Bench Officer", email="cso@bench.example", password_hash=hash_password(PASSWORD),
                            role=Role.COMMUNITY_SAFETY_OFFICER.value))
        db.session.commit()
        latest = 0
        now = datetime.now(UTC)
        for year in range(CYCLES):
            start = date(2022 + year, 4, 1)
            cycle = create_cycle(None, CycleDetails(f"Cycle {2022 + year}", start, start + timedelta(days=364),
                                                    date.today() + timedelta(days=30),
                                                    (QuestionnaireChoice("bench-departmental"),)))
            open_cycle(None, cycle, date.today())
            rows = []
            for assignment in db.session.scalars(db.select(Assignment).where(Assignment.cycle_id == cycle.id)):
                assignment.status = "submitted"
                for question in questions:
                    if rng.random() < 0.05:
                        continue  # a few left unanswered
                    rows.append({"assignment_id": assignment.id, "question_id": question["id"],
                                 "value": value_for(question, rng), "not_applicable": False, "evidence": "",
                                 "action": "", "changed_in_version": 1, "updated_at": now})
            db.session.execute(db.insert(Answer), rows)
            db.session.commit()
            latest = cycle.id
        db.engine.dispose()
        return latest


def timed(calls: dict[str, object], repeat: int) -> dict[str, dict[str, float]]:
    """Time each call `repeat` + 1 times, taking turns, so that a slow spell of the machine
    (seen here: the same work 1.5x slower for a minute) falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat + 1):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: {"first": t[0], "median": statistics.median(t[1:]), "best": min(t[1:])}
            for name, t in times.items()}


def time_pages(url: str, surveys: Path, cycle_id: int, repeat: int) -> dict[str, dict[str, float]]:
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

    def page(path: str):
        def call():
            response = web.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return call

    def rows_only():
        with app.app_context():
            connection = db.session.connection()
            rows = connection.execute(cycle_returns_query(cycle_id, statuses=("submitted", "returned", "accepted"),
                                                          details=False, dialect=connection.dialect.name)).all()
            [json.loads(row[-1]) for row in rows if row[-1]]
            db.session.remove()

    results = timed({
        "read the cycle's rows only": rows_only,
        "heatmap page": page(f"/cycles/{cycle_id}/results"),
        "gap register page": page(f"/cycles/{cycle_id}/gaps"),
    }, repeat)
    with app.app_context():
        db.engine.dispose()
    return results


def in_fresh_process(function, *args):
    """Run in a new Python process: building 90,000 answers leaves a heap no server worker has."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def measure(label: str, url: str, surveys: Path, repeat: int) -> dict[str, dict[str, float]]:
    print(f"\n{label}: building {DEPARTMENTS} departments x 60 questions x {CYCLES} cycles ...", flush=True)
    started = time.perf_counter()
    cycle_id = in_fresh_process(build, url, surveys)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    results = in_fresh_process(time_pages, url, surveys, cycle_id, repeat)
    floor = results["read the cycle's rows only"]["median"]
    print(f"  {'':28} {'median':>9} {'best':>9} {'first':>9} {'x rows':>8}")
    for name, figures in results.items():
        print(f"  {name:28} {figures['median']:7.0f}ms {figures['best']:7.0f}ms {figures['first']:7.0f}ms "
              f"{figures['median'] / floor:7.1f}x")
    for name in ("heatmap page", "gap register page"):
        verdict = "meets" if results[name]["median"] < 300 else "MISSES"
        print(f"  {name}: {verdict} the 300 ms goal")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="s17analysis") as work:
        surveys = Path(work) / "surveys"
        surveys.mkdir()
        (surveys / "bench-departmental.yaml").write_text(yaml.safe_dump(themed_definition(), sort_keys=False))
        for label, url, cleanup in database_urls(args.databases):
            try:
                measure(label, url, surveys, args.repeat)
            finally:
                cleanup()


if __name__ == "__main__":
    main()

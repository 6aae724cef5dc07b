"""Reading a cycle's returns and answers for analysis: one query.

The query reads each matching return (one nobody has started still appears) with
its department or peer partnership, and all its answers as one JSON object. Its
rows become the returns and stored answers app.analysis.frame.score_records takes,
which makes the long frame: one row per return and question.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Text, and_, cast, false, func, literal, select

from app.analysis.frame import StoredAnswers, empty_frame, score_records
from app.extensions import db
from app.models import Answer, Assignment, Cycle, Department, PeerPartnership, QuestionnaireSnapshot, User
from app.questionnaires.definition import Definition
from app.questionnaires.registry import definition_from_snapshot

# Returns whose answers count in council-wide figures: put forward by the department at least once.
SUBMITTED_STATUSES = ("submitted", "returned", "accepted")


@dataclass(frozen=True)
class CycleData:
    """A cycle's scored frame and the definitions behind it."""

    cycle: Cycle
    frame: pd.DataFrame
    definitions: dict[int, Definition]


def answers_json(details: bool, dialect: str):
    """A correlated subquery: a return's answers as one JSON object, question id -> answer.

    With `details` each answer is a list: the value, the not-applicable flag, the
    evidence, the action, when the answer was last changed and by whom, and its id. Without, each
    answer is that list's JSON *text* (a string inside the object), e.g.
    "[\"yes\", false]": identical answers are then identical strings, which the scoring
    tells apart by hashing alone and decodes once per distinct answer, not once per
    answer (app.analysis.frame.score_records; a third of the heatmap's scoring time at
    3,000 departments). One row per return with its answers in one JSON text is read
    and decoded (by the C json parser) far faster than one row per answer: on 300
    departments x 60 questions, about a fifth of the time (benchmarks/analysis.py).
    """
    if dialect == "postgresql":  # json, not jsonb: half the time to build, and the text is all we want
        build_list, aggregate, value = func.json_build_array, func.json_object_agg, Answer.value
    else:
        build_list, aggregate, value = func.json_array, func.json_group_object, func.json(Answer.value)
    parts = [value, Answer.not_applicable]
    if details:
        parts += [Answer.evidence, Answer.action, Answer.updated_at, User.name, Answer.id]
        answer = build_list(*parts)
    elif dialect == "postgresql":
        answer = cast(build_list(*parts), Text)
    else:  # SQLite keeps a JSON array as JSON through CAST; concatenating makes it plain text
        answer = build_list(*parts).op("||")(literal(""))
    query = select(cast(aggregate(Answer.question_id, answer), Text)).select_from(Answer)
    if details:
        query = query.outerjoin(User, User.id == Answer.updated_by_id)
    # an answer carried over from last year and not yet confirmed is not an answer: results leave it out
    return query.where(Answer.assignment_id == Assignment.id, Answer.carried_over == false()).scalar_subquery()


def cycle_returns_query(cycle_id: int, *, respondent_types: Iterable[str] | None = None,
                        statuses: Iterable[str] | None = None, department_ids: Iterable[int] | None = None,
                        details: bool = True, dialect: str = "sqlite"):
    """The one query: every matching return of the cycle, each with all its answers as JSON.

    Council-wide pages never show evidence or who answered when, so they ask without
    `details`. `dialect` picks the JSON functions: SQLite's or PostgreSQL's.
    """
    conditions = [Assignment.cycle_id == cycle_id]
    if respondent_types is not None:
        conditions.append(Assignment.respondent_type.in_(list(respondent_types)))
    if statuses is not None:
        conditions.append(Assignment.status.in_(list(statuses)))
    if department_ids is not None:
        conditions.append(Assignment.department_id.in_(list(department_ids)))
    return (
        select(Assignment.id, Assignment.snapshot_id, Assignment.respondent_type, Assignment.department_id,
               Department.name, Assignment.peer_partnership_id, PeerPartnership.name, PeerPartnership.is_own,
               Assignment.status, answers_json(details, dialect))
        .select_from(Assignment)
        .outerjoin(Department, Department.id == Assignment.department_id)
        .outerjoin(PeerPartnership, PeerPartnership.id == Assignment.peer_partnership_id)
        .where(and_(*conditions))
        .order_by(Assignment.id)
    )


def _changed_at(text: str | None) -> datetime | None:
    """A stored UTC time as JSON gave it (SQLite: "2026-12-01 09:30:00.5", PostgreSQL: ISO with a T)."""
    if not text:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def decode_answers(text: str | None) -> dict[str, list | str]:
    """One return's answers from the query's JSON: question id -> [value, not applicable, ...details].

    Without details each answer stays its JSON text (see answers_json).
    """
    if not text:
        return {}
    answers = json.loads(text)
    if isinstance(next(iter(answers.values()), None), list):  # encoded answers stay as they are
        for answer in answers.values():
            if len(answer) > 4:
                answer[4] = _changed_at(answer[4])
    return answers


def split_rows(rows: Iterable[tuple]) -> tuple[list[tuple], StoredAnswers]:
    """Rows of the one query as (returns in RETURN_COLUMNS order, answers by return and question)."""
    returns: list[tuple] = []
    stored: StoredAnswers = {}
    for *ret, text in rows:
        returns.append(tuple(ret))
        if text:
            stored[ret[0]] = decode_answers(text)
    return returns, stored


def _definitions(snapshot_ids: Iterable[int]) -> dict[int, Definition]:
    ids = sorted({int(i) for i in snapshot_ids})
    if not ids:
        return {}
    snapshots = db.session.scalars(select(QuestionnaireSnapshot).where(QuestionnaireSnapshot.id.in_(ids)))
    return {s.id: definition_from_snapshot(s) for s in snapshots}


def pause_collector() -> bool:
    """Pause the cyclic garbage collector; returns whether it was running (give that to resume_collector).

    Reading and scoring a large cycle makes hundreds of thousands of small objects
    (decoded answers, tuples, the frame's values), none of them in reference cycles.
    With the collector running it scans them again and again as they pile up: more
    than half the heatmap page's time on 300 departments before start-up objects were
    frozen (app/heap.py), and still 25-45 ms of a 270 ms page at 1,000 departments
    after (benchmarks/analysis.py). Reference counting frees everything as usual
    while it is paused; whatever cycles a page makes are collected once it resumes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    return was_enabled


def resume_collector(was_enabled: bool) -> None:
    if was_enabled:
        gc.enable()


@contextmanager
def collector_paused() -> Iterator[None]:
    """pause_collector for the length of a with block (see there for why)."""
    was_enabled = pause_collector()
    try:
        yield
    finally:
        resume_collector(was_enabled)


def load_cycle(cycle: Cycle, *, respondent_types: Iterable[str] | None = None,
               statuses: Iterable[str] | None = None, department_ids: Iterable[int] | None = None,
               all_labels: bool = False, details: bool = True) -> CycleData:
    with collector_paused():
        connection = db.session.connection()
        rows = connection.execute(cycle_returns_query(
            cycle.id, respondent_types=respondent_types, statuses=statuses, department_ids=department_ids,
            details=details, dialect=connection.dialect.name)).all()
        if not rows:
            return CycleData(cycle, empty_frame(), {})
        returns, stored = split_rows(rows)
        definitions = _definitions(r[1] for r in returns)
        frame = score_records(returns, stored, definitions, all_labels=all_labels)
    return CycleData(cycle, frame, definitions)

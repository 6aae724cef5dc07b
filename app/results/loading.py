"""Reading a cycle's returns and answers for analysis: one query, long rows.

The query joins each return to its answers (left outer, so a return nobody has
started still appears) and to its department or peer partnership. Its rows are
split into the two frames app.analysis.frame.score_returns takes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, select

from app.analysis.frame import RETURN_COLUMNS, StoredAnswers, empty_frame, score_records
from app.extensions import db
from app.models import Answer, Assignment, Cycle, Department, PeerPartnership, QuestionnaireSnapshot, User
from app.questionnaires.answers import AnswerValue
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


def cycle_rows_query(cycle_id: int, *, respondent_types: Iterable[str] | None = None,
                     statuses: Iterable[str] | None = None, department_ids: Iterable[int] | None = None):
    """The one query: every matching return of the cycle with each of its answers."""
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
               Assignment.status, Answer.question_id, Answer.value, Answer.not_applicable, Answer.evidence,
               Answer.action, Answer.updated_at, User.name)
        .select_from(Assignment)
        .outerjoin(Answer, Answer.assignment_id == Assignment.id)
        .outerjoin(Department, Department.id == Assignment.department_id)
        .outerjoin(PeerPartnership, PeerPartnership.id == Assignment.peer_partnership_id)
        .outerjoin(User, User.id == Answer.updated_by_id)
        .where(and_(*conditions))
        .order_by(Assignment.id)
    )


def split_rows(rows: list[tuple]) -> tuple[list[tuple], StoredAnswers]:
    """Rows of the one query as (returns in RETURN_COLUMNS order, answers by return and question)."""
    returns: dict[int, tuple] = {}
    stored: StoredAnswers = {}
    width = len(RETURN_COLUMNS)
    for row in rows:
        assignment_id = row[0]
        if assignment_id not in returns:
            returns[assignment_id] = tuple(row[:width])
        question_id, value, not_applicable, evidence, action, updated_at, updated_by = row[width:]
        if question_id is not None:
            answer = AnswerValue(value, bool(not_applicable), evidence or "", action or "")
            stored.setdefault(assignment_id, {})[question_id] = (answer, updated_at, updated_by)
    return list(returns.values()), stored


def _definitions(snapshot_ids: Iterable[int]) -> dict[int, Definition]:
    ids = sorted({int(i) for i in snapshot_ids})
    if not ids:
        return {}
    snapshots = db.session.scalars(select(QuestionnaireSnapshot).where(QuestionnaireSnapshot.id.in_(ids)))
    return {s.id: definition_from_snapshot(s) for s in snapshots}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building the frame.

    Reading and scoring a large cycle makes hundreds of thousands of small tuples,
    none of them in reference cycles; the collector would otherwise scan the growing
    heap again and again, which measured as more than half the time of the heatmap
    page on 300 departments (benchmarks/analysis.py). Reference counting still frees
    everything as usual; the collector runs again as soon as the frame is built.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_cycle(cycle: Cycle, *, respondent_types: Iterable[str] | None = None,
               statuses: Iterable[str] | None = None, department_ids: Iterable[int] | None = None,
               all_labels: bool = False) -> CycleData:
    with collector_paused():
        rows = db.session.execute(cycle_rows_query(cycle.id, respondent_types=respondent_types,
                                                   statuses=statuses, department_ids=department_ids)).all()
        if not rows:
            return CycleData(cycle, empty_frame(), {})
        returns, stored = split_rows(rows)
        definitions = _definitions(r[1] for r in returns)
        frame = score_records(returns, stored, definitions, all_labels=all_labels)
    return CycleData(cycle, frame, definitions)

"""Audit cycles: set up while a draft, opened (snapshots and assignments), closed (read-only).

A cycle opens by reading each chosen definition file afresh, storing its exact
content with its version and sha256 (reusing an identical earlier snapshot), and
creating one assignment per department for departmental questionnaires and one
for the partnership for partnership ones. Peer questionnaires go out later, by
invitation. From then on the cycle only ever uses its snapshots.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from app.audit.services import record_event
from app.extensions import db
from app.mail.messages import tell_cycle_opened
from app.models import (
    Assignment,
    Cycle,
    CycleQuestionnaire,
    CycleStatus,
    Department,
    PeerPartnership,
    QuestionnaireSnapshot,
    User,
)
from app.models.types import utcnow
from app.questionnaires import registry
from app.questionnaires.validation import DefinitionError, LoadedDefinition
from app.questionnaires.workflow import OVERDUE_LABEL, STATUS_LABELS, Status, is_overdue


@dataclass(frozen=True)
class CycleProblem(Exception):
    field: str
    message: str


@dataclass(frozen=True)
class QuestionnaireChoice:
    definition_id: str
    all_departments: bool = True
    department_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class CycleDetails:
    name: str
    period_start: date
    period_end: date
    deadline: date
    questionnaires: tuple[QuestionnaireChoice, ...] = field(default_factory=tuple)


def list_cycles() -> list[Cycle]:
    return list(db.session.scalars(select(Cycle).order_by(Cycle.period_start.desc(), Cycle.id.desc())))


def get_cycle_or_404(cycle_id: int) -> Cycle:
    return db.get_or_404(Cycle, cycle_id)


def open_cycles() -> list[Cycle]:
    """Every open cycle, the latest period first.

    More than one can be open: last year's returns may still be coming in when this
    year's cycle opens, and what waits in the older one must not drop out of sight.
    """
    return list(db.session.scalars(select(Cycle).where(Cycle.status == CycleStatus.OPEN.value)
                                   .order_by(Cycle.period_start.desc(), Cycle.id.desc())))


def _check(details: CycleDetails, *, existing: Cycle | None = None) -> None:
    name = details.name.strip()
    if not name:
        raise CycleProblem("name", "Enter a name for the cycle")
    if len(name) > 120:
        raise CycleProblem("name", "Name must be 120 characters or fewer")
    same = db.session.scalar(select(Cycle).where(func.lower(Cycle.name) == name.lower()))
    if same is not None and same is not existing:
        raise CycleProblem("name", f"There is already a cycle called {same.name}")
    if details.period_end < details.period_start:
        raise CycleProblem("period_end", "The end of the period must be the same as or after its start")
    if details.deadline < details.period_start:
        raise CycleProblem("deadline", "The deadline must be after the start of the period")
    if not details.questionnaires:
        raise CycleProblem("questionnaires", "Choose at least one questionnaire")
    definitions = registry.available()
    for choice in details.questionnaires:
        loaded = definitions.get(choice.definition_id)
        if loaded is None:
            raise CycleProblem("questionnaires", "Choose questionnaires from the list")
        if loaded.definition.kind == "departmental" and not choice.all_departments and not choice.department_ids:
            raise CycleProblem("departments", f"Choose the departments that answer {loaded.definition.title}, "
                                              "or send it to all departments")


def _apply(cycle: Cycle, details: CycleDetails) -> None:
    cycle.name = details.name.strip()
    cycle.period_start, cycle.period_end, cycle.deadline = details.period_start, details.period_end, details.deadline
    cycle.questionnaires.clear()
    db.session.flush()
    for choice in details.questionnaires:
        departments = list(db.session.scalars(select(Department).where(Department.id.in_(choice.department_ids))))
        cycle.questionnaires.append(CycleQuestionnaire(
            definition_id=choice.definition_id, all_departments=choice.all_departments,
            departments=[] if choice.all_departments else departments,
        ))


def create_cycle(actor: User | None, details: CycleDetails) -> Cycle:
    _check(details)
    cycle = Cycle(status=CycleStatus.DRAFT.value, created_by_id=actor.id if actor else None)
    db.session.add(cycle)
    _apply(cycle, details)
    db.session.flush()
    record_event("cycle.created", object_type="cycle", object_id=cycle.id, actor=actor,
                 summary=f"Set up the cycle {cycle.name}", after=cycle.as_audit_dict())
    db.session.commit()
    return cycle


def update_cycle(actor: User | None, cycle: Cycle, details: CycleDetails) -> Cycle:
    if cycle.status != CycleStatus.DRAFT.value:
        raise CycleProblem("name", "Only a cycle that has not opened yet can be changed")
    _check(details, existing=cycle)
    before = cycle.as_audit_dict()
    _apply(cycle, details)
    db.session.flush()
    record_event("cycle.updated", object_type="cycle", object_id=cycle.id, actor=actor,
                 summary=f"Changed the cycle {cycle.name}", before=before, after=cycle.as_audit_dict())
    db.session.commit()
    return cycle


def _snapshot(loaded: LoadedDefinition) -> QuestionnaireSnapshot:
    existing = db.session.scalar(select(QuestionnaireSnapshot).where(
        QuestionnaireSnapshot.definition_id == loaded.definition.id, QuestionnaireSnapshot.sha256 == loaded.sha256))
    if existing is not None:
        return existing
    snapshot = QuestionnaireSnapshot(
        definition_id=loaded.definition.id, version=loaded.definition.version, title=loaded.definition.title,
        kind=loaded.definition.kind, sha256=loaded.sha256, source=loaded.source, content=loaded.document,
    )
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def departments_answering(choice: CycleQuestionnaire) -> list[Department]:
    if choice.all_departments:
        return list(db.session.scalars(select(Department).where(Department.active.is_(True))
                                       .order_by(Department.name)))
    return [d for d in choice.departments if d.active]


def open_cycle(actor: User | None, cycle: Cycle, today: date) -> Cycle:
    """Snapshot every chosen definition and create the assignments. All or nothing."""
    if cycle.status != CycleStatus.DRAFT.value:
        raise CycleProblem("status", "This cycle has already been opened")
    if cycle.deadline < today:
        raise CycleProblem("deadline", "The deadline has passed. Change the deadline before opening the cycle")
    if not cycle.questionnaires:
        raise CycleProblem("questionnaires", "Choose at least one questionnaire before opening the cycle")
    created = 0
    for choice in cycle.questionnaires:
        try:
            loaded = registry.read_current(choice.definition_id)
        except DefinitionError as error:
            db.session.rollback()
            raise CycleProblem("questionnaires", f"The questionnaire {choice.definition_id} cannot be used: "
                                                 f"{error.problems[0]}") from None
        snapshot = _snapshot(loaded)
        choice.snapshot = snapshot
        kind = loaded.definition.kind
        if kind == "departmental":
            departments = departments_answering(choice)
            if not departments:
                db.session.rollback()
                raise CycleProblem("departments", f"No active department would answer {loaded.definition.title}")
            for department in departments:
                db.session.add(Assignment(cycle=cycle, snapshot=snapshot, respondent_type="department",
                                          department=department, status=Status.NOT_STARTED.value,
                                          due_date=cycle.deadline))
                created += 1
        elif kind == "partnership":
            db.session.add(Assignment(cycle=cycle, snapshot=snapshot, respondent_type="partnership",
                                      status=Status.NOT_STARTED.value, due_date=cycle.deadline))
            created += 1
    cycle.status = CycleStatus.OPEN.value
    cycle.opened_at = utcnow()
    db.session.flush()
    record_event("cycle.opened", object_type="cycle", object_id=cycle.id, actor=actor,
                 summary=f"Opened the cycle {cycle.name}: {created} returns requested",
                 after={"snapshots": [{"definition": c.definition_id, "version": c.snapshot.version,
                                       "sha256": c.snapshot.sha256} for c in cycle.questionnaires if c.snapshot],
                        "assignments": created})
    tell_cycle_opened(cycle)
    db.session.commit()
    return cycle


def close_cycle(actor: User | None, cycle: Cycle) -> Cycle:
    from app.evidence.services import freeze_cycle_files  # here: evidence's services read cycles' returns
    if cycle.status != CycleStatus.OPEN.value:
        raise CycleProblem("status", "Only an open cycle can be closed")
    cycle.status = CycleStatus.CLOSED.value
    cycle.closed_at = utcnow()
    freeze_cycle_files(cycle, cycle.closed_at)
    for assignment in cycle.assignments:  # names as they are now, whatever they are called later
        if assignment.department is not None:
            assignment.frozen_name, assignment.frozen_code = assignment.department.name, assignment.department.code
        elif assignment.peer_partnership is not None:
            assignment.frozen_name = assignment.peer_partnership.name
    record_event("cycle.closed", object_type="cycle", object_id=cycle.id, actor=actor,
                 summary=f"Closed the cycle {cycle.name}", before={"status": "open"}, after={"status": "closed"})
    db.session.commit()
    return cycle


# --------------------------------------------------------------------------- progress


PROGRESS_ORDER = [STATUS_LABELS[Status.NOT_STARTED], STATUS_LABELS[Status.IN_PROGRESS],
                  STATUS_LABELS[Status.SUBMITTED], STATUS_LABELS[Status.RETURNED], STATUS_LABELS[Status.ACCEPTED],
                  OVERDUE_LABEL]


@dataclass(frozen=True)
class ProgressCount:
    label: str
    count: int
    percent: float


@dataclass(frozen=True, slots=True)
class ReturnSummary:
    """What lists of returns show about one: who answers, which questionnaire, its status and dates.

    Read by one light query (cycle_returns), not as Assignment objects: loading 3,000
    assignments with their departments and snapshots through the ORM was most of the
    review list's time (benchmarks/analysis.py). `status` and `due_date` are what
    return_status reads to show the tag.
    """

    id: int
    respondent_type: str
    respondent_name: str
    title: str
    status: str
    due_date: date
    submitted_at: datetime | None


def _respondent_name(respondent_type: str, department: str | None, peer: str | None, is_own: bool | None) -> str:
    """The same words as Assignment.respondent_name."""
    if respondent_type == "department" and department is not None:
        return department
    if respondent_type == "partnership":
        return "The partnership"
    if peer is not None:
        return peer + (" (our partnership)" if is_own else "")
    return "Peer partnership"


def cycle_returns(cycle: Cycle) -> list[ReturnSummary]:
    """Every return of the cycle, by kind of respondent and then in the order they were made."""
    rows = db.session.execute(
        select(Assignment.id, Assignment.respondent_type, Department.name, PeerPartnership.name,
               PeerPartnership.is_own, QuestionnaireSnapshot.title, Assignment.status, Assignment.due_date,
               Assignment.submitted_at)
        .join(QuestionnaireSnapshot, QuestionnaireSnapshot.id == Assignment.snapshot_id)
        .outerjoin(Department, Department.id == Assignment.department_id)
        .outerjoin(PeerPartnership, PeerPartnership.id == Assignment.peer_partnership_id)
        .where(Assignment.cycle_id == cycle.id)
        .order_by(Assignment.respondent_type, Assignment.id))
    return [ReturnSummary(id_, kind, _respondent_name(kind, department, peer, is_own), title, status, due, submitted)
            for id_, kind, department, peer, is_own, title, status, due, submitted in rows]


@dataclass(frozen=True)
class CycleReturns:
    """A cycle's returns in the three groups people ask about separately."""

    departments: list[ReturnSummary]
    partnership: list[ReturnSummary]
    peers: list[ReturnSummary]

    @property
    def awaiting_review(self) -> int:
        return sum(1 for a in (*self.departments, *self.partnership) if a.status == Status.SUBMITTED.value)


def grouped_returns(returns: list[ReturnSummary]) -> CycleReturns:
    return CycleReturns(
        departments=sorted((a for a in returns if a.respondent_type == "department"),
                           key=lambda a: a.respondent_name),
        partnership=[a for a in returns if a.respondent_type == "partnership"],
        peers=sorted((a for a in returns if a.respondent_type == "peer"), key=lambda a: a.respondent_name),
    )


def progress(assignments: list[ReturnSummary], today: date) -> list[ProgressCount]:
    """How many returns are in each state; overdue ones are counted as overdue only."""
    counts: Counter[str] = Counter()
    for assignment in assignments:
        if is_overdue(assignment.status, assignment.due_date, today):
            counts[OVERDUE_LABEL] += 1
        else:
            counts[STATUS_LABELS[Status(assignment.status)]] += 1
    total = len(assignments) or 1
    return [ProgressCount(label, counts[label], round(100 * counts[label] / total, 1)) for label in PROGRESS_ORDER]

"""What the results pages need: which cycles and departments a person may see, and their scored frames.

Council-wide figures count returns the department has put forward (submitted,
returned or accepted) unless the reader asks to include returns still being
written: a half-finished return would otherwise show as a wall of gaps. A
department's own drill-down shows its return as it stands, whatever its status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app
from sqlalchemy import select

from app.analysis.compliance import ChecklistCompliance, checklist_compliance
from app.analysis.rules import RagBands
from app.extensions import db
from app.models import Assignment, Cycle, CycleStatus, Department
from app.questionnaires.workflow import STATUS_LABELS, Status
from app.results.loading import SUBMITTED_STATUSES, CycleData, load_cycle
from app.security.access import Permission, can

PEER_COUNTED = ("submitted", "accepted")


def bands() -> RagBands:
    return RagBands(green=float(current_app.config["RAG_GREEN"]), amber=float(current_app.config["RAG_AMBER"]))


def sees_everything(user: Any) -> bool:
    return can(user, Permission.VIEW_ALL_RETURNS)


def results_cycles() -> list[Cycle]:
    """Cycles that have opened (a draft has no answers), newest first."""
    query = select(Cycle).where(Cycle.status != CycleStatus.DRAFT.value).order_by(Cycle.period_start.desc(),
                                                                                  Cycle.id.desc())
    return list(db.session.scalars(query))


def get_results_cycle_or_404(cycle_id: int) -> Cycle:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.status == CycleStatus.DRAFT.value:
        abort(404)
    return cycle


def may_see_department(user: Any, department_id: int) -> bool:
    """Everyone who reads all returns, and the department's own lead officers."""
    return sees_everything(user) or any(d.id == department_id for d in getattr(user, "departments", []))


def get_department_for_reader_or_404(user: Any, department_id: int) -> Department:
    """404, not 403, for another department: nobody learns what they may not see."""
    department = db.session.get(Department, department_id)
    if department is None or not may_see_department(user, department_id):
        abort(404)
    return department


def department_return(cycle: Cycle, department_id: int) -> Assignment | None:
    query = select(Assignment).where(Assignment.cycle_id == cycle.id, Assignment.respondent_type == "department",
                                     Assignment.department_id == department_id)
    return db.session.scalars(query).first()


def council_data(cycle: Cycle, *, include_unsubmitted: bool = False) -> CycleData:
    """Departments' returns for council-wide pages, which show no evidence or who answered when."""
    statuses = None if include_unsubmitted else SUBMITTED_STATUSES
    return load_cycle(cycle, respondent_types=["department"], statuses=statuses, details=False)


def department_data(cycle: Cycle, department_id: int) -> CycleData:
    return load_cycle(cycle, respondent_types=["department"], department_ids=[department_id])


def department_answers_in_words(cycle: Cycle, department_id: int) -> CycleData:
    """One department's submitted answers, every one with its words (not only the gaps'), to compare cycles."""
    return load_cycle(cycle, respondent_types=["department"], statuses=SUBMITTED_STATUSES,
                      department_ids=[department_id], all_labels=True, details=False)


def partnership_data(cycle: Cycle) -> CycleData:
    return load_cycle(cycle, respondent_types=["partnership"])


def partnership_compliance(cycle: Cycle) -> list[ChecklistCompliance]:
    """Compliance for each checklist the partnership answers in the cycle, each under its own title.

    A cycle may hold the hallmark checklist and a council's own list side by side;
    each is counted on its own (see app.analysis.compliance).
    """
    data = partnership_data(cycle)
    titles = {definition.id: definition.title for definition in data.definitions.values()}
    return checklist_compliance(data.frame, titles)


def peer_data(cycle: Cycle) -> CycleData:
    return load_cycle(cycle, respondent_types=["peer"], statuses=PEER_COUNTED)


@dataclass(frozen=True)
class Basis:
    """Which returns a council-wide figure is built on, in words the page prints."""

    counted: int
    of: int
    include_unsubmitted: bool

    @property
    def has_figures(self) -> bool:
        """False when no departmental return is counted: the page says why instead of showing empty tables."""
        return self.counted > 0

    @property
    def no_figures_reason(self) -> str:
        """Why there are no council-wide figures, in words the page prints."""
        if self.of == 0:
            return ("This cycle asks no department for a return: it has only the partnership's questionnaire, "
                    "so there are no departmental scores or gaps.")
        return (f"No department has submitted its return yet (0 of {self.of}), so there are no scores or gaps "
                "to show.")

    @property
    def sentence(self) -> str:
        if self.include_unsubmitted:
            return (f"These figures include all {self.of} departments' returns as they stand, including "
                    "returns still being written.")
        return (f"These figures are based on the {self.counted} of {self.of} departments' returns that have been "
                "submitted (including any returned for changes or accepted).")


def basis(cycle: Cycle, include_unsubmitted: bool) -> Basis:
    statuses = list(db.session.scalars(select(Assignment.status).where(
        Assignment.cycle_id == cycle.id, Assignment.respondent_type == "department")))
    counted = len(statuses) if include_unsubmitted else sum(1 for s in statuses if s in SUBMITTED_STATUSES)
    return Basis(counted, len(statuses), include_unsubmitted)


def status_label(status: str) -> str:
    try:
        return STATUS_LABELS[Status(status)]
    except ValueError:
        return status

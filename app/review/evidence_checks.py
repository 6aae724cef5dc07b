"""A reviewer's mark that they looked at the evidence an answer cites and it bears the answer out.

Inspectors ask not only what a department claims but whether anyone checked. The
mark is on the answer, with who and when; changing the answer clears it (see
app/respond/services.py), because the check was of what was there then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from app.audit.services import record_event
from app.extensions import db
from app.models import Answer, Assignment, CycleStatus, User
from app.models.types import utcnow


@dataclass(frozen=True)
class CheckProblem(Exception):
    message: str


def set_evidence_checked(actor: User, assignment: Assignment, question_id: str, checked: bool) -> Answer:
    """Mark (or unmark) one answer's evidence as checked (commits)."""
    if assignment.respondent_type == "peer":
        raise CheckProblem("Peer partnerships' answers are for comparison: they are not reviewed")
    if assignment.cycle.status != CycleStatus.OPEN.value:
        raise CheckProblem("This cycle is closed, so its returns can no longer be reviewed")
    if assignment.status not in ("submitted", "accepted"):
        raise CheckProblem("You can check evidence once the return has been submitted")
    answer = db.session.scalar(select(Answer).where(Answer.assignment_id == assignment.id,
                                                    Answer.question_id == question_id))
    if answer is None:
        raise CheckProblem("This question has not been answered, so there is no evidence to check")
    if checked == (answer.evidence_checked_at is not None):
        return answer  # a second click, or a second tab: already as asked
    answer.evidence_checked_at = utcnow() if checked else None
    answer.evidence_checked_by_id = actor.id if checked else None
    record_event("evidence.checked" if checked else "evidence.unchecked", object_type="assignment",
                 object_id=assignment.id, actor=actor,
                 summary=(f"Marked the evidence for {question_id} checked" if checked
                          else f"Took back the evidence check on {question_id}"),
                 after={"question": question_id})
    db.session.commit()
    return answer


@dataclass(frozen=True)
class CheckCounts:
    """How many answers in a group (gaps, or met answers) had their evidence checked."""

    total: int = 0
    checked: int = 0


def count_checked(question_ids: Iterable[str], checked_ids: Mapping[str, object] | set[str]) -> CheckCounts:
    """Pure: of these questions, how many are in the checked set."""
    ids = list(question_ids)
    return CheckCounts(len(ids), sum(1 for qid in ids if qid in checked_ids))


def checked_questions(assignment_id: int) -> set[str]:
    """The questions of a return whose evidence a reviewer has checked."""
    return set(db.session.scalars(select(Answer.question_id).where(Answer.assignment_id == assignment_id,
                                                                   Answer.evidence_checked_at.is_not(None))))


def evidence_check_summary(outcomes: Mapping[str, str], checked: set[str]) -> tuple[CheckCounts, CheckCounts]:
    """Pure: of a return's gaps (answered, missing the target) and met answers, how many were checked.

    `outcomes` maps question id to its outcome ("met", "gap", "unanswered", ...): an unanswered
    question has no evidence to check, so it is in neither count.
    """
    gaps = [qid for qid, outcome in outcomes.items() if outcome == "gap"]
    met = [qid for qid, outcome in outcomes.items() if outcome == "met"]
    return count_checked(gaps, checked), count_checked(met, checked)

"""What changed in a return since it was last submitted.

Each submission keeps its answers as sent (the `submissions` table). A reviewer of a
resubmitted return compares the answers now with the submission before this one; a
lead officer editing a returned return compares with the one they sent. The
comparison itself is a pure function of two mappings, so it is tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, Submission
from app.models.types import utcnow
from app.questionnaires.answers import AnswerValue

SUBMITTED_STATES = ("submitted", "accepted")


@dataclass(frozen=True)
class AnswerChange:
    """One question's answer before (at the earlier submission) and after; None where there was none."""

    question_id: str
    before: AnswerValue | None
    after: AnswerValue | None


def stored_form(answer: AnswerValue) -> dict[str, Any]:
    return {"value": answer.value, "not_applicable": answer.not_applicable, "evidence": answer.evidence,
            "action": answer.action}


def answer_from_stored(stored: Mapping[str, Any] | None) -> AnswerValue | None:
    if stored is None:
        return None
    return AnswerValue(stored.get("value"), bool(stored.get("not_applicable")), stored.get("evidence") or "",
                       stored.get("action") or "")


def _meaningful(answer: AnswerValue | None) -> AnswerValue | None:
    """An answer row holding nothing (all cleared) is the same as no answer."""
    if answer is None or (not answer.answered and not answer.evidence and not answer.action):
        return None
    return answer


def changed_answers(before: Mapping[str, Mapping[str, Any]],
                    after: Mapping[str, AnswerValue]) -> dict[str, AnswerChange]:
    """Every question whose value, not-applicable, evidence or action text differs between the two.

    A question answered in one and absent (or empty) in the other counts as changed;
    one empty in both does not.
    """
    changes: dict[str, AnswerChange] = {}
    for question_id in sorted(set(before) | set(after)):
        old = _meaningful(answer_from_stored(before.get(question_id)))
        new = _meaningful(after.get(question_id))
        if old != new:
            changes[question_id] = AnswerChange(question_id, old, new)
    return changes


def record_submission(assignment: Assignment, answers: Mapping[str, AnswerValue], user_id: int | None) -> None:
    """Keep the answers as submitted, numbered like the return's submission count (the caller commits)."""
    db.session.add(Submission(assignment_id=assignment.id, number=assignment.submission_count,
                              submitted_at=assignment.submitted_at or utcnow(), submitted_by_id=user_id,
                              answers={qid: stored_form(answer) for qid, answer in answers.items()}))


def baseline_submission(assignment: Assignment) -> Submission | None:
    """The submission to compare the answers now with.

    While the return is submitted or accepted, the answers now are its latest
    submission, so the comparison is with the one before; while it is being changed
    again, with the latest one.
    """
    count = assignment.submission_count or 0
    number = count - 1 if assignment.status in SUBMITTED_STATES else count
    if number < 1:
        return None
    return db.session.scalar(select(Submission).where(Submission.assignment_id == assignment.id,
                                                      Submission.number == number))


def changes_since_last_submission(assignment: Assignment,
                                  answers: Mapping[str, AnswerValue]) -> tuple[Submission | None, dict[str, AnswerChange]]:
    baseline = baseline_submission(assignment)
    if baseline is None:
        return None, {}
    return baseline, changed_answers(baseline.answers, answers)

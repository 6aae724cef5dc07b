"""What changed in a return since it was last submitted.

Each submission keeps its answers as sent (the `submissions` table). A reviewer of a
resubmitted return compares the answers now with the submission before this one; a
lead officer editing a returned return compares with the one they sent. The
comparison itself is a pure function of two mappings, so it is tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, EvidenceFile, Submission
from app.models.types import utcnow
from app.questionnaires.answers import AnswerValue

SUBMITTED_STATES = ("submitted", "accepted")


@dataclass(frozen=True)
class AnswerChange:
    """One question's answer before (at the earlier submission) and after; None where there was none.

    Files count too: the names of those attached and removed since.
    """

    question_id: str
    before: AnswerValue | None
    after: AnswerValue | None
    files_added: tuple[str, ...] = ()
    files_removed: tuple[str, ...] = ()

    @property
    def answer_changed(self) -> bool:
        return self.before != self.after


FileRef = tuple[int, str]  # an evidence file's id and name


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


def changed_answers(before: Mapping[str, Mapping[str, Any]], after: Mapping[str, AnswerValue],
                    files_now: Mapping[str, Sequence[FileRef]] | None = None) -> dict[str, AnswerChange]:
    """Every question whose value, not-applicable, evidence or action text, or files differ between the two.

    A question answered in one and absent (or empty) in the other counts as changed;
    one empty in both does not. `before` holds each answer's files as the submission
    recorded them; `files_now` the files attached now (None: files are not compared).
    """
    changes: dict[str, AnswerChange] = {}
    files_now = files_now if files_now is not None else {}
    compare_files = bool(files_now) or any("files" in stored for stored in before.values())
    for question_id in sorted(set(before) | set(after) | set(files_now)):
        stored = before.get(question_id)
        old = _meaningful(answer_from_stored(stored))
        new = _meaningful(after.get(question_id))
        added: tuple[str, ...] = ()
        removed: tuple[str, ...] = ()
        if compare_files:
            then = {int(ref[0]): str(ref[1]) for ref in (stored or {}).get("files", [])}
            now = {int(file_id): name for file_id, name in files_now.get(question_id, ())}
            added = tuple(now[i] for i in sorted(set(now) - set(then)))
            removed = tuple(then[i] for i in sorted(set(then) - set(now)))
        if old != new or added or removed:
            changes[question_id] = AnswerChange(question_id, old, new, added, removed)
    return changes


def current_files(assignment: Assignment) -> dict[str, list[FileRef]]:
    """Each answer's evidence files now, as (id, name), in one query."""
    files: dict[str, list[FileRef]] = {}
    for file_id, question_id, name in db.session.execute(
            select(EvidenceFile.id, EvidenceFile.question_id, EvidenceFile.file_name)
            .where(EvidenceFile.assignment_id == assignment.id).order_by(EvidenceFile.id)):
        files.setdefault(question_id, []).append((file_id, name))
    return files


def record_submission(assignment: Assignment, answers: Mapping[str, AnswerValue], user_id: int | None) -> None:
    """Keep the answers and their files as submitted, numbered like the submission count (the caller commits)."""
    kept: dict[str, dict[str, Any]] = {qid: stored_form(answer) for qid, answer in answers.items()}
    for question_id, refs in current_files(assignment).items():
        kept.setdefault(question_id, stored_form(AnswerValue()))["files"] = [list(ref) for ref in refs]
    db.session.add(Submission(assignment_id=assignment.id, number=assignment.submission_count,
                              submitted_at=assignment.submitted_at or utcnow(), submitted_by_id=user_id,
                              answers=kept))


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
    return baseline, changed_answers(baseline.answers, answers, current_files(assignment))

"""Everything the review page of one return shows, gathered in a few queries.

Kept apart from the views so the page is one object a test or a benchmark can build:
answers, what changed since the last submission, the conversation on each answer,
which answers' evidence was checked, the decision's summary and the next return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.evidence.services import files_by_question
from app.extensions import db
from app.models import Answer, AnswerComment, Assignment, EvidenceFile, Submission, User
from app.questionnaires.answers import AnswerValue
from app.questionnaires.definition import Definition
from app.respond.services import definition_of, stored_answers, visible_questions
from app.review.changes import AnswerChange, changes_since_last_submission
from app.review.comments import comments_for, open_comments
from app.review.services import history, next_waiting, waiting_count


@dataclass(frozen=True)
class EvidenceCheck:
    checked_at: Any
    checked_by: str


@dataclass
class ReviewPage:
    assignment: Assignment
    definition: Definition
    answers: dict[str, AnswerValue]
    visible: set[str]
    baseline: Submission | None
    changes: dict[str, AnswerChange]
    comments: dict[str, list[AnswerComment]]
    checks: dict[str, EvidenceCheck]
    events: list
    show_changed_only: bool = False
    next_return: Assignment | None = None
    waiting: int = 0
    open: list[AnswerComment] = field(default_factory=list)
    files: dict[str, list[EvidenceFile]] = field(default_factory=dict)

    @property
    def shown(self) -> set[str]:
        """The questions listed: all that apply, or only the changed ones when so filtered."""
        if self.show_changed_only:
            return {qid for qid in self.visible if qid in self.changes}
        return self.visible

    def question_text(self, question_id: str) -> str:
        question = self.definition.question(question_id)
        return question.text if question else question_id


def _checks(assignment: Assignment) -> dict[str, EvidenceCheck]:
    rows = db.session.execute(
        select(Answer.question_id, Answer.evidence_checked_at, User.name)
        .outerjoin(User, User.id == Answer.evidence_checked_by_id)
        .where(Answer.assignment_id == assignment.id, Answer.evidence_checked_at.is_not(None)))
    return {qid: EvidenceCheck(at, name or "a former user") for qid, at, name in rows}


def build_review_page(assignment: Assignment, *, show_changed_only: bool = False,
                      for_reviewers: bool = True) -> ReviewPage:
    definition = definition_of(assignment)
    answers = stored_answers(assignment)
    baseline, changes = changes_since_last_submission(assignment, answers)
    comments = comments_for(assignment, for_reviewers=for_reviewers)
    page = ReviewPage(assignment, definition, answers, visible_questions(definition, answers), baseline, changes,
                      comments, _checks(assignment), history(assignment),
                      show_changed_only=show_changed_only and bool(changes), open=open_comments(comments),
                      files=files_by_question(assignment))
    if assignment.status != "submitted":
        page.next_return = next_waiting(assignment)
        page.waiting = waiting_count(assignment)
    return page

"""The conversation about single answers of a return, between its reviewer and its lead officers.

A reviewer comments while the return waits for a decision; the comments are drafts
(only reviewers and auditors see them, the author may delete them) until the
reviewer accepts or returns it, when they are shared with the lead officers and
shown beside each question. A shared comment stays open until the officer changes
that answer or replies to it, or the reviewer marks it resolved. Every step is in the
audit log; the conversation is kept with the return and goes into the workbook.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.extensions import db
from app.models import AnswerComment, Assignment, CycleStatus, User
from app.models.types import utcnow
from app.questionnaires.definition import Definition
from app.text_input import ControlCharacterError, clean_text

COMMENT_MAX_LENGTH = 2000
REVIEWER, RESPONDENT = "reviewer", "respondent"
RESOLUTION_WORDS = {"changed": "the answer was changed", "replied": "the lead officer replied",
                    "reviewer": "the reviewer marked it resolved"}


@dataclass(frozen=True)
class CommentProblem(Exception):
    message: str


def _clean_body(body: str) -> str:
    try:
        body = clean_text(body, multiline=True).strip()
    except ControlCharacterError:
        raise CommentProblem("Comment must not contain control characters") from None
    if not body:
        raise CommentProblem("Enter your comment")
    if len(body) > COMMENT_MAX_LENGTH:
        raise CommentProblem(f"Comment must be {COMMENT_MAX_LENGTH:,} characters or fewer")
    return body


def _question_text(definition: Definition, question_id: str) -> str:
    question = definition.question(question_id)
    if question is None:
        raise CommentProblem("That question is not in this return's questionnaire")
    return question.text


def _record(action: str, actor: User, assignment: Assignment, comment: AnswerComment, summary: str,
            **values: object) -> None:
    record_event(action, object_type="assignment", object_id=assignment.id, actor=actor, summary=summary,
                 after={"comment": comment.id, "question": comment.question_id, **values})


def add_comment(actor: User, assignment: Assignment, definition: Definition, question_id: str,
                body: str) -> AnswerComment:
    """A reviewer's draft comment on one answer of a return that waits for a decision (commits)."""
    if assignment.respondent_type == "peer":
        raise CommentProblem("Peer partnerships' answers are for comparison: they are not reviewed")
    if assignment.cycle.status != CycleStatus.OPEN.value:
        raise CommentProblem("This cycle is closed, so its returns can no longer be reviewed")
    if assignment.status != "submitted":
        raise CommentProblem("You can comment on answers while the return waits for your decision")
    text = _question_text(definition, question_id)
    comment = AnswerComment(assignment_id=assignment.id, question_id=question_id, author_id=actor.id,
                            author_role=REVIEWER, body=_clean_body(body), created_at=utcnow())
    db.session.add(comment)
    db.session.flush()
    _record("comment.added", actor, assignment, comment, f"Commented on \u201c{text[:120]}\u201d",
            body=comment.body)
    db.session.commit()
    return comment


def delete_draft(actor: User, assignment: Assignment, comment: AnswerComment) -> None:
    """Take back a comment not yet shared; only its author may (commits)."""
    if comment.shared_at is not None:
        raise CommentProblem("This comment has been shared with the lead officers, so it stays on the record")
    if comment.author_id != actor.id:
        raise CommentProblem("Only the person who wrote a comment can delete it")
    _record("comment.deleted", actor, assignment, comment, "Deleted a draft comment", body=comment.body)
    db.session.delete(comment)
    db.session.commit()


def resolve_by_reviewer(actor: User, assignment: Assignment, comment: AnswerComment) -> None:
    """The reviewer is satisfied without a change or a reply (commits)."""
    if not comment.is_open:
        raise CommentProblem("This comment is already resolved")
    if assignment.cycle.status != CycleStatus.OPEN.value:
        raise CommentProblem("This cycle is closed, so its returns can no longer be reviewed")
    comment.resolved_at, comment.resolved_by_id, comment.resolution = utcnow(), actor.id, "reviewer"
    _record("comment.resolved", actor, assignment, comment, "Marked a comment resolved")
    db.session.commit()


def reply(actor: User, assignment: Assignment, definition: Definition, question_id: str, body: str) -> AnswerComment:
    """A lead officer answers the comments on one question without changing the answer (commits).

    Allowed while they can change the return; it resolves every open comment on that question.
    """
    if assignment.status not in ("returned", "in_progress", "not_started") or \
            assignment.cycle.status != CycleStatus.OPEN.value:
        raise CommentProblem("This return cannot be changed now, so its comments cannot be answered")
    open_here = [c for c in comments_for(assignment, for_reviewers=False).get(question_id, []) if c.is_open]
    if not open_here:
        raise CommentProblem("There is no open comment on this question to reply to")
    _question_text(definition, question_id)
    now = utcnow()
    comment = AnswerComment(assignment_id=assignment.id, question_id=question_id, author_id=actor.id,
                            author_role=RESPONDENT, body=_clean_body(body), created_at=now, shared_at=now)
    db.session.add(comment)
    for earlier in open_here:
        earlier.resolved_at, earlier.resolved_by_id, earlier.resolution = now, actor.id, "replied"
    db.session.flush()
    _record("comment.replied", actor, assignment, comment, "Replied to the reviewer's comment",
            body=comment.body, resolved=[c.id for c in open_here])
    db.session.commit()
    return comment


def share_drafts(assignment: Assignment, when: datetime) -> int:
    """At the decision, the reviewer's draft comments go to the lead officers (the caller commits)."""
    result = db.session.execute(
        update(AnswerComment).where(AnswerComment.assignment_id == assignment.id,
                                    AnswerComment.shared_at.is_(None)).values(shared_at=when)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def resolve_changed(assignment: Assignment, question_ids: Iterable[str], user_id: int | None, when: datetime) -> None:
    """Changing an answer answers the open comments on it (the caller commits)."""
    ids = list(question_ids)
    if not ids:
        return
    db.session.execute(
        update(AnswerComment).where(AnswerComment.assignment_id == assignment.id,
                                    AnswerComment.question_id.in_(ids), AnswerComment.author_role == REVIEWER,
                                    AnswerComment.shared_at.is_not(None), AnswerComment.resolved_at.is_(None))
        .values(resolved_at=when, resolved_by_id=user_id, resolution="changed")
        .execution_options(synchronize_session=False))


def comments_for(assignment: Assignment, *, for_reviewers: bool) -> dict[str, list[AnswerComment]]:
    """The conversation on each question, oldest first, in one query; lead officers see only what is shared."""
    query = (select(AnswerComment).where(AnswerComment.assignment_id == assignment.id)
             .options(selectinload(AnswerComment.author), selectinload(AnswerComment.resolved_by))
             .order_by(AnswerComment.created_at, AnswerComment.id))
    if not for_reviewers:
        query = query.where(AnswerComment.shared_at.is_not(None))
    by_question: dict[str, list[AnswerComment]] = defaultdict(list)
    for comment in db.session.scalars(query):
        by_question[comment.question_id].append(comment)
    return dict(by_question)


def open_comments(by_question: dict[str, list[AnswerComment]]) -> list[AnswerComment]:
    return [c for thread in by_question.values() for c in thread if c.is_open]


def comment_of_return(assignment: Assignment, comment_id: int) -> AnswerComment | None:
    """The comment, only if it belongs to this return: an id from another return is not found."""
    return db.session.scalar(select(AnswerComment).where(AnswerComment.id == comment_id,
                                                         AnswerComment.assignment_id == assignment.id))

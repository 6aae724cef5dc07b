"""Reviewing returns: accept one, or return it with a reason the lead officer will see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import record_event
from app.extensions import db
from app.mail.messages import tell_return_accepted, tell_return_returned
from app.models import AnswerComment, Assignment, AuditEvent, CycleStatus, User
from app.models.types import utcnow
from app.questionnaires.workflow import Action, InvalidTransition, next_status
from app.review.comments import share_drafts

REASON_MAX_LENGTH = 2000


@dataclass(frozen=True)
class ReviewProblem(Exception):
    field: str
    message: str


def _review(actor: User, assignment: Assignment, action: Action, *, base_version: int, reason: str = "") -> None:
    if assignment.cycle.status != CycleStatus.OPEN.value:
        raise ReviewProblem("reason", "This cycle is closed, so its returns can no longer be reviewed")
    if assignment.respondent_type == "peer":
        raise ReviewProblem("reason", "Peer partnerships' answers are for comparison: they are not accepted or returned")
    if assignment.version != base_version:
        raise ReviewProblem("reason", "This return changed while you were looking at it. Check it again")
    try:
        new_status = next_status(assignment.status, action)
    except InvalidTransition as error:
        raise ReviewProblem("reason", f"You {error}") from None
    old_status = assignment.status
    assignment.status = new_status.value
    assignment.reviewed_at = utcnow()
    assignment.reviewed_by_id = actor.id
    assignment.updated_at = assignment.reviewed_at
    if action == Action.RETURN:
        assignment.return_reason = reason
    share_drafts(assignment, assignment.reviewed_at)
    name = respondent_in_sentence(assignment)
    summary = (f"Accepted the return for {name}" if action == Action.ACCEPT
               else f"Sent the return for {name} back for changes")
    record_event(f"assignment.{'accepted' if action == Action.ACCEPT else 'returned'}", object_type="assignment",
                 object_id=assignment.id, actor=actor, summary=summary,
                 before={"status": old_status},
                 after={"status": new_status.value, **({"reason": reason} if reason else {})})
    if action == Action.ACCEPT:
        tell_return_accepted(assignment, actor)
    else:
        tell_return_returned(assignment, actor)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ReviewProblem("reason", "This return changed while you were looking at it. Check it again") from None


def respondent_in_sentence(assignment: Assignment) -> str:
    """Who answers, as it reads inside a sentence: "Housing Services", "the partnership"."""
    name = assignment.respondent_name
    return "the" + name[3:] if name.startswith("The ") else name


def returned_message(assignment: Assignment) -> str:
    """What the reviewer is told once a return has gone back: who sees the reason, and what they do next."""
    name = respondent_in_sentence(assignment)
    who = "Its lead officers" if assignment.respondent_type == "department" else "Whoever answers it"
    return (f"The return for {name} has been sent back for changes. {who} will see your reason, "
            "make the changes and submit it again.")


def accept(actor: User, assignment: Assignment, *, base_version: int, open_comments_seen: bool = False) -> None:
    """Accept the return; with comments still open, only once the reviewer has said they mean to."""
    still_open = open_comment_count(assignment)
    if still_open and not open_comments_seen:
        raise ReviewProblem("open_comments_seen",
                            f"Confirm that you want to accept the return with {still_open} comment"
                            f"{'s' if still_open != 1 else ''} still open")
    _review(actor, assignment, Action.ACCEPT, base_version=base_version)


def open_comment_count(assignment: Assignment) -> int:
    return db.session.scalar(select(func.count()).select_from(AnswerComment).where(
        AnswerComment.assignment_id == assignment.id, AnswerComment.author_role == "reviewer",
        AnswerComment.resolved_at.is_(None))) or 0


def next_waiting(assignment: Assignment) -> Assignment | None:
    """The return that has waited longest for a decision in the same cycle, other than this one."""
    return db.session.scalar(
        select(Assignment).where(Assignment.cycle_id == assignment.cycle_id, Assignment.id != assignment.id,
                                 Assignment.status == "submitted", Assignment.respondent_type != "peer")
        .order_by(Assignment.submitted_at, Assignment.id).limit(1))


def waiting_count(assignment: Assignment) -> int:
    return db.session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.cycle_id == assignment.cycle_id, Assignment.status == "submitted",
        Assignment.respondent_type != "peer")) or 0


def return_for_changes(actor: User, assignment: Assignment, reason: str, *, base_version: int) -> None:
    reason = " ".join(reason.split()) if "\n" not in reason else reason.strip()
    if not reason:
        raise ReviewProblem("reason", "Say what needs to change, so the lead officer knows what to do")
    if len(reason) > REASON_MAX_LENGTH:
        raise ReviewProblem("reason", f"Reason must be {REASON_MAX_LENGTH:,} characters or fewer")
    _review(actor, assignment, Action.RETURN, base_version=base_version, reason=reason)


def history(assignment: Assignment) -> list[AuditEvent]:
    """Every step in the life of this return, oldest first (answer changes summarised separately)."""
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "assignment", AuditEvent.object_id == str(assignment.id),
                                 AuditEvent.action.like("assignment.%"))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ))

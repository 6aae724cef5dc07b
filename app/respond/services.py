"""Answering a return: who may, saving a section, conflicts, submitting, and kept answers.

Rules that protect answers:

- Every save is stored at once. A page with one bad value still saves the good
  ones; the bad one is shown back with its error and the text as typed.
- Saves carry the version the page was built from. If someone else changed one
  of the same answers since, nothing on the page is saved and both values are
  shown (a conflict), never a silent overwrite. Answers nobody else touched are
  merged.
- A save or a submit locks the return's row for its short read-compare-write
  (app/models/locking.py), so simultaneous saves of one return queue rather
  than fail, and of two submits at once exactly one wins: one submission, one
  audit event. The version column stays as SQLAlchemy's optimistic lock for
  every other writer.
- Answers posted after the session expired are kept (PendingSave) only when the
  page's signed keep token proves it was opened in a live session for that
  return (app/respond/keep_token.py). They are shown back, never saved, after
  signing in again, in the same browser, to the same person, with the version
  they were typed against, so a colleague's change since is a conflict.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from flask import abort, current_app
from sqlalchemy import delete, inspect, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from app.audit.services import record_event
from app.extensions import db
from app.mail.messages import tell_return_submitted
from app.models import Answer, Assignment, Cycle, CycleStatus, PendingSave, Role, User
from app.models.locking import lock_for_write
from app.models.types import utcnow
from app.questionnaires.answers import AnswerValue, FieldProblem, FormData, parse_question, unknown_question_fields
from app.questionnaires.conditions import hidden_answered, visible_question_ids
from app.questionnaires.definition import Definition, Question, Section
from app.questionnaires.progress import Missing, missing_answers
from app.questionnaires.registry import definition_from_snapshot
from app.questionnaires.workflow import Action, Status, is_editable, next_status
from app.respond.keep_token import KEEP_TOKEN_MAX_AGE, KeepClaim, issue_keep_token, read_keep_token, session_fingerprint
from app.security.access import Permission, can
from app.text_input import clean_text

PENDING_LIFETIME = KEEP_TOKEN_MAX_AGE
PENDING_MAX_FIELDS = 400
KEEP_FIELD = "keep"  # the section form's hidden field carrying the keep token
PENDING_MAX_CHARACTERS = 400_000


class ReturnReadOnly(Exception):
    """The return cannot be changed now (submitted, accepted, or its cycle is not open)."""


class BadSubmission(Exception):
    """The posted form does not match the page (tampered with, or from an older definition)."""


# --------------------------------------------------------------------------- who may see and answer


def may_respond(user: Any, assignment: Assignment) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if assignment.respondent_type == "department":
        return (user.role == Role.LEAD_OFFICER and can(user, Permission.RESPOND_FOR_DEPARTMENT)
                and any(d.id == assignment.department_id for d in user.departments))
    if assignment.respondent_type == "partnership":
        return can(user, Permission.RESPOND_FOR_PARTNERSHIP)
    return False


def may_read(user: Any, assignment: Assignment) -> bool:
    return may_respond(user, assignment) or can(user, Permission.VIEW_ALL_RETURNS)


def returns_for(user: User) -> list[Assignment]:
    """The returns this person answers, newest cycle first (draft cycles have none)."""
    query = (select(Assignment).join(Cycle).where(Cycle.status != CycleStatus.DRAFT.value)
             .options(selectinload(Assignment.cycle), selectinload(Assignment.department),
                      selectinload(Assignment.snapshot))
             .order_by(Cycle.period_start.desc(), Assignment.id))
    if user.role == Role.LEAD_OFFICER:
        department_ids = [d.id for d in user.departments]
        if not department_ids:
            return []
        query = query.where(Assignment.respondent_type == "department", Assignment.department_id.in_(department_ids))
    elif can(user, Permission.RESPOND_FOR_PARTNERSHIP):
        query = query.where(Assignment.respondent_type == "partnership")
    else:
        return []
    return list(db.session.scalars(query))


def _load_return(assignment_id: int) -> Assignment | None:
    """The return with what every page shows of it (its answers too), in one query."""
    return db.session.scalar(
        select(Assignment).where(Assignment.id == assignment_id)
        .options(joinedload(Assignment.cycle), joinedload(Assignment.snapshot), joinedload(Assignment.department),
                 joinedload(Assignment.answers))
    )


def get_return_for_respondent(user: Any, assignment_id: int) -> Assignment:
    """404 for anything the user may not answer: nobody learns that other returns exist."""
    assignment = _load_return(assignment_id)
    if assignment is None or not may_respond(user, assignment):
        abort(404)
    return assignment


def get_return_for_reader(user: Any, assignment_id: int) -> Assignment:
    assignment = _load_return(assignment_id)
    if assignment is None or not may_read(user, assignment):
        abort(404)
    return assignment


def definition_of(assignment: Assignment) -> Definition:
    return definition_from_snapshot(assignment.snapshot)


def section_or_404(definition: Definition, section_id: str) -> Section:
    section = definition.section(section_id)
    if section is None:
        abort(404)
    return section


def is_read_only(assignment: Assignment) -> bool:
    return assignment.cycle.status != CycleStatus.OPEN.value or not is_editable(assignment.status)


# --------------------------------------------------------------------------- stored answers


def _as_value(row: Answer | None) -> AnswerValue:
    if row is None:
        return AnswerValue()
    return AnswerValue(row.value, bool(row.not_applicable), row.evidence or "", row.action or "", bool(row.carried_over))


def _audit_value(answer: AnswerValue) -> dict[str, Any]:
    return {"value": answer.value, "not_applicable": answer.not_applicable, "evidence": answer.evidence,
            "action": answer.action, **({"carried_over": True} if answer.carried else {})}


def answer_rows(assignment: Assignment, *, with_authors: bool = False) -> dict[str, Answer]:
    query = select(Answer).where(Answer.assignment_id == assignment.id)
    if with_authors:
        query = query.options(selectinload(Answer.updated_by))
    return {row.question_id: row for row in db.session.scalars(query)}


def stored_answers(assignment: Assignment) -> dict[str, AnswerValue]:
    if "answers" not in inspect(assignment).unloaded:  # loaded with the return: no second query
        return {row.question_id: _as_value(row) for row in assignment.answers}
    return {qid: _as_value(row) for qid, row in answer_rows(assignment).items()}


def visible_questions(definition: Definition, answers: Mapping[str, AnswerValue]) -> set[str]:
    return visible_question_ids(definition, answers)


# --------------------------------------------------------------------------- saving a section


@dataclass(frozen=True)
class Conflict:
    question: Question
    theirs: AnswerValue
    yours: AnswerValue
    changed_by: str
    changed_at: datetime | None


@dataclass
class SaveResult:
    changed: list[str] = field(default_factory=list)
    problems: list[FieldProblem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    version: int = 0


def page_question_ids(section: Section, form: FormData) -> list[str]:
    """The questions the page showed (its hidden 'questions' field), checked against the section."""
    listed = [qid for qid in str(form.get("questions", "")).split(",") if qid]
    known = {q.id for q in section.questions}
    if not listed or any(qid not in known for qid in listed) or len(set(listed)) != len(listed):
        raise BadSubmission("the list of questions on the page does not match this section")
    return listed


@dataclass(frozen=True)
class Respondent:
    """Who is answering: a signed-in user, or a peer contact using an invitation link (no user).

    `label` names them in the audit log when there is no user account to point to.
    """

    user: User | None
    label: str = ""
    invitation_id: int | None = None  # for a peer contact: the invitation whose link they hold

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def key(self) -> str:
        """Names this respondent in a keep token and on kept answers: the account, or the invitation."""
        if self.user is not None:
            return f"u{self.user.id}"
        if self.invitation_id is None:
            raise ValueError("a respondent without an account must name their invitation")
        return f"i{self.invitation_id}"

    @property
    def fingerprint(self) -> str:
        return session_fingerprint(self.user.session_token) if self.user is not None else ""

    def record(self, action: str, assignment: Assignment, summary: str, **values: Any) -> None:
        record_event(action, object_type="assignment", object_id=assignment.id, actor=self.user,
                     actor_email=None if self.user is not None else self.label, summary=summary, **values)


def save_section(respondent: Respondent, assignment: Assignment, section: Section, form: FormData, *,
                 base_version: int) -> SaveResult:
    """Store the page's answers. See the module docstring for the rules.

    The return's row is locked for the short read-compare-write, so saves of one
    return by several people at once queue instead of failing: each then compares
    with what the one before it stored. `base_version` is the version the page was
    built from; for the conflict page's "save my answers instead" it is the version
    that page showed, so a change made after it was shown is a new conflict.
    """
    if unknown_question_fields(section, form):
        raise BadSubmission("the form has answers for questions that are not on this page")
    page_ids = page_question_ids(section, form)
    questions = [q for q in section.questions if q.id in page_ids]
    lock_for_write(assignment)
    if is_read_only(assignment):
        db.session.rollback()
        raise ReturnReadOnly()
    result = _try_save(respondent, assignment, questions, form, base_version=base_version)
    db.session.commit()
    return result


def _try_save(respondent: Respondent, assignment: Assignment, questions: list[Question], form: FormData, *,
              base_version: int) -> SaveResult:
    from app.review.comments import resolve_changed  # here: the review blueprint's package imports this module
    result = SaveResult(version=assignment.version)
    parsed: dict[str, AnswerValue] = {}
    for question in questions:
        answer, problems = parse_question(question, form)
        if problems:
            result.problems.extend(problems)
        else:
            parsed[question.id] = answer
    rows = answer_rows(assignment, with_authors=True)
    for question in questions:
        row = rows.get(question.id)
        new = parsed.get(question.id)
        if row is not None and new is not None and row.changed_in_version > base_version and _as_value(row) != new:
            who = row.updated_by.name if row.updated_by else "someone else"
            result.conflicts.append(Conflict(question, _as_value(row), new, who, row.updated_at))
    if result.conflicts:
        return result
    changes = {qid: new for qid, new in parsed.items() if _as_value(rows.get(qid)) != new}
    if not changes:
        return result
    new_version = assignment.version + 1
    now = utcnow()
    for qid, new in changes.items():
        row = rows.get(qid)
        before = _as_value(row)
        if row is None:
            row = Answer(assignment_id=assignment.id, question_id=qid)
            db.session.add(row)
        row.value, row.not_applicable, row.evidence, row.action = new.value, new.not_applicable, new.evidence, new.action
        row.carried_over = False  # saved from the page: the officer has seen it, so it is theirs now
        row.changed_in_version, row.updated_by_id, row.updated_at = new_version, respondent.user_id, now
        row.evidence_checked_at = row.evidence_checked_by_id = None  # the check was of the answer as it was
        confirmed = before.carried and replace(before, carried=False) == new
        respondent.record("answer.confirmed" if confirmed else "answer.changed", assignment,
                          f"Confirmed the answer to {qid} carried over from last year" if confirmed
                          else f"Changed the answer to {qid}",
                          before={"question": qid, **_audit_value(before)} if rows.get(qid) else None,
                          after={"question": qid, **_audit_value(new)})
    old_status = assignment.status
    assignment.status = next_status(assignment.status, Action.SAVE).value
    assignment.started_at = assignment.started_at or now
    assignment.updated_at = now  # always an UPDATE, so the version check and increment happen
    if assignment.status != old_status:
        respondent.record("assignment.started", assignment, f"Started the return for {assignment.respondent_name}",
                          before={"status": old_status}, after={"status": assignment.status})
    resolve_changed(assignment, changes, respondent.user_id, now)
    result.changed = list(changes)
    result.version = new_version
    return result


# --------------------------------------------------------------------------- submitting


@dataclass(frozen=True)
class SubmitResult:
    outcome: str  # submitted | already_submitted | incomplete | changed_since | read_only
    missing: tuple[Missing, ...] = ()


def submit(respondent: Respondent, assignment: Assignment, *, base_version: int) -> SubmitResult:
    """Submit once. A second submit of the same return (double click, two tabs) finds it submitted.

    The return's row is locked first, so of two submits at once the second waits and
    then sees the first one's result.
    """
    lock_for_write(assignment)
    outcome = _submit_locked(respondent, assignment, base_version)
    if outcome.outcome == "submitted":
        db.session.commit()
    else:
        db.session.rollback()  # nothing to write: let go of the lock
    return outcome


def _submit_locked(respondent: Respondent, assignment: Assignment, base_version: int) -> SubmitResult:
    from app.review.changes import record_submission  # here: the review blueprint's package imports this module
    if assignment.status in (Status.SUBMITTED.value, Status.ACCEPTED.value):
        return SubmitResult("already_submitted")
    if assignment.cycle.status != CycleStatus.OPEN.value:
        return SubmitResult("read_only")
    if assignment.version != base_version:
        return SubmitResult("changed_since")
    definition = definition_of(assignment)
    answers = {qid: _as_value(row) for qid, row in answer_rows(assignment).items()}
    missing = missing_answers(definition, answers)
    if missing:
        return SubmitResult("incomplete", tuple(missing))
    rows = answer_rows(assignment)
    for qid in hidden_answered(definition, answers):
        row = rows[qid]
        respondent.record("answer.cleared", assignment,
                          f"Cleared the answer to {qid}: the question no longer applies",
                          before={"question": qid, **_audit_value(_as_value(row))}, after=None)
        db.session.delete(row)
        del answers[qid]
    old_status = assignment.status
    assignment.status = next_status(assignment.status, Action.SUBMIT).value
    assignment.submitted_at = utcnow()
    assignment.submitted_by_id = respondent.user_id
    assignment.submission_count = (assignment.submission_count or 0) + 1
    assignment.updated_at = assignment.submitted_at
    respondent.record("assignment.submitted", assignment,
                      f"Submitted the return for {assignment.respondent_name}"
                      + (f" (submission {assignment.submission_count})" if assignment.submission_count > 1 else ""),
                      before={"status": old_status},
                      after={"status": assignment.status, "submission": assignment.submission_count})
    record_submission(assignment, answers, respondent.user_id)
    submitter = db.session.get(User, respondent.user_id) if respondent.user_id else None
    tell_return_submitted(assignment, submitter)
    return SubmitResult("submitted")


# --------------------------------------------------------------------------- kept answers after a session ends


def keep_token_for(respondent: Respondent, assignment: Assignment, section_id: str, version: int) -> str:
    """The token a section page carries so that its answers can be kept if the session ends first."""
    return issue_keep_token(current_app.secret_key, KeepClaim(
        respondent.key, respondent.fingerprint, assignment.id, section_id, version))


def _valid_claim(form: FormData, assignment_id: int, section_id: str) -> KeepClaim | None:
    claim = read_keep_token(current_app.secret_key, form.get(KEEP_FIELD))
    if claim is None or claim.assignment_id != assignment_id or claim.section_id != section_id:
        return None
    return claim


def keep_for_account(assignment_id: int, section_id: str, form: FormData) -> str | None:
    """Keep answers posted to a signed-in person's return after their session ended.

    Only if the page's keep token names this return and section and a person who
    may still answer it, in a session they did not end themselves. Returns the
    token for the browser's cookie, or None (nothing written).
    """
    claim = _valid_claim(form, assignment_id, section_id)
    if claim is None or not claim.respondent_key.startswith("u"):
        return None
    user = db.session.get(User, int(claim.respondent_key[1:]))
    assignment = db.session.get(Assignment, assignment_id)
    if (user is None or not user.active or assignment is None
            or not hmac.compare_digest(session_fingerprint(user.session_token), claim.fingerprint)
            or not may_respond(user, assignment)):
        return None
    return _store_kept(claim, form)


def keep_for_invitation(assignment: Assignment, invitation_id: int, section_id: str, form: FormData) -> str | None:
    """Keep answers posted through a peer's link after the session the page was opened in ended."""
    claim = _valid_claim(form, assignment.id, section_id)
    if claim is None or claim.respondent_key != f"i{invitation_id}":
        return None
    return _store_kept(claim, form)


def _store_kept(claim: KeepClaim, form: FormData) -> str | None:
    # Control characters go (PostgreSQL's JSON refuses a NUL); the answers are parsed as usual when saved.
    kept = {name: [clean_text(v, multiline=True, strip_controls=True) for v in form.getlist(name)]
            for name in form.keys() if name.startswith("q-") or name == "questions"}
    if len(kept) > PENDING_MAX_FIELDS or sum(len(v) for values in kept.values() for v in values) > PENDING_MAX_CHARACTERS:
        return None
    db.session.execute(delete(PendingSave).where(PendingSave.created_at < utcnow() - PENDING_LIFETIME))
    token = secrets.token_urlsafe(32)
    db.session.add(PendingSave(token=token, assignment_id=claim.assignment_id, section_id=claim.section_id,
                               respondent_key=claim.respondent_key, base_version=claim.version, form=kept))
    db.session.commit()
    return token


@dataclass(frozen=True)
class KeptPage:
    """Answers kept for a page, and the version of the return they were typed against."""

    form: MultiDict
    version: int


def kept_answers(token: str | None, assignment: Assignment, section_id: str, respondent: Respondent) -> KeptPage | None:
    """Answers kept in this browser for this return and page, by this same person, if still fresh."""
    if not token:
        return None
    pending = db.session.scalar(select(PendingSave).where(PendingSave.token == token))
    if (pending is None or pending.assignment_id != assignment.id or pending.section_id != section_id
            or pending.respondent_key != respondent.key
            or pending.created_at < utcnow() - PENDING_LIFETIME):
        return None
    form: MultiDict = MultiDict()
    for name, values in pending.form.items():
        for value in values:
            form.add(name, value)
    return KeptPage(form, pending.base_version)


def discard_kept_answers(token: str | None) -> None:
    if token:
        db.session.execute(delete(PendingSave).where(PendingSave.token == token))
        db.session.commit()

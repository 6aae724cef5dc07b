"""Pre-filling this year's returns from last year's accepted ones.

Most of a department's answers hold from one year to the next; starting from a blank
form every year is why councils keep last year's spreadsheet open beside this one.
For each department's return not yet started, the community safety officer may copy
the answers of that department's most recent accepted return of the same
questionnaire (same question ids) into it. Each copied answer is marked carried over:
the officer sees it on the page, and it counts as unanswered until they confirm it
(saving the page, or one click for a whole section) or change it. An answer that no
longer fits its question (an option since removed, a number now out of range) is not
copied: it is read back through the same parsing as a typed answer. The answer's
evidence files come with it, marked with the date they were first attached.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from app.audit.services import record_event
from app.extensions import db
from app.models import Answer, Assignment, Cycle, CycleStatus, EvidenceFile, QuestionnaireSnapshot, User
from app.models.types import utcnow
from app.questionnaires.answers import parse_question
from app.questionnaires.definition import Definition
from app.questionnaires.registry import definition_from_snapshot
from app.questionnaires.rendering import raw_from_answer
from app.questionnaires.workflow import Action, next_status
from app.respond.services import stored_answers


@dataclass(frozen=True)
class CarryProblem(Exception):
    message: str


@dataclass(frozen=True)
class Carried:
    returns: int  # returns pre-filled
    answers: int
    files: int
    skipped: int  # answers that no longer fit their question


def previous_accepted(assignment: Assignment) -> Assignment | None:
    """The department's most recent accepted return of the same questionnaire in an earlier cycle."""
    return db.session.scalar(
        select(Assignment).join(Cycle, Cycle.id == Assignment.cycle_id)
        .join(QuestionnaireSnapshot, QuestionnaireSnapshot.id == Assignment.snapshot_id)
        .where(Assignment.department_id == assignment.department_id, Assignment.respondent_type == "department",
               Assignment.status == "accepted", Assignment.cycle_id != assignment.cycle_id,
               QuestionnaireSnapshot.definition_id == assignment.snapshot.definition_id,
               Cycle.period_start < assignment.cycle.period_start)
        .order_by(Cycle.period_start.desc(), Assignment.reviewed_at.desc()).limit(1))


def carry_candidates(cycle: Cycle) -> list[tuple[Assignment, Assignment]]:
    """(this year's return, last year's accepted one) for every department return not yet started."""
    found = []
    returns = db.session.scalars(
        select(Assignment).where(Assignment.cycle_id == cycle.id, Assignment.respondent_type == "department",
                                 Assignment.status == "not_started")
        .options(selectinload(Assignment.snapshot), selectinload(Assignment.cycle)).order_by(Assignment.id))
    for assignment in returns:
        has_answers = db.session.scalar(select(Answer.id).where(Answer.assignment_id == assignment.id).limit(1))
        if has_answers is not None:
            continue
        earlier = previous_accepted(assignment)
        if earlier is not None:
            found.append((assignment, earlier))
    return found


def _copy_answers(target: Assignment, definition: Definition, source: Assignment) -> tuple[dict[str, int], int]:
    """Copy the answers that still fit; {question id: new answer id} and how many were left behind."""
    old_rows = {row.question_id: row for row in db.session.scalars(
        select(Answer).where(Answer.assignment_id == source.id))}
    old_values = stored_answers(source)
    made: dict[str, Answer] = {}
    skipped = 0
    now = utcnow()
    for question_id, old in old_values.items():
        question = definition.question(question_id)
        if question is None:
            continue
        parsed, problems = parse_question(question, _as_form(raw_from_answer(question, old)))
        if problems or not parsed.answered:
            skipped += 1
            continue
        row = Answer(assignment_id=target.id, question_id=question_id, value=parsed.value,
                     not_applicable=parsed.not_applicable, evidence=parsed.evidence, action=parsed.action,
                     changed_in_version=target.version, updated_by_id=None, updated_at=now,
                     carried_from_id=old_rows[question_id].id, carried_over=True)
        db.session.add(row)
        made[question_id] = row
    db.session.flush()
    return {qid: row.id for qid, row in made.items()}, skipped


def _as_form(raw: dict) -> MultiDict:
    """A stored answer as the form fields a page would post for it."""
    return MultiDict([(name, item) for name, value in raw.items()
                      for item in (value if isinstance(value, list) else [value])])


def _copy_files(target: Assignment, source: Assignment, questions: set[str]) -> int:
    copied = 0
    for old in db.session.scalars(select(EvidenceFile).where(EvidenceFile.assignment_id == source.id,
                                                            EvidenceFile.question_id.in_(questions))):
        db.session.add(EvidenceFile(
            sha256=old.sha256, size_bytes=old.size_bytes, media_type=old.media_type, file_name=old.file_name,
            assignment_id=target.id, question_id=old.question_id, uploaded_by_id=old.uploaded_by_id,
            uploaded_at=utcnow(), carried_from_id=old.id, first_uploaded_at=old.first_uploaded_at or old.uploaded_at,
            text=old.text, text_state=old.text_state, text_pages=old.text_pages))
        copied += 1
    return copied


def carry_over(actor: User | None, cycle: Cycle) -> Carried:
    """Pre-fill every department return not yet started from its last accepted one (commits)."""
    if cycle.status != CycleStatus.OPEN.value:
        raise CarryProblem("Answers can be carried over into an open cycle only")
    returns = answers = files = skipped = 0
    for target, source in carry_candidates(cycle):
        definition = definition_from_snapshot(target.snapshot)
        made, left = _copy_answers(target, definition, source)
        if not made:
            continue
        returns += 1
        answers += len(made)
        skipped += left
        files += _copy_files(target, source, set(made))
        record_event("assignment.carried_over", object_type="assignment", object_id=target.id, actor=actor,
                     summary=f"Pre-filled the return for {target.respondent_name} with {len(made)} answers "
                             f"from {source.cycle.name}",
                     after={"from_return": source.id, "answers": len(made), "left_out": left})
    if returns:
        record_event("cycle.carried_over", object_type="cycle", object_id=cycle.id, actor=actor,
                     summary=f"Carried over {answers} answers into {returns} returns of {cycle.name}",
                     after={"returns": returns, "answers": answers, "files": files, "left_out": skipped})
    db.session.commit()
    return Carried(returns, answers, files, skipped)


def confirm_section(actor: User, assignment: Assignment, definition: Definition, section_id: str) -> int:
    """The officer says every carried answer in this section still holds: one click (commits). How many."""
    from app.models.locking import lock_for_write
    from app.respond.services import ReturnReadOnly, is_read_only

    section = definition.section(section_id)
    if section is None:
        raise CarryProblem("That section is not in this return")
    lock_for_write(assignment)
    if is_read_only(assignment):
        db.session.rollback()
        raise ReturnReadOnly()
    ids = [q.id for q in section.questions]
    rows = list(db.session.scalars(select(Answer).where(Answer.assignment_id == assignment.id,
                                                        Answer.question_id.in_(ids), Answer.carried_over.is_(True))))
    if not rows:
        db.session.rollback()
        return 0
    version = assignment.version + 1
    now = utcnow()
    for row in rows:
        row.carried_over = False
        row.changed_in_version, row.updated_by_id, row.updated_at = version, actor.id, now
    assignment.updated_at = now
    assignment.status = next_status(assignment.status, Action.SAVE).value
    assignment.started_at = assignment.started_at or now
    record_event("answer.confirmed", object_type="assignment", object_id=assignment.id, actor=actor,
                 summary=f"Confirmed {len(rows)} answer{'s' if len(rows) != 1 else ''} carried over in "
                         f"\u2018{section.title}\u2019",
                 after={"section": section.id, "questions": [row.question_id for row in rows]})
    db.session.commit()
    return len(rows)

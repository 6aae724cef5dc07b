"""The improvement action plan: who may raise and update which actions, and every change audited.

Lead officers plan for their own departments; the community safety officer plans
for every department and for the partnership (actions from the hallmark checklist).
An action's owner may always record progress on it. Auditors read, never change.
Each change carries the version the person saw, so two people updating the same
action cannot overwrite each other unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.analysis.actions import ACTION_STATUS_LABELS, OPEN_STATUSES, ActionFacts, ActionStatus
from app.audit.services import record_event
from app.evidence.services import (
    EvidenceProblem,
    Received,
    Upload,
    attach_to_note,
    forget_unused_bytes,
    queue_text_extraction,
    receive,
)
from app.extensions import db
from app.models import Action, ActionNote, Assignment, Cycle, Department, Role, User
from app.models.action import ORIGIN_NAMES, ActionOrigin
from app.models.types import utcnow
from app.questionnaires.registry import definition_from_snapshot
from app.security.access import Permission, can

TITLE_MAX = 200
TEXT_MAX = 5000
ORIGIN_DETAIL_MAX = 1000
CONFLICT = "Someone else changed this action while you were looking at it. Check it again, then make your change"


@dataclass
class ActionProblem(Exception):
    field: str
    message: str


@dataclass(frozen=True)
class ActionDetails:
    title: str
    done_looks_like: str
    owner_id: int | None
    due_date: date | None


@dataclass(frozen=True)
class ActionSource:
    """Where an action comes from: a gap (its question, as worded then) or, for any other origin, which one.

    An action from a gap names its question and says nothing more; an action from a
    scrutiny recommendation, an earlier plan or elsewhere names no question and says in
    `origin_detail` which recommendation, plan or decision it is.
    """

    origin: str = ActionOrigin.GAP.value
    definition_id: str | None = None
    question_id: str | None = None
    gap_text: str = ""
    origin_detail: str = ""


def _user_department_ids(user: Any) -> set[int]:
    return {d.id for d in getattr(user, "departments", [])}


def may_plan_for(user: Any, department_id: int | None) -> bool:
    """Raise or change actions for this department (None: the partnership)."""
    if not can(user, Permission.PLAN_ACTIONS):
        return False
    if getattr(user, "role", None) == Role.LEAD_OFFICER.value:
        return department_id is not None and department_id in _user_department_ids(user)
    return True


def may_update(user: Any, action: Action) -> bool:
    """Record progress: anyone who may plan for its department, and its owner."""
    return may_plan_for(user, action.department_id) or (
        can(user, Permission.PLAN_ACTIONS) and action.owner_id == getattr(user, "id", None))


def may_read(user: Any, action: Action) -> bool:
    return can(user, Permission.VIEW_ALL_RETURNS) or may_update(user, action)


def get_action_for_reader_or_404(user: Any, action_id: int) -> Action:
    """404 for an action the person may not see: nobody learns that it exists."""
    action = db.session.get(Action, action_id)
    if action is None or not may_read(user, action):
        abort(404)
    return action


def _visible(user: Any, query: Select) -> Select:
    if can(user, Permission.VIEW_ALL_RETURNS):
        return query
    department_ids = _user_department_ids(user)
    return query.where(or_(Action.department_id.in_(department_ids or [-1]), Action.owner_id == user.id))


@dataclass(frozen=True)
class ActionListFilter:
    cycle_id: int | None = None
    department_id: int | None = None  # 0: partnership actions
    status: str | None = None
    overdue_only: bool = False


def visible_actions(user: Any, wanted: ActionListFilter, today: date) -> list[Action]:
    query = select(Action).options(selectinload(Action.department), selectinload(Action.owner),
                                   selectinload(Action.cycle))
    query = _visible(user, query)
    if wanted.cycle_id is not None:
        query = query.where(Action.cycle_id == wanted.cycle_id)
    if wanted.department_id == 0:
        query = query.where(Action.department_id.is_(None))
    elif wanted.department_id is not None:
        query = query.where(Action.department_id == wanted.department_id)
    if wanted.status is not None:
        query = query.where(Action.status == wanted.status)
    if wanted.overdue_only:
        query = query.where(Action.status.in_([s.value for s in OPEN_STATUSES]), Action.due_date < today)
    return list(db.session.scalars(query.order_by(Action.due_date, Action.id)))


def facts(actions: Iterable[Action]) -> list[ActionFacts]:
    return [ActionFacts(a.status, a.due_date, a.department.name if a.department else None) for a in actions]


def actions_by_gap(cycle_id: int, department_ids: Iterable[int | None] | None = None
                   ) -> dict[tuple[int | None, str], list[Action]]:
    """The cycle's actions keyed by (department id, question id), to show beside each gap."""
    query = select(Action).where(Action.cycle_id == cycle_id, Action.question_id.is_not(None))
    if department_ids is not None:
        ids = list(department_ids)
        conditions = [Action.department_id.in_([i for i in ids if i is not None] or [-1])]
        if None in ids:
            conditions.append(Action.department_id.is_(None))
        query = query.where(or_(*conditions))
    grouped: dict[tuple[int | None, str], list[Action]] = {}
    for action in db.session.scalars(query.order_by(Action.id)):
        grouped.setdefault((action.department_id, str(action.question_id)), []).append(action)
    return grouped


def plannable_departments(user: Any) -> list[Department]:
    """The active departments a person may raise actions for: a lead officer's own, everyone's for the others."""
    if not can(user, Permission.PLAN_ACTIONS):
        return []
    query = select(Department).where(Department.active.is_(True)).order_by(Department.name)
    return [d for d in db.session.scalars(query) if may_plan_for(user, d.id)]


def owners_for_any(departments: Iterable[Department | None]) -> list[User]:
    """Everyone who could own an action for one of these departments (the form lists them all at once)."""
    people: dict[int, User] = {}
    for department in departments:
        people.update({u.id: u for u in owner_choices(department.id if department else None)})
    return sorted(people.values(), key=lambda u: u.name.casefold())


def owner_choices(department_id: int | None) -> list[User]:
    """Who can own an action: the department's lead officers and the community safety officers."""
    query = select(User).where(User.active.is_(True), User.role == Role.COMMUNITY_SAFETY_OFFICER.value)
    people = {u.id: u for u in db.session.scalars(query)}
    if department_id is not None:
        department = db.session.get(Department, department_id)
        for officer in department.lead_officers if department else []:
            if officer.active:
                people[officer.id] = officer
    return sorted(people.values(), key=lambda u: u.name.casefold())


def _tidy(text: str | None) -> str:
    return (text or "").strip()


def _check_details(details: ActionDetails, department_id: int | None, *, today: date, new: bool) -> ActionDetails:
    title = " ".join(_tidy(details.title).split())
    done = _tidy(details.done_looks_like)
    if not title:
        raise ActionProblem("title", "Enter a title for the action")
    if len(title) > TITLE_MAX:
        raise ActionProblem("title", f"Title must be {TITLE_MAX} characters or fewer")
    if not done:
        raise ActionProblem("done_looks_like", "Say what ‘done’ looks like, so everyone knows when to close it")
    if len(done) > TEXT_MAX:
        raise ActionProblem("done_looks_like", f"What ‘done’ looks like must be {TEXT_MAX:,} characters or fewer")
    if details.owner_id not in {u.id for u in owner_choices(department_id)}:
        department = db.session.get(Department, department_id) if department_id is not None else None
        raise ActionProblem("owner", "Choose an owner from the list: "
                            + (f"a lead officer for {department.name}" if department else "")
                            + (" or " if department else "") + "a community safety officer")
    if details.due_date is None:
        raise ActionProblem("due_date", "Enter the date the action is due")
    if new and details.due_date < today:
        raise ActionProblem("due_date", "The due date must be today or in the future")
    return ActionDetails(title, done, details.owner_id, details.due_date)


def _check_source(source: ActionSource) -> ActionSource:
    """A gap's action names its question; any other says which recommendation, plan or decision it is."""
    try:
        origin = ActionOrigin(source.origin)
    except ValueError:
        raise ActionProblem("origin", "Choose where the action comes from") from None
    if origin is ActionOrigin.GAP:
        if not source.question_id:
            raise ActionProblem("origin", "Choose where the action comes from")
        return ActionSource(origin.value, source.definition_id, source.question_id, source.gap_text)
    if source.question_id:
        raise ActionProblem("origin", "An action raised from a gap comes from that gap")
    detail = _tidy(source.origin_detail)
    if not detail:
        raise ActionProblem("origin_detail", "Say which recommendation, plan or decision the action comes from")
    if len(detail) > ORIGIN_DETAIL_MAX:
        raise ActionProblem("origin_detail", f"Where it comes from must be {ORIGIN_DETAIL_MAX:,} characters or fewer")
    return ActionSource(origin.value, origin_detail=detail)


def create_action(actor: User, cycle: Cycle, department: Department | None, source: ActionSource,
                  details: ActionDetails, today: date) -> Action:
    department_id = department.id if department else None
    if not may_plan_for(actor, department_id):
        abort(404)
    source = _check_source(source)
    clean = _check_details(details, department_id, today=today, new=True)
    action = Action(cycle_id=cycle.id, department_id=department_id, definition_id=source.definition_id,
                    question_id=source.question_id, gap_text=source.gap_text, origin=source.origin,
                    origin_detail=source.origin_detail, title=clean.title,
                    done_looks_like=clean.done_looks_like, owner_id=clean.owner_id, due_date=clean.due_date,
                    status=ActionStatus.NOT_STARTED.value, dropped_reason="", created_by_id=actor.id)
    db.session.add(action)
    db.session.flush()
    record_event("action.created", object_type="action", object_id=action.id, actor=actor,
                 summary=f"Raised the action ‘{clean.title}’ for {action.department_name} "
                         f"({ORIGIN_NAMES[ActionOrigin(source.origin)].lower()})",
                 after=action.as_audit_dict())
    db.session.commit()
    return action


def _commit_or_conflict(field: str) -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ActionProblem(field, CONFLICT) from None


def update_details(actor: User, action: Action, details: ActionDetails, *, base_version: int, today: date,
                   source: ActionSource | None = None) -> None:
    """Change what the action is; `source` changes where an action not from a gap comes from.

    An action from a gap always stays the gap's: its question is its reason for being.
    """
    if not may_plan_for(actor, action.department_id):
        abort(404)
    if action.version != base_version:
        raise ActionProblem("title", CONFLICT)
    if source is not None and action.question_id:
        raise ActionProblem("origin", "An action raised from a gap comes from that gap")
    source = _check_source(source) if source is not None else None
    clean = _check_details(details, action.department_id, today=today, new=False)
    before = action.as_audit_dict()
    action.title, action.done_looks_like = clean.title, clean.done_looks_like
    action.owner_id, action.due_date = clean.owner_id, clean.due_date
    if source is not None:
        action.origin, action.origin_detail = source.origin, source.origin_detail
    db.session.flush()
    db.session.refresh(action, ["owner"])
    after = action.as_audit_dict()
    if after == before:
        db.session.rollback()
        return
    record_event("action.changed", object_type="action", object_id=action.id, actor=actor,
                 summary=f"Changed the action ‘{clean.title}’", before=before, after=after)
    _commit_or_conflict("title")


def record_progress(actor: User, action: Action, *, status: str, note: str, dropped_reason: str,
                    base_version: int, uploads: Sequence[Upload] = ()) -> None:
    """A dated note and, if it changed, the new status, with any files attached to it. Dropping needs a reason.

    The files are checked and stored with the note or not at all: a refused file leaves no note.
    """
    if not may_update(actor, action):
        abort(404)
    if action.version != base_version:
        raise ActionProblem("status", CONFLICT)
    if status not in {s.value for s in ActionStatus}:
        raise ActionProblem("status", "Choose the action's status")
    note, dropped_reason = _tidy(note), _tidy(dropped_reason)
    if status == ActionStatus.DROPPED.value and not dropped_reason:
        raise ActionProblem("dropped_reason", "Say why the action is being dropped")
    if len(note) > TEXT_MAX or len(dropped_reason) > TEXT_MAX:
        raise ActionProblem("note" if len(note) > TEXT_MAX else "dropped_reason",
                            f"Text must be {TEXT_MAX:,} characters or fewer")
    if status == action.status and not note:
        raise ActionProblem("note", "Write a progress note, or change the status")
    received = _received(uploads)
    with db.session.no_autoflush:  # one UPDATE of the action, so its version moves on by exactly one
        before = {"status": action.status, "dropped_reason": action.dropped_reason or None}
        action.status = status
        action.dropped_reason = dropped_reason if status == ActionStatus.DROPPED.value else ""
        text = note or f"Status changed to {ACTION_STATUS_LABELS[ActionStatus(status)].lower()}."
        written = ActionNote(author_id=actor.id, text=text, status=status)
        action.notes.append(written)
        action.updated_at = utcnow()  # an update of the row itself, so its version moves on even for a note
        after = {"status": status, "dropped_reason": action.dropped_reason or None, "note": text}
        record_event("action.progress", object_type="action", object_id=action.id, actor=actor,
                     summary=f"Recorded progress on ‘{action.title}’: "
                             f"{ACTION_STATUS_LABELS[ActionStatus(status)].lower()}",
                     before=before, after=after)
    try:
        made = _attach_to_note(actor, written, received) if received is not None else []
        _commit_or_conflict("status")
    except BaseException:
        db.session.rollback()
        if received is not None:
            received.discard()
            for _, incoming, _ in received.files:
                forget_unused_bytes(incoming.sha256)  # the note was not kept: nor are bytes nothing else uses
        raise
    queue_text_extraction(made)


def _attach_to_note(actor: User, note: ActionNote, received: Received) -> list:
    try:
        db.session.flush()  # the note's id, for its files
    except StaleDataError:
        raise ActionProblem("status", CONFLICT) from None
    try:
        return attach_to_note(actor, note, received)
    except EvidenceProblem as problem:
        raise ActionProblem("files", problem.message) from None


def _received(uploads: Sequence[Upload]) -> Received | None:
    """The note's files read and checked, before anything is written or locked; None when there are none."""
    if not uploads:
        return None
    try:
        return receive(list(uploads))
    except EvidenceProblem as problem:
        raise ActionProblem("files", problem.message) from None


def gap_source(cycle: Cycle, department_id: int | None, question_id: str | None) -> ActionSource | None:
    """The gap an action is raised from, found in the return it belongs to; None if it is not there.

    A department's questions come from its own return in the cycle; the partnership's
    from the cycle's partnership questionnaires (the hallmark checklist).
    """
    if not question_id:
        return None
    query = select(Assignment).where(Assignment.cycle_id == cycle.id)
    if department_id is None:
        query = query.where(Assignment.respondent_type == "partnership")
    else:
        query = query.where(Assignment.respondent_type == "department", Assignment.department_id == department_id)
    for assignment in db.session.scalars(query):
        definition = definition_from_snapshot(assignment.snapshot)
        question = definition.question(question_id)
        if question is not None:
            return ActionSource(ActionOrigin.GAP.value, definition.id, question.id, question.text)
    return None

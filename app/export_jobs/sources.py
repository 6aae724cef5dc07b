"""Gathering an export's data from the database, for the pure writers in app/exports.

The returns are read as one streamed query (each return with all its answers as one
JSON object, as on the results pages), a few hundred rows at a time, and handed to
the writer as they arrive; so are the audit events. Everything else is small.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from importlib import metadata
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import String, case, cast, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from app.analysis.approaches import approach_matrix
from app.analysis.compliance import checklist_compliance
from app.analysis.crime import benchmark_rules, quartile_rule
from app.analysis.rules import scoring_rules
from app.benchmarking.crime.offences import offence_labels
from app.benchmarking.crime.services import benchmark_group, offence_table, periods_with_figures
from app.exports.model import (
    About,
    ActionInfo,
    AuditInfo,
    CommentInfo,
    CrimeFigure,
    CrimeSection,
    CycleExport,
    DefinitionInfo,
    EvidenceCheck,
    EvidenceFileInfo,
    ReturnInfo,
    ReviewInfo,
    StoredReturn,
)
from app.exports.reviews import DECISIONS, ReturnEvent, review_rows
from app.exports.sheets import RagBands
from app.extensions import db
from app.models import (
    Action,
    ActionNote,
    Answer,
    AnswerComment,
    Assignment,
    AuditEvent,
    CrimeStatistic,
    Cycle,
    Department,
    EvidenceFile,
    PeerInvitation,
    PeerPartnership,
    QuestionnaireSnapshot,
    User,
)
from app.organisation.services import current_organisation
from app.questionnaires.registry import definition_from_snapshot
from app.questionnaires.workflow import STATUS_LABELS, Status, display_status
from app.results.loading import SUBMITTED_STATUSES, answers_json, decode_answers
from app.results.services import bands, partnership_data, peer_data
from app.review.comments import RESOLUTION_WORDS

STREAM_RETURNS = 50  # returns fetched at a time
# A closed cycle's returns keep the names and codes they had when it closed (Assignment.frozen_*).
DEPARTMENT_NAME = func.coalesce(Assignment.frozen_name, Department.name)
DEPARTMENT_CODE = func.coalesce(Assignment.frozen_code, Department.code)
PEER_NAME = func.coalesce(Assignment.frozen_name, PeerPartnership.name)
SHEET_ORDER_NAME = func.lower(func.coalesce(Assignment.frozen_name, Department.name, PeerPartnership.name, ""))
STREAM_EVENTS = 2000
ACTION_STATUS_LABELS = {"not_started": "Not started", "in_progress": "In progress", "done": "Done",
                        "dropped": "Dropped"}


def _local_today(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _scope_conditions(cycle_id: int, department_id: int | None) -> list:
    """By ids, not objects: the streamed parts run after the request's objects may have been expired."""
    conditions = [Assignment.cycle_id == cycle_id]
    if department_id is not None:
        conditions += [Assignment.respondent_type == "department", Assignment.department_id == department_id]
    return conditions


def _returns(cycle_id: int, department_id: int | None, today: date) -> Iterator[StoredReturn]:
    """The cycle's returns in sheet order (departments by name, the partnership, peers by name), streamed."""
    dialect = db.session.get_bind().dialect.name
    kind_order = case({"department": 0, "partnership": 1, "peer": 2}, value=Assignment.respondent_type, else_=3)
    reviewer = aliased(User)
    query = (
        select(Assignment.id, Assignment.snapshot_id, Assignment.respondent_type, Assignment.department_id,
               DEPARTMENT_NAME, DEPARTMENT_CODE, PEER_NAME, PeerPartnership.is_own, Assignment.status,
               Assignment.due_date, Assignment.submitted_at, Assignment.reviewed_at, answers_json(True, dialect),
               reviewer.name, reviewer.email, Assignment.return_reason)
        .select_from(Assignment)
        .outerjoin(Department, Department.id == Assignment.department_id)
        .outerjoin(PeerPartnership, PeerPartnership.id == Assignment.peer_partnership_id)
        .outerjoin(reviewer, reviewer.id == Assignment.reviewed_by_id)
        .where(*_scope_conditions(cycle_id, department_id))
        .order_by(kind_order, SHEET_ORDER_NAME, Assignment.id)
        .execution_options(yield_per=STREAM_RETURNS)
    )
    checks = _evidence_checks(cycle_id, department_id)
    contacts = _peer_contacts(cycle_id) if department_id is None else {}
    for (assignment_id, snapshot_id, kind, department_id, department_name, code, peer_name, is_own, status,
         due_date, submitted_at, reviewed_at, text, reviewer_name, reviewer_email,
         return_reason) in db.session.execute(query):
        name = _respondent_name(kind, department_name, peer_name, is_own)
        label, _tag = display_status(status, due_date, today)
        yield StoredReturn(ReturnInfo(
            assignment_id, snapshot_id, kind, name, department_id, code or "", STATUS_LABELS[Status(status)],
            label != STATUS_LABELS[Status(status)], due_date, submitted_at, reviewed_at,
            status in SUBMITTED_STATUSES, _who(reviewer_name, reviewer_email), return_reason or "",
            contacts.get(assignment_id, "")), decode_answers(text),
            checks.get(assignment_id, {}))


def _peer_contacts(cycle_id: int) -> dict[int, str]:
    """Who answers each peer return: the contact its latest invitation was sent to (peers have no account)."""
    rows = db.session.execute(select(PeerInvitation.assignment_id, PeerInvitation.contact_name,
                                     PeerInvitation.contact_email).join(Assignment)
                              .where(Assignment.cycle_id == cycle_id).order_by(PeerInvitation.id))
    return {assignment_id: f"{name} ({email}), peer contact" if email else name
            for assignment_id, name, email in rows}


def _who(name: str | None, email: str | None) -> str:
    """A person as the sheets name them: their name, or their e-mail address for an account without one."""
    return name or email or ""


def _respondent_name(kind: str, department_name: str | None, peer_name: str | None, is_own: bool | None) -> str:
    if kind == "department":
        return department_name or ""
    if kind == "partnership":
        return "The partnership"
    return f"{peer_name} (our partnership)" if is_own else peer_name or ""


def _evidence_checks(cycle_id: int, department_id: int | None) -> dict[int, dict[str, EvidenceCheck]]:
    """The answers whose evidence a reviewer checked, by return: few, so all of them are read at once."""
    query = (select(Answer.assignment_id, Answer.question_id, Answer.evidence_checked_at, User.name, User.email)
             .join(Assignment, Assignment.id == Answer.assignment_id)
             .outerjoin(User, User.id == Answer.evidence_checked_by_id)
             .where(*_scope_conditions(cycle_id, department_id), Answer.evidence_checked_at.is_not(None)))
    found: dict[int, dict[str, EvidenceCheck]] = {}
    for assignment_id, question_id, checked_at, name, email in db.session.execute(query):
        found.setdefault(assignment_id, {})[question_id] = EvidenceCheck(checked_at, _who(name, email))
    return found


def _question_texts(definitions: dict[int, Any]) -> dict[tuple[int, str], str]:
    return {(snapshot_id, question.id): question.text
            for snapshot_id, definition in definitions.items() for question in definition.questions}


def _comments(cycle_id: int, department_id: int | None, definitions: dict[int, Any]) -> list[CommentInfo]:
    """Every comment the lead officer was shown, return by return and question by question, oldest first.

    A reviewer's drafts are left out: they are working notes until a decision sends them, and a
    department's workbook may be read by its own officers.
    """
    texts = _question_texts(definitions)
    author, resolver = aliased(User), aliased(User)
    query = (select(AnswerComment, Assignment.snapshot_id, Assignment.respondent_type, DEPARTMENT_NAME,
                    DEPARTMENT_CODE, PEER_NAME, PeerPartnership.is_own, author.name, author.email,
                    resolver.name, resolver.email)
             .join(Assignment, Assignment.id == AnswerComment.assignment_id)
             .outerjoin(Department, Department.id == Assignment.department_id)
             .outerjoin(PeerPartnership, PeerPartnership.id == Assignment.peer_partnership_id)
             .outerjoin(author, author.id == AnswerComment.author_id)
             .outerjoin(resolver, resolver.id == AnswerComment.resolved_by_id)
             .where(*_scope_conditions(cycle_id, department_id), AnswerComment.shared_at.is_not(None))
             .order_by(SHEET_ORDER_NAME, Assignment.id, AnswerComment.question_id, AnswerComment.created_at,
                       AnswerComment.id))
    found = []
    for (comment, snapshot_id, kind, department_name, code, peer_name, is_own, author_name, author_email,
         resolver_name, resolver_email) in db.session.execute(query):
        found.append(CommentInfo(
            comment.id, comment.assignment_id, _respondent_name(kind, department_name, peer_name, is_own),
            code or "", comment.question_id, texts.get((snapshot_id, comment.question_id), ""),
            _who(author_name, author_email), "Reviewer" if comment.by_reviewer else "Lead officer",
            comment.created_at, comment.shared_at, comment.body, "Open" if comment.is_open else "Resolved",
            comment.resolved_at, RESOLUTION_WORDS.get(comment.resolution or "", ""),
            _who(resolver_name, resolver_email)))
    return found


TEXT_READ_WORDS = {"waiting": "Not read yet", "none": "No text in this kind of file",
                   "scanned": "A scan: no text to read", "failed": "Could not be read"}


def _text_read(state: str, pages: int | None) -> str:
    if state == "done":
        return f"Read ({pages} pages)" if pages else "Read"
    return TEXT_READ_WORDS.get(state, state)


def _evidence_files(cycle_id: int, department_id: int | None,
                    definitions: dict[int, Any]) -> list[EvidenceFileInfo]:
    """Every evidence file of the returns in scope, then of the action plan's progress notes."""
    texts = _question_texts(definitions)
    found: list[EvidenceFileInfo] = []
    uploader = aliased(User)
    on_answers = (select(EvidenceFile, Assignment.snapshot_id, Assignment.respondent_type, DEPARTMENT_NAME,
                         DEPARTMENT_CODE, PEER_NAME, PeerPartnership.is_own, uploader.name, uploader.email)
                  .join(Assignment, Assignment.id == EvidenceFile.assignment_id)
                  .outerjoin(Department, Department.id == Assignment.department_id)
                  .outerjoin(PeerPartnership, PeerPartnership.id == Assignment.peer_partnership_id)
                  .outerjoin(uploader, uploader.id == EvidenceFile.uploaded_by_id)
                  .where(*_scope_conditions(cycle_id, department_id))
                  .order_by(SHEET_ORDER_NAME, Assignment.id, EvidenceFile.question_id, EvidenceFile.uploaded_at,
                            EvidenceFile.id))
    for row, snapshot_id, kind, department_name, code, peer_name, is_own, name, email in db.session.execute(
            on_answers):
        found.append(_file_info(row, row.assignment_id, _respondent_name(kind, department_name, peer_name, is_own),
                                code or "", "Answer", row.question_id or "",
                                texts.get((snapshot_id, row.question_id or ""), ""), _who(name, email)))
    on_notes = (select(EvidenceFile, Action.title, Department.name, Department.code, uploader.name, uploader.email)
                .join(ActionNote, ActionNote.id == EvidenceFile.action_note_id)
                .join(Action, Action.id == ActionNote.action_id)
                .outerjoin(Department, Department.id == Action.department_id)
                .outerjoin(uploader, uploader.id == EvidenceFile.uploaded_by_id)
                .where(Action.cycle_id == cycle_id)
                .order_by(Action.id, ActionNote.id, EvidenceFile.id))
    if department_id is not None:
        on_notes = on_notes.where(Action.department_id == department_id)
    for row, title, department_name, code, name, email in db.session.execute(on_notes):
        found.append(_file_info(row, None, department_name or "The partnership", code or "", "Action progress note",
                                "", title, _who(name, email)))
    return found


def _file_info(row: EvidenceFile, return_id: int | None, respondent: str, code: str, attached_to: str,
               question_id: str, about: str, uploaded_by: str) -> EvidenceFileInfo:
    return EvidenceFileInfo(row.id, return_id, respondent, code, attached_to, question_id, about, row.file_name,
                            row.media_type, row.size_bytes, uploaded_by, row.uploaded_at, row.first_uploaded_at,
                            row.frozen_at, _text_read(row.text_state, row.text_pages), row.sha256)


def _counts(cycle_id: int, department_id: int | None) -> tuple[int, int]:
    conditions = _scope_conditions(cycle_id, department_id)
    returns = db.session.scalar(select(func.count()).select_from(Assignment).where(*conditions)) or 0
    answers = db.session.scalar(select(func.count()).select_from(Answer).join(Assignment)
                                .where(*conditions)) or 0
    return returns, answers


def _actions(cycle: Cycle, department: Department | None, today: date) -> list[ActionInfo]:
    query = (select(Action).where(Action.cycle_id == cycle.id)
             .options(selectinload(Action.department), selectinload(Action.owner), selectinload(Action.notes))
             .order_by(Action.due_date, Action.id))
    if department is not None:
        query = query.where(Action.department_id == department.id)
    rows = db.session.execute(select(Assignment.department_id, Assignment.id, Assignment.frozen_name).where(
        Assignment.cycle_id == cycle.id, Assignment.respondent_type == "department")).all()
    returns = {department_id: return_id for department_id, return_id, _ in rows}
    frozen = {department_id: name for department_id, _, name in rows if name}
    partnership = db.session.scalar(select(Assignment.id).where(Assignment.cycle_id == cycle.id,
                                                                Assignment.respondent_type == "partnership"))
    found = []
    for action in db.session.scalars(query):
        latest = action.notes[-1] if action.notes else None
        found.append(ActionInfo(
            action.title, frozen.get(action.department_id) or action.department_name, action.question_id or "", action.gap_text,
            action.owner.name if action.owner else "", action.due_date, ACTION_STATUS_LABELS.get(action.status,
                                                                                                 action.status),
            action.status in ("not_started", "in_progress") and action.due_date < today, action.done_looks_like,
            action.dropped_reason, latest.text if latest else "", latest.written_at if latest else None,
            len(action.notes), action.created_at, action.updated_at, action.origin_name,
            action.origin_detail or "", action.id,
            returns.get(action.department_id) if action.department_id is not None else partnership))
    return found


# Reading leaves the data as it was: who downloaded, printed or exported what is in the service's own audit
# log, not the workbook's, or each reading would change the next export of the same data.
READ_EVENTS = ("evidence.downloaded", "assignment.printed")  # and every export.* event


def _audit_scope(cycle_id: int, department_id: int | None) -> list:
    """The conditions on audit events about this cycle, its returns, actions and invitation links (reads left out)."""
    assignment_ids = select(cast(Assignment.id, String)).where(*_scope_conditions(cycle_id, department_id))
    action_ids = select(cast(Action.id, String)).where(Action.cycle_id == cycle_id)
    if department_id is not None:
        action_ids = action_ids.where(Action.department_id == department_id)
    about = [(AuditEvent.object_type == "assignment") & AuditEvent.object_id.in_(assignment_ids),
             (AuditEvent.object_type == "action") & AuditEvent.object_id.in_(action_ids)]
    if department_id is None:
        invitation_ids = (select(cast(PeerInvitation.id, String)).join(Assignment)
                          .where(Assignment.cycle_id == cycle_id))
        about += [(AuditEvent.object_type == "cycle") & (AuditEvent.object_id == str(cycle_id)),
                  (AuditEvent.object_type == "peer_invitation") & AuditEvent.object_id.in_(invitation_ids)]
    return [or_(*about), ~AuditEvent.action.startswith("export."), AuditEvent.action.not_in(READ_EVENTS)]


def _data_as_of(cycle: Cycle, department_id: int | None) -> datetime | None:
    """The latest change an export of this scope includes: its newest audit event (every change is audited)."""
    return db.session.scalar(select(func.max(AuditEvent.occurred_at)).where(*_audit_scope(cycle.id, department_id)))


def _audit(cycle_id: int, department_id: int | None) -> Iterator[AuditInfo]:
    """Every recorded change about this cycle, its returns, its actions and its invitation links, oldest first."""
    query = (select(AuditEvent).where(*_audit_scope(cycle_id, department_id))
             .order_by(AuditEvent.occurred_at, AuditEvent.id)
             .execution_options(yield_per=STREAM_EVENTS))
    for event in db.session.scalars(query):
        yield AuditInfo(event.occurred_at, event.actor_email or "", event.action, event.object_type or "",
                        event.object_id or "", event.summary,
                        json.dumps(event.before, ensure_ascii=False, sort_keys=True) if event.before is not None else "",
                        json.dumps(event.after, ensure_ascii=False, sort_keys=True) if event.after is not None else "",
                        event.ip_address or "", event.id)


def _reviews(cycle_id: int, department_id: int | None) -> list[ReviewInfo]:
    """Each submission of each return in scope and the decision that followed, from the audit log."""
    names = {assignment_id: (_respondent_name(kind, department_name, peer_name, is_own), code or "")
             for assignment_id, kind, department_name, code, peer_name, is_own in db.session.execute(
                 select(Assignment.id, Assignment.respondent_type, DEPARTMENT_NAME, DEPARTMENT_CODE, PEER_NAME,
                        PeerPartnership.is_own)
                 .outerjoin(Department, Department.id == Assignment.department_id)
                 .outerjoin(PeerPartnership, PeerPartnership.id == Assignment.peer_partnership_id)
                 .where(*_scope_conditions(cycle_id, department_id)))}
    ids = [str(assignment_id) for assignment_id in names]
    actor = aliased(User)
    query = (select(AuditEvent.object_id, AuditEvent.action, AuditEvent.occurred_at, actor.name,
                    AuditEvent.actor_email, AuditEvent.after)
             .outerjoin(actor, actor.id == AuditEvent.actor_id)
             .where(AuditEvent.object_type == "assignment", AuditEvent.object_id.in_(ids),
                    AuditEvent.action.in_(["assignment.submitted", *DECISIONS]))
             .order_by(AuditEvent.occurred_at, AuditEvent.id))
    events = (ReturnEvent(int(object_id), action, at, _who(name, email), after)
              for object_id, action, at, name, email, after in db.session.execute(query))
    return review_rows(events, names)


def _crime() -> list[CrimeSection]:
    """Every offence type with figures, in every period we hold, across the family group."""
    labels = offence_labels()
    held = set(db.session.execute(select(CrimeStatistic.offence, CrimeStatistic.period).distinct()).all())
    group = benchmark_group()
    figures: dict[tuple[str, str], dict[str, CrimeFigure]] = {}
    for offence, period, name, count, population, source, imported_at in db.session.execute(
            select(CrimeStatistic.offence, CrimeStatistic.period, PeerPartnership.name, CrimeStatistic.count,
                   CrimeStatistic.population, CrimeStatistic.source, CrimeStatistic.imported_at)
            .join(PeerPartnership, PeerPartnership.id == CrimeStatistic.peer_partnership_id)):
        figures.setdefault((offence, period), {})[name] = CrimeFigure(count, population, source or "", imported_at)
    sections = []
    for period in periods_with_figures():
        for key, label in labels.items():
            if (key, period) in held:
                sections.append(CrimeSection(label, period, offence_table(key, period, group),
                                             figures.get((key, period), {})))
    return sections


def product_version() -> str:
    """This installation's version, as packaged (pyproject.toml)."""
    try:
        return metadata.version("section17-audit")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(version unknown)"


def cycle_export(cycle: Cycle, *, department: Department | None = None, generated_by: str,
                 generated_at: datetime) -> CycleExport:
    """Everything a workbook of this cycle (or of one department in it) shows."""
    zone = ZoneInfo(current_app.config.get("TIMEZONE") or "Europe/London")
    department_id = department.id if department is not None else None
    as_of = _data_as_of(cycle, department_id)
    # Overdue as on the data's day, not the export's: the same data must give the same workbook on any day.
    today = _local_today(as_of, zone) if as_of is not None else cycle.period_start
    names = current_organisation()
    snapshots = [choice.snapshot for choice in cycle.questionnaires if choice.snapshot is not None]
    if department is not None:
        snapshots = [s for s in snapshots if s.kind == "departmental"]
    rag = bands()
    about = About(
        council=names.council_name, partnership=names.partnership_name, cycle=cycle.name,
        period_start=cycle.period_start, period_end=cycle.period_end, deadline=cycle.deadline,
        cycle_status=cycle.status_label, scope="The whole cycle" if department is None else f"{department.name} only",
        generated_at=generated_at, generated_by=generated_by, timezone=str(zone),
        definitions=[DefinitionInfo(s.definition_id, s.version, s.title, s.kind, s.sha256) for s in snapshots],
        scoring_rules=scoring_rules(rag), benchmark_rules=benchmark_rules() if department is None else (),
        bands=RagBands(rag.green, rag.amber), data_as_of=as_of, made_with=f"Section 17 Audit {product_version()}")
    return_count, answer_count = _counts(cycle.id, department_id)
    used = db.session.scalars(select(Assignment.snapshot_id).where(*_scope_conditions(cycle.id, department_id))
                              .distinct())
    definitions = {s.id: definition_from_snapshot(s) for s in db.session.scalars(
        select(QuestionnaireSnapshot).where(QuestionnaireSnapshot.id.in_(list(used))))}
    data = CycleExport(about=about, definitions=definitions, returns=_returns(cycle.id, department_id, today),
                       return_count=return_count, answer_count=answer_count,
                       actions=_actions(cycle, department, today), audit=_audit(cycle.id, department_id),
                       whole_cycle=department is None, quartile_rule=quartile_rule(),
                       comments=_comments(cycle.id, department_id, definitions),
                       reviews=_reviews(cycle.id, department_id),
                       evidence_files=_evidence_files(cycle.id, department_id, definitions))
    if department is None:
        partnership = partnership_data(cycle).frame
        if not partnership.empty:
            data.hallmarks = checklist_compliance(partnership)
        peers = peer_data(cycle).frame
        if not peers.empty:
            data.approaches = approach_matrix(peers)
        data.crime = _crime()
    return data

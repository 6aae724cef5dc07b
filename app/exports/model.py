"""What an export is made from: plain data, gathered from the database by app/export_jobs/sources.py.

The workbook and CSV writers take only these, so they can be tested with
hand-made data and run without Flask. Returns and audit events are iterables,
read from the database as they are written, so memory stays flat however large
the cycle is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.analysis.approaches import ApproachMatrix
from app.analysis.compliance import ChecklistCompliance
from app.analysis.crime import GroupTable
from app.exports.sheets import RagBands
from app.questionnaires.definition import Definition

Progress = Callable[[int, int], None]  # (returns written so far, returns in all)


@dataclass(frozen=True)
class DefinitionInfo:
    id: str
    version: int
    title: str
    kind: str
    sha256: str


@dataclass(frozen=True)
class About:
    council: str
    partnership: str
    cycle: str
    period_start: date
    period_end: date
    deadline: date
    cycle_status: str
    scope: str  # "The whole cycle", or "Housing Services only"
    generated_at: datetime
    generated_by: str
    timezone: str
    definitions: Sequence[DefinitionInfo]
    scoring_rules: Sequence[str]
    benchmark_rules: Sequence[str]
    bands: RagBands
    # The latest change the workbook includes (its newest audit event): what it says it shows, and the day
    # overdue is judged on. generated_at and generated_by name the export (its file name, the audit log)
    # but are not written into it, so that the same data gives the same bytes whoever exports it and when.
    data_as_of: datetime | None = None
    made_with: str = "Section 17 Audit"  # the product and its version


@dataclass(frozen=True)
class ReturnInfo:
    """One return, with what the sheets say about whoever answers it."""

    assignment_id: int
    snapshot_id: int
    respondent_type: str  # department | partnership | peer
    respondent: str  # the department's or partnership's name
    department_id: int | None
    department_code: str
    status: str  # its label, e.g. "Submitted"
    overdue: bool
    due_date: date | None
    submitted_at: datetime | None
    reviewed_at: datetime | None
    # Whether council-wide figures count it: submitted (returned and accepted too), as on the results pages.
    # A return still being written has provisional figures.
    counted: bool = True
    reviewed_by: str = ""
    return_reason: str = ""  # the reason given when it was last sent back
    answered_by: str = ""  # who answers without an account (a peer's contact), named where no user is


@dataclass(frozen=True)
class ReviewInfo:
    """One submission of a return and what the reviewer decided about it (nothing yet: decision "")."""

    assignment_id: int
    respondent: str
    department_code: str
    submission: int
    submitted_at: datetime | None  # None: a decision recorded without its submission (older histories)
    submitted_by: str
    decision: str  # "Accepted", "Returned for changes" or ""
    decided_at: datetime | None
    decided_by: str
    reason: str


@dataclass(frozen=True)
class EvidenceCheck:
    """A reviewer's mark that an answer's evidence was looked at."""

    checked_at: datetime
    checked_by: str


@dataclass(frozen=True)
class StoredReturn:
    info: ReturnInfo
    # question id -> [value, not_applicable, evidence, action, updated_at, updated_by, answer id]
    answers: Mapping[str, Sequence[Any]]
    # question id -> the reviewer's check of its evidence (only answers that have one: most have none)
    checks: Mapping[str, EvidenceCheck] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionInfo:
    title: str
    department: str
    question_id: str
    gap_text: str
    owner: str
    due_date: date | None
    status: str  # its label
    overdue: bool
    done_looks_like: str
    dropped_reason: str
    latest_note: str
    latest_note_at: datetime | None
    notes: int
    created_at: datetime | None
    updated_at: datetime | None
    origin: str = "Gap found by the audit"  # where it comes from, in words
    origin_detail: str = ""  # which recommendation, plan or decision, for an action not raised from a gap
    action_id: int | None = None
    return_id: int | None = None  # the department's return in the cycle, to join with Responses


@dataclass(frozen=True)
class AuditInfo:
    occurred_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    summary: str
    before: str  # JSON text
    after: str
    ip_address: str
    event_id: int | None = None


@dataclass(frozen=True)
class CommentInfo:
    """One comment of the conversation on an answer, as the lead officer saw it (drafts are not in it)."""

    comment_id: int
    assignment_id: int
    respondent: str
    department_code: str
    question_id: str
    question: str
    author: str
    author_role: str  # its words: "Reviewer" or "Lead officer"
    written_at: datetime
    shared_at: datetime | None
    text: str
    state: str  # "Open" or "Resolved"
    resolved_at: datetime | None
    resolved_how: str  # e.g. "the answer was changed"
    resolved_by: str


@dataclass(frozen=True)
class EvidenceFileInfo:
    """One evidence file: what it is evidence for, who attached it when, and the fingerprint of its bytes."""

    file_id: int
    return_id: int | None  # the return it is evidence for (None for an action's progress note)
    respondent: str  # the department, the partnership, or the action plan's department
    department_code: str
    attached_to: str  # "Answer" or "Action progress note"
    question_id: str
    about: str  # the question's text, or the action's title
    file_name: str
    media_type: str
    size_bytes: int
    uploaded_by: str
    uploaded_at: datetime
    first_uploaded_at: datetime | None  # set when it was carried over from an earlier cycle
    frozen_at: datetime | None
    text_read: str  # what was read of its text, in words
    sha256: str


@dataclass(frozen=True)
class CrimeFigure:
    """Where one partnership's figure came from: the counts behind its rate and the file it was imported from."""

    count: int | None
    population: int | None
    source: str
    imported_at: datetime | None


@dataclass(frozen=True)
class CrimeSection:
    offence: str  # its label
    period: str
    table: GroupTable
    figures: Mapping[str, CrimeFigure] = field(default_factory=dict)  # by partnership name


@dataclass
class CycleExport:
    """Everything one workbook shows. `returns` and `audit` are read as they are written."""

    about: About
    definitions: Mapping[int, Definition]  # by snapshot id
    returns: Iterable[StoredReturn]  # in the order the Responses sheet lists them
    return_count: int
    answer_count: int
    actions: Sequence[ActionInfo]
    audit: Iterable[AuditInfo]
    whole_cycle: bool = True
    # Each partnership checklist's compliance and items (the hallmark checklist, a council's own, or both):
    # the Summary's compliance blocks and the Hallmarks sheet. None or empty: no checklist, no sheet.
    hallmarks: Sequence[ChecklistCompliance] | None = None
    approaches: ApproachMatrix | None = None
    crime: Sequence[CrimeSection] = field(default_factory=tuple)
    comments: Sequence[CommentInfo] = field(default_factory=tuple)
    reviews: Sequence[ReviewInfo] = field(default_factory=tuple)
    evidence_files: Sequence[EvidenceFileInfo] = field(default_factory=tuple)
    quartile_rule: str = ""

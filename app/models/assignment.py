"""Assignments (one questionnaire for one respondent in one cycle) and their answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.cycle import Cycle, QuestionnaireSnapshot
from app.models.department import Department
from app.models.peer import PeerPartnership
from app.models.types import JSONType, UTCDateTime, utcnow
from app.models.user import User


class Assignment(db.Model):
    """A return: who answers which questionnaire in which cycle, its status and its version.

    `version` is SQLAlchemy's optimistic lock: every update checks it is unchanged
    since the row was read and increments it, so two saves or submits that started
    from the same state cannot both win.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("status IN ('not_started', 'in_progress', 'submitted', 'returned', 'accepted')",
                        name="status_valid"),
        CheckConstraint("respondent_type IN ('department', 'partnership', 'peer')", name="respondent_type_valid"),
        CheckConstraint("respondent_type != 'department' OR department_id IS NOT NULL", name="department_set"),
        CheckConstraint("respondent_type != 'peer' OR peer_partnership_id IS NOT NULL", name="peer_set"),
        UniqueConstraint("cycle_id", "snapshot_id", "department_id", name="uq_assignments_cycle_snapshot_department"),
        UniqueConstraint("cycle_id", "snapshot_id", "peer_partnership_id", name="uq_assignments_cycle_snapshot_peer"),
        Index("ix_assignments_cycle_status", "cycle_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_snapshots.id", ondelete="RESTRICT"))
    respondent_type: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    peer_partnership_id: Mapped[int | None] = mapped_column(ForeignKey("peer_partnerships.id", ondelete="RESTRICT"),
                                                            index=True)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    due_date: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    return_reason: Mapped[str | None] = mapped_column(Text)
    submission_count: Mapped[int] = mapped_column(Integer, default=0)
    # The respondent's name and code when the cycle closed (None while it is open): a department renamed
    # later never changes what a closed cycle's exports say.
    frozen_name: Mapped[str | None] = mapped_column(String(200))
    frozen_code: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    cycle: Mapped[Cycle] = relationship(back_populates="assignments")
    snapshot: Mapped[QuestionnaireSnapshot] = relationship()
    department: Mapped[Department | None] = relationship()
    peer_partnership: Mapped[PeerPartnership | None] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    answers: Mapped[list[Answer]] = relationship(back_populates="assignment", cascade="all, delete-orphan")

    @property
    def respondent_name(self) -> str:
        if self.respondent_type == "department" and self.department is not None:
            return self.department.name
        if self.respondent_type == "partnership":
            return "The partnership"
        if self.peer_partnership is not None:
            own = " (our partnership)" if self.peer_partnership.is_own else ""
            return self.peer_partnership.name + own
        return "Peer partnership"


class Answer(db.Model):
    """One answer, stored long: one row per assignment and question."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("assignment_id", "question_id", name="uq_answers_assignment_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any | None] = mapped_column(JSONType)
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")
    # The assignment version that last changed this answer: a save based on an
    # older version that touches this answer is a conflict.
    changed_in_version: Mapped[int] = mapped_column(Integer, default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A reviewer saw the evidence this answer cites and it bears the answer out. Any change
    # to the answer clears it: the check was of what was there then.
    evidence_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evidence_checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Pre-filled from last year's accepted return: the answer it came from, and whether the officer has yet to
    # confirm it still holds. A carried answer not yet confirmed counts as unanswered everywhere.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id", ondelete="SET NULL"))
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    assignment: Mapped[Assignment] = relationship(back_populates="answers")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    evidence_checked_by: Mapped[User | None] = relationship(foreign_keys=[evidence_checked_by_id])


class PendingSave(db.Model):
    """Answers posted after the session expired, kept until the person signs in again.

    Kept only from a page whose signed keep token named the respondent (see
    app/respond/keep_token.py); only ever shown back (never saved) to that same
    respondent, in the browser that posted them (a cookie carries the token), with
    the version of the return they were typed against.
    """

    __tablename__ = "pending_saves"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    section_id: Mapped[str] = mapped_column(String(64))
    respondent_key: Mapped[str] = mapped_column(String(32))  # "u<user id>" or "i<invitation id>"
    base_version: Mapped[int] = mapped_column(Integer)
    form: Mapped[Any] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

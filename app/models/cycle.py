"""Audit cycles and the questionnaire snapshots they use."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, CheckConstraint, Column, Date, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.department import Department
from app.models.types import JSONType, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.assignment import Assignment


class CycleStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


CYCLE_STATUS_LABELS = {CycleStatus.DRAFT: "Draft", CycleStatus.OPEN: "Open", CycleStatus.CLOSED: "Closed"}


class QuestionnaireSnapshot(db.Model):
    """A definition exactly as it was when a cycle opened. Never changed afterwards."""

    __tablename__ = "questionnaire_snapshots"
    __table_args__ = (UniqueConstraint("definition_id", "sha256", name="uq_questionnaire_snapshots_definition_sha"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))
    # Loaded only when needed: the parsed Definition is cached per snapshot (see questionnaires.registry).
    content: Mapped[Any] = mapped_column(JSONType, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


cycle_questionnaire_departments = Table(
    "cycle_questionnaire_departments",
    db.metadata,
    Column("cycle_questionnaire_id", ForeignKey("cycle_questionnaires.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class Cycle(db.Model):
    __tablename__ = "cycles"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status_valid"),
        CheckConstraint("period_start <= period_end", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=CycleStatus.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    questionnaires: Mapped[list[CycleQuestionnaire]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="CycleQuestionnaire.id"
    )
    assignments: Mapped[list[Assignment]] = relationship(back_populates="cycle", cascade="all, delete-orphan")

    @property
    def status_label(self) -> str:
        return CYCLE_STATUS_LABELS[CycleStatus(self.status)]

    def as_audit_dict(self) -> dict[str, object]:
        return {
            "name": self.name, "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(), "deadline": self.deadline.isoformat(), "status": self.status,
            "questionnaires": [q.as_audit_dict() for q in self.questionnaires],
        }


class CycleQuestionnaire(db.Model):
    """A definition chosen for a cycle, and who it goes to. The snapshot is taken when the cycle opens."""

    __tablename__ = "cycle_questionnaires"
    __table_args__ = (UniqueConstraint("cycle_id", "definition_id", name="uq_cycle_questionnaires_cycle_definition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    definition_id: Mapped[str] = mapped_column(String(64))
    all_departments: Mapped[bool] = mapped_column(Boolean, default=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_snapshots.id", ondelete="RESTRICT"))

    cycle: Mapped[Cycle] = relationship(back_populates="questionnaires")
    snapshot: Mapped[QuestionnaireSnapshot | None] = relationship()
    departments: Mapped[list[Department]] = relationship(secondary=cycle_questionnaire_departments,
                                                         order_by="Department.name")

    def as_audit_dict(self) -> dict[str, object]:
        return {
            "definition": self.definition_id,
            "departments": "all" if self.all_departments else sorted(d.code for d in self.departments),
        }

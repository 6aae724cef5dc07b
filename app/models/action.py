"""The improvement action plan: actions raised from gaps, and their dated progress notes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.cycle import Cycle
from app.models.department import Department
from app.models.types import UTCDateTime, utcnow
from app.models.user import User


class ActionOrigin(StrEnum):
    """Where an action comes from. Only an action from a gap names a question."""

    GAP = "gap"
    SCRUTINY = "scrutiny"
    CARRIED_OVER = "carried_over"
    OTHER = "other"


# As offered when an action is raised, and (ORIGIN_NAMES) as shown in lists and on the action's page.
ORIGIN_LABELS = {
    ActionOrigin.GAP: "A gap found by the audit",
    ActionOrigin.SCRUTINY: "A recommendation from scrutiny, an inspection or an internal audit",
    ActionOrigin.CARRIED_OVER: "Carried over from an earlier action plan",
    ActionOrigin.OTHER: "Something else",
}
ORIGIN_NAMES = {
    ActionOrigin.GAP: "Gap found by the audit",
    ActionOrigin.SCRUTINY: "Recommendation",
    ActionOrigin.CARRIED_OVER: "Carried over",
    ActionOrigin.OTHER: "Other",
}


def _origin_of(question_id: str | None) -> str:
    return ActionOrigin.GAP.value if question_id else ActionOrigin.OTHER.value


def _default_origin(context: Any) -> str:
    """Code that does not say where an action comes from (older callers, tests) gets the origin its question implies."""
    return _origin_of(context.get_current_parameters().get("question_id"))


class Action(db.Model):
    """One improvement action. A gap it came from is kept by question id and its text at the time.

    An action need not come from a gap: `origin` says where it comes from (a scrutiny
    recommendation, an action carried over from an earlier plan...) and `origin_detail`
    which one, in the words of the person who raised it. Only a gap's action names a
    question, and every other names none (a check constraint holds both ways).
    department_id is empty for a partnership action (from the hallmark checklist, or
    one for the whole partnership).
    `version` is an optimistic lock, as on returns: two people updating the same
    action from the same state cannot both win silently.
    """

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint("status IN ('not_started', 'in_progress', 'done', 'dropped')", name="status_valid"),
        CheckConstraint("status != 'dropped' OR dropped_reason != ''", name="dropped_has_reason"),
        CheckConstraint("origin IN ('gap', 'scrutiny', 'carried_over', 'other')", name="origin_valid"),
        CheckConstraint("(origin = 'gap' AND question_id IS NOT NULL) OR (origin != 'gap' AND question_id IS NULL)",
                        name="origin_gap_has_question"),
        Index("ix_actions_cycle_department", "cycle_id", "department_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"))
    definition_id: Mapped[str | None] = mapped_column(String(64))
    question_id: Mapped[str | None] = mapped_column(String(64))
    gap_text: Mapped[str] = mapped_column(Text, default="")  # the question as worded when the action was raised
    origin: Mapped[str] = mapped_column(String(16), default=_default_origin)
    origin_detail: Mapped[str] = mapped_column(Text, default="")  # which recommendation, which earlier action...
    title: Mapped[str] = mapped_column(String(200))
    done_looks_like: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    dropped_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    cycle: Mapped[Cycle] = relationship()
    department: Mapped[Department | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    notes: Mapped[list[ActionNote]] = relationship(back_populates="action", cascade="all, delete-orphan",
                                                   order_by="ActionNote.id")

    @property
    def department_name(self) -> str:
        return self.department.name if self.department else "The partnership"

    @property
    def origin_name(self) -> str:
        """Where it comes from, in a few words: "Recommendation", "Carried over"..."""
        return ORIGIN_NAMES[ActionOrigin(self.origin or _origin_of(self.question_id))]

    def as_audit_dict(self) -> dict[str, object]:
        return {
            "title": self.title, "department": self.department.code if self.department else None,
            "question": self.question_id, "origin": self.origin, "origin_detail": self.origin_detail or None,
            "owner": self.owner.email if self.owner else None,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "done_looks_like": self.done_looks_like, "status": self.status,
            "dropped_reason": self.dropped_reason or None,
        }


class ActionNote(db.Model):
    """A dated progress note, with the status the action had after it."""

    __tablename__ = "action_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))

    action: Mapped[Action] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()

"""What review leaves on a return: comments on single answers, and each submission's answers as sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import JSONType, UTCDateTime, utcnow
from app.models.user import User


class AnswerComment(db.Model):
    """One remark in the conversation about one answer of a return.

    A reviewer's comment is a draft, seen only by reviewers and auditors, until the
    reviewer decides (`shared_at`): then the lead officers see it beside the question.
    It stays open until the officer changes that answer or replies, or the reviewer
    marks it resolved; `resolution` says which. An officer's reply is shared at once
    and is never open itself.
    """

    __tablename__ = "answer_comments"
    __table_args__ = (
        CheckConstraint("author_role IN ('reviewer', 'respondent')", name="author_role_valid"),
        CheckConstraint("resolution IS NULL OR resolution IN ('changed', 'replied', 'reviewer')",
                        name="resolution_valid"),
        Index("ix_answer_comments_assignment_question", "assignment_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_role: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(String(16))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def by_reviewer(self) -> bool:
        return self.author_role == "reviewer"

    @property
    def is_open(self) -> bool:
        return self.by_reviewer and self.resolved_at is None


class Submission(db.Model):
    """The answers of a return exactly as they were when it was submitted, once per submission.

    What a reviewer compares a resubmitted return with, so "what changed since the last
    submission" does not depend on reading the audit log back.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("assignment_id", "number", name="uq_submissions_assignment_number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # {question id: {"value", "not_applicable", "evidence", "action"}}
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType)

    submitted_by: Mapped[User | None] = relationship()

"""Evidence files: documents attached to an answer of a return, or to an action's progress note.

The bytes live in the evidence store (app/evidence/storage.py) under their SHA-256,
never under the name they were uploaded with; this row says what the file is, whose
it is and where it belongs. The same document attached twice is stored once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.models.user import User

TEXT_STATES = ("waiting", "done", "none", "scanned", "failed")


class EvidenceFile(db.Model):
    __tablename__ = "evidence_files"
    __table_args__ = (
        CheckConstraint("(assignment_id IS NOT NULL AND question_id IS NOT NULL AND action_note_id IS NULL) OR "
                        "(assignment_id IS NULL AND question_id IS NULL AND action_note_id IS NOT NULL)",
                        name="belongs_to_one_thing"),
        CheckConstraint("text_state IN ('waiting', 'done', 'none', 'scanned', 'failed')", name="text_state_valid"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        Index("ix_evidence_files_assignment_question", "assignment_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(120))  # what the content was found to be, not what it claimed
    file_name: Mapped[str] = mapped_column(String(255))  # as uploaded, cleaned: shown, and the download's name
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    question_id: Mapped[str | None] = mapped_column(String(64))
    action_note_id: Mapped[int | None] = mapped_column(ForeignKey("action_notes.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Carried over from last year's return: the file it came from, and when that was first uploaded.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_files.id", ondelete="SET NULL"))
    first_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the cycle closes: from then on the file is part of the record and cannot be removed.
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The words inside the document, for search; filled in the background after upload.
    text: Mapped[str] = mapped_column(Text, default="")
    text_state: Mapped[str] = mapped_column(String(16), default="waiting")
    text_pages: Mapped[int | None] = mapped_column(Integer)

    uploaded_by: Mapped[User | None] = relationship()

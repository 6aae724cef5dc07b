"""An export made in the background: what was asked for, by whom, how far it has got, and its file.

A large export takes longer than a page should wait, so the web UI records it here,
writes the file in a background thread (app/export_jobs/jobs.py) and shows its progress
from this row. The row, not the thread, is the truth: any web worker can show it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.cycle import Cycle
from app.models.department import Department
from app.models.types import UTCDateTime, utcnow
from app.models.user import User


class ExportJobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"  # done, and its file has since been deleted (EXPORT_KEEP_HOURS)


UNFINISHED = (ExportJobStatus.QUEUED.value, ExportJobStatus.RUNNING.value)


class ExportJob(db.Model):
    """One background export.

    `token` is what addresses use (random, unguessable), so that job numbers cannot be
    walked; the pages still check that the reader may make the same export.
    `stored_path` is relative to EXPORT_DIR. `heartbeat_at` is refreshed by the process
    running the job; an unfinished job whose heartbeat has stopped was interrupted (the
    process ended), which is how another process, or the next one, knows to fail it.
    """

    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'expired')", name="status_valid"),
        CheckConstraint("kind IN ('xlsx', 'csv', 'zip')", name="kind_valid"),
        CheckConstraint("returns_done >= 0 AND returns_total >= 0", name="progress_not_negative"),
        CheckConstraint("token != ''", name="token_not_empty"),
        Index("ix_export_jobs_requested_by_created", "requested_by_id", "created_at"),
        Index("ix_export_jobs_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=ExportJobStatus.QUEUED.value)
    returns_done: Mapped[int] = mapped_column(Integer, default=0)
    returns_total: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str] = mapped_column(String(255), default="")  # the name the download is given
    stored_path: Mapped[str] = mapped_column(String(255), default="")  # where it is, relative to EXPORT_DIR
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str] = mapped_column(Text, default="")  # for the person who asked: never a stack trace
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # runs started: a run cut off by a dead worker is retried once

    cycle: Mapped[Cycle] = relationship()
    department: Mapped[Department | None] = relationship()
    requested_by: Mapped[User] = relationship()

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED

"""The queue's job for evidence files: read the words inside one, for search."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.evidence.services import EXTRACT_TEXT
from app.evidence.storage import evidence_store
from app.evidence.text import extract_text
from app.extensions import db
from app.models.evidence import EvidenceFile
from app.models.types import utcnow
from app.tasks.queue import background_job, enqueue

STILL_WAITING_AFTER = timedelta(minutes=5)


def read_text_of(file_id: int) -> str | None:
    """Extract and store one file's text once; the state it ended in (None if there was nothing to do)."""
    row = db.session.get(EvidenceFile, file_id)
    if row is None or row.text_state != "waiting":
        return None
    store = evidence_store()
    found = None
    if store.exists(row.sha256):
        with store.local_copy(row.sha256) as path:
            found = extract_text(path, row.media_type)
    # Claim by the state it was read in: of two workers handed the same file, one stores its text.
    claimed = db.session.execute(
        EvidenceFile.__table__.update().where(EvidenceFile.id == file_id, EvidenceFile.text_state == "waiting")
        .values(text=found.text if found else "", text_state=found.state if found else "failed",
                text_pages=found.pages if found else None))
    db.session.commit()
    return (found.state if found else "failed") if claimed.rowcount else None


@background_job(EXTRACT_TEXT)
def extract_text_job(file_id: int) -> None:
    read_text_of(file_id)


def requeue_waiting_files() -> int:
    """Files whose text job was lost (the queue was down at upload, or a worker died): queue them again."""
    waiting = db.session.scalars(select(EvidenceFile.id).where(
        EvidenceFile.text_state == "waiting", EvidenceFile.uploaded_at < utcnow() - STILL_WAITING_AFTER)
        .limit(500)).all()
    for file_id in waiting:
        enqueue(EXTRACT_TEXT, file_id)
    return len(waiting)

"""Attaching, listing, downloading and removing evidence files, with every rule in one place.

- Only someone who may answer the return attaches or removes its files, and only
  while it can be changed; once the cycle closes its files are frozen.
- Every file in one upload is read, hashed and checked before any is kept: one bad
  file refuses the upload and nothing is stored.
- A file is downloaded only by someone who may read the return (or the action) it
  belongs to; anyone else gets 404, as for the return itself.
- Uploads, downloads and removals go in the audit log with the file's name and hash.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

import magic
from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import defer

from app.audit.services import record_event
from app.evidence.file_types import TypeProblem, check_content, clean_file_name, kind_for_name
from app.evidence.storage import Incoming, IncomingFolder, StoreUnavailable, TooLarge, evidence_store
from app.extensions import db
from app.models import Action, ActionNote, Assignment, Cycle, User
from app.models.evidence import EvidenceFile
from app.models.locking import lock_for_write
from app.models.types import utcnow
from app.questionnaires.definition import Definition

EXTRACT_TEXT = "evidence.extract-text"
MB = 1024 * 1024


@dataclass(frozen=True)
class EvidenceProblem(Exception):
    message: str


@dataclass(frozen=True)
class Upload:
    """One file from the form: the name the browser sent and its bytes."""

    name: str
    stream: BinaryIO


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    return_bytes: int
    files_per_upload: int

    @property
    def request_bytes(self) -> int:
        """How large an upload request may be: every file at the limit, and room for the form around them."""
        return self.file_bytes * self.files_per_upload + MB


def limits() -> Limits:
    config = current_app.config
    return Limits(int(config.get("EVIDENCE_MAX_FILE_MB", 20)) * MB, int(config.get("EVIDENCE_MAX_RETURN_MB", 200)) * MB,
                  int(config.get("EVIDENCE_MAX_FILES_PER_UPLOAD", 10)))


def size_words(size: int) -> str:
    """A size as people read it: "830 KB", "4.2 MB"."""
    if size < MB:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / MB:.1f} MB".replace(".0 MB", " MB")


# --------------------------------------------------------------------------- receiving files


def _receive_all(store: IncomingFolder, uploads: list[Upload], limit: Limits) -> list[tuple[str, Incoming, str]]:
    """Read and check every file; on the first problem discard them all and say which file and why."""
    received: list[tuple[str, Incoming, str]] = []
    try:
        for upload in uploads:
            name = clean_file_name(upload.name)
            kind_for_name(name)  # a wrong kind of file is refused before its bytes are read
            try:
                incoming = store.receive(upload.stream, limit.file_bytes)
            except TooLarge:
                raise EvidenceProblem(f"{name} is larger than {size_words(limit.file_bytes)}") from None
            received.append((name, incoming, ""))
            detected = magic.from_file(str(incoming.path), mime=True)
            check_content(name, detected, incoming.head)
            received[-1] = (name, incoming, detected)
    except TypeProblem as problem:
        for _, incoming, _ in received:
            store.discard(incoming)
        raise EvidenceProblem(problem.message) from None
    except BaseException:
        for _, incoming, _ in received:
            store.discard(incoming)
        raise
    return received


@dataclass
class Received:
    """Files read, hashed and checked into the incoming folder: not yet part of anything.

    Reading is done before any database lock is taken (a large upload takes seconds);
    `discard()` throws away whatever was not kept.
    """

    files: list[tuple[str, Incoming, str]]

    @property
    def size(self) -> int:
        return sum(incoming.size for _, incoming, _ in self.files)

    def discard(self) -> None:
        store = evidence_store()
        for _, incoming, _ in self.files:
            store.discard(incoming)  # a file already kept has moved: nothing to remove


def receive(uploads: list[Upload]) -> Received:
    """Read and check an upload's files; EvidenceProblem (and nothing kept) if any is refused."""
    limit = limits()
    if not uploads:
        raise EvidenceProblem("Choose a file to attach")
    if len(uploads) > limit.files_per_upload:
        raise EvidenceProblem(f"Attach up to {limit.files_per_upload} files at a time")
    return Received(_receive_all(evidence_store(), uploads, limit))


def _store(actor: User, received: Received, *, used: int, place: dict[str, Any],
           audit_object: tuple[str, int], where: str) -> list[EvidenceFile]:
    """Keep received files for one place, within its limit, with a row and an audit entry each."""
    limit = limits()
    if used + received.size > limit.return_bytes:
        raise EvidenceProblem(f"These files would take the evidence for {where} over {size_words(limit.return_bytes)} "
                              f"(it has {size_words(used)} already). Attach smaller files, or remove some first")
    store = evidence_store()
    now = utcnow()
    made = []
    for name, incoming, detected in received.files:
        try:
            store.keep(incoming)
        except StoreUnavailable as error:
            current_app.logger.error("Could not store evidence file %s: %s", incoming.sha256, error)
            raise EvidenceProblem("The files could not be stored just now: the evidence store did not answer. "
                                  "Nothing was attached. Try again in a few minutes") from error
        row = EvidenceFile(sha256=incoming.sha256, size_bytes=incoming.size, media_type=detected, file_name=name,
                           uploaded_by_id=actor.id, uploaded_at=now, text_state="waiting", **place)
        db.session.add(row)
        made.append(row)
    db.session.flush()
    for row in made:
        record_event("evidence.uploaded", object_type=audit_object[0], object_id=audit_object[1], actor=actor,
                     summary=f"Attached {row.file_name} ({size_words(row.size_bytes)})",
                     after={"file": row.id, "name": row.file_name, "sha256": row.sha256, "bytes": row.size_bytes,
                            **({"question": row.question_id} if row.question_id else {})})
    return made


def queue_text_extraction(rows: Iterable[EvidenceFile]) -> None:
    from app.tasks.queue import enqueue

    for row in rows:
        try:
            enqueue(EXTRACT_TEXT, row.id)
        except Exception:  # the queue is unreachable: the sweep finds files still waiting for their text
            current_app.logger.warning("Could not queue text extraction for evidence file %s", row.id, exc_info=True)


def attach_to_answer(actor: User, assignment: Assignment, definition: Definition, question_id: str,
                     uploads: list[Upload]) -> list[EvidenceFile]:
    """Attach files to one answer of a return its officer may change (commits)."""
    from app.respond.services import is_read_only

    if definition.question(question_id) is None:
        raise EvidenceProblem("That question is not in this return's questionnaire")
    received = receive(uploads)  # before the lock: reading a large upload takes seconds
    try:
        lock_for_write(assignment)  # two uploads at once cannot both squeeze under the return's limit
        if is_read_only(assignment):
            raise EvidenceProblem("This return cannot be changed now, so files cannot be attached to it")
        used = db.session.scalar(select(func.coalesce(func.sum(EvidenceFile.size_bytes), 0))
                                 .where(EvidenceFile.assignment_id == assignment.id)) or 0
        made = _store(actor, received, used=used,
                      place={"assignment_id": assignment.id, "question_id": question_id},
                      audit_object=("assignment", assignment.id), where="this return")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        received.discard()
        for _name, incoming, _ in received.files:
            forget_unused_bytes(incoming.sha256)  # kept before the failure, and used by nothing now
        raise
    queue_text_extraction(made)
    return made


def attach_to_note(actor: User, note: ActionNote, received: Received) -> list[EvidenceFile]:
    """Keep files received for an action's progress note as it is written (the caller commits)."""
    used = db.session.scalar(
        select(func.coalesce(func.sum(EvidenceFile.size_bytes), 0)).join(ActionNote)
        .where(ActionNote.action_id == note.action_id)) or 0
    return _store(actor, received, used=used, place={"action_note_id": note.id},
                  audit_object=("action", note.action_id), where="this action")


# --------------------------------------------------------------------------- reading and removing


def files_by_question(assignment: Assignment) -> dict[str, list[EvidenceFile]]:
    """Each answer's files, oldest first, in one query."""
    found: dict[str, list[EvidenceFile]] = defaultdict(list)
    # The words read from each file are for search only: a page listing files never shows them.
    for row in db.session.scalars(select(EvidenceFile).where(EvidenceFile.assignment_id == assignment.id)
                                  .options(defer(EvidenceFile.text))
                                  .order_by(EvidenceFile.uploaded_at, EvidenceFile.id)):
        found[row.question_id or ""].append(row)
    return dict(found)


def files_by_note(note_ids: Iterable[int]) -> dict[int, list[EvidenceFile]]:
    ids = list(note_ids)
    found: dict[int, list[EvidenceFile]] = defaultdict(list)
    if ids:
        for row in db.session.scalars(select(EvidenceFile).where(EvidenceFile.action_note_id.in_(ids))
                                      .order_by(EvidenceFile.id)):
            found[row.action_note_id or 0].append(row)
    return dict(found)


def file_for_reader(user: Any, file_id: int) -> EvidenceFile | None:
    """The file, if this person may read what it belongs to; None otherwise (the caller says 404)."""
    from app.actions.services import may_read as may_read_action
    from app.respond.services import may_read as may_read_return

    row = db.session.get(EvidenceFile, file_id)
    if row is None:
        return None
    if row.assignment_id is not None:
        assignment = db.session.get(Assignment, row.assignment_id)
        return row if assignment is not None and may_read_return(user, assignment) else None
    note = db.session.get(ActionNote, row.action_note_id)
    action = db.session.get(Action, note.action_id) if note else None
    return row if action is not None and may_read_action(user, action) else None


def record_download(actor: User, row: EvidenceFile) -> None:
    """Who downloaded which file, when (commits)."""
    object_type, object_id = _owner(row)
    record_event("evidence.downloaded", object_type=object_type, object_id=object_id, actor=actor,
                 summary=f"Downloaded {row.file_name}", after={"file": row.id, "sha256": row.sha256})
    db.session.commit()


def _owner(row: EvidenceFile) -> tuple[str, int]:
    if row.assignment_id is not None:
        return "assignment", row.assignment_id
    note = db.session.get(ActionNote, row.action_note_id)
    return "action", note.action_id if note else 0


def remove_from_answer(actor: User, assignment: Assignment, row: EvidenceFile) -> None:
    """Take a file off an answer while the return can be changed (commits); its bytes go if nothing else uses them."""
    from app.respond.services import is_read_only

    if row.assignment_id != assignment.id:
        raise EvidenceProblem("That file is not part of this return")
    if row.frozen_at is not None or is_read_only(assignment):
        raise EvidenceProblem("This return cannot be changed now, so its files stay as they are")
    record_event("evidence.removed", object_type="assignment", object_id=assignment.id, actor=actor,
                 summary=f"Removed {row.file_name}",
                 before={"file": row.id, "name": row.file_name, "sha256": row.sha256, "question": row.question_id})
    sha256 = row.sha256
    db.session.delete(row)
    db.session.commit()
    forget_unused_bytes(sha256)


def unused_bytes_kept_for() -> float:
    """Seconds unused bytes are kept after they were last stored (EVIDENCE_UNUSED_KEPT_SECONDS, default 600)."""
    return float(current_app.config.get("EVIDENCE_UNUSED_KEPT_SECONDS", 600))


def forget_unused_bytes(sha256: str) -> None:
    """Delete stored bytes no evidence file refers to any longer (a mistaken upload is really gone).

    Bytes stored in the last few minutes are left for the hourly clean-up (forget_orphaned_bytes): an
    upload of the same document elsewhere may have just stored them and not yet saved its row.
    """
    still_used = db.session.scalar(select(func.count()).select_from(EvidenceFile)
                                   .where(EvidenceFile.sha256 == sha256))
    if not still_used:
        try:
            evidence_store().delete_if_idle(sha256, unused_bytes_kept_for())
        except (StoreUnavailable, OSError):  # a clean-up only: the hourly sweep tries again
            current_app.logger.warning("Could not delete unused evidence bytes %s", sha256, exc_info=True)


def forget_orphaned_bytes() -> int:
    """Delete every stored file no evidence file refers to and that was not stored recently; returns how many.

    What forget_unused_bytes left because it was recent, and what a process that died between storing the
    bytes and saving the row left behind. Also removes half-received uploads over a day old.
    """
    store = evidence_store()
    used = set(db.session.scalars(select(EvidenceFile.sha256).distinct()))
    kept_for = unused_bytes_kept_for()
    removed = sum(1 for sha256 in store.stored() if sha256 not in used and store.delete_if_idle(sha256, kept_for))
    store.forget_abandoned_incoming(24 * 3600)
    return removed


def freeze_cycle_files(cycle: Cycle, when: datetime) -> None:
    """The cycle has closed: its returns' and actions' files become part of the record (the caller commits)."""
    returns = select(Assignment.id).where(Assignment.cycle_id == cycle.id)
    notes = select(ActionNote.id).join(Action).where(Action.cycle_id == cycle.id)
    db.session.execute(update(EvidenceFile).where(
        EvidenceFile.frozen_at.is_(None),
        EvidenceFile.assignment_id.in_(returns) | EvidenceFile.action_note_id.in_(notes)).values(frozen_at=when)
        .execution_options(synchronize_session=False))

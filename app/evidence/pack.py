"""The evidence pack: every file of a cycle (or of one department) in one zip, with a manifest to prove it.

Folders are the department (or the action plan), then the question, then the files
under the names they were uploaded with (made unique within their folder). The
manifest (CSV) gives each file's place in the zip, what it is evidence for, who
attached it and when, and its SHA-256. Every file is hashed again as it is copied in:
a stored file that no longer matches its hash stops the pack with the file named,
rather than handing an auditor a pack that does not prove what it says.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.evidence.file_types import clean_file_name
from app.evidence.storage import evidence_store
from app.exports.model import Progress
from app.exports.responses_csv import safe_csv_cell
from app.extensions import db
from app.models import Action, ActionNote, Assignment, Cycle, Department, EvidenceFile
from app.questionnaires.definition import Definition
from app.questionnaires.registry import definition_from_snapshot
from app.questionnaires.rendering import format_answer
from app.respond.services import stored_answers

MANIFEST_COLUMNS = ["File in this pack", "Department", "Section", "Question", "Answer", "Attached by", "Attached at",
                    "First attached", "Size (bytes)", "SHA-256"]
README = """Evidence pack: {cycle}
Made {made} by {by}.

Each folder is a department (or the partnership's own return, or the action plan), then the
question the files are evidence for. manifest.csv lists every file with what it is evidence
for, who attached it and when, and its SHA-256. To check a file has not changed since it was
attached, compare its SHA-256 with the manifest's, for example:

    sha256sum "Housing Services/03 Does your service plan mention the duty/plan.pdf"
    Get-FileHash -Algorithm SHA256 "Housing Services\\03 Does your service plan...\\plan.pdf"

{count} file(s), {size} bytes.
"""
# Already compressed: stored as they are; everything else deflated.
STORED_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
FOLDER_MAX = 70


class PackProblem(Exception):
    """The pack cannot be trusted: said to the person who asked for it, on the export's page."""

    @property
    def user_message(self) -> str:
        return f"{self.args[0]}. Tell your system administrator; the pack was not made."


@dataclass(frozen=True)
class PackEntry:
    path: str  # inside the zip
    row: EvidenceFile
    department: str
    section: str
    question: str
    answer: str


def _folder(text: str) -> str:
    name = clean_file_name(text.replace(".", " "))
    return name[:FOLDER_MAX].rstrip(" ._") or "files"


def _unique(path: str, taken: set[str]) -> str:
    if path.lower() not in taken:
        taken.add(path.lower())
        return path
    stem, dot, suffix = path.rpartition(".")
    if not dot or "/" in suffix:
        stem, suffix = path, ""
    number = 2
    while True:
        candidate = f"{stem} ({number}).{suffix}" if suffix else f"{stem} ({number})"
        if candidate.lower() not in taken:
            taken.add(candidate.lower())
            return candidate
        number += 1


def _return_entries(assignment: Assignment, definition: Definition, taken: set[str]) -> Iterator[PackEntry]:
    answers = stored_answers(assignment)
    numbers = {q.id: n for n, q in enumerate(definition.questions, 1)}
    files = db.session.scalars(select(EvidenceFile).where(EvidenceFile.assignment_id == assignment.id)
                               .options(selectinload(EvidenceFile.uploaded_by))
                               .order_by(EvidenceFile.question_id, EvidenceFile.uploaded_at, EvidenceFile.id)).all()
    who = assignment.respondent_name
    for row in files:
        question = definition.question(row.question_id or "")
        section = definition.section_of(row.question_id or "")
        text = question.text if question else row.question_id or ""
        folder = f"{numbers.get(row.question_id or '', 0):02d} {text}"
        path = _unique(f"{_folder(who)}/{_folder(folder)}/{row.file_name}", taken)
        answer = format_answer(question, answers.get(question.id)) if question and answers.get(question.id) else ""
        yield PackEntry(path, row, who, section.title if section else "", text, answer)


def _action_entries(cycle: Cycle, department: Department | None, taken: set[str]) -> Iterator[PackEntry]:
    query = (select(EvidenceFile, ActionNote, Action).join(ActionNote, EvidenceFile.action_note_id == ActionNote.id)
             .join(Action, ActionNote.action_id == Action.id).where(Action.cycle_id == cycle.id)
             .options(selectinload(EvidenceFile.uploaded_by)).order_by(Action.id, ActionNote.id, EvidenceFile.id))
    if department is not None:
        query = query.where(Action.department_id == department.id)
    for row, note, action in db.session.execute(query):
        where = action.department.name if action.department else "The partnership"
        path = _unique(f"Action plan/{_folder(where)}/{_folder(action.title)}/{row.file_name}", taken)
        yield PackEntry(path, row, where, "Action plan", f"Action: {action.title}",
                        f"Progress note, {note.written_at:%d %B %Y}: {note.text[:200]}")


def pack_entries(cycle: Cycle, department: Department | None = None) -> list[PackEntry]:
    """Every file the pack holds, in the order it holds them (returns by department, then the action plan)."""
    query = (select(Assignment).where(Assignment.cycle_id == cycle.id, Assignment.respondent_type != "peer")
             .options(selectinload(Assignment.department), selectinload(Assignment.snapshot))
             .order_by(Assignment.respondent_type.desc(), Assignment.id))
    if department is not None:
        query = query.where(Assignment.department_id == department.id)
    taken: set[str] = {"manifest.csv", "readme.txt"}
    entries: list[PackEntry] = []
    for assignment in db.session.scalars(query):
        entries.extend(_return_entries(assignment, definition_from_snapshot(assignment.snapshot), taken))
    entries.extend(_action_entries(cycle, department, taken))
    return entries


def _copy_checked(archive: zipfile.ZipFile, entry: PackEntry) -> None:
    import hashlib

    store = evidence_store()
    if not store.exists(entry.row.sha256):
        raise PackProblem(f"The stored copy of {entry.path} is missing")
    digest = hashlib.sha256()
    method = zipfile.ZIP_STORED if entry.row.media_type in STORED_TYPES else zipfile.ZIP_DEFLATED
    info = zipfile.ZipInfo(entry.path, date_time=entry.row.uploaded_at.timetuple()[:6])
    info.compress_type = method
    with archive.open(info, "w", force_zip64=entry.row.size_bytes > 2**31) as out:
        for chunk in store.read(entry.row.sha256):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != entry.row.sha256:
        raise PackProblem(f"The stored copy of {entry.path} no longer matches its SHA-256: it has been changed")


def manifest_rows(entries: list[PackEntry], zone: ZoneInfo) -> Iterator[list[str]]:
    yield MANIFEST_COLUMNS
    for entry in entries:
        row = entry.row
        yield [safe_csv_cell(value, zone) for value in (
            entry.path, entry.department, entry.section, entry.question, entry.answer,
            row.uploaded_by.name if row.uploaded_by else "", row.uploaded_at,
            row.first_uploaded_at or "", row.size_bytes, row.sha256)]


def write_pack(output: IO[bytes] | str, cycle: Cycle, department: Department | None, *, made_by: str, at: datetime,
               progress: Progress | None = None) -> int:
    """Write the zip; the number of files in it."""
    zone = ZoneInfo(current_app.config.get("TIMEZONE") or "Europe/London")
    entries = pack_entries(cycle, department)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for done, entry in enumerate(entries, 1):
            _copy_checked(archive, entry)
            if progress is not None and (done % 10 == 0 or done == len(entries)):
                progress(done, len(entries))
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        for line in manifest_rows(entries, zone):
            writer.writerow(line)
        archive.writestr("manifest.csv", "\ufeff" + text.getvalue())
        archive.writestr("README.txt", README.format(
            cycle=cycle.name + (f", {department.name}" if department else ""),
            made=f"{at.astimezone(zone):%d %B %Y at %H:%M}", by=made_by, count=len(entries),
            size=f"{sum(e.row.size_bytes for e in entries):,}"))
    return len(entries)

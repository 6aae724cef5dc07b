"""Making an export: who may, what it is called, writing it, and the audit record.

The command line, a download in the browser and a background job all come here,
so every export is checked and recorded the same way (security.md item 20).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from flask import abort, current_app
from sqlalchemy import func, select

from app.audit.services import record_event
from app.export_jobs.sources import cycle_export
from app.exports.model import Progress
from app.exports.responses_csv import csv_lines
from app.exports.workbook import write_workbook
from app.extensions import db
from app.ids import parse_id
from app.models import Answer, Assignment, Cycle, CycleStatus, Department, User
from app.models.types import utcnow
from app.security.access import Permission, can

XLSX = "xlsx"
CSV = "csv"
ZIP = "zip"  # the evidence pack: every evidence file, with a manifest (app/evidence/pack.py)
MEDIA_TYPES = {XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", CSV: "text/csv",
               ZIP: "application/zip"}


@dataclass(frozen=True)
class ExportRequest:
    """What to export: a cycle, optionally one department in it, as a workbook, the Responses CSV or the evidence."""

    cycle: Cycle
    department: Department | None
    kind: str  # XLSX, CSV or ZIP

    @property
    def scope(self) -> str:
        return "the whole cycle" if self.department is None else self.department.name

    def file_name(self, at: datetime) -> str:
        zone = ZoneInfo(current_app.config.get("TIMEZONE") or "Europe/London")
        cycle = slug(self.cycle.name).removeprefix("section-17-").removeprefix("s17-") or "cycle"
        parts = ["section17", cycle]
        if self.department is not None:
            parts.append(slug(self.department.code))
        if self.kind == CSV:
            parts.append("responses")
        if self.kind == ZIP:
            parts.append("evidence")
        return "-".join(parts) + f"-{at.astimezone(zone):%Y%m%d-%H%M}.{self.kind}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "export"


# --------------------------------------------------------------------------- who may export what


def may_export(user: Any, department: Department | None) -> bool:
    """The whole cycle: whoever reads every return. One department: also its own lead officers."""
    if can(user, Permission.VIEW_ALL_RETURNS):
        return True
    if department is None:
        return False
    return can(user, Permission.VIEW_OWN_DEPARTMENTS) and any(d.id == department.id
                                                              for d in getattr(user, "departments", []))


def exportable_cycle_or_404(cycle_id: int) -> Cycle:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.status == CycleStatus.DRAFT.value:
        abort(404)
    return cycle


def request_for(user: Any, cycle: Cycle, department_id: int | None, kind: str) -> ExportRequest:
    """The export asked for, if this person may have it; 404 otherwise (nobody learns what exists)."""
    department = db.session.get(Department, department_id) if department_id is not None else None
    if (department_id is not None and department is None) or kind not in MEDIA_TYPES or not may_export(user, department):
        abort(404)
    return ExportRequest(cycle, department, kind)


def answer_count(request: ExportRequest) -> int:
    query = select(func.count()).select_from(Answer).join(Assignment).where(Assignment.cycle_id == request.cycle.id)
    if request.department is not None:
        query = query.where(Assignment.department_id == request.department.id)
    return db.session.scalar(query) or 0


# --------------------------------------------------------------------------- making one


def _record(request: ExportRequest, actor: User | None, file_name: str, how: str, sha256: str | None) -> None:
    """The export in the service's audit log, with the SHA-256 of the file made: a copy can be proved unchanged."""
    record_event("export.made", object_type="cycle", object_id=request.cycle.id, actor=actor,
                 actor_email=None if actor is not None else "command line",
                 summary=f"Exported {request.scope} of {request.cycle.name} as {request.kind.upper()} ({how})",
                 after={"cycle": request.cycle.name, "department": request.department.code if request.department
                        else None, "format": request.kind, "file": file_name, "how": how, "sha256": sha256},
                 commit=True)


def _sha256_of(output: IO[bytes] | str) -> str | None:
    """The SHA-256 of the file just written to a path or a file we can read back (None for a stream gone by)."""
    digest = hashlib.sha256()
    if isinstance(output, str):
        with open(output, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
        return digest.hexdigest()
    if getattr(output, "seekable", lambda: False)() and getattr(output, "readable", lambda: False)():
        position = output.tell()
        output.seek(0)
        while chunk := output.read(1024 * 1024):
            digest.update(chunk)
        output.seek(position)
        return digest.hexdigest()
    return None


def write_export(request: ExportRequest, output: IO[bytes] | str, *, actor: User | None, generated_by: str,
                 how: str, progress: Progress | None = None, at: datetime | None = None) -> str:
    """Write the export to a path or a binary file; return its file name. Audited once it is written."""
    at = at or utcnow()
    if request.kind == ZIP:
        from app.evidence.pack import write_pack

        write_pack(output, request.cycle, request.department, made_by=generated_by, at=at, progress=progress)
        name = request.file_name(at)
        _record(request, actor, name, how, _sha256_of(output))
        return name
    data = cycle_export(request.cycle, department=request.department, generated_by=generated_by, generated_at=at)
    if request.kind == XLSX:
        write_workbook(output, data, progress=progress)
    else:
        if progress is not None:
            data.returns = _counted(data.returns, data.return_count, progress)
        if isinstance(output, str):
            with open(output, "w", encoding="utf-8", newline="") as handle:
                for line in csv_lines(data):
                    handle.write(line)
        else:
            for line in csv_lines(data):
                output.write(line.encode("utf-8"))
    name = request.file_name(at)
    _record(request, actor, name, how, _sha256_of(output))
    return name


def _counted(returns, total: int, progress: Progress):
    """The returns, reporting how many have been read (every 25, and the last)."""
    done = 0
    for stored in returns:
        yield stored
        done += 1
        if done % 25 == 0 or done == total:
            progress(done, total)


def stream_csv(request: ExportRequest, *, actor: User | None, generated_by: str) -> tuple[str, Iterator[bytes]]:
    """The Responses CSV as a stream of bytes, for a download that starts at once. Audited when asked for."""
    at = utcnow()
    data = cycle_export(request.cycle, department=request.department, generated_by=generated_by, generated_at=at)
    name = request.file_name(at)
    _record(request, actor, name, "download", None)  # streamed as it is made: no file to hash beforehand
    return name, (line.encode("utf-8") for line in csv_lines(data))


def find_cycle(text: str) -> Cycle | None:
    """A cycle by its id or its name (any case)."""
    text = text.strip()
    if (cycle_id := parse_id(text)) is not None:
        found = db.session.get(Cycle, cycle_id)
        if found is not None:
            return found
    return db.session.scalar(select(Cycle).where(func.lower(Cycle.name) == text.lower()))

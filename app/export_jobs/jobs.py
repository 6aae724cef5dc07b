"""Exports from the web UI: what the export page offers, background jobs, and how their pages word them.

A whole-cycle workbook of a large council takes longer than anyone should watch a
page load, and longer than a proxy waits for an answer. So above
EXPORT_BACKGROUND_ANSWERS stored answers the export page records an `ExportJob` and
hands it to a small thread pool in this process; the job page shows its progress
from the database row. Why threads in the web process rather than a queue server,
and what that means with several workers, is in docs/decisions/014-background-exports.md.

The export reads the cycle as one streamed query in its own session's transaction,
so progress is written through separate short transactions (`db.engine.begin()`)
that commit at once, where any worker can read them. The file is written to a
temporary name in EXPORT_DIR and renamed into place only when it is complete, so a
half-written file is never offered.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, url_for
from sqlalchemy import func, select, update

from app.audit.services import record_event
from app.export_jobs.services import CSV, MEDIA_TYPES, XLSX, ExportRequest, may_export, write_export
from app.exports.model import Progress
from app.extensions import db
from app.models import Assignment, Cycle, Department, ExportJob, ExportJobStatus, User
from app.models.export_job import UNFINISHED
from app.models.types import utcnow

log = logging.getLogger(__name__)

TOKEN_BYTES = 32  # 256 bits: addresses of jobs cannot be guessed or walked
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what secrets.token_urlsafe makes
HEARTBEAT_SECONDS = 15.0
# An unfinished job whose process has not said it is alive for this long was interrupted.
INTERRUPTED_AFTER = timedelta(minutes=2)
RECENT_JOBS = 10
PART_SUFFIX = ".part"

FAILED_MESSAGE = ("Something went wrong while the export was being written, so it was not finished. "
                  "Try again. If it fails again, tell the service's administrator the time it failed.")
INTERRUPTED_MESSAGE = ("The export was interrupted because the service restarted before it finished. "
                       "Nothing was lost: try again.")

KIND_LABELS = {XLSX: "Excel workbook", CSV: "Responses CSV"}
STATUS_WORDS = {
    ExportJobStatus.QUEUED.value: ("Waiting to start", "grey"),
    ExportJobStatus.RUNNING.value: ("Being written", "blue"),
    ExportJobStatus.DONE.value: ("Ready", "green"),
    ExportJobStatus.FAILED.value: ("Not finished", "red"),
    ExportJobStatus.EXPIRED.value: ("Deleted", "grey"),
}


# --------------------------------------------------------------------------- settings


def export_dir() -> Path:
    """Where finished exports are kept (made if need be); a relative EXPORT_DIR is inside the instance folder."""
    configured = current_app.config.get("EXPORT_DIR")
    path = Path(configured) if configured else Path("exports")
    if not path.is_absolute():
        path = Path(current_app.instance_path) / path
    path.mkdir(parents=True, exist_ok=True)
    return path


def background_threshold() -> int:
    return int(current_app.config.get("EXPORT_BACKGROUND_ANSWERS", 20000))


def keep_for() -> timedelta:
    return timedelta(hours=float(current_app.config.get("EXPORT_KEEP_HOURS", 24)))


def keep_words() -> str:
    """How long files are kept, as the pages say it: "24 hours", "1.5 hours"."""
    hours = keep_for().total_seconds() / 3600
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def stored_file(job: ExportJob) -> Path | None:
    """The finished job's file, while it is kept; never a path outside EXPORT_DIR, whatever the row says.

    A file past EXPORT_KEEP_HOURS is not offered even before the next tidy-up deletes it.
    """
    if not job.stored_path or job.finished_at is None or job.finished_at < utcnow() - keep_for():
        return None
    folder = export_dir().resolve()
    path = (folder / job.stored_path).resolve()
    if path.parent != folder or not path.is_file():
        return None
    return path


# --------------------------------------------------------------------------- the thread pool


class Runner:
    """One per app and process: a thread pool for export jobs, and a heartbeat for the jobs it holds.

    The heartbeat marks every job this process has queued or is running as alive
    every HEARTBEAT_SECONDS, so that another worker (or this one after a restart)
    can tell a job that is waiting its turn from one whose process has gone.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        workers = max(1, int(app.config.get("EXPORT_WORKERS") or 1))
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="section17-export")
        self.lock = threading.Lock()
        self.active: dict[int, Future[None]] = {}
        self.heartbeat: threading.Thread | None = None

    def submit(self, job_id: int) -> None:
        with self.lock:  # held until the future is recorded, so _run's clean-up cannot come first
            self.active[job_id] = self.executor.submit(self._run, job_id)
            if self.heartbeat is None:
                self.heartbeat = threading.Thread(target=self._beat, name="section17-export-heartbeat", daemon=True)
                self.heartbeat.start()

    def holds(self) -> set[int]:
        with self.lock:
            return set(self.active)

    def wait(self, timeout: float) -> bool:
        """Wait for every job this process holds (for tests and tools); True if they all finished."""
        with self.lock:
            futures = list(self.active.values())
        _done, pending = wait_for_futures(futures, timeout=timeout)
        return not pending

    def _run(self, job_id: int) -> None:
        try:
            with self.app.app_context():
                run_job(job_id)
        finally:
            with self.lock:
                self.active.pop(job_id, None)

    def _beat(self) -> None:
        while True:
            time.sleep(HEARTBEAT_SECONDS)
            with self.lock:
                ids = list(self.active)
                if not ids:
                    self.heartbeat = None  # decided under the lock: submit() starts a new one if needed
                    return
            try:
                with self.app.app_context(), db.engine.begin() as connection:
                    connection.execute(update(ExportJob).where(ExportJob.id.in_(ids),
                                                               ExportJob.status.in_(UNFINISHED))
                                       .values(heartbeat_at=utcnow()))
            except Exception:  # the database may be briefly unreachable; try again next beat
                log.warning("Could not record that export jobs %s are still alive", ids, exc_info=True)


_RUNNERS_LOCK = threading.Lock()


def runner(app: Flask | None = None) -> Runner:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with _RUNNERS_LOCK:
        found = app.extensions.get("section17_export_runner")
        if found is None:
            found = app.extensions["section17_export_runner"] = Runner(app)
        return found


# --------------------------------------------------------------------------- running one job


def _set(job_id: int, *, only_if: tuple[str, ...] | None = None, **values: Any) -> bool:
    """Change a job's row in a short transaction of its own; True if the row was changed."""
    statement = update(ExportJob).where(ExportJob.id == job_id)
    if only_if is not None:
        statement = statement.where(ExportJob.status.in_(only_if))
    with db.engine.begin() as connection:
        return connection.execute(statement.values(**values)).rowcount == 1


def _progress_writer(job_id: int) -> Progress:
    """The workbook writer's progress callback: each report is its own committed write, seen at once."""

    def report(done: int, total: int) -> None:
        _set(job_id, only_if=(ExportJobStatus.RUNNING.value,), returns_done=done, returns_total=total,
             heartbeat_at=utcnow())

    return report


def describe_person(user: User) -> str:
    return f"{user.name} <{user.email}>"


def run_job(job_id: int) -> None:
    """Write one job's file (in a worker thread, inside an app context) and record how it ended."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != ExportJobStatus.QUEUED.value:
        return
    about = f"{job.kind} of cycle {job.cycle_id}" + (f", department {job.department_id}" if job.department_id else "")
    final = export_dir() / job.stored_path
    part = final.with_name(final.name + PART_SUFFIX)
    if not _set(job_id, only_if=(ExportJobStatus.QUEUED.value,), status=ExportJobStatus.RUNNING.value,
                started_at=utcnow(), heartbeat_at=utcnow()):
        return  # marked interrupted meanwhile
    try:
        wanted = ExportRequest(job.cycle, job.department, job.kind)
        actor = job.requested_by
        name = write_export(wanted, str(part), actor=actor, generated_by=describe_person(actor),
                            how="background job", progress=_progress_writer(job_id))
        os.replace(part, final)  # complete, or not there at all
        finished = _set(job_id, only_if=(ExportJobStatus.RUNNING.value,), status=ExportJobStatus.DONE.value,
                        file_name=name, size_bytes=final.stat().st_size, finished_at=utcnow(),
                        returns_done=ExportJob.returns_total)
        if not finished:  # another worker decided it had been interrupted: offer no file that nobody tracks
            final.unlink(missing_ok=True)
    except Exception:
        db.session.rollback()
        log.exception("Export job %s (%s) failed", job_id, about)
        part.unlink(missing_ok=True)
        _set(job_id, only_if=(ExportJobStatus.RUNNING.value,), status=ExportJobStatus.FAILED.value,
             error=FAILED_MESSAGE, finished_at=utcnow())
    finally:
        db.session.remove()


# --------------------------------------------------------------------------- what the export page offers


@dataclass(frozen=True)
class Offer:
    """What this person may export from one cycle: the whole of it, and which departments' returns."""

    whole_cycle: bool
    departments: tuple[Department, ...]

    @property
    def anything(self) -> bool:
        return self.whole_cycle or bool(self.departments)

    def department(self, department_id: int) -> Department | None:
        return next((d for d in self.departments if d.id == department_id), None)


def offer_for(user: Any, cycle: Cycle) -> Offer:
    """Departments with a return in this cycle that this person may export, by name."""
    query = (select(Department).join(Assignment, Assignment.department_id == Department.id)
             .where(Assignment.cycle_id == cycle.id, Assignment.respondent_type == "department")
             .distinct().order_by(Department.name))
    departments = tuple(d for d in db.session.scalars(query) if may_export(user, d))
    return Offer(may_export(user, None), departments)


# --------------------------------------------------------------------------- making and finding jobs


def count_returns(wanted: ExportRequest) -> int:
    """How many returns the export will write: what its progress counts up to."""
    query = select(func.count()).select_from(Assignment).where(Assignment.cycle_id == wanted.cycle.id)
    if wanted.department is not None:
        query = query.where(Assignment.respondent_type == "department",
                            Assignment.department_id == wanted.department.id)
    return db.session.scalar(query) or 0


def start_job(user: User, wanted: ExportRequest) -> ExportJob:
    """Record a job for this export and queue it; old files are tidied away first."""
    now = utcnow()
    delete_old_files(now)
    job = ExportJob(token=secrets.token_urlsafe(TOKEN_BYTES), cycle_id=wanted.cycle.id,
                    department_id=wanted.department.id if wanted.department else None, kind=wanted.kind,
                    requested_by_id=user.id, status=ExportJobStatus.QUEUED.value,
                    returns_total=count_returns(wanted), created_at=now, heartbeat_at=now)
    db.session.add(job)
    db.session.flush()
    job.stored_path = f"{job.id}-{secrets.token_hex(8)}.{wanted.kind}"
    db.session.commit()  # before the thread looks for it
    runner().submit(job.id)
    return job


def mark_interrupted(now: datetime | None = None) -> int:
    """Fail the unfinished jobs whose process has stopped saying it is alive (it ended or was killed).

    Read first and write only when there is something to change, so that the pages
    that call this (everyone who lists or watches jobs) add no write to every request.
    """
    now = now or utcnow()
    here = current_app.extensions.get("section17_export_runner")
    ours = here.holds() if here is not None else set()
    stale = [job_id for job_id in db.session.scalars(
        select(ExportJob.id).where(ExportJob.status.in_(UNFINISHED), ExportJob.heartbeat_at < now - INTERRUPTED_AFTER))
        if job_id not in ours]
    if not stale:
        return 0
    db.session.execute(update(ExportJob).where(ExportJob.id.in_(stale), ExportJob.status.in_(UNFINISHED))
                       .values(status=ExportJobStatus.FAILED.value, error=INTERRUPTED_MESSAGE, finished_at=now)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    for job_id in stale:
        log.warning("Export job %s was interrupted (its process stopped) and has been marked as failed", job_id)
    return len(stale)


def delete_old_files(now: datetime | None = None) -> int:
    """Delete exports older than EXPORT_KEEP_HOURS; their jobs stay, marked expired, so their pages can say so.

    Stray files (a temporary file left by a process that was killed) older than that
    go too. Returns how many jobs expired.
    """
    now = now or utcnow()
    cutoff = now - keep_for()
    folder = export_dir()
    expired = list(db.session.scalars(select(ExportJob).where(ExportJob.status == ExportJobStatus.DONE.value,
                                                              ExportJob.finished_at < cutoff)))
    for job in expired:
        path = stored_file(job)
        if path is not None:
            path.unlink(missing_ok=True)
        job.status = ExportJobStatus.EXPIRED.value
    db.session.commit()
    kept = set(db.session.scalars(select(ExportJob.stored_path).where(
        ExportJob.status.in_((*UNFINISHED, ExportJobStatus.DONE.value)))))
    for path in folder.iterdir():
        base = path.name.removesuffix(PART_SUFFIX)
        try:
            if path.is_file() and base not in kept and path.stat().st_mtime < cutoff.timestamp():
                path.unlink()
        except OSError:
            log.warning("Could not delete the old export file %s", path, exc_info=True)
    return len(expired)


def job_for_reader_or_404(user: Any, token: str) -> ExportJob:
    """The job with this token, if this person may make the same export now; 404 otherwise.

    Whoever asked for it can see it only while they still may make it (a lead officer
    moved to another department loses their old department's exports too).
    """
    if not TOKEN_SHAPE.fullmatch(token or ""):
        abort(404)  # not one we could have made: do not even ask the database
    mark_interrupted()
    job = db.session.scalar(select(ExportJob).where(ExportJob.token == token))
    if job is None or not may_export(user, job.department):
        abort(404)
    return job


def recent_jobs(user: User) -> list[ExportJob]:
    """This person's latest jobs (any cycle) that they may still open."""
    mark_interrupted()
    query = (select(ExportJob).where(ExportJob.requested_by_id == user.id)
             .order_by(ExportJob.created_at.desc(), ExportJob.id.desc()).limit(RECENT_JOBS))
    return [job for job in db.session.scalars(query) if may_export(user, job.department)]


def record_download(job: ExportJob) -> None:
    """Every download of a kept export is in the audit log, as the export itself was."""
    scope = job.department.name if job.department else "the whole cycle"
    record_event("export.downloaded", object_type="cycle", object_id=job.cycle_id,
                 summary=f"Downloaded {job.file_name} ({scope} of {job.cycle.name}, {job.kind.upper()})",
                 after={"cycle": job.cycle.name, "department": job.department.code if job.department else None,
                        "format": job.kind, "file": job.file_name, "job": job.id}, commit=True)


# --------------------------------------------------------------------------- what the pages say


def file_size(size: int | None) -> str:
    """A size as people read it: 812 bytes, 45 KB, 3.4 MB."""
    if size is None:
        return ""
    if size < 1000:
        return f"{size:,} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


@dataclass(frozen=True)
class JobView:
    """A job as its page and its status JSON describe it: one wording for both."""

    status: str
    label: str  # the status tag's words
    colour: str
    progress: str  # "25 of 300 returns written", and so on: the live region's text
    done: int
    total: int
    finished: bool
    what: str  # "Excel workbook of the whole cycle"
    download_url: str | None
    download_text: str
    file_name: str
    measured: bool = True  # False while the CSV writer runs: it does not report how far it has got


    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "label": self.label, "colour": self.colour, "text": self.progress,
                "done": self.done, "total": self.total, "measured": self.measured, "finished": self.finished,
                "download": {"url": self.download_url, "text": self.download_text, "file_name": self.file_name}
                if self.download_url else None}


def view_of(job: ExportJob) -> JobView:
    label, colour = STATUS_WORDS[job.status]
    measured = True
    total, done = job.returns_total, min(job.returns_done, job.returns_total)
    returns = f"{total:,} return{'s' if total != 1 else ''}"
    download_url = download_text = None
    if job.status == ExportJobStatus.QUEUED.value:
        progress = f"Waiting to start: {returns} to write."
    elif job.status == ExportJobStatus.RUNNING.value:
        measured = job.kind == XLSX or done > 0
        progress = f"{done:,} of {returns} written." if measured else f"Writing {returns}."
    elif job.status == ExportJobStatus.DONE.value and stored_file(job) is not None:
        progress = f"Ready: {total:,} of {returns} written. The file is {file_size(job.size_bytes)}."
        download_url = url_for("export_jobs.download", export_token=job.token)
        download_text = f"Download the {KIND_LABELS[job.kind]} ({file_size(job.size_bytes)})"
    elif job.status == ExportJobStatus.FAILED.value:
        progress = job.error or FAILED_MESSAGE
    else:  # expired, or done and past its time though not yet tidied away
        label, colour = STATUS_WORDS[ExportJobStatus.EXPIRED.value]
        progress = f"The file has been deleted: exports are kept for {keep_words()}. Make the export again."
    scope = "the whole cycle" if job.department is None else job.department.name
    return JobView(job.status, label, colour, progress, total if job.status == ExportJobStatus.DONE.value else done,
                   total, job.finished, f"{KIND_LABELS[job.kind]} of {scope}", download_url, download_text or "",
                   job.file_name, measured)


def media_type(job: ExportJob) -> str:
    return MEDIA_TYPES[job.kind]

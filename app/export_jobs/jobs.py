"""Exports from the web UI: what the export page offers, background jobs, and how their pages word them.

A whole-cycle workbook of a large council takes longer than anyone should watch a
page load, and longer than a proxy waits for an answer. So above
EXPORT_BACKGROUND_ANSWERS stored answers the export page records an `ExportJob` and
puts its id on the task queue, where a worker (`section17 worker`) writes it; the
job page shows its progress from the database row. The row is the truth: a worker
killed mid-export leaves the row "running" with a heartbeat that stops, and the
sweep runs it again (docs/decisions/014-background-exports.md, 021-task-queue.md).

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
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, url_for
from sqlalchemy import func, select, update

from app.audit.services import record_event
from app.export_jobs.services import CSV, MEDIA_TYPES, XLSX, ZIP, ExportRequest, may_export, write_export
from app.exports.model import Progress
from app.extensions import db
from app.models import Assignment, Cycle, Department, ExportJob, ExportJobStatus, User
from app.models.export_job import UNFINISHED
from app.models.types import utcnow
from app.tasks.queue import enqueue, queued_jobs
from app.templating import format_datetime

RUN_EXPORT = "export.run"

log = logging.getLogger(__name__)

TOKEN_BYTES = 32  # 256 bits: addresses of jobs cannot be guessed or walked
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what secrets.token_urlsafe makes
MAX_ATTEMPTS = 2  # a job cut off by a dead worker runs once more, then is failed
# A job still waiting after this long is called out on its page: is a worker running?
WAITING_TOO_LONG = timedelta(minutes=2)
RECENT_JOBS = 10
PART_SUFFIX = ".part"

FAILED_MESSAGE = ("Something went wrong while the export was being written, so it was not finished. "
                  "Try again. If it fails again, tell the service's administrator the time it failed.")
INTERRUPTED_MESSAGE = ("The export was interrupted twice because the service stopped before it finished. "
                       "Nothing was lost: try again.")
WAITING_MESSAGE = ("Waiting to start since {since}: {returns} to write. Exports are written by the service's "
                   "background worker; if this does not start within a few minutes, tell the service's "
                   "administrator that the worker may not be running.")

KIND_LABELS = {XLSX: "Excel workbook", CSV: "Responses CSV", ZIP: "evidence pack"}
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


# --------------------------------------------------------------------------- staying alive


def heartbeat_seconds() -> float:
    return float(current_app.config.get("EXPORT_HEARTBEAT_SECONDS", 15))


def stale_after() -> timedelta:
    """A running job whose worker has not said it is alive for this long was cut off (the worker died)."""
    return timedelta(seconds=float(current_app.config.get("EXPORT_STALE_SECONDS", 120)))


class Heartbeat:
    """While a job runs, a thread marks it alive every EXPORT_HEARTBEAT_SECONDS.

    Progress reports refresh it too, but the CSV writer and the last steps of a
    workbook report nothing for a while; without the beat, a long quiet step would
    look like a dead worker and be run again.
    """

    def __init__(self, app: Flask, job_id: int) -> None:
        self.app, self.job_id = app, job_id
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"section17-export-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()

    def _beat(self) -> None:
        with self.app.app_context():
            interval = heartbeat_seconds()
            while not self.stopped.wait(interval):
                try:
                    _set(self.job_id, only_if=(ExportJobStatus.RUNNING.value,), heartbeat_at=utcnow())
                except Exception:  # the database may be briefly unreachable; try again next beat
                    log.warning("Could not record that export job %s is still alive", self.job_id, exc_info=True)


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
    """Write one job's file (in a queue worker, inside an app context) and record how it ended.

    Only a queued job is started, and starting it is a conditional write, so a job
    that reached the queue twice (the sweep puts back jobs a dead worker held) runs once.
    """
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != ExportJobStatus.QUEUED.value:
        return
    about = f"{job.kind} of cycle {job.cycle_id}" + (f", department {job.department_id}" if job.department_id else "")
    final = export_dir() / job.stored_path
    part = final.with_name(final.name + PART_SUFFIX)
    if not _set(job_id, only_if=(ExportJobStatus.QUEUED.value,), status=ExportJobStatus.RUNNING.value,
                started_at=utcnow(), heartbeat_at=utcnow(), attempts=ExportJob.attempts + 1):
        return  # another worker took it first (it was queued twice), or it is no longer wanted
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        wanted = ExportRequest(job.cycle, job.department, job.kind)
        actor = job.requested_by
        with Heartbeat(app, job_id):
            name = write_export(wanted, str(part), actor=actor, generated_by=describe_person(actor),
                                how="background job", progress=_progress_writer(job_id))
        os.replace(part, final)  # complete, or not there at all
        finished = _set(job_id, only_if=(ExportJobStatus.RUNNING.value,), status=ExportJobStatus.DONE.value,
                        file_name=name, size_bytes=final.stat().st_size, finished_at=utcnow(),
                        returns_done=ExportJob.returns_total)
        if not finished:  # another worker decided it had been interrupted: offer no file that nobody tracks
            final.unlink(missing_ok=True)
    except Exception as error:
        db.session.rollback()
        log.exception("Export job %s (%s) failed", job_id, about)
        part.unlink(missing_ok=True)
        # An error that says what a person can act on (e.g. a damaged evidence file) is shown as it is.
        _set(job_id, only_if=(ExportJobStatus.RUNNING.value,), status=ExportJobStatus.FAILED.value,
             error=getattr(error, "user_message", "") or FAILED_MESSAGE, finished_at=utcnow())
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
    """How many returns the export will write (for the evidence pack, files): what its progress counts up to."""
    if wanted.kind == ZIP:
        from app.evidence.pack import pack_entries

        return len(pack_entries(wanted.cycle, wanted.department))
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
    db.session.commit()  # before a worker looks for it
    enqueue(RUN_EXPORT, job.id)
    return job


def recover_cut_off(now: datetime | None = None) -> tuple[list[int], list[int]]:
    """Jobs whose worker died while running them: run again once, then fail them. Returns (retried, failed).

    A running job's worker refreshes `heartbeat_at` every EXPORT_HEARTBEAT_SECONDS; one
    silent for EXPORT_STALE_SECONDS is cut off. Its first run is retried (put back on
    the queue); a job cut off twice is marked failed with a plain message, never left
    "running". Every write is conditional on the row being as read, so two workers
    sweeping at once change it once.
    """
    now = now or utcnow()
    stale = list(db.session.execute(
        select(ExportJob.id, ExportJob.attempts).where(ExportJob.status == ExportJobStatus.RUNNING.value,
                                                      ExportJob.heartbeat_at < now - stale_after())))
    retried, failed = [], []
    for job_id, attempts in stale:
        base = update(ExportJob).where(ExportJob.id == job_id, ExportJob.status == ExportJobStatus.RUNNING.value,
                                       ExportJob.attempts == attempts)
        if attempts < MAX_ATTEMPTS:
            changed = db.session.execute(base.values(status=ExportJobStatus.QUEUED.value, heartbeat_at=now,
                                                     returns_done=0)).rowcount
            (retried if changed else []).append(job_id)
        else:
            changed = db.session.execute(base.values(status=ExportJobStatus.FAILED.value, error=INTERRUPTED_MESSAGE,
                                                     finished_at=now)).rowcount
            (failed if changed else []).append(job_id)
    db.session.commit()
    for job_id in retried:
        log.warning("Export job %s was cut off (its worker stopped); it has been queued again", job_id)
        enqueue(RUN_EXPORT, job_id)
    for job_id in failed:
        log.warning("Export job %s was cut off twice and has been marked as failed", job_id)
    return retried, failed


def requeue_waiting(now: datetime | None = None, *, older_than: timedelta = timedelta(minutes=10)) -> list[int]:
    """Queued jobs that have waited long and are not on the queue (it was emptied, or lost): queue them again.

    Jobs still on the queue are left alone; a job queued twice still runs once (run_job).
    """
    now = now or utcnow()
    waiting = set(db.session.scalars(select(ExportJob.id).where(ExportJob.status == ExportJobStatus.QUEUED.value,
                                                               ExportJob.heartbeat_at < now - older_than)))
    if not waiting:
        return []
    on_queue = {args[0] for name, args in queued_jobs() if name == RUN_EXPORT and args}
    lost = sorted(waiting - on_queue)
    for job_id in lost:
        enqueue(RUN_EXPORT, job_id)
    return lost


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
    job = db.session.scalar(select(ExportJob).where(ExportJob.token == token))
    if job is None or not may_export(user, job.department):
        abort(404)
    return job


def recent_jobs(user: User) -> list[ExportJob]:
    """This person's latest jobs (any cycle) that they may still open."""
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
    unit = "file" if job.kind == ZIP else "return"
    returns = f"{total:,} {unit}{'s' if total != 1 else ''}"
    download_url = download_text = None
    if job.status == ExportJobStatus.QUEUED.value and job.created_at < utcnow() - WAITING_TOO_LONG:
        progress = WAITING_MESSAGE.format(since=format_datetime(job.created_at), returns=returns)
    elif job.status == ExportJobStatus.QUEUED.value:
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

"""The queue's jobs for exports: write one, and tidy away old files once an hour."""

from __future__ import annotations

from app.export_jobs.jobs import RUN_EXPORT, delete_old_files, run_job
from app.models.types import utcnow
from app.tasks.periods import claim_period, finish_period, hour_period
from app.tasks.queue import background_job, periodic_job

EXPIRE_EXPORTS = "export.expire-old-files"


@background_job(RUN_EXPORT)
def run_export(job_id: int) -> None:
    run_job(job_id)


@periodic_job(EXPIRE_EXPORTS, minute="17")
def expire_old_exports() -> None:
    """Delete exports past EXPORT_KEEP_HOURS once an hour, by one worker."""
    period = hour_period(utcnow())
    if claim_period(EXPIRE_EXPORTS, period):
        expired = delete_old_files()
        finish_period(EXPIRE_EXPORTS, period, f"{expired} export file(s) deleted")

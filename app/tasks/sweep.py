"""Finding work a dead worker left, and work the queue lost.

Huey hands a job to one worker and forgets it; if that worker is killed, the job
is gone from the queue. The database still knows: an export "running" whose
heartbeat stopped, a message queued whose time has come and gone, a message
"sending" for far too long. The sweep runs every minute (claimed per minute, so
once however many workers run) and, a little after each worker starts, once more:
a restarted worker does not wait for the next minute to pick up what its
predecessor dropped.
"""

from __future__ import annotations

import logging

from flask import current_app

from app.models.types import utcnow
from app.tasks.periods import claim_period, hour_period, minute_period
from app.tasks.queue import background_job, enqueue, periodic_job

log = logging.getLogger(__name__)

SWEEP = "tasks.sweep"
ORPHANS = "evidence.orphans"
RECOVER = "tasks.recover"


def sweep_once() -> dict[str, int]:
    """One pass: recover cut-off exports, lost or stuck messages, lost text jobs. Returns what it did, by kind."""
    from app.evidence.tasks import requeue_waiting_files
    from app.export_jobs.jobs import recover_cut_off, requeue_waiting
    from app.mail.outbox import recover_messages

    retried, failed = recover_cut_off()
    done = {"exports retried": len(retried), "exports failed": len(failed), "exports requeued": len(requeue_waiting())}
    done.update(recover_messages())
    done["evidence files requeued for their text"] = requeue_waiting_files()
    if claim_period(ORPHANS, hour_period(utcnow())):  # a walk over every stored file: once an hour is enough
        from app.evidence.services import forget_orphaned_bytes

        done["unused evidence files deleted"] = forget_orphaned_bytes()
    return done


@periodic_job(SWEEP, minute="*")
def sweep_every_minute() -> None:
    if claim_period(SWEEP, minute_period(utcnow())):
        sweep_once()


@background_job(RECOVER)
def recover() -> None:
    """The sweep without a claim: queued by a worker as it starts, so it is not skipped by this minute's claim."""
    done = {kind: count for kind, count in sweep_once().items() if count}
    if done:
        log.warning("Recovered after a worker started: %s", done)


def recover_after_start() -> None:
    """Sweep now, and again once a dead worker's running jobs have had time to go stale."""
    enqueue(RECOVER)
    enqueue(RECOVER, delay=float(current_app.config.get("EXPORT_STALE_SECONDS", 120)) + 1)

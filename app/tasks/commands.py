"""`section17 worker`: run the task queue's jobs (exports, e-mail, the schedule) until stopped."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from app.tasks.queue import task_queue

SHUTDOWN_SECONDS = 60


def make_consumer(threads: int, *, schedule: bool = True):  # type: ignore[no-untyped-def]
    """A Huey consumer of the current app's queue: `threads` worker threads and, unless told not to, the scheduler.

    Polling waits start at 0.1 s and grow to at most 1 s while the queue is empty
    (Redis blocks on the queue instead of polling). SIGTERM (what systemd and
    containers send) stops it gracefully: jobs in hand get SHUTDOWN_SECONDS to finish;
    SIGINT (Ctrl+C) stops it at once. A job cut short either way is found and run
    again by the sweep (app/tasks/sweep.py).
    """
    return task_queue(current_app._get_current_object()).huey.create_consumer(  # type: ignore[attr-defined]
        workers=threads, worker_type="thread", periodic=schedule, initial_delay=0.1, backoff=1.15, max_delay=1.0,
        check_worker_health=True, health_check_interval=10, scheduler_interval=1, graceful_signal="TERM",
        shutdown_timeout=SHUTDOWN_SECONDS)


@click.command("worker")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Jobs this process runs at once. Exports use a processor core each while they run.")
@click.option("--no-schedule", is_flag=True,
              help="Do not queue the periodic jobs from this process (any number may: each period runs once).")
@with_appcontext
def worker_command(threads: int, no_schedule: bool) -> None:
    """Run background jobs until stopped (SIGTERM: jobs in hand finish first; Ctrl+C: at once).

    Start as many as you like, on as many servers as share the queue (SECTION17_QUEUE_URL).
    """
    logging.getLogger("huey").setLevel(logging.INFO)
    queue = task_queue()
    click.echo(f"Section 17 Audit worker: {threads} thread{'s' if threads != 1 else ''}, queue in "
               f"{queue.storage_words}, schedule {'off' if no_schedule else 'on'}.")
    make_consumer(threads, schedule=not no_schedule).run()

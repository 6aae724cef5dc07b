"""The app's task queue: which storage it uses, which jobs it knows, and how a job runs.

Jobs are plain functions declared with `@background_job` or `@periodic_job` in
the package that owns them (exports, mail). Each app gets its own Huey instance,
so a test's app and queue never meet another test's; every job runs inside an app
context of its own and closes its database session afterwards.

The queue carries only ids ("run export job 12", "deliver message 40"). What a job
is and how far it got lives in the database, so a message lost from the queue
(a worker killed while it held it) is found again by the sweep (app/tasks/sweep.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab

from app.config import ConfigurationError
from app.extensions import db

log = logging.getLogger(__name__)

EXTENSION = "section17_queue"
QUEUE_SCHEMES = ("sqlite", "redis", "rediss")


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: Callable[..., Any]
    schedule: dict[str, str] | None = None  # crontab fields, for periodic jobs


_JOBS: dict[str, JobSpec] = {}


def background_job(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a job the queue can run by name; the function is returned unchanged (and callable directly)."""

    def declare(function: Callable[..., Any]) -> Callable[..., Any]:
        _JOBS[name] = JobSpec(name, function)
        return function

    return declare


def periodic_job(name: str, **schedule: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a job every worker's scheduler queues on a crontab (minute="*/5", ...).

    Every worker queues it, so the job itself must claim its period (app/tasks/periods.py)
    or be harmless to run more than once.
    """

    def declare(function: Callable[..., Any]) -> Callable[..., Any]:
        _JOBS[name] = JobSpec(name, function, schedule)
        return function

    return declare


def _import_jobs() -> None:
    """The modules that declare jobs: importing them fills _JOBS."""
    import app.evidence.tasks  # noqa: F401
    import app.export_jobs.tasks  # noqa: F401
    import app.mail.tasks  # noqa: F401
    import app.tasks.sweep  # noqa: F401


def queue_url(app: Flask) -> str:
    """QUEUE_URL, or a SQLite file in the instance folder: the embedded default needs no other service."""
    configured = app.config.get("QUEUE_URL")
    if configured:
        return str(configured)
    return f"sqlite:///{Path(app.instance_path) / 'queue.sqlite3'}"


def make_huey(url: str, name: str) -> Huey:
    """A Huey for sqlite:///path or redis://host:port/db; anything else is a configuration error."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else ""
        if not path:
            raise ConfigurationError(f"SECTION17_QUEUE_URL {url!r} names no file: use sqlite:////absolute/path.db")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=path, results=False, utc=True)
    if scheme in ("redis", "rediss"):
        return RedisHuey(name, url=url, results=False, utc=True)
    raise ConfigurationError(f"SECTION17_QUEUE_URL must start with one of {', '.join(QUEUE_SCHEMES)}; "
                             f"got {scheme or 'nothing'!r}.")


class Queue:
    """One app's Huey, with every declared job registered to run in that app's context."""

    def __init__(self, app: Flask) -> None:
        _import_jobs()
        self.app = app
        self.url = queue_url(app)
        self.huey = make_huey(self.url, str(app.config.get("QUEUE_NAME") or "section17"))
        self.tasks: dict[str, Any] = {}
        for spec in _JOBS.values():
            runner = _in_app_context(app, spec.function)
            runner.__name__ = spec.name
            if spec.schedule is None:
                self.tasks[spec.name] = self.huey.task(name=spec.name)(runner)
            else:
                self.tasks[spec.name] = self.huey.periodic_task(crontab(**spec.schedule), name=spec.name)(runner)
        self.huey.on_startup(name="section17-startup")(_in_app_context(app, _on_worker_start))

    def enqueue(self, name: str, *args: Any, delay: float | None = None) -> None:
        """Put a job on the queue (after `delay` seconds if given)."""
        task = self.tasks[name]
        if delay:
            task.schedule(args=args, delay=delay)
        else:
            task(*args)

    def pending_count(self) -> int:
        return int(self.huey.pending_count())

    @property
    def storage_words(self) -> str:
        """Where the queue is, for people (no password): "Redis at 127.0.0.1:6379", "the file instance/queue.sqlite3"."""
        parts = urlsplit(self.url)
        if parts.scheme.startswith("redis"):
            return f"Redis at {parts.hostname}:{parts.port or 6379}"
        return f"the file {self.url[len('sqlite:///'):]}"


def _in_app_context(app: Flask, function: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        with app.app_context():
            try:
                return function(*args)
            finally:
                db.session.remove()

    return run


def _on_worker_start() -> None:
    """Each worker thread, as it starts, looks for work a dead worker left (see app/tasks/sweep.py)."""
    from app.tasks.sweep import recover_after_start

    recover_after_start()


def register_queue(app: Flask) -> None:
    app.extensions[EXTENSION] = Queue(app)


def task_queue(app: Flask | None = None) -> Queue:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return app.extensions[EXTENSION]


def queued_jobs() -> list[tuple[str, tuple[Any, ...]]]:
    """(job name, arguments) of every job waiting on the current app's queue, oldest first."""
    return [(task.name, tuple(task.args or ())) for task in task_queue().huey.pending()]


def enqueue(name: str, *args: Any, delay: float | None = None) -> None:
    """Queue a job of the current app. Call after the transaction that made its row has committed."""
    task_queue().enqueue(name, *args, delay=delay)

"""Real `section17 worker` processes, on the embedded SQLite queue and on the machine's Redis.

What the queue must guarantee, tried with the parts it runs on: a worker process
delivers what the web app queued; a worker killed mid-export loses no job (the next
worker runs it again); two workers and repeated schedule passes send each reminder
once. Redis is TEST_REDIS_URL (scripts/test starts it); each test uses a queue name
of its own and empties it afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Assignment, Cycle, Department, ExportJob, OutboxMessage, User
from app.models.types import utcnow
from app.tasks.queue import task_queue
from tests.mail_sink import smtp_sink
from tests.support import SURVEYS, open_cycle

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECTION17 = str(Path(sys.executable).parent / "section17")
WAIT = 60


@pytest.fixture(params=["sqlite", "redis"])
def queue_url(request, tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'queue.sqlite3'}" if request.param == "sqlite" else REDIS_URL


@pytest.fixture
def sink():
    with smtp_sink() as server:
        yield server


@pytest.fixture
def settings(migrated_database, queue_url, sink, tmp_path) -> dict[str, str]:
    """What the test's app and its worker processes share: database, queue, export folder, mail server."""
    return {"SQLALCHEMY_DATABASE_URI": migrated_database, "SURVEYS_DIR": str(SURVEYS), "QUEUE_URL": queue_url,
            "QUEUE_NAME": f"test-{uuid.uuid4().hex[:12]}", "EXPORT_DIR": str(tmp_path / "exports"),
            "MAIL_URL": sink.url, "MAIL_FROM": "section17@council.example",
            "MAIL_TEMPLATES_DIR": str(tmp_path / "mail_templates"), "EXPORT_HEARTBEAT_SECONDS": "0.5",
            "EXPORT_STALE_SECONDS": "3", "EXPORT_BACKGROUND_ANSWERS": "1"}


@pytest.fixture
def shared_app(make_app, settings, people) -> Iterator:
    app = make_app(**{k: (float(v) if k.startswith("EXPORT_") and k != "EXPORT_DIR" else v)
                      for k, v in settings.items()})
    yield app
    task_queue(app).huey.flush()  # the Redis queue outlives the test otherwise


class Workers:
    """Worker processes started with the shared settings; all are stopped (or killed) at the end."""

    def __init__(self, settings: dict[str, str], folder: Path) -> None:
        self.env = {**os.environ, "SECTION17_ENV": "test", **{f"SECTION17_{k}": v for k, v in settings.items()}}
        self.env.pop("DATABASE_URL", None)
        self.folder = folder
        self.running: list[subprocess.Popen] = []

    def start(self, *extra: str) -> subprocess.Popen:
        log = open(self.folder / f"worker-{len(self.running)}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([SECTION17, "worker", "--threads", "2", *extra], env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2])
        self.running.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.folder.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(settings, tmp_path) -> Iterator[Workers]:
    started = Workers(settings, tmp_path)
    yield started
    started.stop_all()


def wait_until(check, what: str, workers: Workers, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"{what} did not happen in {timeout} s. Worker logs:\n{workers.logs()[-4000:]}")


def test_a_worker_process_sends_what_the_web_app_queued(shared_app, people, workers, sink):
    workers.start()
    open_cycle(shared_app, people)
    received = sink.wait_for(2, timeout=WAIT)
    assert sorted(str(m["To"]) for m in received) == [f"Lena Lead <{people.lead.email}>",
                                                      f"Omar Other <{people.other_lead.email}>"]
    with shared_app.app_context():
        assert wait_until(lambda: {m.state for m in db.session.scalars(select(OutboxMessage))} == {"sent"},
                          "every message marked sent", workers)


def _big_cycle(app, people, departments: int = 300) -> int:
    """A cycle of `departments` answered returns: an export long enough to be caught running."""
    with app.app_context():
        for n in range(departments):
            db.session.add(Department(code=f"D{n:04d}", name=f"Department {n:04d}", description="", active=True))
        db.session.commit()
    made = open_cycle(app, people, definitions=("small-departmental",))
    with app.app_context():
        now = utcnow()
        ids = db.session.scalars(select(Assignment.id).where(Assignment.cycle_id == made.cycle_id))
        db.session.add_all(Answer(assignment_id=a, question_id=q, value=v, evidence="Service plan, section 3",
                                  changed_in_version=1, updated_at=now)
                           for a in ids for q, v in (("plan-mentions-duty", "yes"), ("plan-targets", "smart"),
                                                     ("staff-trained", 60), ("lead-named", "officer")))
        db.session.commit()
    return made.cycle_id


def test_killing_the_worker_mid_export_loses_no_job(shared_app, people, workers):
    from app.export_jobs.jobs import start_job
    from app.export_jobs.services import XLSX, ExportRequest

    cycle_id = _big_cycle(shared_app, people)
    for _attempt in range(5):
        first = workers.start("--no-schedule")
        with shared_app.app_context():
            cso = db.session.get(User, people.cso.id)
            job_id = start_job(cso, ExportRequest(db.session.get(Cycle, cycle_id), None, XLSX)).id

        def running(job_id: int = job_id) -> bool:
            with shared_app.app_context():
                return db.session.get(ExportJob, job_id).status == "running"

        wait_until(running, "the export starting", workers)
        first.send_signal(signal.SIGSTOP)  # frozen mid-export, then killed as an out-of-memory killer would
        first.kill()
        first.wait()
        with shared_app.app_context():
            caught = db.session.get(ExportJob, job_id).status == "running"
        if caught:
            break
    else:
        pytest.fail("the export finished every time before the worker could be killed")
    workers.start("--no-schedule")  # a new worker: it finds the job its predecessor dropped and runs it again

    def finished() -> ExportJob | None:
        with shared_app.app_context():
            job = db.session.get(ExportJob, job_id)
            db.session.expunge(job)
            return job if job.status not in ("queued", "running") else None

    job = wait_until(finished, "the export being run again to the end", workers)
    assert job.status == "done" and job.attempts == 2, (job.status, job.error)
    path = Path(workers.env["SECTION17_EXPORT_DIR"]) / job.stored_path
    assert path.is_file() and path.stat().st_size == job.size_bytes
    assert not list(path.parent.glob("*.part")) or all(p.name != path.name + ".part" for p in path.parent.iterdir())


def test_two_workers_and_repeated_schedule_passes_send_each_reminder_once(shared_app, people, workers, sink):
    cycle = open_cycle(shared_app, people)
    with shared_app.app_context():
        # opened 20 days ago with its deadline 30 days away: the 14-day reminder has not come, a 30-day one has
        db.session.get(Cycle, cycle.cycle_id).opened_at = utcnow() - timedelta(days=20)
        db.session.commit()
    workers.env["SECTION17_REMINDER_DAYS_BEFORE"] = "[30, 14, 3]"
    shared_app.config["REMINDER_DAYS_BEFORE"] = (30, 14, 3)
    workers.start()
    workers.start()
    sink.wait_for(2)  # the opening messages
    send_due = task_queue(shared_app).tasks["mail.send-due"]
    for _ in range(4):
        send_due()  # as four schedulers would queue it
    passes = [subprocess.Popen([SECTION17, "notify", "send-due"], env=workers.env, stdout=subprocess.PIPE,
                               text=True) for _ in range(2)]  # and two people by hand, at once
    outputs = [p.communicate(timeout=WAIT)[0] for p in passes]
    received = sink.wait_for(4)
    time.sleep(3)  # time for any duplicate to arrive
    reminders = [m for m in sink.received if "Reminder:" in str(m["Subject"])]
    assert sorted(str(m["To"]) for m in reminders) == [f"Lena Lead <{people.lead.email}>",
                                                       f"Omar Other <{people.other_lead.email}>"], received
    with shared_app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "reminder")))
    assert len(rows) == 2 and {r.idempotency_key.split(" for ")[0] for r in rows} == {"reminder 1"}
    queued_by_hand = sum(line.startswith("queued ") for out in outputs for line in out.splitlines())
    assert queued_by_hand <= 2, outputs

"""Benchmark: reminders through the outbox and the task queue to a local SMTP server, against the queue's floor.

    python benchmarks/notify.py [--databases sqlite postgresql] [--queues sqlite redis] [--messages 5000]
                                [--workers 1 2 4] [--repeat 1] [--trickle 200] [--rate 10] [--export-requests 10]

For each database it builds (not timed) a council of --messages lead officers, five to a department,
and one open cycle of the shipped departmental self-assessment, opened 20 days ago and due in 3 days,
so that one pass of the reminder schedule has exactly one reminder for each lead officer (reminder 2,
"due in 3 days"): one recipient per message, so each message is known by its address.

An SMTP server (aiosmtpd, as tests/mail_sink.py, on a free port of 127.0.0.1) runs in this process and
notes, for each message, the wall-clock time it arrived (time.time(): the workers are other processes),
its recipient and its Message-ID, and parses nothing else. The workers are real `section17 worker
--threads 1 --no-schedule` processes sharing the database and the queue through SECTION17_* settings,
as tests/functional/test_worker_processes.py starts them.

For each queue (the embedded SQLite file; Redis at 127.0.0.1:6379 under a queue name of its own, emptied
afterwards) and each --workers count, ours then the floor, in turns, --repeat rounds:

1. Backlog, ours. The workers are started first and left idle, because in production they are always
   running and the hourly reminder pass runs while they are. Then one pass of the schedule
   (app.mail.reminders.send_due, as `section17 notify send-due` runs it) composes and records the
   reminders in one transaction (timed: rows/s), and its commit hands them to the queue in jobs of 25
   ids, "mail.deliver-many" (timed: messages/s handed over). Messages/s run from the commit to the last
   message's arrival. Latency is each message's arrival less its outbox row's created_at (when queue_message recorded it): in a
   backlog that is mostly waiting for its turn.
2. Trickle, ours. With the same workers, now idle, --trickle reminders queued one per transaction at
   --rate a second, as the web app queues its messages: latency p50 and p99 with the queue nearly empty.
3. The floor, the queue's own cost: the same with a no-op job, run by processes started as this script's
   hidden --noop-worker mode, each the product's consumer (app.tasks.commands.make_consumer: one thread,
   the same polling) on the same storage, whose job only appends its index and times to a file. Backlog:
   --messages jobs enqueued in a loop, jobs/s from the first enqueue to the last job's end; trickle:
   --trickle jobs at --rate a second; latency from enqueue to the job's end.

Once per round, the floors of the mail part, each in a fresh process with one connection to the server:
the messages the workers sent (their outbox rows, made into MIME with app.mail.delivery.build_email
beforehand) handed over with smtplib's sendmail, the fastest the mail part can go; the same with a NOOP
before each message (what SmtpDelivery once did to check its kept connection; it now asks only after 5 s
idle); and, for information, SmtpDelivery.send itself (making the MIME message and sending), with no
database or queue.

Lastly, for each queue, on an idle system: a small database of its own (three departments, one open
cycle), one worker and one no-op worker, both idle, given --export-requests requests in turns 4 s apart,
so that each has been idle for 8 s before each of its own, long enough for its polling to slow to its
slowest (1 s): an export of the whole cycle (app.export_jobs.jobs.start_job), from its ExportJob's
created_at to its started_at, and a no-op job, from enqueue to its end.

Checked on every run: every outbox row ends "sent", the server received exactly one message per row (by
recipient) and no Message-ID twice, the no-op jobs each ran once, and nothing is left on the queue; what
fails is printed and fails the correctness goal. Before each run the outbox and its "mail.*" audit events
are deleted, so every run starts from the same database.

It prints the load average before and after, and for each database, queue and number of workers:
messages/s (median over the rounds, with its spread), latency p50 and p99 (medians over the rounds), the
floor's figures and ours / the floor; the SMTP floors; and the export's and no-op job's start times.
Goals (closing lines), for each database and queue: with 1 worker, 5,000 reminders sent in under a
minute (at least 83 messages/s, whatever --messages is); latency p99 under 2 s while the queue is nearly
idle (the trickle), for each number of workers; every export starts within 2 s of being requested on an
idle system (the worst request); and, for each database, every message sent exactly once.

SQLite by default; PostgreSQL through a fresh database on 127.0.0.1:5432 (TEST_POSTGRES_URL to use
another server), dropped afterwards. Redis is TEST_REDIS_URL, default redis://127.0.0.1:6379/0.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import pickle
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import Spread, load_average, print_load, verdict  # noqa: E402
from benchmarks.questionnaire import PASSWORD, database_urls  # noqa: E402

SURVEYS = ROOT / "surveys"
DEFINITION = "departmental-self-assessment"
SECTION17 = Path(sys.executable).parent / "section17"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
MAIL_FROM = "section17@council.example"
MAIL_FROM_NAME = "Section 17 Audit"
LEADS_PER_DEPARTMENT = 5
EXPORT_DEPARTMENTS = 3
NOOP = "bench.noop"
READY = {"worker": "Section 17 Audit worker:", "noop": "no-op worker ready"}
START_SECONDS = 60  # for a worker process to say it is running
SETTLE_SECONDS = 1.0  # after that, for its consumer thread to start and its start-up sweep to run
IDLE_SECONDS = 8.0  # polling starts at 0.1 s and grows 1.15x a time: it reaches its slowest, 1 s, after ~6.5 s
FINISH_SECONDS = 30  # after the last message arrives, for its row to be marked sent
GOAL_MESSAGES = 5000
GOAL_SECONDS = 60  # 5,000 reminders in under a minute with one worker
P99_GOAL_MS = 2000
EXPORT_GOAL_MS = 2000
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*<([^>\r\n]+)>", re.IGNORECASE | re.MULTILINE)
SMTP_FLOORS = {  # how -> what it is, in the order run
    "sendmail": "floor: prebuilt messages, smtplib sendmail",
    "noop": "the same with a NOOP before each",
    "smtpdelivery": "SmtpDelivery.send (MIME and send; info)",
}

_RECORD_FD = -1  # the no-op worker's record file


# --------------------------------------------------------------------------- the SMTP server


class Sink:
    """What arrives at the SMTP server: (wall-clock time, recipients, Message-ID) per message, nothing parsed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: list[tuple[float, str, str]] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        arrived = time.time()
        found = MESSAGE_ID.search(envelope.content)
        with self.lock:
            self.arrivals.append((arrived, ",".join(envelope.rcpt_tos).lower(),
                                  found.group(1).decode("ascii", "replace") if found else ""))
        return "250 Message accepted for delivery"

    def reset(self) -> None:
        with self.lock:
            self.arrivals = []

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)

    def taken(self) -> list[tuple[float, str, str]]:
        with self.lock:
            return list(self.arrivals)

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.count() < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.count() >= count

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


# --------------------------------------------------------------------------- processes and queues


class Processes:
    """Worker processes this benchmark started; stop_all stops (or kills) every one, however the run ended."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: list[tuple[subprocess.Popen[bytes], Path, IO[bytes]]] = []
        self.started = 0

    def start(self, kind: str, count: int, env: dict[str, str]) -> list[Path]:
        """`count` processes of `kind` ("worker" or "noop"), once each says it runs; the no-op ones' record files."""
        new: list[tuple[subprocess.Popen[bytes], Path]] = []
        records: list[Path] = []
        for _ in range(count):
            self.started += 1
            log = self.folder / f"{kind}-{self.started}.log"
            record = self.folder / f"{kind}-{self.started}.record"
            if kind == "worker":
                command = [str(SECTION17), "worker", "--threads", "1", "--no-schedule"]
            else:
                command = [sys.executable, str(Path(__file__).resolve()), "--noop-worker", str(record)]
            out = open(log, "wb")  # noqa: SIM115 - closed in stop_all
            process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
            self.running.append((process, log, out))
            new.append((process, log))
            records.append(record)
        deadline = time.monotonic() + START_SECONDS
        for process, log in new:
            while READY[kind] not in log.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"a {kind} process did not start:\n{log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.05)
        time.sleep(SETTLE_SECONDS)
        return records

    def logs(self, most: int = 3000) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-most:]}" for _, log, _ in self.running)

    def stop_all(self) -> None:
        """SIGINT (stop at once: all their work is done, or the run has failed), then kill what lingers."""
        for process, _, _ in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process, _, out in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            out.close()
        self.running = []


@dataclass(frozen=True)
class QueuePlace:
    kind: str  # "sqlite" or "redis"
    url: str
    name: str


class Queues:
    """A fresh queue for every run (a new SQLite file, or a new name on Redis); the Redis ones emptied at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: list[QueuePlace] = []

    def new(self, kind: str) -> QueuePlace:
        token = uuid.uuid4().hex[:10]
        url = f"sqlite:///{self.folder / f'queue-{token}.sqlite3'}" if kind == "sqlite" else REDIS_URL
        place = QueuePlace(kind, url, f"bench-notify-{token}")
        self.made.append(place)
        return place

    def flush_all(self) -> None:
        from app.tasks.queue import make_huey

        for place in self.made:
            if place.kind == "redis":
                try:
                    make_huey(place.url, place.name).flush()
                except Exception as error:  # Redis gone: nothing more can be done from here
                    print(f"  could not empty the Redis queue {place.name}: {error}", flush=True)
        self.made = []


def settings_for(database_url: str, queue: QueuePlace, sink: Sink, work: Path) -> dict[str, str]:
    """What this process's app and the workers share: database, queue, mail server, folders."""
    return {"SQLALCHEMY_DATABASE_URI": database_url, "QUEUE_URL": queue.url, "QUEUE_NAME": queue.name,
            "MAIL_URL": sink.url, "MAIL_FROM": MAIL_FROM, "SURVEYS_DIR": str(SURVEYS),
            "MAIL_TEMPLATES_DIR": str(work / "mail_templates"), "EXPORT_DIR": str(work / "exports")}


def worker_env(settings: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, "SECTION17_ENV": "test", **{f"SECTION17_{k}": v for k, v in settings.items()}}
    env.pop("DATABASE_URL", None)
    return env


def bench_app(settings: dict[str, str], work: Path) -> Any:
    from app import create_app

    instance = work / "instance"
    instance.mkdir(exist_ok=True)
    return create_app({"ENV": "test", **settings}, instance_path=str(instance))


def in_fresh_process(function: Callable[..., Any], *args: Any) -> Any:
    """Run in a new Python process (spawned): building leaves a heap, and a floor should have a core to itself."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


# --------------------------------------------------------------------------- the no-op worker (hidden mode)


def noop(index: int, queued_at: float) -> None:
    """The floor's job: note its index, when it was queued and when it ran. Nothing else."""
    os.write(_RECORD_FD, f"{index} {queued_at!r} {time.time()!r}\n".encode())


def noop_worker(record: str) -> None:
    """A consumer of the product's kind (make_consumer, one thread) on the SECTION17_* queue, running no-op jobs.

    The app is the product's, configured from the environment as `section17 worker` is;
    its start-up sweep is removed, as it is no part of the queue's own cost.
    """
    global _RECORD_FD
    from app import create_app
    from app.tasks.commands import make_consumer
    from app.tasks.queue import task_queue

    _RECORD_FD = os.open(record, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    app = create_app()
    huey = task_queue(app).huey
    huey._startup.clear()  # Huey has no public way to drop a start-up hook
    huey.task(name=NOOP)(noop)
    with app.app_context():
        consumer = make_consumer(1, schedule=False)
    print(READY["noop"], flush=True)
    consumer.run()


def read_records(records: list[Path]) -> list[tuple[int, float, float]]:
    found = []
    for path in records:
        if path.exists():
            for line in path.read_text().splitlines():
                index, queued, done = line.split()
                found.append((int(index), float(queued), float(done)))
    return found


def count_records(records: list[Path]) -> int:
    return sum(path.read_bytes().count(b"\n") for path in records if path.exists())


# --------------------------------------------------------------------------- building the councils


def lead_email(n: int) -> str:
    return f"lead{n:05d}@bench.example"


def build_council(url: str, messages: int, instance: str) -> dict[str, int]:
    """Departments, one lead officer per message, one open cycle whose reminder 2 is due today."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle, open_cycle
    from app.extensions import db
    from app.mail.reminders import council_today
    from app.models import Department, Role, User
    from app.models.types import utcnow
    from app.models.user import user_departments
    from app.security.passwords import hash_password

    departments = math.ceil(messages / LEADS_PER_DEPARTMENT)
    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(SURVEYS),
                      "QUEUE_URL": f"sqlite:///{Path(instance) / 'build-queue.sqlite3'}"}, instance_path=instance)
    with app.app_context():
        upgrade()
        db.session.execute(db.insert(Department), [
            {"code": f"D{n:05d}", "name": f"Department {n:05d}", "description": "", "active": True}
            for n in range(departments)])
        db.session.commit()
        today = council_today()
        cycle = create_cycle(None, CycleDetails("Audit 2025 to 2026", today - timedelta(days=200),
                                                today + timedelta(days=165), today + timedelta(days=3),
                                                (QuestionnaireChoice(DEFINITION),)))
        open_cycle(None, cycle, today)  # before the lead officers exist: no "cycle opened" messages
        cycle.opened_at = utcnow() - timedelta(days=20)
        password = hash_password(PASSWORD)
        db.session.execute(db.insert(User), [
            {"name": f"Lead Officer {n:05d}", "email": lead_email(n), "password_hash": password,
             "role": Role.LEAD_OFFICER.value, "active": True} for n in range(messages)])
        department_ids = dict(db.session.execute(select(Department.code, Department.id)).tuples().all())
        user_ids = dict(db.session.execute(select(User.email, User.id)).tuples().all())
        db.session.execute(user_departments.insert(), [
            {"user_id": user_ids[lead_email(n)], "department_id": department_ids[f"D{n // LEADS_PER_DEPARTMENT:05d}"]}
            for n in range(messages)])
        db.session.commit()
        cycle_id = cycle.id
        db.engine.dispose()
    return {"departments": departments, "lead_officers": messages, "cycle_id": cycle_id}


def build_export_council(url: str, instance: str) -> dict[str, int]:
    """A few departments, a community safety officer and one open cycle: an export that is quick to write."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle, open_cycle
    from app.extensions import db
    from app.mail.reminders import council_today
    from app.models import Department, Role, User
    from app.security.passwords import hash_password

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(SURVEYS),
                      "QUEUE_URL": f"sqlite:///{Path(instance) / 'build-queue.sqlite3'}"}, instance_path=instance)
    with app.app_context():
        upgrade()
        for n in range(EXPORT_DEPARTMENTS):
            db.session.add(Department(code=f"E{n}", name=f"Department {n}", description="", active=True))
        cso = User(name="Chris Safety", email="cso@bench.example", password_hash=hash_password(PASSWORD),
                   role=Role.COMMUNITY_SAFETY_OFFICER.value, active=True)
        db.session.add(cso)
        db.session.commit()
        today = council_today()
        cycle = create_cycle(None, CycleDetails("Audit 2025 to 2026", today - timedelta(days=200),
                                                today + timedelta(days=165), today + timedelta(days=30),
                                                (QuestionnaireChoice(DEFINITION),)))
        open_cycle(None, cycle, today)
        found = {"cycle_id": cycle.id, "cso_id": cso.id}
        db.engine.dispose()
    return found


# --------------------------------------------------------------------------- one run


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the value at or below which `share` of them lie."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else math.nan


@dataclass
class Phase:
    """One backlog or trickle: how many were done, in how long, each one's latency (s), and what went wrong."""

    count: int
    seconds: float
    latencies: list[float]
    problems: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    def p(self, share: float) -> float:
        return percentile(self.latencies, share)


@dataclass
class Run:
    backlog: Phase
    trickle: Phase
    pass_seconds: float = 0.0  # ours: the reminder pass, composing and recording (to its commit)
    handover_seconds: float = 0.0  # handing the backlog's jobs to the queue


def reset_outbox() -> None:
    """Every run starts from the same database: no messages, none of their audit events."""
    from sqlalchemy import delete

    from app.extensions import db
    from app.models import AuditEvent, OutboxMessage

    db.session.execute(delete(OutboxMessage))
    db.session.execute(delete(AuditEvent).where(AuditEvent.action.like("mail.%")))
    db.session.commit()


def trickle_messages(count: int) -> list[dict[str, Any]]:
    """What send_due would queue for the first `count` lead officers, under keys of their own."""
    from flask import current_app
    from sqlalchemy import select

    from app.extensions import db
    from app.mail.outbox import Recipient
    from app.mail.reminders import (
        council_date,
        council_today,
        lead_officers,
        return_context,
        schedule_from_config,
        unsubmitted_returns,
    )
    from app.models import Cycle, CycleStatus

    today = council_today()
    schedule = schedule_from_config(current_app.config)
    cycles = list(db.session.scalars(select(Cycle).where(Cycle.status == CycleStatus.OPEN.value)))
    found: list[dict[str, Any]] = []
    for assignment in unsubmitted_returns(cycles):
        due = schedule.due(assignment.due_date, council_date(assignment.cycle.opened_at), today)
        for person in lead_officers(assignment.department):
            if len(found) == count:
                return found
            found.append({"key": f"trickle reminder for return {assignment.id} to user {person.id}",
                          "recipient": Recipient.of(person),
                          "context": {**return_context(assignment, person, today), "number": due[0] if due else 1},
                          "about": f"{assignment.respondent_name}'s return, {assignment.cycle.name}",
                          "cycle_id": assignment.cycle_id, "assignment_id": assignment.id})
    return found


def check_messages(sink: Sink, prefix: str, expected: int, since: float) -> Phase:
    """Match what arrived with the outbox rows whose key starts with `prefix`; latency from each row's created_at."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import MessageState, OutboxMessage

    with db.engine.connect() as connection:
        rows = connection.execute(
            select(OutboxMessage.recipient_email, OutboxMessage.created_at, OutboxMessage.state,
                   OutboxMessage.last_error).where(OutboxMessage.idempotency_key.like(f"{prefix}%"))).all()
    arrivals = sink.taken()
    problems: list[str] = []
    if len(rows) != expected:
        problems.append(f"{len(rows):,} outbox rows recorded, not {expected:,}")
    states = Counter(row.state for row in rows)
    for state, count in states.items():
        if state != MessageState.SENT.value:
            error = next((r.last_error for r in rows if r.state == state and r.last_error), "")
            problems.append(f"{count:,} rows {state}" + (f" ({error[:160]})" if error else ""))
    by_address: dict[str, list[float]] = defaultdict(list)
    for arrived, address, _ in arrivals:
        by_address[address].append(arrived)
    if len(arrivals) != expected:
        problems.append(f"the server received {len(arrivals):,} messages, not {expected:,}")
    twice = [address for address, times in by_address.items() if len(times) > 1]
    if twice:
        problems.append(f"{len(twice):,} recipients got more than one message (e.g. {twice[0]})")
    known = {row.recipient_email.lower() for row in rows}
    strangers = [address for address in by_address if address not in known]
    if strangers:
        problems.append(f"{len(strangers):,} messages to addresses with no row (e.g. {strangers[0]})")
    ids = Counter(message_id for _, _, message_id in arrivals)
    repeated = [message_id for message_id, count in ids.items() if count > 1 or not message_id]
    if repeated:
        problems.append(f"{len(repeated):,} Message-IDs missing or seen twice (e.g. {repeated[0]!r})")
    latencies = [min(by_address[row.recipient_email.lower()]) - row.created_at.timestamp()
                 for row in rows if row.recipient_email.lower() in by_address]
    last = max((arrived for arrived, _, _ in arrivals), default=since)
    return Phase(len(arrivals), last - since, latencies, problems)


def wait_rows_finished(timeout: float) -> None:
    """Until no message of the run is queued or sending (the row is marked just after the server took it)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import MessageState, OutboxMessage

    deadline = time.monotonic() + timeout
    unfinished = (MessageState.QUEUED.value, MessageState.SENDING.value)
    while time.monotonic() < deadline:
        with db.engine.connect() as connection:
            if not connection.scalar(select(func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.state.in_(unfinished))):
                return
        time.sleep(0.1)


def run_ours(database_url: str, place: QueuePlace, workers: int, sink: Sink, work: Path, processes: Processes,
             args: argparse.Namespace, outgoing: Path) -> Run:
    """Backlog and trickle through real workers, the outbox and the SMTP server (the backlog kept for the floors)."""
    import app.mail.outbox as outbox
    from app.extensions import db
    from app.mail.reminders import send_due
    from app.models import StopWhen
    from app.tasks.queue import task_queue

    settings = settings_for(database_url, place, sink, work)
    app = bench_app(settings, work)
    try:
        with app.app_context():
            reset_outbox()
            trickle = trickle_messages(args.trickle)
        processes.start("worker", workers, worker_env(settings))

        # Backlog: one reminder pass queues every reminder; its commit hands them to the workers.
        sink.reset()
        handed: list[float] = []
        handing = outbox.enqueue

        def counted(*arguments: Any, **keywords: Any) -> None:
            if not handed:
                handed.append(time.time())
            handing(*arguments, **keywords)
            handed[1:] = [time.time()]

        outbox.enqueue = counted  # the after-commit hook's call: when the jobs went onto the queue
        try:
            started = time.time()
            with app.app_context():
                planned = send_due()
        finally:
            outbox.enqueue = handing
        committed = handed[0] if handed else time.time()
        problems = [] if len(planned) == args.messages else [f"the pass queued {len(planned):,}, not {args.messages:,}"]
        if not sink.wait_for(args.messages, args.timeout):
            problems.append(f"only {sink.count():,} of {args.messages:,} arrived within {args.timeout:.0f} s")
        with app.app_context():
            wait_rows_finished(FINISH_SECONDS)
            backlog = check_messages(sink, "reminder ", args.messages, committed)
            if not outgoing.exists():
                save_outgoing(outgoing)
        backlog.problems[:0] = problems

        # Trickle: one message a transaction, at a steady rate, to idle workers.
        sink.reset()
        with app.app_context():
            first, beginning = time.time(), time.perf_counter()
            for index, message in enumerate(trickle):
                pause = beginning + index / args.rate - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                outbox.queue_message(message["key"], "reminder", message["recipient"], message["context"],
                                     about=message["about"], cycle_id=message["cycle_id"],
                                     assignment_id=message["assignment_id"], stop_when=StopWhen.SUBMITTED)
                db.session.commit()
            arrived = sink.wait_for(len(trickle), args.timeout)
            wait_rows_finished(FINISH_SECONDS)
            trickled = check_messages(sink, "trickle reminder ", len(trickle), first)
            if not arrived:
                trickled.problems.insert(0, f"only {sink.count():,} of {len(trickle):,} trickled messages arrived")
            left = task_queue(app).pending_count()
        if left:
            backlog.problems.append(f"{left:,} jobs left on the queue")
        if backlog.problems or trickled.problems:
            print(processes.logs(), flush=True)
        return Run(backlog, trickled, committed - started, (handed[-1] if handed else committed) - committed)
    finally:
        processes.stop_all()
        with app.app_context():
            db.engine.dispose()


def run_floor(place: QueuePlace, workers: int, work: Path, processes: Processes, args: argparse.Namespace,
              env: dict[str, str]) -> Run:
    """The same backlog and trickle of no-op jobs, through no-op workers on the same storage."""
    from app.tasks.queue import make_huey

    records = processes.start("noop", workers, env)
    try:
        huey = make_huey(place.url, place.name)
        job = huey.task(name=NOOP)(noop)

        def wait(count: int) -> bool:
            deadline = time.monotonic() + args.timeout
            while count_records(records) < count and time.monotonic() < deadline:
                time.sleep(0.1)
            return count_records(records) >= count

        def phase(count: int, begun: float, offset: int) -> Phase:
            done = [r for r in read_records(records) if offset <= r[0] < offset + count]
            problems = [] if len(done) == count else [f"{len(done):,} no-op jobs ran, not {count:,}"]
            twice = [index for index, seen in Counter(r[0] for r in done).items() if seen > 1]
            if twice:
                problems.append(f"{len(twice):,} no-op jobs ran twice")
            last = max((r[2] for r in done), default=begun)
            return Phase(len(done), last - begun, [r[2] - r[1] for r in done], problems)

        started = time.time()
        for index in range(args.messages):
            job(index, time.time())
        handed = time.time()
        wait(args.messages)
        backlog = phase(args.messages, started, 0)

        beginning = time.perf_counter()
        first = time.time()
        for index in range(args.trickle):
            pause = beginning + index / args.rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            job(args.messages + index, time.time())
        wait(args.messages + args.trickle)
        trickled = phase(args.trickle, first, args.messages)
        left = huey.pending_count()
        if left:
            backlog.problems.append(f"{left:,} jobs left on the queue")
        return Run(backlog, trickled, 0.0, handed - started)
    finally:
        processes.stop_all()


# --------------------------------------------------------------------------- the mail part's floors


def save_outgoing(path: Path) -> None:
    """The backlog's messages as the workers handed them over (app.mail.delivery.Outgoing), pickled for the floors."""
    from sqlalchemy import select

    from app.extensions import db
    from app.mail.delivery import Outgoing
    from app.models import OutboxMessage

    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key.like("reminder %"))
                              .order_by(OutboxMessage.id))
    messages = [Outgoing(m.idempotency_key, m.recipient_email, m.recipient_name, m.subject, m.body_text, m.body_html)
                for m in rows]
    db.session.remove()
    path.write_bytes(pickle.dumps(messages, protocol=pickle.HIGHEST_PROTOCOL))


def smtp_floor(outgoing: str, url: str, how: str) -> float:
    """Seconds to hand every message to the server over one connection, in this (fresh) process."""
    import smtplib

    from app.mail.delivery import SmtpDelivery, build_email, parse_mail_url

    messages = pickle.loads(Path(outgoing).read_bytes())
    settings = parse_mail_url(url, MAIL_FROM, MAIL_FROM_NAME)
    if how == "smtpdelivery":
        sender = SmtpDelivery(settings)
        started = time.perf_counter()
        for message in messages:
            sender.send(message)
        elapsed = time.perf_counter() - started
        sender.close()
        return elapsed
    prebuilt = [(m.to_email, build_email(m, MAIL_FROM, MAIL_FROM_NAME).as_bytes()) for m in messages]
    connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    started = time.perf_counter()
    for address, content in prebuilt:
        if how == "noop":
            connection.noop()
        connection.sendmail(MAIL_FROM, [address], content)
    elapsed = time.perf_counter() - started
    connection.quit()
    return elapsed


# --------------------------------------------------------------------------- export on an idle system


def export_latency(database_url: str, place: QueuePlace, noop_place: QueuePlace, built: dict[str, int], sink: Sink,
                   work: Path, processes: Processes, args: argparse.Namespace
                   ) -> tuple[list[float], list[float], list[str]]:
    """Requested-to-started of exports (s), enqueue-to-end of no-op jobs (s), and what went wrong."""
    from sqlalchemy import select

    from app.export_jobs.jobs import start_job
    from app.export_jobs.services import XLSX, ExportRequest
    from app.extensions import db
    from app.models import Cycle, ExportJob, User
    from app.models.export_job import UNFINISHED
    from app.tasks.queue import make_huey

    settings = settings_for(database_url, place, sink, work)
    app = bench_app(settings, work)
    exports: list[float] = []
    noops: list[float] = []
    problems: list[str] = []
    try:
        processes.start("worker", 1, worker_env(settings))
        records = processes.start("noop", 1, worker_env(settings_for(database_url, noop_place, sink, work)))
        job = make_huey(noop_place.url, noop_place.name).task(name=NOOP)(noop)
        time.sleep(IDLE_SECONDS)
        for index in range(args.export_requests):
            turn = time.monotonic()
            with app.app_context():
                job_id = start_job(db.session.get(User, built["cso_id"]),
                                   ExportRequest(db.session.get(Cycle, built["cycle_id"]), None, XLSX)).id
                db.session.remove()
                deadline = time.monotonic() + args.timeout
                row = None
                while time.monotonic() < deadline:
                    with db.engine.connect() as connection:
                        row = connection.execute(select(ExportJob.created_at, ExportJob.started_at, ExportJob.status,
                                                        ExportJob.error).where(ExportJob.id == job_id)).one()
                    if row.status not in UNFINISHED:
                        break
                    time.sleep(0.01 if row.started_at is None else 0.1)
                if row is None or row.started_at is None:
                    problems.append(f"export job {job_id} did not start within {args.timeout:.0f} s")
                else:
                    exports.append((row.started_at - row.created_at).total_seconds())
                    if row.status != "done":
                        problems.append(f"export job {job_id} ended {row.status}: {row.error[:160]}")
            time.sleep(max(0.0, turn + IDLE_SECONDS / 2 - time.monotonic()))
            job(index, time.time())
            deadline = time.monotonic() + args.timeout
            while count_records(records) <= index and time.monotonic() < deadline:
                time.sleep(0.01)
            done = [r for r in read_records(records) if r[0] == index]
            if done:
                noops.append(done[0][2] - done[0][1])
            else:
                problems.append(f"no-op job {index} did not run within {args.timeout:.0f} s")
            time.sleep(max(0.0, turn + IDLE_SECONDS - time.monotonic()))
        if problems:
            print(processes.logs(), flush=True)
    finally:
        processes.stop_all()
        with app.app_context():
            db.engine.dispose()
    return exports, noops, problems


# --------------------------------------------------------------------------- one database


def words(place_kind: str) -> str:
    return {"sqlite": "SQLite file", "redis": "Redis"}[place_kind]


def measure(database: str, label: str, url: str, sink: Sink, work: Path, processes: Processes, queues: Queues,
            args: argparse.Namespace) -> list[str]:
    """Build one database, run every queue and number of workers, ours and the floor; its closing lines."""
    print_load(f"before {label}")
    departments = math.ceil(args.messages / LEADS_PER_DEPARTMENT)
    print(f"\n{label}: building {args.messages:,} lead officers in {departments:,} departments (one reminder "
          "each), one open cycle ...", flush=True)
    started = time.perf_counter()
    (work / "instance").mkdir(exist_ok=True)
    in_fresh_process(build_council, url, args.messages, str(work / "instance"))
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)

    ours: dict[tuple[str, int], list[Run]] = defaultdict(list)
    floor: dict[tuple[str, int], list[Run]] = defaultdict(list)
    smtp: dict[str, list[float]] = defaultdict(list)
    smtp_problems: list[str] = []
    outgoing = work / "outgoing.pickle"
    for turn in range(args.repeat):
        for kind in args.queues:
            for workers in args.workers:
                place = queues.new(kind)
                mine = run_ours(url, place, workers, sink, work, processes, args, outgoing)
                noops = run_floor(place, workers, work, processes, args,
                                  worker_env(settings_for(url, place, sink, work)))
                queues.flush_all()
                ours[kind, workers].append(mine)
                floor[kind, workers].append(noops)
                print(f"  round {turn + 1}, {words(kind)} queue, {workers} worker{'s' if workers > 1 else ''}: "
                      f"ours {mine.backlog.count:,} in {mine.backlog.seconds:.1f} s ({mine.backlog.rate:,.1f}/s), "
                      f"trickle p99 {mine.trickle.p(0.99) * 1000:,.0f} ms; floor {noops.backlog.count:,} in "
                      f"{noops.backlog.seconds:.2f} s ({noops.backlog.rate:,.0f}/s), trickle p99 "
                      f"{noops.trickle.p(0.99) * 1000:,.0f} ms; {load_average()}", flush=True)
                for problem in mine.backlog.problems + mine.trickle.problems + noops.backlog.problems \
                        + noops.trickle.problems:
                    print(f"    PROBLEM: {problem}", flush=True)
        for how in SMTP_FLOORS:
            sink.reset()
            seconds = in_fresh_process(smtp_floor, str(outgoing), sink.url, how)
            if not sink.wait_for(args.messages, FINISH_SECONDS) or sink.count() != args.messages:
                smtp_problems.append(f"{how}: the server received {sink.count():,} of {args.messages:,}")
            smtp[how].append(seconds)

    exports: dict[str, tuple[list[float], list[float], list[str]]] = {}
    if args.export_requests:
        for _, export_url, cleanup in database_urls([database]):
            try:
                built = in_fresh_process(build_export_council, export_url, str(work / "instance"))
                for kind in args.queues:
                    exports[kind] = export_latency(export_url, queues.new(kind), queues.new(kind), built, sink,
                                                   work, processes, args)
                    queues.flush_all()
                    print(f"  export on an idle system, {words(kind)} queue: started after "
                          + ", ".join(f"{s * 1000:.0f}" for s in exports[kind][0]) + " ms", flush=True)
            finally:
                cleanup()
    print_load(f"after {label}")
    return report(label, ours, floor, smtp, smtp_problems, exports, args)


def report(label: str, ours: dict[tuple[str, int], list[Run]], floor: dict[tuple[str, int], list[Run]],
           smtp: dict[str, list[float]], smtp_problems: list[str],
           exports: dict[str, tuple[list[float], list[float], list[str]]], args: argparse.Namespace) -> list[str]:
    """Print one database's tables; return its goals."""

    def rates(runs: list[Run], part: str) -> Spread:
        return Spread(tuple(getattr(run, part).rate for run in runs))

    def middle(runs: list[Run], part: str, share: float) -> float:
        return statistics.median(getattr(run, part).p(share) for run in runs)

    plural = "s" if args.repeat > 1 else ""
    print(f"\n  {label}, backlog: one reminder pass queues {args.messages:,} reminders in one transaction, the "
          f"workers already running; medians of {args.repeat} round{plural}. Latency: outbox row to arrival "
          "(ours), enqueue to the job's end (floor).")
    print(f"    {'queue':7} {'workers':>7} {'ours messages/s (low-high, IQR, n)':>38} {'p50 / p99 s':>15} "
          f"{'floor jobs/s':>13} {'p50 / p99 s':>13} {'time/message vs floor':>22}")
    for (kind, workers), runs in ours.items():
        ours_rate, floor_rate = rates(runs, "backlog"), rates(floor[kind, workers], "backlog")
        print(f"    {kind:7} {workers:>7} {ours_rate.text('msg/s', 1):>38} "
              f"{middle(runs, 'backlog', 0.5):6.1f} / {middle(runs, 'backlog', 0.99):5.1f}"
              f" {floor_rate.median:13,.0f} {middle(floor[kind, workers], 'backlog', 0.5):5.2f} / "
              f"{middle(floor[kind, workers], 'backlog', 0.99):5.2f} {floor_rate.median / ours_rate.median:21.1f}x")
    for kind in args.queues:
        one = ours.get((kind, args.workers[0]))
        if one:
            pass_s = statistics.median(run.pass_seconds for run in one)
            hand_s = statistics.median(run.handover_seconds for run in one)
            floor_hand = statistics.median(run.handover_seconds for run in floor[kind, args.workers[0]])
            print(f"    {kind} queue, queueing: the pass composed and recorded {args.messages:,} rows in "
                  f"{pass_s:.1f} s ({args.messages / pass_s:,.0f} rows/s); its commit handed {args.messages:,} jobs to the queue in "
                  f"{hand_s:.2f} s ({args.messages / max(hand_s, 1e-9):,.0f} messages/s; the floor's loop "
                  f"{args.messages / max(floor_hand, 1e-9):,.0f} jobs/s)")
        counts = [w for w in args.workers if (kind, w) in ours]
        if len(counts) > 1:
            base = rates(ours[kind, counts[0]], "backlog").median
            print(f"    {kind} queue, scaling: " + ", ".join(
                f"{w} workers {rates(ours[kind, w], 'backlog').median / base:.2f}x" for w in counts[1:])
                  + f" the messages/s of {counts[0]}")

    print(f"\n  {label}, trickle: {args.trickle:,} at {args.rate:g} a second, one per transaction, to idle workers; "
          "latency in ms, medians of the rounds' p50 and p99")
    print(f"    {'queue':7} {'workers':>7} {'ours p50':>9} {'ours p99':>9} {'floor p50':>10} {'floor p99':>10} "
          f"{'ours/floor p50':>15} {'p99':>7}")
    for (kind, workers), runs in ours.items():
        o50, o99 = middle(runs, "trickle", 0.5) * 1000, middle(runs, "trickle", 0.99) * 1000
        f50, f99 = (middle(floor[kind, workers], "trickle", 0.5) * 1000,
                    middle(floor[kind, workers], "trickle", 0.99) * 1000)
        print(f"    {kind:7} {workers:>7} {o50:9.0f} {o99:9.0f} {f50:10.1f} {f99:10.1f} {o50 / f50:14.1f}x "
              f"{o99 / f99:6.1f}x")

    if smtp:
        base = statistics.median(smtp["sendmail"])
        print(f"\n  {label}, the mail part alone: the {args.messages:,} messages over one connection, one process, "
              "messages/s")
        for how, what in SMTP_FLOORS.items():
            seconds = Spread(tuple(smtp[how]))
            print(f"    {what:46} {args.messages / seconds.median:8,.0f} msg/s ({seconds.text('s', 2)}) "
                  f"{seconds.median / base:5.2f}x the floor's time")
        for problem in smtp_problems:
            print(f"    PROBLEM: {problem}")
        one = ours.get((args.queues[0], args.workers[0]))
        if one:
            print(f"    ours, {args.workers[0]} worker{'s' if args.workers[0] > 1 else ''} on the {args.queues[0]} "
                  f"queue: {args.messages / base / rates(one, 'backlog').median:.1f}x the SMTP floor's time per message")

    for kind, (started, noops, problems) in exports.items():
        if started:
            print(f"\n  {label}, {words(kind)} queue, idle: export requested to started "
                  f"{Spread(tuple(s * 1000 for s in started)).text('ms', 0)}; no-op job queued to done "
                  f"{Spread(tuple(s * 1000 for s in noops)).text('ms', 0) if noops else 'none ran'}")
        for problem in problems:
            print(f"    PROBLEM: {problem}")

    lines: list[str] = []
    goal_rate = GOAL_MESSAGES / GOAL_SECONDS
    for kind in args.queues:
        runs = ours.get((kind, 1))
        if runs:
            rate = rates(runs, "backlog").median
            lines.append(verdict(f"{label}, {kind} queue: 5,000 reminders sent in under {GOAL_SECONDS} s with 1 worker",
                                 rate >= goal_rate,
                                 f"{rate:,.1f} msg/s, 5,000 in {GOAL_MESSAGES / rate:,.0f} s; {rate / goal_rate:.2f}x "
                                 f"the {goal_rate:.0f} msg/s needed; the queue's floor "
                                 f"{rates(floor[kind, 1], 'backlog').median:,.0f} jobs/s"))
        for workers in args.workers:
            runs = ours.get((kind, workers))
            if runs:
                p99 = middle(runs, "trickle", 0.99) * 1000
                floor99 = middle(floor[kind, workers], "trickle", 0.99) * 1000
                lines.append(verdict(f"{label}, {kind} queue, {workers} worker{'s' if workers > 1 else ''}: latency "
                                     f"p99 under {P99_GOAL_MS / 1000:g} s with the queue nearly idle",
                                     p99 < P99_GOAL_MS, f"{p99:,.0f} ms at {args.rate:g}/s, "
                                     f"{p99 / P99_GOAL_MS:.2f}x the goal; the floor's {floor99:,.0f} ms"))
        if kind in exports and exports[kind][0]:
            started, noops, problems = exports[kind]
            worst = max(started) * 1000
            lines.append(verdict(f"{label}, {kind} queue: an export starts within {EXPORT_GOAL_MS / 1000:g} s of "
                                 "being requested on an idle system", worst < EXPORT_GOAL_MS and not problems,
                                 f"worst {worst:,.0f} ms, median {statistics.median(started) * 1000:,.0f} ms of "
                                 f"{len(started)}; a no-op job's median "
                                 f"{statistics.median(noops) * 1000 if noops else math.nan:,.0f} ms"))
    failures = sum(len(run.backlog.problems) + len(run.trickle.problems)
                   for runs in (*ours.values(), *floor.values()) for run in runs) + len(smtp_problems)
    total = sum(run.backlog.count + run.trickle.count for runs in ours.values() for run in runs)
    runs_done = sum(len(runs) for runs in ours.values())
    lines.append(verdict(f"{label}: every message sent exactly once, every row marked sent", failures == 0,
                         f"{total:,} messages in {runs_done} run{'s' if runs_done != 1 else ''}; "
                         f"{failures} problem{'s' if failures != 1 else ''} (printed above)"))
    return lines


# --------------------------------------------------------------------------- run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"])
    parser.add_argument("--queues", nargs="+", default=["sqlite", "redis"], choices=["sqlite", "redis"])
    parser.add_argument("--messages", type=int, default=5000, help="reminders in the backlog (one lead officer each)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="worker processes, one thread each")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every queue and number of workers")
    parser.add_argument("--trickle", type=int, default=200, help="messages queued one at a time for the latency")
    parser.add_argument("--rate", type=float, default=10.0, help="trickled messages a second")
    parser.add_argument("--export-requests", type=int, default=10, help="exports requested on an idle system (0: none)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds any one wait may last")
    parser.add_argument("--noop-worker", metavar="RECORD", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.noop_worker:
        noop_worker(args.noop_worker)
        return
    if args.repeat < 1 or args.messages < 1 or args.rate <= 0 or min(args.workers) < 1:
        parser.error("--repeat, --messages and --workers must be at least 1, and --rate above 0")
    if args.trickle > args.messages:
        parser.error("--trickle cannot be more than --messages (each goes to a lead officer of its own)")
    args.workers = sorted(set(args.workers))

    from aiosmtpd.controller import Controller

    from tests.mail_sink import free_port

    print_load("before")
    closing: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="s17notify"))
    processes = Processes(work)
    queues = Queues(work)
    sink = Sink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        for database in args.databases:
            for label, url, cleanup in database_urls([database]):
                try:
                    closing += measure(database, label, url, sink, work, processes, queues, args)
                finally:
                    processes.stop_all()
                    queues.flush_all()
                    cleanup()
    finally:
        processes.stop_all()
        queues.flush_all()
        controller.stop()
        shutil.rmtree(work, ignore_errors=True)
    print_load("after")
    if closing:
        print("\nGoals:")
        for line in closing:
            print(f"  {line}")


if __name__ == "__main__":
    main()

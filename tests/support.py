"""Helpers for tests: accounts with a known password, and a client that sends CSRF tokens."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import Department, Role, User
from app.security.passwords import hash_password

PASSWORD = "a long test passphrase for everyone"
# Production refuses per-process throttling counters; its tests use the machine's Redis (scripts/test starts it).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SURVEYS = Path(__file__).resolve().parent / "fixtures" / "surveys"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


_PASSWORD_HASH: str | None = None


def password_hash() -> str:
    """Hashing is slow on purpose (scrypt); compute the shared test password's hash once."""
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_password(PASSWORD)
    return _PASSWORD_HASH


@dataclass
class Account:
    id: int
    name: str
    email: str
    role: str
    password: str = PASSWORD
    department_ids: list[int] = field(default_factory=list)


def add_user(app: Flask, *, name: str, email: str, role: Role, departments: list[str] = (),  # type: ignore[assignment]
             active: bool = True, must_change_password: bool = False) -> Account:
    with app.app_context():
        depts = [db.session.scalar(db.select(Department).where(Department.code == code)) for code in departments]
        user = User(name=name, email=email, role=role.value, active=active, password_hash=password_hash(),
                    must_change_password=must_change_password, departments=[d for d in depts if d])
        db.session.add(user)
        db.session.commit()
        return Account(user.id, user.name, user.email, user.role, department_ids=[d.id for d in user.departments])


def add_department(app: Flask, code: str, name: str, description: str = "") -> int:
    with app.app_context():
        department = Department(code=code, name=name, description=description, active=True)
        db.session.add(department)
        db.session.commit()
        return department.id


@dataclass
class People:
    lead: Account
    other_lead: Account
    cso: Account
    auditor: Account
    admin: Account
    housing_id: int
    planning_id: int

    def by_role(self, role: str) -> Account:
        return {"lead_officer": self.lead, "community_safety_officer": self.cso, "auditor": self.auditor,
                "admin": self.admin}[role]


class WebClient:
    """A test client that behaves like a browser with forms: it sends the CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self._token: str | None = None

    def csrf_token(self) -> str:
        if self._token is None:
            page = self.client.get("/accessibility").get_data(as_text=True)
            match = _CSRF_META.search(page)
            assert match, "no CSRF token on the page"
            self._token = match.group(1)
        return self._token

    def forget_token(self) -> None:
        self._token = None

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> TestResponse:
        payload = dict(data or {})
        if csrf:
            payload.setdefault("csrf_token", self.csrf_token())
        response = self.client.post(url, data=payload, **kwargs)
        if url.startswith(("/sign-in", "/sign-out", "/account/password")):
            self.forget_token()  # these start a new session
        return response

    def sign_in(self, account: Account | str, password: str | None = None) -> TestResponse:
        email = account if isinstance(account, str) else account.email
        secret = password or (PASSWORD if isinstance(account, str) else account.password)
        return self.post("/sign-in", {"email": email, "password": secret})

    def sign_out(self) -> TestResponse:
        return self.post("/sign-out")

    def session_cookie(self) -> str | None:
        cookie = self.client.get_cookie("section17_session")
        return cookie.value if cookie else None

    def set_session_cookie(self, value: str) -> None:
        self.client.set_cookie("section17_session", value)


@dataclass
class OpenCycle:
    cycle_id: int
    housing: int  # assignment ids
    planning: int
    partnership: int


def open_cycle(app: Flask, people: People, *, name: str = "Audit 2026 to 2027",
               definitions: tuple[str, ...] = ("small-departmental", "small-partnership")) -> OpenCycle:
    """An open cycle: the departmental questionnaire for every department, the checklist for the partnership."""
    from datetime import date, timedelta

    from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle
    from app.cycles.services import open_cycle as open_it
    from app.models import Assignment

    with app.app_context():
        today = date.today()
        cycle = create_cycle(None, CycleDetails(name, today - timedelta(days=200), today + timedelta(days=165),
                                                today + timedelta(days=30),
                                                tuple(QuestionnaireChoice(d) for d in definitions)))
        open_it(None, cycle, today)
        by_key: dict[Any, int] = {}
        for assignment in db.session.scalars(db.select(Assignment).where(Assignment.cycle_id == cycle.id)):
            by_key[assignment.department_id or "partnership"] = assignment.id
        return OpenCycle(cycle.id, by_key.get(people.housing_id, 0), by_key.get(people.planning_id, 0),
                         by_key.get("partnership", 0))


def add_action(app: Flask, cycle_id: int, department_id: int | None, owner_id: int, *, title: str = "Brief the team",
               status: str = "not_started", due_in_days: int = 30, question_id: str | None = None) -> int:
    """An action in the plan, written directly (the service's rules are tested on their own)."""
    from datetime import date, timedelta

    from app.models import Action

    with app.app_context():
        action = Action(cycle_id=cycle_id, department_id=department_id, title=title, question_id=question_id,
                        done_looks_like="Every manager briefed.", owner_id=owner_id, status=status,
                        dropped_reason="No longer needed" if status == "dropped" else "",
                        due_date=date.today() + timedelta(days=due_in_days))
        db.session.add(action)
        db.session.commit()
        return action.id


def run_queued_jobs(app: Flask, *, most: int = 10_000) -> int:
    """Run every job waiting on the app's task queue here, in order, as a worker would; how many ran.

    Jobs that queue more jobs (a message's retry is scheduled for later, so it is not
    among them) have those run too. For tests that need no worker process; the tests
    in tests/functional/test_worker_processes.py run real ones.
    """
    from app.tasks.queue import task_queue

    huey = task_queue(app).huey
    ran = 0
    while ran < most:
        task = huey.dequeue()
        if task is None:
            return ran
        huey.execute(task)
        ran += 1
    raise AssertionError(f"more than {most} jobs were queued: is a job queuing itself?")


@contextmanager
def worker_threads(app: Flask, threads: int = 1) -> Iterator[None]:
    """A real queue consumer (Huey's, as `section17 worker` runs it) in threads of this process, for a test's span.

    Its signal handlers are not kept: they would replace pytest's.
    """
    from app.tasks.commands import make_consumer

    with app.app_context():
        consumer = make_consumer(threads, schedule=False)
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        consumer.start()
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
    try:
        yield
    finally:
        consumer.stop(graceful=True)


def signed_in(app: Flask, account: Account) -> WebClient:
    """A new browser, signed in as `account`."""
    web = WebClient(app.test_client())
    assert web.sign_in(account).status_code == 302
    return web


def page_text(response: TestResponse) -> str:
    """The page's visible words, one space between them (tags dropped)."""
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())

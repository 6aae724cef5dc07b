"""Demo data: a district council mid-way through its Section 17 audit.

South Derbyshire District Council with its 13 departments, a lead officer for
each, one community safety officer, an auditor and an administrator; an open
audit cycle using the three questionnaires in surveys/, with returns in every
state (accepted, submitted, returned with a reason, in progress, not started),
a partly complete hallmark checklist, and the peer partnerships' answers about
how they mainstream the duty (from a real survey of the family group); last
year's closed cycle to compare with, and an action plan (app/demo/history.py).
Every date follows the story in app/demo/timeline.py: set up, opened, started,
submitted, reviewed, then actions, each after the one before and none after now.

Idempotent: running it again adds nothing twice. Each run gives every demo
user a fresh password and returns them, so the command can print working
credentials without a password ever being stored readably.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources

from sqlalchemy import select

from app.audit.services import record_event
from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle, open_cycle
from app.demo.answers import departmental_answers, partnership_answers, store_answers
from app.demo.content import DEPARTMENTS, RETURN_REASONS, DemoDepartment
from app.demo.crime import load_demo_crime_statistics
from app.demo.history import PREVIOUS_CYCLE_NAME, create_demo_actions, create_previous_cycle
from app.demo.peers import create_demo_invitations, reported_approaches
from app.demo.review import add_review_notes
from app.demo.timeline import CREATED_BEFORE_OPENING, SET_UP_AT, current_opened_at, dated
from app.departments.services import create_department, find_department_by_code
from app.extensions import db
from app.models import Action, Assignment, Cycle, Organisation, PeerPartnership, Role, User
from app.models.types import utcnow
from app.organisation.services import update_organisation
from app.questionnaires import registry
from app.questionnaires.definition import Definition
from app.questionnaires.registry import definition_from_snapshot
from app.questionnaires.workflow import display_status
from app.users.services import create_user, find_user, generate_temporary_password, reset_password

COUNCIL_NAME = "South Derbyshire District Council"
PARTNERSHIP_NAME = "South Derbyshire Community Safety Partnership"
OWN_PARTNERSHIP = "South Derbyshire"
EMAIL_DOMAIN = "south-derbyshire.example"
CYCLE_NAME = "Section 17 audit 2026 to 2027"
QUESTIONNAIRES = ("departmental-self-assessment", "hallmarks-of-effective-partnership", "peer-benchmarking")
FAMILY_GROUP = "Family group, 2001/02"


class DemoProblem(Exception):
    pass


@dataclass(frozen=True)
class DemoUser:
    name: str
    email: str
    role: Role
    departments: tuple[str, ...] = ()


def _email(name: str) -> str:
    return f"{name.lower().replace(' ', '.')}@{EMAIL_DOMAIN}"


def demo_users() -> tuple[DemoUser, ...]:
    """One user per role first (the lead officer leads two departments), then the other lead officers."""
    leads: dict[str, list[str]] = defaultdict(list)
    for department in DEPARTMENTS:
        leads[department.lead_name].append(department.code)
    first = DemoUser("Priya Shah", _email("Priya Shah"), Role.LEAD_OFFICER, tuple(sorted(leads.pop("Priya Shah"))))
    return (
        first,
        DemoUser("Gareth Evans", _email("Gareth Evans"), Role.COMMUNITY_SAFETY_OFFICER),
        DemoUser("Helen Okafor", _email("Helen Okafor"), Role.AUDITOR),
        DemoUser("Sam Whitfield", _email("Sam Whitfield"), Role.ADMIN),
        *(DemoUser(name, _email(name), Role.LEAD_OFFICER, tuple(codes)) for name, codes in leads.items()),
    )


@dataclass(frozen=True)
class DemoCredential:
    role: Role
    email: str
    password: str


def _data(name: str) -> list[dict[str, str]]:
    text = resources.files("app.demo").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def demo_departments() -> list[dict[str, str]]:
    return _data("departments.csv")


def load_demo(today: date | None = None) -> list[DemoCredential]:
    """Create whatever of the demo is missing; return working credentials for each demo user."""
    now = utcnow() if today in (None, date.today()) else datetime.combine(today, time(12), tzinfo=UTC)
    today = today or now.date()
    if db.session.scalar(select(Organisation).limit(1)) is None:
        with dated(SET_UP_AT):
            update_organisation(COUNCIL_NAME, PARTNERSHIP_NAME)
    for row in demo_departments():
        if find_department_by_code(row["code"]) is None:
            with dated(SET_UP_AT):
                department = create_department(row["code"], row["name"], row["example_links_to_crime_and_disorder"])
            department.created_at = SET_UP_AT
    credentials = [_ensure_user(spec) for spec in demo_users()]
    _ensure_peers()
    load_demo_crime_statistics()  # also puts the rest of the family group in the register
    peers = {peer.name: peer for peer in db.session.scalars(select(PeerPartnership))}
    officer = find_user(_email("Gareth Evans"))
    _require_questionnaires()
    if db.session.scalar(select(Cycle).where(Cycle.name == PREVIOUS_CYCLE_NAME)) is None:
        leads = {spec.code: find_user(_email(spec.lead_name)) for spec in DEPARTMENTS}
        create_previous_cycle(officer, leads)
    cycle = db.session.scalar(select(Cycle).where(Cycle.name == CYCLE_NAME))
    if cycle is None:
        _create_demo_cycle(today, now, peers)
        cycle = db.session.scalar(select(Cycle).where(Cycle.name == CYCLE_NAME))
    if db.session.scalar(select(Action.id).where(Action.cycle_id == cycle.id).limit(1)) is None:
        create_demo_actions(cycle, officer, today, now)
    db.session.commit()
    return credentials


def _ensure_user(spec: DemoUser) -> DemoCredential:
    password = generate_temporary_password()
    user = find_user(spec.email)
    if user is None:
        department_ids = [d.id for code in spec.departments if (d := find_department_by_code(code))]
        with dated(SET_UP_AT):
            user, _ = create_user(None, name=spec.name, email=spec.email, role=spec.role.value,
                               department_ids=department_ids, password=password)
        user.created_at = SET_UP_AT
    else:
        reset_password(None, user, new_password=password)
    return DemoCredential(spec.role, spec.email, password)


def _ensure_peers() -> dict[str, PeerPartnership]:
    peers: dict[str, PeerPartnership] = {}
    for row in _data("peer_approaches.csv"):
        name = row["partnership"]
        if name in peers:
            continue
        peer = db.session.scalar(select(PeerPartnership).where(PeerPartnership.name == name))
        if peer is None:
            peer = PeerPartnership(name=name, area=row["county"], family_group=FAMILY_GROUP,
                                   is_own=name == OWN_PARTNERSHIP, created_at=SET_UP_AT)
            db.session.add(peer)
        peers[name] = peer
    db.session.commit()
    return peers


# --------------------------------------------------------------------------- the demo cycle


def _event(action: str, assignment: Assignment, actor: User | None, when: datetime, summary: str, *,
           before: dict | None = None, after: dict | None = None, actor_email: str | None = None) -> None:
    event = record_event(action, object_type="assignment", object_id=assignment.id, actor=actor,
                         actor_email=actor_email, summary=summary, before=before, after=after)
    event.occurred_at = when


def _require_questionnaires() -> dict[str, Definition]:
    available = registry.available()
    missing = [q for q in QUESTIONNAIRES if q not in available]
    if missing:
        raise DemoProblem(f"The demo needs these questionnaires in {registry.surveys_dir()}: {', '.join(missing)}")
    return {q: available[q].definition for q in QUESTIONNAIRES}


def date_cycle(cycle: Cycle, created: datetime, opened: datetime) -> None:
    """A cycle set up at `created` and opened at `opened`; its questionnaires fixed no later than that."""
    cycle.created_at, cycle.opened_at = created, opened
    for choice in cycle.questionnaires:
        if choice.snapshot is not None and choice.snapshot.created_at > opened:
            choice.snapshot.created_at = opened


def _create_demo_cycle(today: date, now: datetime, peers: dict[str, PeerPartnership]) -> None:
    _require_questionnaires()
    officer = find_user(_email("Gareth Evans"))
    opened = current_opened_at(now)
    created = opened - CREATED_BEFORE_OPENING
    with dated(created):
        cycle = create_cycle(officer, CycleDetails(
            CYCLE_NAME, date(2026, 4, 1), date(2027, 3, 31), today + timedelta(days=28),
            tuple(QuestionnaireChoice(q) for q in QUESTIONNAIRES)))
    with dated(opened):
        open_cycle(officer, cycle, opened.date())
    date_cycle(cycle, created, opened)
    year = cycle.period_start.year
    by_code = {d.code: d for d in DEPARTMENTS}
    for assignment in db.session.scalars(select(Assignment).where(Assignment.cycle_id == cycle.id)):
        definition = definition_from_snapshot(assignment.snapshot)
        if assignment.respondent_type == "department":
            spec = by_code.get(assignment.department.code)
            if spec is not None:
                _play_department(assignment, definition, spec, officer, opened, year)
        elif assignment.respondent_type == "partnership":
            store_answers(assignment, partnership_answers(definition, year=year), officer, opened + timedelta(days=6))
            assignment.status = "in_progress"
            assignment.started_at = opened + timedelta(days=2)
            _event("assignment.started", assignment, officer, assignment.started_at,
                   "Started the return for The partnership", before={"status": "not_started"},
                   after={"status": "in_progress"})
    db.session.commit()
    create_demo_invitations(cycle, reported_approaches(_data("peer_approaches.csv")), peers, officer, opened, today)


def _play_department(assignment: Assignment, definition: Definition, spec: DemoDepartment, officer: User | None,
                     opened: datetime, year: int) -> None:
    """Answers and a believable history for one department's return, with what its review left."""
    if spec.status == "not_started":
        return
    _play_history(assignment, definition, spec, officer, opened, year)
    add_review_notes(assignment, spec.code, find_user(_email(spec.lead_name)), officer, assignment.submitted_at,
                     assignment.reviewed_at)


def _play_history(assignment: Assignment, definition: Definition, spec: DemoDepartment, officer: User | None,
                  opened: datetime, year: int) -> None:
    lead = find_user(_email(spec.lead_name))
    name = assignment.department.name
    offset = sum(map(ord, spec.code)) % 5
    started = opened + timedelta(days=1 + offset)
    sections = None if spec.status != "in_progress" else max(1, round(len(definition.sections) * 0.6))
    store_answers(assignment, departmental_answers(definition, spec, name, year=year, sections=sections), lead,
                   started + timedelta(days=2))
    assignment.started_at = started
    assignment.status = "in_progress"
    _event("assignment.started", assignment, lead, started, f"Started the return for {name}",
           before={"status": "not_started"}, after={"status": "in_progress"})
    if spec.status == "in_progress":
        return
    submitted = started + timedelta(days=6 + offset)
    assignment.submitted_at, assignment.submitted_by_id, assignment.submission_count = submitted, lead.id, 1
    _event("assignment.submitted", assignment, lead, submitted, f"Submitted the return for {name}",
           before={"status": "in_progress"}, after={"status": "submitted", "submission": 1})
    assignment.status = "submitted"
    if spec.status == "submitted":
        return
    reviewed = submitted + timedelta(days=3)
    assignment.reviewed_at, assignment.reviewed_by_id = reviewed, officer.id if officer else None
    if spec.status == "returned":
        reason = RETURN_REASONS[spec.code]
        assignment.status, assignment.return_reason = "returned", reason
        _event("assignment.returned", assignment, officer, reviewed, f"Returned the return for {name}",
               before={"status": "submitted"}, after={"status": "returned", "reason": reason})
    else:
        assignment.status = "accepted"
        _event("assignment.accepted", assignment, officer, reviewed, f"Accepted the return for {name}",
               before={"status": "submitted"}, after={"status": "accepted"})


def demo_cycle() -> Cycle | None:
    return db.session.scalar(select(Cycle).where(Cycle.name == CYCLE_NAME))


@dataclass(frozen=True)
class LeadReturn:
    department: str
    status: str  # as the service shows it: "In progress", "Returned for changes", "Overdue"...


@dataclass(frozen=True)
class LeadSummary:
    name: str
    title: str
    email: str
    returns: tuple[LeadReturn, ...]


def lead_officer_summary(cycle: Cycle | None, today: date | None = None) -> list[LeadSummary]:
    """Every lead officer, with each department they lead and the state of its return in `cycle`.

    So that whoever loads the demo knows whom to sign in as to see a return in a given state.
    """
    today = today or date.today()
    titles = {spec.lead_name: spec.lead_title for spec in DEPARTMENTS}
    returns: dict[int, Assignment] = {}
    if cycle is not None:
        returns = {a.department_id: a for a in db.session.scalars(
            select(Assignment).where(Assignment.cycle_id == cycle.id, Assignment.respondent_type == "department"))}
    summaries = []
    for user in db.session.scalars(select(User).where(User.role == Role.LEAD_OFFICER.value).order_by(User.name)):
        rows = []
        for department in sorted(user.departments, key=lambda d: d.name):
            assignment = returns.get(department.id)
            status = display_status(assignment.status, assignment.due_date, today)[0] if assignment else "No return"
            rows.append(LeadReturn(department.name, status))
        summaries.append(LeadSummary(user.name, titles.get(user.name, ""), user.email, tuple(rows)))
    return summaries

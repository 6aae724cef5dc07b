"""The section17 command line: demo, users, departments, and clear errors on bad arguments."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Department, Organisation, User
from app.questionnaires.registry import DEFAULT_SURVEYS_DIR
from tests.support import REDIS_URL, WebClient

DEMO_LINE = re.compile(r"^(lead_officer|community_safety_officer|auditor|admin) (\S+@\S+) (\S+)$")


def _counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (Organisation, Department, User))


@pytest.fixture
def demo_app(make_app):
    """The demo needs the real questionnaires from surveys/."""
    return make_app(SURVEYS_DIR=str(DEFAULT_SURVEYS_DIR))


def test_demo_loads_a_council_and_prints_working_credentials_for_each_role(demo_app):
    app = demo_app
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    accounts, _lead_officers = result.output.split("\n\n", 1)  # the lead officers' returns come after a blank line
    *lines, peer_line = accounts.strip().splitlines()
    roles = [DEMO_LINE.match(line).group(1) for line in lines]
    assert roles[:4] == ["lead_officer", "community_safety_officer", "auditor", "admin"]
    assert set(roles[4:]) == {"lead_officer"} and len(lines) == 15  # a lead officer for every department
    kind, _email, link = peer_line.split(" ")
    assert kind == "peer_contact" and link.startswith("http://127.0.0.1:5000/peer/")
    page = WebClient(app.test_client()).get(link.removeprefix("http://127.0.0.1:5000"))
    assert page.status_code == 200 and "For Ashford" in page.get_data(as_text=True)
    assert _counts(app) == (1, 13, 15)
    for line in lines[:4]:
        _role, email, password = DEMO_LINE.match(line).groups()
        web = WebClient(app.test_client())
        assert web.sign_in(email, password).headers["Location"] == "/", email
    with app.app_context():
        priya = db.session.scalar(select(User).where(User.email.like("priya.shah%")))
        assert len(priya.departments) == 2


def test_demo_opens_a_cycle_that_looks_like_a_real_audit(demo_app):
    from collections import Counter

    from app.demo.services import CYCLE_NAME
    from app.models import Answer, Assignment, Cycle, PeerPartnership
    from app.questionnaires.progress import missing_answers
    from app.respond.services import definition_of, stored_answers

    app = demo_app
    app.test_cli_runner().invoke(args=["demo"])
    with app.app_context():
        current = db.session.scalar(select(Cycle).where(Cycle.name == CYCLE_NAME))
        assignments = list(db.session.scalars(select(Assignment).where(Assignment.cycle_id == current.id)))
        departments = [a for a in assignments if a.respondent_type == "department"]
        assert Counter(a.status for a in departments) == {"accepted": 3, "submitted": 3, "returned": 2,
                                                          "in_progress": 3, "not_started": 2}
        for assignment in departments:
            complete = not missing_answers(definition_of(assignment), stored_answers(assignment))
            assert complete == (assignment.status in {"accepted", "submitted", "returned"}), assignment.department.code
            if assignment.status == "returned":
                assert assignment.return_reason
        (partnership,) = [a for a in assignments if a.respondent_type == "partnership"]
        hallmark_answers = stored_answers(partnership)
        assert partnership.status == "in_progress" and 30 <= len(hallmark_answers) < 66
        assert {a.value for a in hallmark_answers.values()} == {"met", "partly_met", "not_met"}
        assert all(a.evidence for a in hallmark_answers.values() if a.value == "met")
        assert all(a.action for a in hallmark_answers.values() if a.value == "not_met")
        peers = Counter(a.status for a in assignments if a.respondent_type == "peer")
        assert peers == {"submitted": 8, "not_started": 4, "in_progress": 1}  # 8 answered the real survey
        assert db.session.scalar(select(PeerPartnership).where(PeerPartnership.is_own.is_(True))).name == \
            "South Derbyshire"
        evidence = [row.evidence for row in db.session.scalars(select(Answer)) if row.evidence]
        assert len(evidence) > 100 and any("service plan 2026 to 2027" in e for e in evidence)


def test_demo_has_last_years_closed_cycle_and_an_action_plan_in_every_state(demo_app):
    from datetime import date

    from app.demo.history import PREVIOUS_CYCLE_NAME
    from app.models import Action, Assignment, Cycle

    demo_app.test_cli_runner().invoke(args=["demo"])
    with demo_app.app_context():
        previous = db.session.scalar(select(Cycle).where(Cycle.name == PREVIOUS_CYCLE_NAME))
        assert previous.status == "closed"
        statuses = {a.status for a in db.session.scalars(select(Assignment).where(Assignment.cycle_id == previous.id))}
        assert statuses == {"accepted"}
        actions = list(db.session.scalars(select(Action)))
        assert {a.status for a in actions} == {"not_started", "in_progress", "done", "dropped"}
        assert any(a.department_id is None for a in actions)  # a partnership action from the checklist
        assert any(a.status == "not_started" and a.due_date < date.today() for a in actions)  # overdue
        assert all(a.dropped_reason for a in actions if a.status == "dropped")


def test_demo_is_idempotent_and_its_new_passwords_work(demo_app):
    from app.models import Answer, Assignment

    app = demo_app
    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    with app.app_context():
        before = (db.session.scalar(select(func.count()).select_from(Assignment)),
                  db.session.scalar(select(func.count()).select_from(Answer)))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert _counts(app) == (1, 13, 15)
    with app.app_context():
        assert (db.session.scalar(select(func.count()).select_from(Assignment)),
                db.session.scalar(select(func.count()).select_from(Answer))) == before
    _role, email, password = DEMO_LINE.match(second.output.splitlines()[1]).groups()
    assert WebClient(app.test_client()).sign_in(email, password).status_code == 302


def test_demo_without_its_questionnaires_says_what_is_missing(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 1
    assert "The demo needs these questionnaires" in result.output and "departmental-self-assessment" in result.output


def test_demo_refuses_to_run_in_production(make_app, monkeypatch):
    monkeypatch.setenv("SECTION17_SECRET_KEY", "k3Jx9-vQ2mZ7_pLw4RtY8nB1cF6hD0sGa5eU")
    app = make_app(ENV="production", RATELIMIT_STORAGE_URI=REDIS_URL)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 1 and "does not run in production" in result.output
    assert _counts(app) == (0, 0, 0)


def test_user_add_list_disable_and_set_password(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["department", "add", "HOUS", "Housing Services"]).exit_code == 0
    result = runner.invoke(args=["user", "add", "--name", "Pat Lead", "--email", "Pat@Council.Example",
                                 "--role", "lead_officer", "--department", "hous"])
    assert result.exit_code == 0, result.output
    temporary = re.search(r"Temporary password \(must be changed at first sign-in\): (\S+)", result.output).group(1)
    assert WebClient(app.test_client()).sign_in("pat@council.example", temporary).status_code == 302

    listing = runner.invoke(args=["user", "list"]).output
    assert "pat@council.example\tlead_officer\tactive\tHOUS\tPat Lead" in listing

    result = runner.invoke(args=["user", "set-password", "pat@council.example", "--password-stdin"],
                           input="a phrase typed on the server\n")
    assert result.exit_code == 0, result.output
    assert WebClient(app.test_client()).sign_in("pat@council.example", "a phrase typed on the server"
                                                ).headers["Location"] == "/"

    assert runner.invoke(args=["user", "disable", "pat@council.example"]).exit_code == 0
    assert "disabled" in runner.invoke(args=["user", "list"]).output
    with app.app_context():
        changes = db.session.execute(select(AuditEvent.action, AuditEvent.actor_email).where(
            AuditEvent.action.not_like("auth.%"))).all()
    assert {action for action, _ in changes} == {"user.created", "user.password_reset", "user.disabled",
                                                 "department.created"}
    assert {actor for _, actor in changes} == {"command line"}


def test_set_password_asks_twice_when_typed(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["user", "add", "--name", "Al", "--email", "al@council.example", "--role", "auditor"])
    result = runner.invoke(args=["user", "set-password", "al@council.example"],
                           input="first try at a phrase\nsecond try differs\nfirst try at a phrase\nfirst try at a phrase\n")
    assert result.exit_code == 0
    assert "do not match" in result.output.lower()


def test_bad_arguments_get_clear_errors_and_change_nothing(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["department", "add", "HOUS", "Housing Services"])
    cases = [
        (["user", "add", "--name", "X", "--email", "x@council.example", "--role", "boss"], 2,
         "'boss' is not one of"),
        (["user", "add", "--name", "X", "--email", "x@council.example", "--role", "lead_officer",
          "--department", "NOPE"], 2, "no department has the code NOPE"),
        (["user", "add", "--name", "X", "--email", "x@council.example", "--role", "lead_officer"], 1,
         "departments: Choose at least one department for a lead officer"),
        (["user", "add", "--name", "X", "--email", "not an email", "--role", "auditor"], 1,
         "email: Enter an email address in the correct format"),
        (["user", "add", "--name", "X", "--role", "auditor"], 2, "Missing option '--email'"),
        (["user", "disable", "ghost@council.example"], 1, "No user has the email address ghost@council.example"),
        (["user", "set-password", "ghost@council.example", "--temporary"], 1, "No user has the email address"),
        (["department", "add", "HOUS", "Other"], 1, "code: A department with code HOUS already exists"),
        (["department", "add", "!", "Other"], 1, "code: Short code must be 2 to 16 letters"),
    ]
    for args, code, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code == code, (args, result.output)
        assert message in result.output, (args, result.output)
    assert _counts(app) == (0, 1, 0)


def test_weak_password_from_stdin_is_refused(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "add", "--name", "Al", "--email", "al@council.example", "--role", "auditor",
                                 "--password-stdin"], input="password123\n")
    assert result.exit_code == 1 and "Password must be 12 characters or more" in result.output


def test_department_list(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["department", "add", "PLAN", "Planning Services", "--description", "Designing out crime"])
    assert runner.invoke(args=["department", "list"]).output == "PLAN\tactive\t-\tPlanning Services\n"


def test_demo_has_invitation_links_in_every_state_an_officer_meets(demo_app):
    from app.benchmarking.invitations import LinkStatus, invitation_rows

    demo_app.test_cli_runner().invoke(args=["demo"])
    with demo_app.app_context():
        statuses = {row.status for row in invitation_rows()}
    assert statuses == {LinkStatus.NOT_OPENED, LinkStatus.IN_PROGRESS, LinkStatus.SUBMITTED, LinkStatus.EXPIRED,
                        LinkStatus.REVOKED}

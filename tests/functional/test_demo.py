"""The demo council tells one story a council would believe, checked over the whole database.

Loaded once by `section17 demo`, as a person would. Every check is an invariant, so
that a later change to the demo cannot quietly break the story: things happen in
order and none after now, a "No" carries no evidence, job titles fit departments,
our own staff are not another partnership's contact, and the command says which lead
officer to sign in as to see a return in each state.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Action,
    Answer,
    Assignment,
    AuditEvent,
    CrimeStatistic,
    Cycle,
    Department,
    PeerInvitation,
    PeerPartnership,
    User,
)
from app.questionnaires.registry import DEFAULT_SURVEYS_DIR, definition_from_snapshot
from app.questionnaires.workflow import STATUS_LABELS, Status

# Words that name no department in particular, left out when matching a title to a department.
COMMON_WORDS = {"and", "of", "the", "services", "service", "development", "members"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo database loaded by the command, its output, and the moment it was loaded."""
    from flask_migrate import upgrade

    from app import create_app
    from tests.conftest import fresh_database_url

    folder = tmp_path_factory.mktemp("demo")
    urls = fresh_database_url(tmp_path_factory, "demo")
    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": next(urls),
                      "SURVEYS_DIR": str(DEFAULT_SURVEYS_DIR)}, instance_path=str(folder / "instance"))
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo"])
    loaded = datetime.now(UTC)
    assert result.exit_code == 0, result.output
    with app.app_context():
        yield app, result.output, loaded
        db.engine.dispose()
    next(urls, None)


def _events(object_type: str, object_id) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == object_type,
                                                             AuditEvent.object_id == str(object_id))
                                   .order_by(AuditEvent.occurred_at)))


def _first(events: list[AuditEvent], action: str) -> datetime:
    (event,) = [e for e in events if e.action == action]
    return event.occurred_at


def test_nothing_in_the_demo_happens_after_it_was_loaded(demo):
    _app, _output, loaded = demo
    moments = [e.occurred_at for e in db.session.scalars(select(AuditEvent))
               if not e.action.startswith("user.password")]  # each run sets new passwords, now
    for model, columns in ((Cycle, ("created_at", "opened_at", "closed_at")),
                           (Assignment, ("started_at", "submitted_at", "reviewed_at")),
                           (Answer, ("updated_at",)), (Action, ("created_at", "updated_at")),
                           (PeerInvitation, ("created_at", "revoked_at")), (User, ("created_at",)),
                           (Department, ("created_at",)), (PeerPartnership, ("created_at",)),
                           (CrimeStatistic, ("imported_at",))):
        for row in db.session.scalars(select(model)):
            moments += [getattr(row, column) for column in columns if getattr(row, column) is not None]
    assert moments and max(moments) <= loaded


def test_the_council_was_set_up_before_anything_was_done_in_it(demo):
    users = {u.id: u for u in db.session.scalars(select(User))}
    first_cycle = min(c.created_at for c in db.session.scalars(select(Cycle)))
    assert max(u.created_at for u in users.values()) < first_cycle
    assert max(d.created_at for d in db.session.scalars(select(Department))) < first_cycle
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id.is_not(None))):
        assert event.occurred_at >= users[event.actor_id].created_at, (event.action, event.summary)
    for action in ("organisation.updated", "department.created", "user.created", "crime.statistics_imported"):
        for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)):
            assert event.occurred_at < first_cycle, (action, event.summary)


def test_each_cycle_is_set_up_then_opened_before_its_returns_and_closed_after_them(demo):
    for cycle in db.session.scalars(select(Cycle)):
        events = _events("cycle", cycle.id)
        assert cycle.created_at < cycle.opened_at
        assert _first(events, "cycle.created") == cycle.created_at
        assert _first(events, "cycle.opened") == cycle.opened_at
        for choice in cycle.questionnaires:
            assert choice.snapshot.created_at <= cycle.opened_at, choice.definition_id
        returns = [e for a in cycle.assignments for e in _events("assignment", a.id)]
        assert returns, cycle.name
        assert min(e.occurred_at for e in returns) > cycle.opened_at, cycle.name
        if cycle.closed_at is not None:
            assert _first(events, "cycle.closed") == cycle.closed_at
            assert max(e.occurred_at for e in returns) < cycle.closed_at, cycle.name


def test_each_return_is_started_then_saved_then_submitted_then_reviewed(demo):
    for assignment in db.session.scalars(select(Assignment)):
        label = f"{assignment.cycle.name}: {assignment.respondent_name}"
        steps = [assignment.cycle.opened_at, assignment.started_at, assignment.submitted_at, assignment.reviewed_at]
        present = [moment for moment in steps if moment is not None]
        assert present == sorted(present) and len(set(present)) == len(present), label
        assert (assignment.started_at is None) == (assignment.status == "not_started"), label
        assert (assignment.submitted_at is None) == (assignment.status in {"not_started", "in_progress"}), label
        assert (assignment.reviewed_at is not None) == (assignment.status in {"returned", "accepted"}), label
        for answer in assignment.answers:
            assert assignment.started_at <= answer.updated_at, label
            assert assignment.submitted_at is None or answer.updated_at <= assignment.submitted_at, label
        events = _events("assignment", assignment.id)
        assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events), label
        for action, moment in (("assignment.started", assignment.started_at),
                               ("assignment.submitted", assignment.submitted_at)):
            matching = [e.occurred_at for e in events if e.action == action]
            assert matching in ([], [moment]), (label, action)
        for event in events:
            assert event.occurred_at >= assignment.cycle.opened_at, (label, event.action)


def test_invitation_links_are_sent_after_opening_and_revoked_or_expired_after_they_were_sent(demo):
    for invitation in db.session.scalars(select(PeerInvitation)):
        assignment = invitation.assignment
        assert invitation.created_at > assignment.cycle.opened_at, invitation.contact_name
        assert invitation.expires_at > invitation.created_at, invitation.contact_name
        assert invitation.revoked_at is None or invitation.revoked_at > invitation.created_at
        if assignment.started_at is not None:
            assert assignment.started_at > invitation.created_at, invitation.contact_name
        events = _events("peer_invitation", invitation.id)
        assert _first(events, "invitation.created") == invitation.created_at, invitation.contact_name
        if invitation.revoked_at is not None:
            assert _first(events, "invitation.revoked") == invitation.revoked_at, invitation.contact_name
        for event in events:
            assert event.occurred_at >= invitation.created_at, (invitation.contact_name, event.action)


def test_actions_are_raised_after_their_gaps_were_submitted_and_fall_due_after_they_were_raised(demo):
    actions = list(db.session.scalars(select(Action)))
    assert actions
    for action in actions:
        assert action.created_at > action.cycle.opened_at, action.title
        assert action.due_date > action.created_at.date(), action.title
        assert _first(_events("action", action.id), "action.created") == action.created_at
        if action.department_id is not None:
            source = db.session.scalar(select(Assignment).where(Assignment.cycle_id == action.cycle_id,
                                                                Assignment.department_id == action.department_id))
            assert source.submitted_at is not None and action.created_at > source.submitted_at, action.title
            assert source.reviewed_at is None or action.created_at > source.reviewed_at, action.title
        written = [note.written_at for note in action.notes]
        assert written == sorted(written) and all(moment > action.created_at for moment in written), action.title
        assert action.updated_at == max([action.created_at, *written]), action.title


def _is_negative(question, value) -> bool:
    if question.type == "yes_no":
        return value == "no"
    if question.type in {"single_choice", "scale"}:
        option = question.option(value)
        return option is not None and (option.score == 0 or option.value in {"not_met", "never", "none"})
    if question.type == "number":
        return value == 0
    return False


def test_an_answer_that_says_no_carries_no_evidence_and_a_checklist_item_not_met_carries_an_action(demo):
    checked = 0
    for assignment in db.session.scalars(select(Assignment)):
        definition = definition_from_snapshot(assignment.snapshot)
        for answer in assignment.answers:
            question = definition.question(answer.question_id)
            if answer.not_applicable or not _is_negative(question, answer.value):
                continue
            checked += 1
            assert not answer.evidence, (assignment.respondent_name, question.id, answer.value, answer.evidence)
            if question.action.required_when(answer.value):
                assert answer.action, (assignment.respondent_name, question.id)
    assert checked > 50  # the demo has plenty of "No" answers; none of them shows evidence


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in COMMON_WORDS}


def _title_fits(title: str, department: str) -> bool:
    """A title fits a department when it names it: a word of the department's name, or a word starting with one."""
    title_words = _words(title)
    return any(t.startswith(d) for d in _words(department) for t in title_words)


def test_each_lead_officer_has_one_job_title_and_it_names_every_department_they_lead(demo):
    from app.demo.content import DEPARTMENTS

    names = {d.code: d.name for d in db.session.scalars(select(Department))}
    titles: dict[str, set[str]] = {}
    for spec in DEPARTMENTS:
        titles.setdefault(spec.lead_name, set()).add(spec.lead_title)
        assert _title_fits(spec.lead_title, names[spec.code]), (spec.code, spec.lead_title)
    assert all(len(held) == 1 for held in titles.values()), titles
    # and as the returns show it: "Name, Title." in the lead officer's evidence, for the department it is about
    shown = 0
    for answer in db.session.scalars(select(Answer).where(Answer.question_id == "lead-named", Answer.evidence != "")):
        department = answer.assignment.department
        name, title = answer.evidence.rstrip(".").split(", ", 1)
        assert name in {u.name for u in department.lead_officers}, (department.name, answer.evidence)
        assert _title_fits(title, department.name), (department.name, answer.evidence)
        shown += 1
    assert shown >= 10


def test_the_title_rule_catches_a_housing_title_on_environmental_health():
    assert not _title_fits("Housing Services Manager", "Environmental Health")
    assert _title_fits("Head of Housing and Environmental Health", "Environmental Health")
    assert _title_fits("Revenues and Benefits Manager", "Revenue")


def test_peer_contacts_are_not_our_own_staff_except_for_our_own_partnership(demo):
    users = list(db.session.scalars(select(User)))
    emails = {u.email.lower() for u in users}
    names = {u.name.lower() for u in users}
    officers = {u.email.lower() for u in users if u.role == "community_safety_officer"}
    invitations = list(db.session.scalars(select(PeerInvitation)))
    assert invitations
    for invitation in invitations:
        peer = invitation.assignment.peer_partnership
        if peer.is_own:
            assert invitation.contact_email.lower() in officers, invitation.contact_email
            continue
        assert invitation.contact_email.lower() not in emails, (peer.name, invitation.contact_email)
        assert invitation.contact_name.lower() not in names, (peer.name, invitation.contact_name)
        domain = "".join(c for c in peer.name.lower() if c.isalnum())
        assert invitation.contact_email.lower().endswith(f"@{domain}.example"), invitation.contact_email


def test_the_command_lists_every_lead_officer_with_their_departments_and_the_state_of_their_returns(demo):
    from app.demo.services import CYCLE_NAME

    _app, output, _loaded = demo
    lines = output.splitlines()
    peer_line = next(i for i, line in enumerate(lines) if line.startswith("peer_contact "))
    summary = "\n".join(lines[peer_line + 1:])
    assert f"Lead officers and their returns in {CYCLE_NAME}:" in summary
    cycle = db.session.scalar(select(Cycle).where(Cycle.name == CYCLE_NAME))
    labels = {Status(s): label for s, label in STATUS_LABELS.items()}
    seen = set()
    for lead in db.session.scalars(select(User).where(User.role == "lead_officer")):
        block = re.search(rf"^  {re.escape(lead.name)}, [^\n]+ \({re.escape(lead.email)}\)\n((?:    [^\n]+\n?)+)",
                          summary, re.MULTILINE)
        assert block, lead.name
        for department in lead.departments:
            assignment = next(a for a in cycle.assignments if a.department_id == department.id)
            assert f"    {department.name}: {labels[Status(assignment.status)]}" in block.group(1).splitlines()
            seen.add(assignment.status)
    assert seen == {"accepted", "submitted", "returned", "in_progress", "not_started"}


def test_the_demo_cycle_opened_weeks_ago_and_is_due_in_weeks(demo):
    _app, _output, loaded = demo
    from app.demo.services import CYCLE_NAME

    cycle = db.session.scalar(select(Cycle).where(Cycle.name == CYCLE_NAME))
    assert loaded - timedelta(days=60) < cycle.opened_at < loaded - timedelta(days=14)
    assert cycle.deadline > loaded.date()

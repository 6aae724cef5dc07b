"""The action plan: raised from a gap, updated by its department, every change audited, nothing lost."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Action, AuditEvent
from tests.functional.test_form_legends import Page, visible_markup
from tests.functional.test_results import HOUSING_ANSWERS, answer, signed_in, text
from tests.support import add_action, open_cycle


@pytest.fixture
def cycle(app, people):
    made = open_cycle(app, people)
    answer(app, made.housing, HOUSING_ANSWERS, "submitted")
    return made


def due(days: int) -> dict[str, list[str]]:
    when = date.today() + timedelta(days=days)
    return {"due_date": [str(when.day), str(when.month), str(when.year)]}


def action_form(owner_id: int, **overrides) -> dict[str, object]:
    return {"title": "Set measurable targets in the plan", "done_looks_like": "Each aim has a measure and a date.",
            "owner": str(owner_id), **due(60), **overrides}


SCRUTINY = {"origin": "scrutiny", "origin_detail": "Overview and scrutiny committee, 12 March 2026, recommendation 4"}


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def actions(app) -> list[Action]:
    with app.app_context():
        found = list(db.session.scalars(select(Action)))
        for item in found:
            db.session.expunge(item)
        return found


def test_lead_officer_raises_an_action_from_a_gap_and_it_is_audited(app, people, cycle):
    web = signed_in(app, people.lead)
    url = f"/actions/new?cycle={cycle.cycle_id}&department={people.housing_id}&question=plan-targets"
    form = web.get(url)
    assert "How measurable are the plan's commitments?" in text(form)  # the gap is shown
    response = web.post(url, action_form(people.lead.id))
    assert response.status_code == 302
    [made] = actions(app)
    assert (made.title, made.department_id, made.question_id, made.status) == (
        "Set measurable targets in the plan", people.housing_id, "plan-targets", "not_started")
    assert made.gap_text == "How measurable are the plan's commitments?"
    [event] = events(app, "action.created")
    assert event.after["title"] == "Set measurable targets in the plan" and event.actor_id == people.lead.id
    drill = text(web.get(f"/cycles/{cycle.cycle_id}/results/departments/{people.housing_id}"))
    assert "Set measurable targets in the plan (not started" in drill


@pytest.mark.parametrize("overrides, message", [
    ({"title": ""}, "Enter a title for the action"),
    ({"done_looks_like": ""}, "Say what ‘done’ looks like"),
    ({"owner": "0"}, "Choose an owner from the list"),
    (due(-1), "The due date must be today or in the future"),
    ({"due_date": ["31", "2", "2027"]}, "Due date must be a real date"),
])
def test_bad_action_forms_say_what_is_wrong_and_save_nothing(app, people, cycle, overrides, message):
    web = signed_in(app, people.cso)
    response = web.post(f"/actions/new?cycle={cycle.cycle_id}&department={people.housing_id}&question=plan-targets",
                        action_form(people.cso.id, **overrides))
    assert response.status_code == 200
    assert message in text(response)
    assert actions(app) == []


def test_owner_must_be_the_departments_lead_officer_or_a_community_safety_officer(app, people, cycle):
    web = signed_in(app, people.cso)
    response = web.post(f"/actions/new?cycle={cycle.cycle_id}&department={people.housing_id}",
                        {**action_form(people.other_lead.id), **SCRUTINY,
                         "department": str(people.housing_id)})  # Planning's lead officer
    assert "Choose an owner from the list: a lead officer for Housing Services or a community safety officer" in text(response)
    assert actions(app) == []


def test_lead_officer_cannot_raise_or_see_another_departments_actions(app, people, cycle):
    theirs = add_action(app, cycle.cycle_id, people.planning_id, people.other_lead.id, title="Planning's action")
    web = signed_in(app, people.lead)
    assert web.get(f"/actions/new?cycle={cycle.cycle_id}&department={people.planning_id}").status_code == 404
    assert web.post(f"/actions/new?cycle={cycle.cycle_id}&department={people.planning_id}",
                    action_form(people.lead.id)).status_code == 404
    assert web.get(f"/actions/{theirs}").status_code == 404
    assert web.post(f"/actions/{theirs}/progress", {"status": "done", "version": "1"}).status_code == 404
    assert "Planning's action" not in text(web.get("/actions/"))
    assert "Planning's action" in text(signed_in(app, people.auditor).get("/actions/"))


def test_unknown_question_or_partnership_action_by_a_lead_officer_is_not_found(app, people, cycle):
    web = signed_in(app, people.lead)
    base = f"/actions/new?cycle={cycle.cycle_id}"
    assert web.get(f"{base}&department={people.housing_id}&question=no-such-question").status_code == 404
    assert web.get(f"{base}&department=partnership&question=strategy-group").status_code == 404
    assert signed_in(app, people.cso).get(f"{base}&department=partnership&question=strategy-group").status_code == 200


def test_progress_is_dated_audited_and_dropping_needs_a_reason(app, people, cycle):
    action_id = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id)
    web = signed_in(app, people.lead)
    refused = web.post(f"/actions/{action_id}/progress", {"status": "dropped", "note": "", "version": "1"})
    assert "Say why the action is being dropped" in text(refused)
    assert actions(app)[0].status == "not_started"
    web.post(f"/actions/{action_id}/progress", {"status": "in_progress", "note": "Two teams briefed.",
                                                "version": "1"})
    web.post(f"/actions/{action_id}/progress", {"status": "dropped", "dropped_reason": "Covered by the county plan",
                                                "version": "2"})
    [stored] = actions(app)
    assert (stored.status, stored.dropped_reason) == ("dropped", "Covered by the county plan")
    page = text(web.get(f"/actions/{action_id}"))
    assert "Two teams briefed." in page and "Status changed to dropped." in page
    assert [e.after["status"] for e in events(app, "action.progress")] == ["in_progress", "dropped"]


def test_a_stale_progress_form_is_refused_without_losing_the_other_change(app, people, cycle):
    action_id = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id)
    lead, officer = signed_in(app, people.lead), signed_in(app, people.cso)
    lead.post(f"/actions/{action_id}/progress", {"status": "done", "note": "Finished.", "version": "1"})
    late = officer.post(f"/actions/{action_id}/progress", {"status": "in_progress", "note": "Started",
                                                            "version": "1"})
    assert "Someone else changed this action while you were looking at it" in text(late)
    assert actions(app)[0].status == "done"


def test_a_tampered_version_is_an_out_of_date_form_not_a_500(app, people, cycle):
    action_id = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id)
    web = signed_in(app, people.lead)
    for version in ("abc", "²", "99999999999999999999"):
        progress = web.post(f"/actions/{action_id}/progress", {"status": "done", "version": version})
        edit = web.post(f"/actions/{action_id}/edit", {**action_form(people.lead.id), **SCRUTINY, "version": version})
        for response in (progress, edit):
            assert response.status_code == 200
            assert "Someone else changed this action while you were looking at it" in text(response)
    assert actions(app)[0].status == "not_started"


def test_auditor_reads_actions_but_cannot_change_them(app, people, cycle):
    action_id = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id)
    web = signed_in(app, people.auditor)
    page = text(web.get(f"/actions/{action_id}"))
    assert "Brief the team" in page and "Record progress" not in page
    assert web.post(f"/actions/{action_id}/progress", {"status": "done", "version": "1"}).status_code == 403
    assert web.get(f"/actions/{action_id}/edit").status_code == 403


def test_editing_an_action_is_audited_with_before_and_after(app, people, cycle):
    action_id = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id)
    web = signed_in(app, people.cso)
    response = web.post(f"/actions/{action_id}/edit", {**action_form(people.cso.id, title="Brief every team"),
                                                       **SCRUTINY, "version": "1"})
    assert response.status_code == 302
    [event] = events(app, "action.changed")
    assert (event.before["title"], event.after["title"]) == ("Brief the team", "Brief every team")
    assert event.after["owner"] == people.cso.email


def test_plan_progress_counts_done_excludes_dropped_and_flags_overdue(app, people, cycle):
    add_action(app, cycle.cycle_id, people.housing_id, people.lead.id, title="Done one", status="done")
    add_action(app, cycle.cycle_id, people.housing_id, people.lead.id, title="Late one", due_in_days=-3)
    add_action(app, cycle.cycle_id, people.housing_id, people.lead.id, title="Dropped one", status="dropped")
    add_action(app, cycle.cycle_id, None, people.cso.id, title="Partnership one")
    web = signed_in(app, people.cso)
    page = text(web.get("/actions/"))
    assert "4 actions, 1 done (33%), 1 overdue." in page
    assert "Housing Services 3 actions, 1 done (50%); 1 dropped 1" in page
    assert "The partnership 1 action, 0 done (0%); 0 dropped 0" in page
    assert "Late one" in page and "Overdue" in page
    overdue = text(web.get("/actions/?overdue=1"))
    assert "Late one" in overdue and "Done one" not in overdue
    bad = web.get("/actions/?status=finished")
    assert bad.status_code == 400 and "Status ‘finished’ is not one of" in text(bad)


# --------------------------------------------------------------------------- what a person sees


def test_the_action_pages_show_the_gap_and_done_as_words_not_markup(app, people, cycle):
    """The gap and "what done looks like" were shown as `<strong>The gap</strong><br>` and `<span ...>`."""
    web = signed_in(app, people.lead)
    url = f"/actions/new?cycle={cycle.cycle_id}&department={people.housing_id}&question=plan-targets"
    form = web.get(url)
    assert visible_markup(form) == []
    assert "The gap How measurable are the plan's commitments?" in Page.of(form).text
    web.post(url, action_form(people.lead.id, done_looks_like="Tom & Jerry's targets <agreed>."))
    [made] = actions(app)
    for page in (web.get(f"/actions/{made.id}"), web.get(f"/actions/{made.id}/edit")):
        assert visible_markup(page) == [], page.request.path
    words = Page.of(web.get(f"/actions/{made.id}")).text
    assert "What ‘done’ looks like Tom & Jerry's targets <agreed>." in words  # typed text stays exactly as typed
    assert "The gap How measurable are the plan's commitments?" in words


def test_no_template_joins_a_string_of_markup_with_tilde():
    """`"<b>x</b>" ~ (text | e)` escapes the string's own markup: build such HTML in a {% set %} block instead."""
    import re
    from pathlib import Path

    joined = re.compile(r"""(["'])[^"'{}]*<[a-z/][^"'{}]*\1\s*~|~\s*(["'])[^"'{}]*<[a-z/]""")
    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [f"{path.relative_to(root)}:{number}" for path in sorted(root.rglob("*.html"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if joined.search(line)]
    assert offenders == []


# --------------------------------------------------------------------------- actions not from a gap


def test_an_officer_raises_a_scrutiny_recommendation_for_the_whole_partnership(app, people, cycle):
    web = signed_in(app, people.cso)
    plan = web.get(f"/actions/?cycle={cycle.cycle_id}")
    assert f'href="/actions/new?cycle={cycle.cycle_id}"' in plan.get_data(as_text=True)
    url = f"/actions/new?cycle={cycle.cycle_id}"
    form = Page.of(web.get(url))
    assert "Where does the action come from?" in form.text and "The partnership as a whole" in form.text
    response = web.post(url, {**action_form(people.cso.id, title="Report Section 17 to scrutiny each year"),
                              **SCRUTINY, "department": "partnership"})
    assert response.status_code == 302
    [made] = actions(app)
    assert (made.origin, made.origin_detail, made.department_id, made.question_id, made.gap_text) == (
        "scrutiny", SCRUTINY["origin_detail"], None, None, "")
    words = Page.of(web.get(f"/actions/{made.id}")).text
    assert f"Comes from Recommendation {SCRUTINY['origin_detail']}" in words
    assert "The gap" not in words and "Department The partnership" in words
    [event] = events(app, "action.created")
    assert event.after["origin"] == "scrutiny" and event.after["origin_detail"] == SCRUTINY["origin_detail"]
    assert "(recommendation)" in event.summary
    assert "Report Section 17 to scrutiny each year" in Page.of(web.get("/actions/")).text
    assert "Recommendation" in Page.of(web.get("/actions/")).text


def test_a_lead_officer_carries_an_action_over_for_their_own_department_only(app, people, cycle):
    web = signed_in(app, people.lead)
    url = f"/actions/new?cycle={cycle.cycle_id}"
    carried = {"origin": "carried_over", "origin_detail": "2025 to 2026 plan: train the tenancy team"}
    form = Page.of(web.get(url)).text
    assert "Housing Services" in form and "Planning Services" not in form and "partnership as a whole" not in form
    for department in ("partnership", str(people.planning_id), ""):
        refused = web.post(url, {**action_form(people.lead.id), **carried, "department": department})
        assert refused.status_code == 200
        assert ("Choose who the action is for" in Page.of(refused).text), department
    assert actions(app) == []
    assert web.get(f"{url}&department={people.planning_id}").status_code == 404
    assert web.post(url, {**action_form(people.lead.id), **carried,
                          "department": str(people.housing_id)}).status_code == 302
    [made] = actions(app)
    assert (made.origin, made.department_id, made.origin_detail) == (
        "carried_over", people.housing_id, "2025 to 2026 plan: train the tenancy team")


@pytest.mark.parametrize("overrides, message", [
    ({"origin": ""}, "Choose where the action comes from"),
    ({"origin": "gap"}, "Choose where the action comes from"),  # a gap's action is raised from the gap itself
    ({"origin": "rumour"}, "Choose where the action comes from"),
    ({"origin_detail": "  "}, "Say which recommendation, plan or decision the action comes from"),
    ({"origin_detail": "x" * 1001}, "Where it comes from must be 1,000 characters or fewer"),
])
def test_an_action_not_from_a_gap_must_say_where_it_comes_from(app, people, cycle, overrides, message):
    web = signed_in(app, people.cso)
    response = web.post(f"/actions/new?cycle={cycle.cycle_id}",
                        {**action_form(people.cso.id), **SCRUTINY, "department": str(people.housing_id), **overrides})
    assert response.status_code == 200
    assert message in Page.of(response).text
    assert actions(app) == []


def test_where_an_action_comes_from_can_be_changed_but_a_gaps_action_stays_the_gaps(app, people, cycle):
    loose = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id)  # raised before origins existed
    from_gap = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id, question_id="plan-targets")
    web = signed_in(app, people.lead)
    assert "Comes from Other Not recorded" in Page.of(web.get(f"/actions/{loose}")).text
    assert web.post(f"/actions/{loose}/edit", {**action_form(people.lead.id), **SCRUTINY,
                                               "version": "1"}).status_code == 302
    stored = {a.id: a for a in actions(app)}
    assert (stored[loose].origin, stored[loose].origin_detail) == ("scrutiny", SCRUTINY["origin_detail"])
    [event] = events(app, "action.changed")
    assert (event.before["origin"], event.after["origin"]) == ("other", "scrutiny")
    gap_form = web.get(f"/actions/{from_gap}/edit")
    assert 'name="origin"' not in gap_form.get_data(as_text=True)
    web.post(f"/actions/{from_gap}/edit", {**action_form(people.lead.id, title="New title"), **SCRUTINY,
                                           "version": "1"})
    stored = {a.id: a for a in actions(app)}
    assert (stored[from_gap].title, stored[from_gap].origin, stored[from_gap].question_id) == (
        "New title", "gap", "plan-targets")


def test_an_auditor_sees_no_way_to_create_an_action(app, people, cycle):
    web = signed_in(app, people.auditor)
    assert "/actions/new" not in web.get("/actions/").get_data(as_text=True)
    assert web.get(f"/actions/new?cycle={cycle.cycle_id}").status_code == 403


def test_the_database_refuses_a_gaps_action_without_its_question_and_any_other_with_one(app, people, cycle):
    from sqlalchemy.exc import IntegrityError

    for origin, question in (("gap", None), ("scrutiny", "plan-targets"), ("hearsay", None)):
        with app.app_context():
            db.session.add(Action(cycle_id=cycle.cycle_id, department_id=people.housing_id, title="T",
                                  done_looks_like="D", owner_id=people.lead.id, due_date=date.today(),
                                  origin=origin, question_id=question, status="not_started"))
            with pytest.raises(IntegrityError):
                db.session.commit()
            db.session.rollback()


@pytest.fixture
def empty_database(tmp_path_factory):
    from tests.conftest import fresh_database_url

    yield from fresh_database_url(tmp_path_factory, "origins")


def test_the_migration_gives_earlier_actions_the_origin_their_question_implies(empty_database, tmp_path):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text as sql

    from app import create_app

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": empty_database}, instance_path=str(tmp_path))
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as connection:
            connection.execute(sql(
                "INSERT INTO users (id, name, email, password_hash, role, active, session_token, "
                "must_change_password, created_at) VALUES (1, 'Ann', 'ann@council.example', 'x', 'lead_officer', "
                "TRUE, 't', FALSE, '2026-01-01 00:00:00')"))
            connection.execute(sql(
                "INSERT INTO cycles (id, name, period_start, period_end, deadline, status, created_at) "
                "VALUES (1, 'C', '2026-04-01', '2027-03-31', '2026-06-30', 'open', '2026-01-01 00:00:00')"))
            for action_id, question in ((1, "'plan-targets'"), (2, "NULL")):
                connection.execute(sql(
                    "INSERT INTO actions (id, cycle_id, question_id, gap_text, title, done_looks_like, owner_id, "
                    "due_date, status, dropped_reason, created_at, updated_at, version) VALUES "
                    f"({action_id}, 1, {question}, '', 'T', 'D', 1, '2026-09-01', 'not_started', '', "
                    "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"))
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(sql("SELECT id, origin, origin_detail FROM actions ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(1, "gap", ""), (2, "other", "")]
        downgrade(revision="0007")
        with db.engine.connect() as connection:
            assert connection.execute(sql("SELECT COUNT(*) FROM actions")).scalar() == 2
        upgrade()
        db.engine.dispose()

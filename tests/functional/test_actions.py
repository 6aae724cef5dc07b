"""The action plan: raised from a gap, updated by its department, every change audited, nothing lost."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Action, AuditEvent
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
                        action_form(people.other_lead.id))  # Planning's lead officer
    assert "Choose an owner from the list" in text(response)
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
        edit = web.post(f"/actions/{action_id}/edit", {**action_form(people.lead.id), "version": version})
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
                                                       "version": "1"})
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
    assert "Housing Services 3 actions, 1 done (50%) 1 1" in page
    assert "The partnership 1 action, 0 done (0%) 0 0" in page
    assert "Late one" in page and "Overdue" in page
    overdue = text(web.get("/actions/?overdue=1"))
    assert "Late one" in overdue and "Done one" not in overdue
    bad = web.get("/actions/?status=finished")
    assert bad.status_code == 400 and "Status ‘finished’ is not one of" in text(bad)

"""Audit cycles: setting up, opening (snapshots and assignments), progress, closing (security.md item 19)."""

from __future__ import annotations

import html
import shutil
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assignment, AuditEvent, Cycle, QuestionnaireSnapshot
from tests.support import SURVEYS, WebClient, add_department, open_cycle


def _date_fields(name: str, day: date) -> dict[str, str]:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def _cycle_form(**overrides) -> dict:
    today = date.today()
    form = {"name": "Section 17 audit 2026 to 2027", "questionnaires": ["small-departmental", "small-partnership"],
            "department_scope": "all",
            **_date_fields("period_start", today - timedelta(days=100)),
            **_date_fields("period_end", today + timedelta(days=265)),
            **_date_fields("deadline", today + timedelta(days=60))}
    form.update(overrides)
    return form


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_setting_up_and_opening_a_cycle_sends_a_return_to_every_department(app, web, people):
    add_department(app, "OLD", "Old Department")
    with app.app_context():
        from app.models import Department
        db.session.scalar(select(Department).where(Department.code == "OLD")).active = False
        db.session.commit()
    web.sign_in(people.cso)
    response = web.post("/cycles/new", _cycle_form())
    assert response.status_code == 302
    cycle_url = response.headers["Location"]
    page = web.get(cycle_url).get_data(as_text=True)
    assert "Audit cycle: draft" in page and "Open cycle" in page
    assert _count(app, Assignment) == 0  # nothing is sent while it is a draft

    confirm = html.unescape(web.get(cycle_url + "/open").get_data(as_text=True))
    assert "Open Section 17 audit 2026 to 2027?" in confirm
    web.post(cycle_url + "/open")
    with app.app_context():
        assignments = list(db.session.scalars(select(Assignment)))
        departments = sorted(a.department.code for a in assignments if a.department)
        assert departments == ["HOUS", "PLAN"]  # the retired department is left out
        assert [a.respondent_type for a in assignments].count("partnership") == 1
        assert {a.status for a in assignments} == {"not_started"}
        snapshots = {s.definition_id: s for s in db.session.scalars(select(QuestionnaireSnapshot))}
        assert snapshots["small-partnership"].version == 2
        assert len(snapshots["small-departmental"].sha256) == 64
        assert snapshots["small-departmental"].content["sections"][0]["id"] == "planning"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cycle.opened"))
        assert event.after["assignments"] == 3
    page = web.get(cycle_url).get_data(as_text=True)
    assert "Not started" in page and "Housing Services" in page and "The partnership" in page


def test_departmental_questionnaires_can_go_to_chosen_departments_only(app, web, people):
    web.sign_in(people.cso)
    response = web.post("/cycles/new", _cycle_form(questionnaires=["small-departmental"], department_scope="some",
                                                   departments=[str(people.planning_id)]))
    web.post(response.headers["Location"] + "/open")
    with app.app_context():
        assert [a.department.code for a in db.session.scalars(select(Assignment))] == ["PLAN"]


@pytest.mark.parametrize("overrides,message", [
    ({"name": ""}, "Enter a name for the cycle"),
    ({"questionnaires": []}, "Choose at least one questionnaire"),
    ({"questionnaires": ["made-up"]}, "Choose questionnaires from the list"),
    ({"department_scope": "some", "departments": []}, "Choose the departments that answer Small departmental check"),
    (_date_fields("period_end", date(2020, 1, 1)), "The end of the period must be the same as or after its start"),
    ({"deadline": ["31", "2", "2027"]}, "Deadline for returns must be a real date, for example 31 3 2027"),
    ({"deadline": ["1", "", "2027"]}, "Deadline for returns must include a month"),
    ({"deadline": ["", "", ""]}, "Enter the deadline for returns"),
    ({"period_start": ["1", "1", "27"]}, "Start of the period audited must be a real date"),
])
def test_cycle_form_problems_are_explained_and_nothing_is_saved(app, web, people, overrides, message):
    web.sign_in(people.cso)
    page = html.unescape(web.post("/cycles/new", _cycle_form(**overrides)).get_data(as_text=True))
    assert message in page
    assert _count(app, Cycle) == 0


def test_a_cycle_name_is_used_once(app, web, people):
    web.sign_in(people.cso)
    web.post("/cycles/new", _cycle_form())
    page = web.post("/cycles/new", _cycle_form(name="SECTION 17 AUDIT 2026 TO 2027")).get_data(as_text=True)
    assert "There is already a cycle called Section 17 audit 2026 to 2027" in page


def test_a_draft_can_be_changed_but_an_open_cycle_cannot(app, web, people):
    web.sign_in(people.cso)
    url = web.post("/cycles/new", _cycle_form()).headers["Location"]
    web.post(url + "/edit", _cycle_form(name="Renamed cycle", questionnaires=["small-departmental"]))
    with app.app_context():
        cycle = db.session.scalar(select(Cycle))
        assert cycle.name == "Renamed cycle" and len(cycle.questionnaires) == 1
    web.post(url + "/open")
    response = web.post(url + "/edit", _cycle_form(name="Too late"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Cycle)).name == "Renamed cycle"


def test_a_cycle_whose_deadline_has_passed_cannot_open(app, web, people):
    web.sign_in(people.cso)
    past = date.today() - timedelta(days=1)
    url = web.post("/cycles/new", _cycle_form(**_date_fields("period_start", past - timedelta(days=300)),
                                              **_date_fields("deadline", past))).headers["Location"]
    page = web.post(url + "/open").get_data(as_text=True)
    assert "The deadline has passed" in page
    assert _count(app, Assignment) == 0


def test_editing_a_definition_file_never_changes_an_existing_cycle(make_app, people, tmp_path):
    surveys = tmp_path / "surveys"
    shutil.copytree(SURVEYS, surveys)
    app = make_app(SURVEYS_DIR=str(surveys))
    cycle = open_cycle(app, people, name="First cycle")
    definition = surveys / "small-departmental.yaml"
    definition.write_text(definition.read_text().replace("Does your service plan mention the duty?",
                                                         "Does your plan name the duty?"))
    lead = WebClient(app.test_client())
    lead.sign_in(people.lead)
    page = lead.get(f"/returns/{cycle.housing}/sections/planning").get_data(as_text=True)
    assert "Does your service plan mention the duty?" in page and "Does your plan name the duty?" not in page

    second = open_cycle(app, people, name="Second cycle")
    page = lead.get(f"/returns/{second.housing}/sections/planning").get_data(as_text=True)
    assert "Does your plan name the duty?" in page
    with app.app_context():
        shas = set(db.session.scalars(select(QuestionnaireSnapshot.sha256).where(
            QuestionnaireSnapshot.definition_id == "small-departmental")))
        assert len(shas) == 2


def test_an_unchanged_definition_reuses_its_snapshot(app, people):
    open_cycle(app, people, name="One")
    open_cycle(app, people, name="Two")
    assert _count(app, QuestionnaireSnapshot) == 2  # one per definition, shared by both cycles


def test_a_definition_broken_after_start_up_stops_the_cycle_opening_and_changes_nothing(make_app, people, tmp_path):
    surveys = tmp_path / "surveys"
    shutil.copytree(SURVEYS, surveys)
    app = make_app(SURVEYS_DIR=str(surveys))
    web = WebClient(app.test_client())
    web.sign_in(people.cso)
    url = web.post("/cycles/new", _cycle_form()).headers["Location"]
    (surveys / "small-partnership.yaml").write_text("id: small-partnership\n")
    page = html.unescape(web.post(url + "/open").get_data(as_text=True))
    assert "The questionnaire small-partnership cannot be used: small-partnership.yaml: version: is required" in page
    assert _count(app, Assignment) == 0 and _count(app, QuestionnaireSnapshot) == 0
    with app.app_context():
        assert db.session.scalar(select(Cycle)).status == "draft"


def test_progress_counts_and_the_status_filter(app, web, people):
    cycle = open_cycle(app, people)
    with app.app_context():
        assignment = db.session.get(Assignment, cycle.planning)
        assignment.status = "submitted"
        db.session.commit()
    web.sign_in(people.auditor)
    page = web.get(f"/cycles/{cycle.cycle_id}").get_data(as_text=True)
    assert "Open cycle" not in page and "Close cycle" not in page  # auditors read only
    assert "50.0%" in page  # one of the two departments has submitted
    assert "The partnership: 1 of 1 return" in page
    filtered = web.get(f"/cycles/{cycle.cycle_id}?status=submitted").get_data(as_text=True)
    assert "Departments: 1 of 2 returns" in filtered and "Planning Services" in filtered
    assert "Housing Services" not in filtered and "The partnership: 0 of 1 return" in filtered


def test_overdue_returns_are_counted_as_overdue(app, web, people):
    cycle = open_cycle(app, people)
    with app.app_context():
        db.session.get(Assignment, cycle.housing).due_date = date.today() - timedelta(days=1)
        db.session.commit()
    web.sign_in(people.cso)
    page = web.get(f"/cycles/{cycle.cycle_id}?status=overdue").get_data(as_text=True)
    assert "Departments: 1 of 2 returns" in page and "Housing Services" in page and "Overdue" in page


def test_closing_a_cycle_makes_its_returns_read_only(app, web, new_web, people):
    cycle = open_cycle(app, people)
    web.sign_in(people.cso)
    web.post(f"/cycles/{cycle.cycle_id}/close")
    with app.app_context():
        assert db.session.get(Cycle, cycle.cycle_id).status == "closed"
    lead = new_web()
    lead.sign_in(people.lead)
    response = lead.get(f"/returns/{cycle.housing}/sections/planning")
    assert response.status_code == 302
    page = lead.get(f"/returns/{cycle.housing}").get_data(as_text=True)
    assert "is closed, so this return can no longer be changed" in page


def test_the_dashboard_shows_the_open_cycle(app, web, people):
    cycle = open_cycle(app, people)
    web.sign_in(people.cso)
    page = web.get("/").get_data(as_text=True)
    assert "Audit 2026 to 2027" in page and "Not started: 2 of 2 (100.0%)" in page
    assert "Small partnership checklist for the partnership" in page
    assert f"/cycles/{cycle.cycle_id}" in page


# --------------------------------------------------------------------------- what the pages say, and where


def test_the_returns_are_grouped_by_questionnaire_with_each_department_leading_its_row(app, web, people):
    """A "Questionnaire" column repeated one long title on every row and pushed Status off a phone's screen."""
    import re

    cycle = open_cycle(app, people)
    web.sign_in(people.cso)
    page = web.get(f"/cycles/{cycle.cycle_id}").get_data(as_text=True)
    returns = page.split('id="returns"', 1)[1]
    tables = re.findall(r'<table class="govuk-table">(.*?)</table>', returns, re.S)
    assert len(tables) == 2  # the departments' questionnaire, the partnership's checklist
    departments = tables[0]
    assert ">Questionnaire<" not in departments
    assert re.search(r"<caption[^>]*>\s*Small departmental check: 2 of 2\s*</caption>", departments)
    headers = re.findall(r'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="/review/(\d+)">'
                         r'([^<]+)<span class="govuk-visually-hidden">: Small departmental check</span>', departments)
    assert headers == [(str(cycle.housing), "Housing Services"), (str(cycle.planning), "Planning Services")]
    shown = re.sub(r'<span class="govuk-visually-hidden">[^<]*</span>', "", departments)
    assert shown.count("Small departmental check") == 1
    assert [len(re.findall(r"<t[hd] ", row)) for row in re.findall(r"<tr [^>]*>(.*?)</tr>", shown, re.S)] == [2, 2, 2]


def _submitted(app, people):
    cycle = open_cycle(app, people)
    with app.app_context():
        assignment = db.session.get(Assignment, cycle.housing)
        assignment.status = "submitted"
        db.session.commit()
        return cycle, assignment.version


def test_the_review_decision_comes_after_the_answers_with_a_link_to_it_at_the_top(app, web, new_web, people):
    cycle, _ = _submitted(app, people)
    web.sign_in(people.cso)
    page = web.get(f"/review/{cycle.housing}").get_data(as_text=True)
    decide_link, answers = page.index('href="#decide"'), page.index(">Answers</h2>")
    decision = page.index('id="decide"')
    accept, send_back = page.index(f'action="/review/{cycle.housing}/accept"'), page.index('name="reason"')
    assert decide_link < answers < decision < accept < send_back
    assert page.index("Does your service plan mention the duty?") < decision  # a question among the answers
    auditor = new_web()
    auditor.sign_in(people.auditor)
    assert 'id="decide"' not in auditor.get(f"/review/{cycle.housing}").get_data(as_text=True)


def test_sending_a_return_back_is_said_plainly(app, web, people):
    cycle, version = _submitted(app, people)
    web.sign_in(people.cso)
    response = web.post(f"/review/{cycle.housing}/return", {"reason": "Add the page number.", "version": version},
                        follow_redirects=True)
    words = " ".join(html.unescape(response.get_data(as_text=True)).split())
    assert ("The return for Housing Services has been sent back for changes. Its lead officers will see your "
            "reason, make the changes and submit it again.") in words
    assert "returned the return" not in words.lower()
    assert "Sent the return for Housing Services back for changes" in words  # its history
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.returned"))
        assert event.summary == "Sent the return for Housing Services back for changes"

"""The questionnaires in the browser: every question type round-trips; every page of the real
instruments passes axe; a checklist is imported from a spreadsheet."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Assignment
from app.questionnaires.registry import DEFAULT_SURVEYS_DIR
from tests.browser.conftest import serve
from tests.support import open_cycle


def test_every_question_type_is_answered_saved_and_shown_back(app, journey, people):
    cycle = open_cycle(app, people)
    journey.goto("/sign-in").sign_in(people.lead)
    page = journey.goto(f"/returns/{cycle.housing}/sections/planning").page
    page.check("input[name='q-plan-mentions-duty'][value='yes']")  # yes/no
    page.fill("#q-plan-mentions-duty-evidence", "Plan, page 4")
    page.check("input[name='q-plan-targets'][value='aims']")  # scale
    page.fill("#q-plan-notes", "First line\nSecond line")  # long text
    journey.submit("Save and continue")
    page.fill("#q-staff-trained", "62.5")  # percentage
    for topic in ("crime", "violence"):  # multiple choice
        page.check(f"input[name='q-training-topics'][value='{topic}']")
    page.check("input[name='q-lead-named'][value='officer']")  # single choice
    page.fill("#q-lead-named-evidence", "Jo Bloggs")
    page.fill("#q-lead-name", "Tenancy manager")  # text
    page.fill("#q-staff-count", "140")  # number
    page.fill("#q-last-review-day", "3")  # date
    page.fill("#q-last-review-month", "9")
    page.fill("#q-last-review-year", "2026")
    journey.submit("Save and come back later")

    with app.app_context():
        stored = {row.question_id: row.value for row in
                  db.session.scalars(select(Answer).where(Answer.assignment_id == cycle.housing))}
    assert stored == {"plan-mentions-duty": "yes", "plan-targets": "aims", "plan-notes": "First line\nSecond line",
                      "staff-trained": 62.5, "training-topics": ["crime", "violence"], "lead-named": "officer",
                      "lead-name": "Tenancy manager", "staff-count": 140, "last-review": "2026-09-03"}

    journey.goto(f"/returns/{cycle.housing}/sections/people")
    expect(page.locator("#q-staff-trained")).to_have_value("62.5")
    expect(page.locator("input[name='q-training-topics'][value='violence']")).to_be_checked()
    expect(page.locator("input[name='q-lead-named'][value='officer']")).to_be_checked()
    expect(page.locator("#q-lead-name")).to_have_value("Tenancy manager")
    expect(page.locator("#q-staff-count")).to_have_value("140")
    expect(page.locator("#q-last-review-year")).to_have_value("2026")
    page.check("#q-staff-trained-na")  # not applicable instead of a figure
    page.fill("#q-staff-trained", "")
    journey.submit("Save and continue")
    expect(page.locator("main")).to_contain_text("Not applicable")  # on the check page
    expect(page.locator("main")).to_contain_text("3 September 2026")
    expect(page.locator("main")).to_contain_text("Crime and disorder; Serious violence")


@pytest.fixture
def demo_server(make_app):
    app = make_app(SURVEYS_DIR=str(DEFAULT_SURVEYS_DIR))
    with app.app_context():
        from app.demo.services import load_demo

        credentials = {}
        for credential in load_demo():
            credentials.setdefault(credential.role.value, credential)  # the first of each role
        assignments = {(a.respondent_type, a.department.code if a.department else None): a.id
                       for a in db.session.scalars(select(Assignment))}
    for url in serve(app):
        yield url, credentials, assignments


def test_every_page_of_the_three_instruments_passes_axe(demo_server, new_journey):
    url, credentials, assignments = demo_server
    lead = new_journey(url)
    lead.goto("/sign-in").sign_in(credentials["lead_officer"].email, credentials["lead_officer"].password)
    housing = assignments[("department", "HOUS")]
    lead.goto(f"/returns/{housing}")
    for index in range(10):  # every section of the departmental self-assessment
        lead.click(f".govuk-task-list__item >> nth={index} >> a")
        lead.goto(f"/returns/{housing}")
    officer = new_journey(url)
    officer.goto("/sign-in").sign_in(credentials["community_safety_officer"].email,
                                     credentials["community_safety_officer"].password)
    checklist = assignments[("partnership", None)]
    officer.goto(f"/returns/{checklist}")
    for index in range(6):  # every hallmark
        officer.click(f".govuk-task-list__item >> nth={index} >> a")
        expect(officer.page.locator("h1")).to_contain_text(f"Hallmark {index + 1}")
        officer.goto(f"/returns/{checklist}")
    peer = assignments[("peer", None)]
    officer.goto(f"/review/{peer}")  # a peer's answers
    officer.goto("/questionnaires/peer-benchmarking")  # the peer questionnaire in full
    officer.goto("/questionnaires/hallmarks-of-effective-partnership")
    officer.goto(f"/review/{assignments[('department', 'REV')]}")  # a returned return with its history


@pytest.fixture
def import_server(make_app, tmp_path):
    import shutil

    from tests.support import SURVEYS

    surveys = tmp_path / "surveys"
    shutil.copytree(SURVEYS, surveys)
    for url in serve(make_app(SURVEYS_DIR=str(surveys))):
        yield url, surveys


def test_a_checklist_is_imported_from_a_spreadsheet(import_server, new_journey, people, tmp_path):
    url, surveys = import_server
    bad = tmp_path / "bad.csv"
    bad.write_text("section,id,text\nA,1,One\nA,1,Again\n")
    good = tmp_path / "recommendations.csv"
    good.write_text("section,id,text,statutory,hint\nGovernance,G1,The strategy group meets quarterly.,no,\n"
                    "Governance,G2,All authorities attend.,yes,SI 2007/1830\n")
    trip = new_journey(url)
    trip.goto("/sign-in").sign_in(people.cso)
    trip.goto("/questionnaires/").click("a:has-text('Import a checklist')")
    page = trip.page
    for sheet in (bad, good):
        page.set_input_files("#sheet", str(sheet))
        page.fill("#title", "Our recommendations")
        page.fill("#definition_id", "our-recommendations")
        trip.submit("Check the spreadsheet")
        if sheet is bad:
            expect(page.locator(".govuk-error-summary")).to_contain_text("row 3, column id")
    expect(page.locator("main")).to_contain_text("2 items in 1 section, 1 of them statutory")
    trip.submit("Save questionnaire")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Our recommendations has been saved")
    assert (surveys / "our-recommendations.yaml").exists()

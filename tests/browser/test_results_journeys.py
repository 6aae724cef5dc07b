"""Results and the action plan in the browser, on the demo council, with axe on every page visited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Action, Cycle, Department
from app.questionnaires.registry import DEFAULT_SURVEYS_DIR
from tests.browser.conftest import serve


@pytest.fixture
def demo(make_app):
    app = make_app(SURVEYS_DIR=str(DEFAULT_SURVEYS_DIR))
    with app.app_context():
        from app.demo.history import PREVIOUS_CYCLE_NAME
        from app.demo.services import CYCLE_NAME, load_demo

        credentials = {}
        for credential in load_demo():
            credentials.setdefault(credential.role.value, credential)
        cycles = {c.name: c.id for c in db.session.scalars(select(Cycle))}
        departments = {d.code: d.id for d in db.session.scalars(select(Department))}
    for url in serve(app):
        yield app, url, credentials, cycles[CYCLE_NAME], cycles[PREVIOUS_CYCLE_NAME], departments


def sign_in(new_journey, url, credential):
    trip = new_journey(url)
    trip.goto("/sign-in").sign_in(credential.email, credential.password)
    return trip


def test_officer_reads_every_results_page_and_raises_an_action_from_a_gap(demo, new_journey):
    app, url, credentials, current, previous, departments = demo
    officer = sign_in(new_journey, url, credentials["community_safety_officer"])
    officer.click("nav a:has-text('Results')").expect_heading("Results")
    officer.click(f"a[href='/cycles/{current}/results']").expect_heading("Scores by department and theme")
    page = officer.page
    expect(page.locator("svg[role=img]:visible title")).to_have_text("Score by department")
    officer.click("thead a:has-text('Overall')")  # sort by overall score
    expect(page.locator("caption").first).to_contain_text("sorted by overall score")
    officer.click("a:has-text('Include returns still being written')")
    officer.click("a:has-text('Themes and matters')").expect_heading("Scores by theme and matter")
    officer.click(".app-subnav a:has-text('Gap register')").expect_heading("Gap register")
    page.select_option("#filter-matter", "serious-violence")
    officer.submit("Show gaps")
    expect(page.locator("main h2").first).to_contain_text("gap")
    officer.click(".app-subnav a:has-text('Hallmarks')").expect_heading("Hallmarks of Effective Partnership")
    expect(page.locator("main")).to_contain_text("Statutory requirements:")
    officer.click(".app-subnav a:has-text('Peer approaches')").expect_heading("How peer partnerships mainstream")
    expect(page.locator("main")).to_contain_text("Approaches most peers use that we do not")
    officer.goto(f"/results/compare?earlier={previous}&later={current}")
    expect(page.locator("main")).to_contain_text("What happened to each gap")
    officer.click(".govuk-pagination__next a")  # the changed gaps run to more than one page
    expect(page.locator("#changes")).to_contain_text("page 2 of")

    officer.goto(f"/cycles/{current}/results/departments/{departments['REV']}").expect_heading("Revenue")
    officer.click("main a:has-text('Create action') >> nth=0").expect_heading("Create an action")
    soon = date.today() + timedelta(days=40)
    page.fill("#title", "Add crime and disorder to the debt recovery policy")
    page.fill("#done_looks_like", "The policy names the duty and cabinet has approved it.")
    page.fill("#due_date-day", str(soon.day))
    page.fill("#due_date-month", str(soon.month))
    page.fill("#due_date-year", str(soon.year))
    officer.submit("Create action")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been added to the plan")
    page.check("input[name=status][value=in_progress]")
    page.fill("#note", "Draft wording sent to the policy owner.")
    officer.submit("Save progress")
    expect(page.locator("main")).to_contain_text("Draft wording sent to the policy owner.")
    officer.click("nav a:has-text('Action plan')").expect_heading("Action plan")
    expect(page.locator("main")).to_contain_text("overdue")
    with app.app_context():
        assert db.session.scalar(select(Action).where(Action.title.like("Add crime and disorder%"))).status \
            == "in_progress"


def test_lead_officer_sees_only_their_departments_results_and_actions(demo, new_journey):
    app, url, credentials, current, _previous, departments = demo
    lead = sign_in(new_journey, url, credentials["lead_officer"])
    lead.click("nav a:has-text('Results')").expect_heading("Your results")
    lead.click("main table a >> nth=0").expect_heading("gaps and scores")
    lead.click("nav a:has-text('Action plan')").expect_heading("Action plan")
    with app.app_context():
        from app.users.services import find_user

        own = [d.id for d in find_user(credentials["lead_officer"].email).departments]
        other_id = db.session.scalar(select(Action.id).where(Action.department_id.not_in(own),
                                                             Action.owner_id != find_user(credentials["lead_officer"].email).id))
    response = lead.page.goto(lead.url(f"/actions/{other_id}"))
    assert response.status == 404
    lead.check()
    response = lead.page.goto(lead.url(f"/cycles/{current}/gaps"))
    assert response.status == 403
    lead.check()

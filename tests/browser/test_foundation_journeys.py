"""Each role's first journeys in a real browser, with axe on every page (security.md item 21)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

NAVIGATION = {
    "lead_officer": ["Your returns"],
    "community_safety_officer": ["Your returns", "Audit cycles", "Settings and records"],
    "auditor": ["Audit cycles", "Settings and records"],
    "admin": ["Settings and records"],
}
SETTINGS = {
    "lead_officer": [],
    "community_safety_officer": ["Departments", "Users", "Questionnaires", "Organisation", "Audit log"],
    "auditor": ["Departments", "Users", "Questionnaires", "Audit log"],
    "admin": ["Departments", "Users", "Questionnaires", "Organisation", "Audit log"],
}
HOME_HEADINGS = {
    "lead_officer": "Your Section 17 work",
    "community_safety_officer": "Dashboard",
    "auditor": "Audit overview",
    "admin": "Administration",
}


def test_anonymous_visitor_sees_sign_in_and_the_public_pages(journey):
    journey.goto("/")  # redirected to sign in
    assert "/sign-in?next=" in journey.page.url
    journey.expect_heading("Sign in to Section 17 Audit")
    journey.click("footer a:has-text('Accessibility statement')").expect_heading("Accessibility statement")
    journey.click("footer a:has-text('Privacy notice')").expect_heading("Privacy notice")
    journey.goto("/no-such-page").expect_heading("Page not found")


@pytest.mark.parametrize("role", list(NAVIGATION))
def test_each_role_signs_in_sees_real_data_and_every_page_of_its_menu(journey, people, role):
    account = people.by_role(role)
    journey.goto("/sign-in").sign_in(account)
    journey.expect_heading(HOME_HEADINGS[role])
    body = journey.page.locator("main").inner_text()
    assert "Housing Services" in body  # real departments, not placeholders
    if role != "lead_officer":
        assert "Lena Lead" in body  # and real officers
    menu = [text.strip() for text in journey.page.locator(".govuk-service-navigation__list a").all_inner_texts()]
    for label in NAVIGATION[role]:
        assert label in menu
        journey.click(f".govuk-service-navigation__list a:has-text('{label}')")
        expect(journey.page.locator(".govuk-service-navigation__item--active")).to_contain_text(label)
    for label in SETTINGS[role]:
        journey.goto("/settings")
        journey.click(f"main a:has-text('{label}')")
        expect(journey.page.locator(".govuk-service-navigation__item--active")).to_contain_text("Settings")
    journey.click(".govuk-service-navigation__list a:has-text('Home')")
    journey.sign_out()
    expect(journey.page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")


def test_sign_in_errors_are_shown_accessibly(journey, people):
    journey.goto("/sign-in").submit("Sign in")
    summary = journey.page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your email address")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    assert journey.page.title().startswith("Error: ")
    journey.page.fill("#email", people.cso.email)
    journey.page.fill("#password", "this is not the password")
    journey.submit("Sign in")
    expect(summary).to_contain_text("Enter a correct email address and password")


def test_sign_in_and_move_around_by_keyboard_alone(journey, people):  # noqa: C901
    page = journey.goto("/sign-in").page
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(people.cso.email)
    page.keyboard.press("Tab")
    page.keyboard.type(people.cso.password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    journey.check().expect_heading("Dashboard")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Audit cycles":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    journey.check().expect_heading("Audit cycles")


def test_a_community_safety_officer_adds_a_lead_officer_who_signs_in_for_the_first_time(
        journey, new_journey, people):
    journey.goto("/sign-in").sign_in(people.cso)
    journey.click(".govuk-service-navigation__list a:has-text('Settings')")
    journey.click("main a:has-text('Users')")
    journey.click("a:has-text('Add a user')").expect_heading("Add a user")
    journey.submit("Add user")  # nothing filled in: errors
    expect(journey.page.locator(".govuk-error-summary")).to_contain_text("Choose a role")
    journey.page.fill("#name", "Rita Revenue")
    journey.page.fill("#email", "rita.revenue@council.example")
    journey.page.check("input[name=role][value=lead_officer]")
    journey.page.check(f"input[name=departments][value='{people.housing_id}']")
    journey.submit("Add user")
    expect(journey.page.locator(".govuk-panel")).to_contain_text("User added")
    temporary = journey.page.locator("#temporary-password").inner_text()
    assert re.fullmatch(r"[a-z0-9]{4}(-[a-z0-9]{4}){3}", temporary)

    newcomer = new_journey()
    newcomer.goto("/sign-in").sign_in("rita.revenue@council.example", temporary)
    newcomer.expect_heading("Choose your password")
    newcomer.page.fill("#current_password", temporary)
    newcomer.page.fill("#new_password", "short")
    newcomer.submit("Save password")
    expect(newcomer.page.locator(".govuk-error-summary")).to_contain_text("12 characters or more")
    newcomer.page.fill("#current_password", temporary)
    newcomer.page.fill("#new_password", "copper kettles sing at dawn")
    newcomer.submit("Save password")
    newcomer.expect_heading("Your Section 17 work")
    expect(newcomer.page.locator("main")).to_contain_text("Housing Services")


def test_an_administrator_renames_the_council_and_disables_an_account(journey, new_journey, people):
    journey.goto("/sign-in").sign_in(people.admin)
    journey.click(".govuk-service-navigation__list a:has-text('Settings')")
    journey.click("main a:has-text('Organisation')")
    journey.page.fill("#council_name", "Tendring District Council")
    journey.submit("Save settings")
    expect(journey.page.locator(".app-header__organisation")).to_have_text("Tendring District Council")

    victim = new_journey()
    victim.goto("/sign-in").sign_in(people.auditor).expect_heading("Audit overview")

    journey.goto(f"/admin/users/{people.auditor.id}")
    journey.click("a:has-text('Disable account')").expect_heading("Disable Alex Auditor's account?")
    journey.page.reload()  # a refresh of a confirmation page changes nothing
    journey.check()
    journey.submit("Disable account")
    expect(journey.page.locator(".govuk-notification-banner")).to_contain_text("account is disabled")

    victim.goto("/")
    victim.expect_heading("Sign in")


def test_lead_officer_is_refused_the_administration_pages(journey, people):
    journey.goto("/sign-in").sign_in(people.lead)
    journey.goto("/admin/users").expect_heading("You do not have permission to see this page")
    journey.goto("/departments/").expect_heading("You do not have permission to see this page")


def test_departments_are_added_with_clear_errors(journey, people):
    journey.goto("/sign-in").sign_in(people.cso)
    journey.goto("/departments/new")
    journey.page.fill("#name", "Revenue")
    journey.page.fill("#code", "HOUS")
    journey.submit("Add department")
    expect(journey.page.locator(".govuk-error-summary")).to_contain_text("A department with code HOUS already exists")
    journey.page.fill("#code", "REV")
    journey.submit("Add department").expect_heading("Revenue")
    journey.click("a:has-text('Back to departments')")
    journey.click("a:has-text('Revenue')")
    journey.goto("/settings")
    journey.click("main a:has-text('Audit log')")
    expect(journey.page.locator("main")).to_contain_text("Added department Revenue")


@pytest.mark.parametrize("path", ["/", "/admin/users", "/audit-log/", "/departments/", "/admin/users/1"])
def test_pages_fit_a_phone_screen_without_sideways_scrolling(journey, people, path):
    journey.page.set_viewport_size({"width": 375, "height": 800})
    journey.goto("/sign-in").sign_in(people.admin)
    journey.goto(path)
    overflow = journey.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than a 375px screen"


# --------------------------------------------------------------------------- the staff pages of issue 15

MARKUP = ("<span", "<strong", "<br", "&lt;", "&gt;", "&amp;")


@pytest.fixture
def staff_pages(app, people):
    """A cycle with a return sent back and one submitted, an action from a gap and one from scrutiny."""
    from tests.support import add_action, open_cycle

    made = open_cycle(app, people)
    with app.app_context():
        from app.extensions import db
        from app.models import Action, Assignment

        housing = db.session.get(Assignment, made.housing)
        housing.status, housing.return_reason = "returned", "Add the page number."
        db.session.get(Assignment, made.planning).status = "submitted"
        db.session.commit()
    from_gap = add_action(app, made.cycle_id, people.housing_id, people.lead.id, question_id="plan-targets")
    scrutiny = add_action(app, made.cycle_id, None, people.cso.id, title="Report to scrutiny")
    with app.app_context():
        gap = db.session.get(Action, from_gap)
        gap.gap_text, gap.done_looks_like = "How measurable are the plan's commitments?", "Tom & Jerry's <targets>"
        db.session.get(Action, scrutiny).origin_detail = "Scrutiny committee, 12 March 2026, recommendation 4"
        db.session.commit()
    return {
        "community_safety_officer": ["/", f"/cycles/{made.cycle_id}", "/cycles/new", f"/actions/{from_gap}",
                                     f"/actions/{scrutiny}", f"/actions/{from_gap}/edit", f"/actions/{scrutiny}/edit",
                                     f"/actions/new?cycle={made.cycle_id}",
                                     f"/actions/new?cycle={made.cycle_id}&department={people.housing_id}"
                                     "&question=plan-targets",
                                     f"/review/{made.planning}", "/actions/", "/account", "/benchmarking/peers/new"],
        "lead_officer": ["/", "/account", f"/actions/new?cycle={made.cycle_id}"],
        "auditor": ["/", "/account"],
        "admin": ["/account"],
    }


@pytest.mark.parametrize("width", [1280, 375])
def test_the_staff_pages_fit_the_screen_and_show_no_markup_as_text(journey, new_journey, people, staff_pages,
                                                                   width):
    for role, paths in staff_pages.items():
        trip = journey if role == "community_safety_officer" else new_journey()
        trip.page.set_viewport_size({"width": width, "height": 900})
        trip.goto("/sign-in").sign_in(people.by_role(role))
        for path in paths:
            trip.goto(path)
            overflow = trip.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{role} {path} is {overflow}px wider than a {width}px window"
            shown = trip.page.locator("main").inner_text()
            assert not [bit for bit in MARKUP if bit in shown.replace("Tom & Jerry's <targets>", "")], (role, path)


def test_a_lead_officer_sees_the_return_sent_back_before_anything_else(journey, people, staff_pages):
    journey.page.set_viewport_size({"width": 375, "height": 900})
    journey.goto("/sign-in").sign_in(people.lead)
    banner = journey.page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("1 return needs changes")
    journey.click(".govuk-notification-banner a:has-text('Housing Services')")
    expect(journey.page.locator("main")).to_contain_text("Add the page number.")


def test_the_departments_are_asked_only_when_only_some_answer(journey, people):
    journey.goto("/sign-in").sign_in(people.cso)
    journey.goto("/cycles/new")
    departments = journey.page.locator("#conditional-department_scope-2")
    expect(departments).to_be_hidden()
    journey.page.check("input[name=department_scope][value=some]")
    expect(departments).to_be_visible()
    journey.check()  # axe again, with the panel open
    journey.page.check("input[name=department_scope][value=all]")
    expect(departments).to_be_hidden()


def test_the_review_page_jumps_to_the_decision_below_the_answers(journey, people, staff_pages):
    journey.goto("/sign-in").sign_in(people.cso)
    journey.goto(staff_pages["community_safety_officer"][9])
    journey.page.click("a[href='#decide']")
    journey.check()  # the same page, at its decision
    expect(journey.page.locator("#decide")).to_be_in_viewport()
    expect(journey.page.locator("button:has-text('Accept return')")).to_be_in_viewport()

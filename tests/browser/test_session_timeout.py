"""The idle-timeout warning (security.md item 4, WCAG 2.2.1), with a 12-second session."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serve


@pytest.fixture
def short_session_server(make_app):
    app = make_app(SESSION_IDLE_MINUTES=0.2, SESSION_WARNING_MINUTES=0.1)  # 12 s, warned at 6 s
    yield from serve(app)


def test_the_warning_appears_before_sign_out_and_staying_signed_in_works(short_session_server, new_journey, people):
    journey = new_journey(short_session_server)
    journey.goto("/sign-in").sign_in(people.cso).expect_heading("Dashboard")
    loaded = time.monotonic()
    dialog = journey.page.locator("#session-timeout-dialog")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog).to_contain_text("You are about to be signed out")
    expect(journey.page.locator("#session-timeout-stay")).to_be_focused()
    journey.check()  # axe with the dialog open
    journey.page.click("#session-timeout-stay")
    expect(dialog).to_be_hidden()
    time.sleep(max(0.0, 13 - (time.monotonic() - loaded)))  # past the original expiry
    journey.goto("/departments/").expect_heading("Departments")  # still signed in


def test_escape_also_keeps_you_signed_in(short_session_server, new_journey, people):
    journey = new_journey(short_session_server)
    journey.goto("/sign-in").sign_in(people.cso)
    dialog = journey.page.locator("#session-timeout-dialog")
    expect(dialog).to_be_visible(timeout=10_000)
    journey.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    journey.goto("/").expect_heading("Dashboard")


def test_without_action_you_are_signed_out_and_told_why(short_session_server, new_journey, people):
    journey = new_journey(short_session_server)
    journey.goto("/sign-in").sign_in(people.cso)
    journey.page.wait_for_url("**/sign-in?timed_out=1**", timeout=20_000)
    journey.check()
    expect(journey.page.locator(".govuk-notification-banner")).to_contain_text("You were signed out")
    journey.goto("/").expect_heading("Sign in")  # the server agrees: the session is over


def test_answers_typed_when_the_session_runs_out_are_kept_and_shown_back(make_app, new_journey, people):
    from tests.support import open_cycle

    app = make_app(SESSION_IDLE_MINUTES=0.2, SESSION_WARNING_MINUTES=0.1)
    made = open_cycle(app, people)
    server = serve(app)
    base = next(server)
    try:
        journey = new_journey(base)
        section = f"/returns/{made.housing}/sections/people"
        journey.goto("/sign-in").sign_in(people.lead)
        journey.goto(section).expect_heading("People and training")
        journey.page.fill("#q-staff-count", "140")  # typed, never saved: the person walked away
        journey.page.wait_for_url("**/sign-in?**timed_out=1**", timeout=25_000)
        journey.check()
        expect(journey.page.locator(".govuk-notification-banner")).to_contain_text("We kept the answers you had typed")
        journey.sign_in(people.lead)
        journey.page.wait_for_url(f"**{section}")
        journey.check()
        expect(journey.page.locator(".govuk-notification-banner")).to_contain_text("We kept the answers")
        expect(journey.page.locator("#q-staff-count")).to_have_value("140")
    finally:
        next(server, None)

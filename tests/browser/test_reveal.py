"""The hallmark checklist reveals each evidence and action box for the answers it belongs to (issue 15).

With JavaScript a box appears once one of its answers is chosen, and stays while it holds text;
without JavaScript every box is shown, with a hint saying which answers it is for. Every state
is scanned with axe, at a desktop and a phone width.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support import open_cycle

SURVEYS_DIR = Path(__file__).resolve().parents[2] / "surveys"
FIRST = "h1-strategy-group"


@pytest.fixture
def app(make_app):
    return make_app(SURVEYS_DIR=str(SURVEYS_DIR))


def _boxes(page, question_id: str):
    block = page.locator(f"#q-{question_id}-block")
    return (block.locator(".app-follow-up").filter(has=page.locator(f"#q-{question_id}-evidence")),
            block.locator(".app-follow-up").filter(has=page.locator(f"#q-{question_id}-action")))


@pytest.mark.parametrize("width", [1280, 375])
def test_boxes_appear_for_their_own_answers_and_never_hide_typed_text(app, journey, people, width):
    cycle = open_cycle(app, people, definitions=("hallmarks-of-effective-partnership",))
    page = journey.page
    page.set_viewport_size({"width": width, "height": 900})
    journey.goto("/sign-in").sign_in(people.cso)
    journey.goto(f"/returns/{cycle.partnership}/sections/leadership")
    evidence, action = _boxes(page, FIRST)
    expect(evidence).to_be_hidden()  # nothing chosen yet: neither box
    expect(action).to_be_hidden()
    assert page.locator(".app-follow-up:visible").count() == 0

    page.check(f"#q-{FIRST}")  # Met
    expect(evidence).to_be_visible()
    expect(action).to_be_hidden()
    expect(page.locator(f"#q-{FIRST}")).to_have_attribute("aria-controls", f"q-{FIRST}-reveal-1")
    journey.check()
    page.check(f"input[name='q-{FIRST}'][value='partly_met']")
    expect(evidence).to_be_visible()
    expect(action).to_be_visible()
    page.check(f"input[name='q-{FIRST}'][value='not_met']")
    expect(evidence).to_be_hidden()
    expect(action).to_be_visible()
    journey.check()

    # Text typed in a box stays in view whatever the answer becomes.
    page.check(f"#q-{FIRST}")
    page.fill(f"#q-{FIRST}-evidence", "Terms of reference, March 2026")
    page.check(f"input[name='q-{FIRST}'][value='not_applicable']")
    expect(evidence).to_be_visible()
    expect(action).to_be_hidden()
    journey.check()

    # Saved and opened again: the boxes start as the answers left them.
    journey.submit("Save and come back later")
    journey.click("a:has-text('Hallmark 1')")
    evidence, action = _boxes(page, FIRST)
    expect(evidence).to_be_visible()
    expect(page.locator(f"#q-{FIRST}-evidence")).to_have_value("Terms of reference, March 2026")
    expect(action).to_be_hidden()


def test_without_javascript_every_box_is_shown_with_a_hint(app, browser, live_server, people):
    """axe needs JavaScript, so this page is scanned in the test above; here only what shows is checked."""
    cycle = open_cycle(app, people, definitions=("hallmarks-of-effective-partnership",))
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server}/sign-in")
        page.fill("#email", people.cso.email)
        page.fill("#password", people.cso.password)
        with page.expect_navigation():
            page.click("button:has-text('Sign in')")
        page.goto(f"{live_server}/returns/{cycle.partnership}/sections/leadership")
        questions = page.locator(".app-question").count()
        assert questions > 0
        expect(page.locator(".app-follow-up:visible")).to_have_count(2 * questions)
        evidence, action = _boxes(page, FIRST)
        expect(evidence).to_contain_text("Needed if you answer ‘Met’. Optional if you answer ‘Partly met’.")
        expect(action).to_contain_text("Needed if you answer ‘Not met’. Optional if you answer ‘Partly met’.")
    finally:
        context.close()

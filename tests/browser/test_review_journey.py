"""Review that supports judgement, in a real browser (issue 17): comments beside answers, what changed,
the decision at the foot. Every page is scanned with axe; the review page is photographed at 1280 and 375 px."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.functional.test_review_comments import submit
from tests.support import open_cycle, signed_in


def photograph(journey, name: str) -> None:
    """Full-page pictures at desktop and phone widths, for a person to read (tests/.artifacts)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = journey.page
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_reviewer_comments_returns_and_sees_exactly_what_the_officer_changed(app, people, journey, new_journey):
    cycle = open_cycle(app, people)
    submit(signed_in(app, people.lead), cycle.housing)

    # The community safety officer comments on two answers, then returns it.
    cso = journey
    cso.goto("/sign-in").sign_in(people.cso)
    cso.goto(f"/review/{cycle.housing}")
    page = cso.page
    duty = page.locator("#answer-plan-mentions-duty")
    duty.locator("summary:has-text('Comment on this answer')").click()
    duty.locator("textarea").fill("The service plan you cite does not mention anti-social behaviour.")
    cso.click("#answer-plan-mentions-duty button:has-text('Add comment')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your comment has been added")
    staff = page.locator("#answer-staff-trained")
    staff.locator("summary:has-text('Comment on this answer')").click()
    staff.locator("textarea").fill("Which staff count as front line here?")
    cso.click("#answer-staff-trained button:has-text('Add comment')")
    cso.click("#answer-plan-mentions-duty button:has-text('Mark evidence checked')")
    expect(page.locator("#answer-plan-mentions-duty")).to_contain_text("Evidence checked by Chris Safety")
    expect(page.locator("#decide + p + h3")).to_contain_text("2 comments still open")
    photograph(cso, "review-with-draft-comments")
    page.fill("#reason", "Two answers need another look: see the comments beside them.")
    cso.submit("Return for changes")

    # The lead officer sees the comments beside the questions, changes one answer and replies to the other.
    lead = new_journey()
    lead.goto("/sign-in").sign_in(people.lead)
    lead.goto(f"/returns/{cycle.housing}")
    expect(lead.page.locator("main")).to_contain_text("The reviewer commented on 2 answers")
    lead.click("main ul a:has-text('Does your service plan mention the duty?')")
    expect(lead.page.locator(".app-comments")).to_contain_text("does not mention anti-social behaviour")
    photograph(lead, "section-with-a-comment")
    lead.page.fill("#q-plan-mentions-duty-evidence", "Service plan 2026, section 3, page 8 (anti-social behaviour)")
    lead.submit("Save and continue")
    lead.click("a:has-text('Reply to this comment')")
    lead.page.fill("#body", "Housing officers and caretakers: 40 of the 100 staff.")
    lead.submit("Send reply")
    expect(lead.page.locator(".govuk-notification-banner")).to_contain_text("Your reply has been sent")
    lead.goto(f"/returns/{cycle.housing}/check")
    lead.page.check("#declaration")
    lead.submit("Submit return")
    expect(lead.page.locator(".govuk-panel")).to_contain_text("Return submitted")

    # The reviewer sees the one changed answer with what it said before, filters to it, and accepts.
    cso.goto(f"/review/{cycle.housing}")
    expect(page.locator("main")).to_contain_text("1 answer changed since submission 1")
    expect(page.locator("#answer-plan-mentions-duty .app-before")).to_contain_text("Service plan 2026, section 3")
    expect(page.locator("#answer-plan-mentions-duty")).not_to_contain_text("Evidence checked by")  # it changed
    expect(page.locator("#answer-staff-trained")).to_contain_text("the lead officer replied")
    photograph(cso, "review-resubmitted")
    cso.click("a:has-text('Show only the 1 changed answer')")
    expect(page.locator(".app-review-answer")).to_have_count(1)
    cso.click("a:has-text('Show all answers')")
    cso.submit("Accept return")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You accepted the return for Housing Services")

"""A return's whole life in a real browser, every page scanned with axe."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support import open_cycle


def test_a_return_is_answered_submitted_returned_resubmitted_and_accepted(app, journey, new_journey, people):
    cycle = open_cycle(app, people)

    # The lead officer starts from their home page.
    journey.goto("/sign-in").sign_in(people.lead)
    journey.click(f"main a[href='/returns/{cycle.housing}']")
    journey.expect_heading("Small departmental check")
    journey.click("a:has-text('Planning')")
    page = journey.page

    # The follow-up question appears only once "Yes" is chosen.
    follow_up = page.locator("#q-plan-targets-block")
    expect(follow_up).to_be_hidden()
    page.check("#q-plan-mentions-duty")  # the first radio: Yes
    expect(follow_up).to_be_visible()
    journey.check()  # the page with the follow-up revealed
    page.fill("#q-plan-mentions-duty-evidence", "Service plan 2026 to 2027, section 3")
    page.check("input[name='q-plan-targets'][value='aims']")
    journey.submit("Save and come back later")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your answers have been saved")
    expect(page.locator(".govuk-task-list")).to_contain_text("Completed")

    # Coming back: the answers are there. A bad number is explained and kept as typed.
    journey.click("a:has-text('People and training')")
    page.fill("#q-staff-trained", "3,4")
    page.check("input[name='q-training-topics'][value='crime']")
    page.check("input[name='q-training-topics'][value='substances']")
    page.check("input[name='q-training-topics'][value='violence']")
    page.check("input[name='q-lead-named'][value='officer']")
    page.fill("#q-lead-named-evidence", "Jo Bloggs, tenancy manager")
    page.fill("#q-staff-count", "120")
    journey.submit("Save and continue")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the answer to ‘What share of front-line staff have had training on the duty?’")
    expect(page.locator("#q-staff-trained")).to_have_value("3,4")
    page.click(".govuk-error-summary a")  # the link takes you to the field
    expect(page.locator("#q-staff-trained")).to_be_focused()
    page.fill("#q-staff-trained", "60")
    journey.submit("Save and continue")
    journey.expect_heading("Check your answers before you submit")
    expect(page.locator("main")).to_contain_text("Aims without measures")
    expect(page.locator("main")).to_contain_text("60%")

    # Change an answer from the check page: saving goes straight back there, to the answer changed.
    journey.click("a[href$='#q-plan-targets-block']")
    page.check("input[name='q-plan-targets'][value='smart']")
    journey.submit("Save and continue")
    journey.expect_heading("Check your answers before you submit")
    assert page.url.endswith(f"/returns/{cycle.housing}/check#answer-plan-targets")
    expect(page.locator("main")).to_contain_text("Measurable targets with dates")
    journey.submit("Submit return")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm the declaration")
    page.check("#declaration")
    journey.submit("Submit return")
    expect(page.locator(".govuk-panel")).to_contain_text("Return submitted")

    # Another department's lead officer cannot open it.
    other = new_journey()
    other.goto("/sign-in").sign_in(people.other_lead)
    other.goto(f"/returns/{cycle.housing}").expect_heading("Page not found")

    # The community safety officer returns it with a reason.
    cso = new_journey()
    cso.goto("/sign-in").sign_in(people.cso)
    cso.click("a:has-text('waiting for your review')")
    cso.click("main table a:has-text('Housing Services')")
    cso.submit("Return for changes")  # no reason yet
    expect(cso.page.locator(".govuk-error-summary")).to_contain_text("Say what needs to change")
    cso.page.fill("#reason", "Please add the page number of the service plan.")
    cso.submit("Return for changes")
    expect(cso.page.locator(".govuk-notification-banner")).to_contain_text("has been sent back for changes")

    # The lead officer sees the reason, changes the evidence and submits again.
    journey.goto(f"/returns/{cycle.housing}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Please add the page number")
    journey.click("a:has-text('Planning')")
    page.fill("#q-plan-mentions-duty-evidence", "Service plan 2026 to 2027, section 3, page 12")
    journey.submit("Save and continue")
    journey.submit("Save and continue")
    page.check("#declaration")
    journey.submit("Submit return")
    expect(page.locator(".govuk-panel")).to_contain_text("Return submitted")

    # Accepted, and the history tells the whole story.
    cso.goto(f"/review/{cycle.housing}")
    expect(cso.page.locator("main")).to_contain_text("page 12")
    cso.submit("Accept return")
    history = cso.page.locator("main ol")
    expect(history).to_contain_text("Sent the return for Housing Services back for changes")
    expect(history).to_contain_text("(submission 2)")
    expect(history).to_contain_text("Accepted the return for Housing Services")
    journey.goto(f"/returns/{cycle.housing}")
    expect(page.locator("main")).to_contain_text("accepted it")


def test_the_community_safety_officer_sets_up_and_opens_a_cycle(app, journey, people):
    journey.goto("/sign-in").sign_in(people.cso)
    journey.click(".govuk-service-navigation__list a:has-text('Audit cycles')")
    journey.click("a:has-text('Set up a cycle')")
    page = journey.page
    journey.submit("Save cycle")  # empty: errors everywhere
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the cycle")
    page.fill("#name", "Section 17 audit 2026 to 2027")
    for field, (day, month, year) in {"period_start": ("1", "4", "2026"), "period_end": ("31", "3", "2027"),
                                      "deadline": ("31", "12", "2030")}.items():
        page.fill(f"#{field}-day", day)
        page.fill(f"#{field}-month", month)
        page.fill(f"#{field}-year", year)
    page.check("input[name='questionnaires'][value='small-departmental']")
    journey.submit("Save cycle")
    journey.expect_heading("Section 17 audit 2026 to 2027")
    journey.click("a:has-text('Open cycle')")
    journey.submit("Open cycle")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is open")
    expect(page.locator("main")).to_contain_text("Housing Services")
    expect(page.locator("main")).to_contain_text("Planning Services")

"""Review that supports judgement, in a real browser (issue 17): comments beside answers, a PDF attached,
what changed, the file found by a word inside it, the return accepted and printed, the evidence pack proved.
Every page is scanned with axe; the main pages are photographed at 1280 and 375 px."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import ARTIFACTS
from tests.evidence_samples import pdf_with_text
from tests.functional.test_review_comments import submit
from tests.support import open_cycle, run_queued_jobs, signed_in


def photograph(journey, name: str) -> None:
    """Full-page pictures at desktop and phone widths, for a person to read (tests/.artifacts)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = journey.page
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_reviewer_comments_returns_and_sees_exactly_what_the_officer_changed(app, people, journey, new_journey,
                                                                               tmp_path):
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
    lead.click("#q-plan-mentions-duty-block ~ .app-answer-files button")  # saves the page, then opens its files
    expect(lead.page.locator("h1")).to_have_text("Evidence files")
    plan = tmp_path / "Service plan 2026.pdf"
    plan.write_bytes(pdf_with_text("Housing service plan 2026", "Section 3: neighbourhood wardens and estate ASB"))
    lead.page.set_input_files("#files", str(plan))
    lead.submit("Attach files")
    expect(lead.page.locator(".govuk-notification-banner")).to_contain_text("Attached Service plan 2026.pdf")
    photograph(lead, "evidence-files")
    lead.click("a.govuk-back-link")
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
    expect(page.locator("#answer-plan-mentions-duty")).to_contain_text("Files attached since submission 1: "
                                                                       "Service plan 2026.pdf")

    # The file is found by a word inside it.
    run_queued_jobs(app)  # the worker reads the PDF's words
    cso.click("header a:has-text('Search'), nav a:has-text('Search')")
    page.fill("#q", "wardens")
    cso.submit("Search")
    expect(page.locator(".app-search-group")).to_contain_text("File Service plan 2026.pdf")
    expect(page.locator("mark").first).to_have_text("wardens")
    photograph(cso, "search-results")
    cso.click(".app-search-group h3 a")  # to the return
    cso.submit("Accept return")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You accepted the return for Housing Services")

    # Printed for a committee paper: the print view, and its PDF.
    cso.click("a:has-text('Print view')")
    expect(page.locator("h1")).to_contain_text("Housing Services: Small departmental check")
    photograph(cso, "print-view")
    with page.expect_download() as download:
        page.click("a:has-text('download it as a PDF')")
    pdf = PdfReader(download.value.path())
    assert "Does your service plan mention the duty?" in "".join(p.extract_text() or "" for p in pdf.pages)

    # The auditor downloads the evidence pack, and its manifest's hashes match the files.
    auditor = new_journey()
    auditor.goto("/sign-in").sign_in(people.auditor)
    auditor.goto(f"/cycles/{cycle.cycle_id}/export")
    auditor.page.check("input[name='kind'][value='zip']")
    auditor.submit("Make the export")
    run_queued_jobs(app)
    auditor.goto(auditor.page.url.split(auditor.base_url, 1)[1])
    with auditor.page.expect_download() as download:
        auditor.page.click("a:has-text('Download the evidence pack')")
    archive = zipfile.ZipFile(download.value.path())
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert [row["File in this pack"].rsplit("/", 1)[1] for row in manifest] == ["Service plan 2026.pdf"]
    for row in manifest:
        assert hashlib.sha256(archive.read(row["File in this pack"])).hexdigest() == row["SHA-256"]


def test_last_years_answers_are_carried_over_and_confirmed(app, people, journey, new_journey):
    from datetime import timedelta

    from app.extensions import db
    from app.models import Cycle
    from tests.functional.test_results import HOUSING_ANSWERS, answer

    last = open_cycle(app, people, name="Audit 2025 to 2026")
    answer(app, last.housing, HOUSING_ANSWERS, "accepted")
    with app.app_context():
        earlier = db.session.get(Cycle, last.cycle_id)
        earlier.period_start -= timedelta(days=365)
        earlier.period_end -= timedelta(days=365)
        db.session.commit()
    this = open_cycle(app, people, name="Audit 2026 to 2027")

    cso = journey
    cso.goto("/sign-in").sign_in(people.cso)
    cso.goto(f"/cycles/{this.cycle_id}")
    cso.click("a:has-text('Pre-fill from last year')")
    expect(cso.page.locator("h1")).to_have_text("Pre-fill 1 return from last year?")
    cso.submit("Pre-fill returns")
    expect(cso.page.locator(".govuk-notification-banner")).to_contain_text("Pre-filled 1 return with 6 answers")

    lead = new_journey()
    lead.goto("/sign-in").sign_in(people.lead)
    lead.goto(f"/returns/{this.housing}")
    expect(lead.page.locator("main")).to_contain_text("Answers carried over from last year")
    photograph(lead, "carried-over-task-list")
    lead.submit("Confirm all 4")
    expect(lead.page.locator(".govuk-notification-banner")).to_contain_text("Confirmed 4 answers carried over")
    lead.click("a.govuk-link:has-text('Planning')")
    expect(lead.page.locator(".app-carried").first).to_contain_text("filled in with last year's answer")
    lead.submit("Save and continue")
    lead.goto(f"/returns/{this.housing}/check")
    expect(lead.page.locator("main")).not_to_contain_text("Carried over: confirm or change")

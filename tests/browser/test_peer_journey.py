"""A peer answers by invitation link in a real browser, with axe on every page; a revoked link is refused."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Assignment, PeerPartnership
from tests.support import open_cycle


def test_an_officer_invites_a_peer_who_answers_by_link_without_an_account(app, journey, new_journey, people):
    open_cycle(app, people, definitions=("small-departmental", "small-partnership", "small-peer"))
    with app.app_context():
        db.session.add(PeerPartnership(name="Amber Valley", area="Derbyshire", family_group="Group 7"))
        db.session.commit()

    # The community safety officer finds the partnership and makes a link.
    officer = journey
    officer.goto("/sign-in").sign_in(people.cso)
    officer.click("nav a:has-text('Benchmarking')").expect_heading("Peer partnerships")
    officer.click("main a:has-text('Amber Valley')").expect_heading("Amber Valley")
    officer.click("a:has-text('Invite a contact to answer')")
    page = officer.page
    page.fill("#contact_name", "Jo Bloggs")
    officer.submit("Make the link")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their email address")
    officer.check()  # the error state
    page.fill("#contact_email", "jo.bloggs@ambervalley.example")
    officer.submit("Make the link").expect_heading("Invitation for Jo Bloggs")
    link = page.locator("#invitation-link").input_value()
    expect(page.locator("#invitation-text")).to_contain_text(link)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("button:has-text('Copy link')")
    expect(page.locator(".app-copy-status")).to_have_text("Link copied.")

    # The peer has no account: a fresh browser with nothing but the link.
    peer = new_journey()
    peer.page.goto(link)
    peer.check().expect_heading("Small peer questionnaire")
    expect(peer.page.locator("main")).to_contain_text("For Amber Valley")
    peer.click("a:has-text('Start now')")
    peer.click("a:has-text('Approaches')").expect_heading("Approaches")
    peer.page.fill("#q-approach-link-officers-evidence", "Typed before choosing")
    peer.page.check("input[name='q-approach-link-officers'][value='in_place']")
    peer.page.fill("#q-approach-link-officers-evidence", "A link officer in every department since 2024")
    peer.submit("Save and come back later")
    expect(peer.page.locator(".govuk-notification-banner")).to_contain_text("Your answers have been saved")

    # Days later, the same link: the answers are there; finish and submit.
    peer.page.goto(link)
    peer.check()
    peer.click("a:has-text('Continue')")
    peer.click("a:has-text('Figures')")
    peer.page.fill("#q-population", "122300")
    peer.submit("Save and continue").expect_heading("Check your answers before you send them")
    expect(peer.page.locator("main")).to_contain_text("A link officer in every department since 2024")
    peer.page.check("#declaration")
    peer.submit("Send your answers")
    expect(peer.page.locator(".govuk-panel")).to_contain_text("Answers sent")
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.respondent_type == "peer"))
        assert assignment.status == "submitted"
        assert {a.question_id for a in db.session.scalars(select(Answer).where(Answer.assignment_id == assignment.id))} \
            == {"approach-link-officers", "population"}

    # The officer sees the answers, and revokes the link; it then stops working.
    officer.goto("/benchmarking/peers/").expect_heading("Peer partnerships")
    expect(officer.page.locator("main")).to_contain_text("Answers submitted")
    officer.click("main a:has-text('Amber Valley')")
    officer.click("a:has-text('Jo Bloggs')").expect_heading("Invitation for Jo Bloggs")
    officer.page.fill("#reason", "Finished with")
    officer.submit("Revoke the link")
    expect(officer.page.locator(".govuk-notification-banner")).to_contain_text("has been revoked")
    peer.page.goto(link)
    peer.check().expect_heading("This link no longer works")

"""E-mail journeys in a real browser, with axe on every page, a real queue consumer and a real SMTP server.

The CSO chases two returns (choosing, adding a note, reading the exact message
first), sees the messages go in the outbox and opens one; a lead officer who has
forgotten their password asks for a link, opens it from the message, chooses a new
password and signs in with it. Screenshots at 1280 and 375 px go to tests/.artifacts/mail/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.mail_sink import smtp_sink, text_part
from tests.support import open_cycle, worker_threads

SHOTS = Path(__file__).resolve().parents[1] / ".artifacts" / "mail"


@pytest.fixture
def sink():
    with smtp_sink() as server:
        yield server


@pytest.fixture
def app(make_app, sink) -> Iterator[Flask]:
    app = make_app(MAIL_URL=sink.url, MAIL_FROM="section17@council.example")
    with worker_threads(app):
        yield app


def shoot(journey, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        journey.page.set_viewport_size({"width": width, "height": 900})
        journey.page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    journey.page.set_viewport_size({"width": 1280, "height": 900})


def test_the_cso_chases_returns_with_a_preview_and_follows_them_in_the_outbox(app, journey, people, sink):
    made = open_cycle(app, people)
    sink.wait_for(2)  # the opening messages, sent by the worker
    officer = journey
    officer.goto("/sign-in").sign_in(people.cso)
    officer.goto(f"/cycles/{made.cycle_id}")
    officer.click("a:has-text('Chase returns')").expect_heading("Chase returns")
    page = officer.page
    expect(page.locator("input[name='returns']:checked")).to_have_count(2)
    shoot(officer, "chase")
    page.uncheck("input[name='returns']:checked >> nth=1")
    page.fill("#note", "The partnership board meets on 9 March.")
    officer.submit("Preview the message").expect_heading("Check the reminder before you send it")
    expect(page.locator("main")).to_contain_text("1 message will be sent")
    expect(page.locator(".app-message-text")).to_contain_text("The partnership board meets on 9 March.")
    shoot(officer, "chase-preview")
    officer.submit("Send 1 reminder").expect_heading("Outbox")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 reminder is being sent")
    chased = [m for m in sink.wait_for(3) if "asks you to complete" in str(m["Subject"])]
    assert len(chased) == 1 and "The partnership board meets on 9 March." in text_part(chased[0])
    page.reload()
    officer.check()
    expect(page.locator("main")).to_contain_text("asks you to complete")
    shoot(officer, "outbox")
    officer.click("main a:has-text('asks you to complete')")
    expect(page.locator("main")).to_contain_text("Sent through SMTP")
    shoot(officer, "message")
    officer.goto(f"/review/{made.housing}")
    expect(page.locator("main")).to_contain_text("Messages about this return")


def test_a_lead_officer_resets_a_forgotten_password_from_the_e_mailed_link(app, journey, people, sink):
    lead = journey
    lead.goto("/sign-in")
    lead.click("a:has-text('I have forgotten my password')").expect_heading("Reset your password")
    lead.submit("Send me a link")
    expect(lead.page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    lead.check()
    lead.page.fill("#email", people.lead.email)
    lead.submit("Send me a link").expect_heading("Check your email")
    shoot(lead, "reset-sent")
    message = sink.wait_for(1)[0]
    link = re.search(r"http://127\.0\.0\.1:5000(/reset-password/\S+)", text_part(message)).group(1)
    lead.goto(link).expect_heading("Choose a new password")
    shoot(lead, "reset-choose")
    lead.page.fill("#new_password", "gravel lantern orchard tuesday")
    lead.submit("Save password").expect_heading("Sign in")
    expect(lead.page.locator(".govuk-notification-banner")).to_contain_text("Your password has been changed")
    lead.sign_in(people.lead.email, "gravel lantern orchard tuesday")
    expect(lead.page.locator("h1").first).not_to_have_text("Sign in")
    lead.goto(link).expect_heading("This link cannot be used")

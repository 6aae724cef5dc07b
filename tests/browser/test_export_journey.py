"""Exports in the browser: a background export watched to the end and downloaded, and one that fails.

Every export here goes to the background (EXPORT_BACKGROUND_ANSWERS=1). Each job is held
at the start of writing until the test lets it go, so the page is seen (and scanned by
axe) while the export is still running, and then updated by the page's own script.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import openpyxl
import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from app.export_jobs import jobs
from app.extensions import db
from app.models import Cycle, Department
from app.questionnaires.registry import DEFAULT_SURVEYS_DIR
from tests.support import worker_threads

WAIT_SECONDS = 60


@pytest.fixture
def app(make_app) -> Iterator[Flask]:
    """The demo council, served by the journey's live server, with every export in the background."""
    app = make_app(SURVEYS_DIR=str(DEFAULT_SURVEYS_DIR), EXPORT_BACKGROUND_ANSWERS=1)
    with worker_threads(app):  # a real consumer writes the exports, as `section17 worker` would
        yield app


@pytest.fixture
def demo(app):
    with app.app_context():
        from app.demo.services import CYCLE_NAME, load_demo

        credentials = {}
        for credential in load_demo():
            credentials.setdefault(credential.role.value, credential)
        cycle_id = db.session.scalar(select(Cycle.id).where(Cycle.name == CYCLE_NAME))
        revenue = db.session.scalars(select(Department).where(Department.code == "REV")).one()
        return credentials, cycle_id, (revenue.id, revenue.name)


@pytest.fixture
def held(monkeypatch) -> threading.Event:
    """Exports wait at the start until the event is set."""
    release = threading.Event()
    real = jobs.write_export

    def waiting(*args, **kwargs):
        assert release.wait(WAIT_SECONDS), "the test never let the export go"
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "write_export", waiting)
    yield release
    release.set()


def test_officer_watches_a_background_export_finish_and_downloads_it(journey, demo, held, tmp_path):
    credentials, cycle_id, _revenue = demo
    officer = credentials["community_safety_officer"]
    journey.sign_in(officer.email, officer.password)
    journey.goto(f"/cycles/{cycle_id}")
    journey.click("main a:has-text('Export this cycle to a spreadsheet')").expect_heading("Export to a spreadsheet")
    page = journey.page
    expect(page.locator("main")).to_contain_text("The whole cycle holds")
    expect(page.locator("#scope")).to_have_value("cycle")
    page.check("input[name=kind][value=xlsx]")
    journey.submit("Make the export").expect_heading("Excel workbook of the whole cycle")
    status = page.locator("[data-export-text]")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_contain_text("returns written")
    expect(page.locator("progress#export-progress")).to_be_visible()
    journey.click("a:has-text('Check progress')")  # the way without JavaScript: the page again
    expect(page.locator("[data-export-download]")).to_be_hidden()

    held.set()
    link = page.locator("[data-export-download] a")
    expect(link).to_be_visible(timeout=WAIT_SECONDS * 1000)  # the script saw it finish
    expect(status).to_contain_text("Ready:")
    expect(page.locator("[data-export-check]")).to_be_hidden()
    progress = page.locator("progress#export-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max")
    journey.check()

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("section17-") and download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    assert {"About", "Summary", "Responses", "Gaps", "Audit log"} <= set(workbook.sheetnames)
    workbook.close()

    journey.goto(f"/cycles/{cycle_id}/export")
    expect(page.locator("#your-exports + table")).to_contain_text("Ready")


def test_form_errors_and_a_failed_export_are_explained(journey, demo, monkeypatch):
    credentials, cycle_id, (revenue, revenue_name) = demo
    release = threading.Event()

    def broken(*args, **kwargs):
        assert release.wait(WAIT_SECONDS)
        raise OSError("No space left on device")

    monkeypatch.setattr(jobs, "write_export", broken)
    auditor = credentials["auditor"]
    journey.sign_in(auditor.email, auditor.password)
    journey.goto(f"/cycles/{cycle_id}/results")
    journey.click(".app-subnav a:has-text('Export')").expect_heading("Export to a spreadsheet")
    page = journey.page
    page.select_option("#scope", value=str(revenue))
    journey.submit("Make the export")  # without a format
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a format: Excel workbook, CSV or evidence pack")
    expect(page.locator("#scope")).to_have_value(str(revenue))
    page.check("input[name=kind][value=csv]")
    journey.submit("Make the export").expect_heading(f"Responses CSV of {revenue_name}")
    release.set()
    try_again = page.get_by_role("button", name="Try again")
    expect(try_again).to_be_visible(timeout=WAIT_SECONDS * 1000)  # the script reloaded the page to explain
    expect(page.locator("main")).to_contain_text(jobs.FAILED_MESSAGE)
    expect(page.locator("main")).not_to_contain_text("No space left")
    journey.check()

"""Crime benchmarking in a real browser: importing figures, the summary and a group table, with axe on every page."""

from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from app.models import PeerPartnership


def test_an_officer_imports_crime_figures_and_an_auditor_reads_the_family_groups_table(
        app, journey, new_journey, people, tmp_path):
    with app.app_context():
        for name, own in (("South Derbyshire", True), ("Amber Valley", False), ("Bassetlaw", False),
                          ("Rushcliffe", False), ("Boston", False)):
            db.session.add(PeerPartnership(name=name, family_group="Family group 7", is_own=own))
        db.session.commit()
    bad = tmp_path / "bad.csv"
    bad.write_text("partnership,offence,period,rate_per_1000\nSouth Derbyshire,robbery,2001/02,\"3,4\"\n"
                   "Nowhere,robbery,2001/02,1.0\n")
    good = tmp_path / "robbery.csv"
    good.write_text("partnership,offence,period,rate_per_1000,change_pct\n"
                    "South Derbyshire,robbery,2001/02,0.3,100.0\nAmber Valley,robbery,2001/02,0.5,58.8\n"
                    "Bassetlaw,robbery,2001/02,0.3,-4.0\nRushcliffe,robbery,2001/02,0.9,12.0\n"
                    "Boston,robbery,2001/02,1.2,\n")

    officer = journey
    officer.goto("/sign-in").sign_in(people.cso)
    officer.click("nav a:has-text('Benchmarking')")
    officer.click(".app-subnav a:has-text('Crime benchmarking')").expect_heading("Crime benchmarking")
    officer.click("a:has-text('Import crime figures')").expect_heading("Import crime figures")
    page = officer.page
    page.set_input_files("#sheet", str(bad))
    officer.submit("Check the file")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("row 2, column rate_per_1000")
    expect(summary).to_contain_text("row 3, column partnership")
    page.set_input_files("#sheet", str(good))
    officer.submit("Check the file").expect_heading("Check the crime figures")
    officer.submit("Save 5 figures")
    expect(page.locator(".govuk-notification-banner")).to_be_visible()

    auditor = new_journey()
    auditor.goto("/sign-in").sign_in(people.auditor)
    auditor.goto("/benchmarking/crime/").expect_heading("Crime benchmarking")
    expect(auditor.page.locator("main")).not_to_contain_text("Import crime figures")
    auditor.click("main a:has-text('Robbery')")
    expect(auditor.page.locator("svg[role=img]:visible title")).to_contain_text("Robbery")
    own_row = auditor.page.locator("tr", has_text="Our partnership")
    expect(own_row).to_contain_text("South Derbyshire")
    expect(own_row).to_contain_text("1 of 5")  # tied with Bassetlaw for the lowest rate: both rank 1
    expect(auditor.page.locator("main")).to_contain_text("Top quartile")
    auditor.goto("/benchmarking/crime/table?offence=robbery&period=1999/00")  # a period with no figures
    expect(auditor.page.locator(".govuk-error-summary")).to_contain_text("1999/00")
    auditor.check()
    auditor.click(".app-subnav a:has-text('Offence types')").expect_heading("Offence types")

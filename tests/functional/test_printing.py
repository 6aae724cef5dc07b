"""A return on paper (issue 17, part 5): a print view with no navigation, sections on their own pages,
every answer with its evidence, files and comments, the review history; the same page as a PDF."""

from __future__ import annotations

import html
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from tests.functional.test_evidence_files import PLAN, upload
from tests.functional.test_review_comments import comment, send_back, submit
from tests.support import signed_in


def words(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_the_print_view_holds_the_whole_return_without_the_sites_navigation(app, people, cycle, lead):
    upload(lead, cycle.housing, ("Service plan.pdf", PLAN))
    submit(lead, cycle.housing)
    cso = signed_in(app, people.cso)
    comment(cso, cycle.housing, "plan-mentions-duty", "Which page mentions graffiti?")
    send_back(cso, cycle.housing, "See the comment on the service plan.")
    page = lead.get(f"/returns/{cycle.housing}/print").get_data(as_text=True)
    assert "govuk-service-navigation" not in page and "govuk-header" not in page
    text = words(page)
    assert "Housing Services: Small departmental check" in text
    assert "Does your service plan mention the duty? Yes" in text
    assert "Evidence: Service plan 2026, section 3" in text
    assert "Evidence files Service plan.pdf" in text and "SHA-256" in text
    assert "Which page mentions graffiti?" in text
    assert "Review history" in text and "Sent the return for Housing Services back for changes" in text
    assert page.count('class="section"') == 3  # two sections of questions and the history, each a new page
    assert 'href="/static/print/print.css"' in page


def test_the_pdf_is_the_same_return_and_is_audited(app, people, cycle, lead):
    submit(lead, cycle.housing)
    response = signed_in(app, people.auditor).get(f"/returns/{cycle.housing}/print.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=section17-audit-2026-to-2027-hous-return.pdf")
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert len(reader.pages) >= 3  # the sections start new pages
    assert "Does your service plan mention the duty?" in text and "Review history" in text
    assert "Page 1 of" in text
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.printed"))
        assert event.actor_id == people.auditor.id


def test_a_lead_officer_cannot_print_another_departments_return(app, people, cycle):
    other = signed_in(app, people.other_lead)
    assert other.get(f"/returns/{cycle.housing}/print").status_code == 404
    assert other.get(f"/returns/{cycle.housing}/print.pdf").status_code == 404
    assert signed_in(app, people.admin).get(f"/returns/{cycle.housing}/print").status_code == 403


def test_a_draft_comment_is_printed_for_reviewers_only(app, people, cycle, lead):
    submit(lead, cycle.housing)
    cso = signed_in(app, people.cso)
    comment(cso, cycle.housing, "plan-mentions-duty", "Draft thought about graffiti")
    assert "Draft thought about graffiti" in cso.get(f"/returns/{cycle.housing}/print").get_data(as_text=True)
    assert "Draft thought" not in lead.get(f"/returns/{cycle.housing}/print").get_data(as_text=True)

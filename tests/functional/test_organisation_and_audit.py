"""Organisation settings and the audit log (security.md item 20)."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from app.audit.services import record_event
from app.extensions import db
from app.models import AuditEvent


def test_organisation_names_appear_in_the_header_and_footer(web, people):
    web.sign_in(people.admin)
    response = web.post("/admin/organisation", {"council_name": "Amber Valley Borough Council",
                                                "partnership_name": "Amber Valley CSP"})
    assert response.status_code == 302
    page = web.get("/").get_data(as_text=True)
    assert '<span class="app-header__organisation">Amber Valley Borough Council</span>' in page
    assert "for Amber Valley CSP." in page
    assert "- Section 17 Audit - Amber Valley Borough Council</title>" in page


def test_organisation_names_have_clear_length_errors(web, people):
    web.sign_in(people.admin)
    page = web.post("/admin/organisation", {"council_name": "C" * 151, "partnership_name": "P" * 151}).get_data(
        as_text=True)
    assert "Council name must be 150 characters or fewer" in page
    assert "Partnership name must be 150 characters or fewer" in page


def test_organisation_names_are_required(web, people):
    web.sign_in(people.admin)
    page = web.post("/admin/organisation", {"council_name": "", "partnership_name": ""}).get_data(as_text=True)
    assert "Enter the council&#39;s name" in page and "Enter the partnership&#39;s name" in page


def test_organisation_names_are_escaped(web, people):
    web.sign_in(people.admin)
    web.post("/admin/organisation", {"council_name": "<script>alert(1)</script>", "partnership_name": "P"})
    page = web.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_audit_log_records_sign_ins_failures_and_changes(app, web, people):
    web.sign_in(people.lead.email, "not the password at all")
    web.sign_in(people.admin)
    web.post("/admin/organisation", {"council_name": "Boston Borough Council", "partnership_name": "Boston CSP"})
    page = html.unescape(web.get("/audit-log/").get_data(as_text=True))
    assert "Sign-in failed: wrong password" in page
    assert "Signed in" in page
    assert "Organisation names changed" in page
    assert "Boston Borough Council" in page  # the after values are shown


def test_the_audit_log_filters_by_type_and_person(app, web, people):
    web.sign_in(people.lead.email, "not the password at all")
    web.sign_in(people.auditor)
    page = web.get("/audit-log/?group=auth&person=LENA.LEAD@council.example").get_data(as_text=True)
    assert "Sign-in failed" in page
    assert "1 event<" in page
    by_name = web.get("/audit-log/?person=alex").get_data(as_text=True)  # part of a name
    assert "Alex Auditor" in by_name and "Sign-in failed" not in by_name


def test_refusals_and_changes_read_clearly_in_the_audit_log(app, web, people):
    web.sign_in(people.lead)
    web.get("/admin/users")
    web.sign_out()
    web.sign_in(people.admin)
    web.post(f"/admin/users/{people.other_lead.id}/edit", {"name": people.other_lead.name,
             "email": people.other_lead.email, "role": "auditor"})
    page = web.get("/audit-log/").get_data(as_text=True)
    assert "Refused</strong> Refused access: GET /admin/users" in page
    assert re.search(r"Before:</span> lead_officer<br>\s*<span class=\"app-change__label\">After:</span> auditor", page)
    assert "Lena Lead" in page  # names, not only emails


def test_the_audit_log_pages_through_many_events(app, web, people):
    with app.app_context():
        for number in range(120):
            record_event("department.updated", summary=f"Change number {number}", actor_email="bulk@x.example")
        db.session.commit()
    web.sign_in(people.auditor)
    first = web.get("/audit-log/").get_data(as_text=True)
    assert "Change number 119" in first and "page 1 of 3" in first
    third = web.get("/audit-log/?page=3").get_data(as_text=True)
    assert re.search(r"Change number 0\s*<", third)
    assert web.get("/audit-log/?page=999").status_code == 200  # clamped to the last page


def test_audit_events_have_who_when_what_before_after(app, people):
    with app.app_context():
        record_event("user.updated", object_type="user", object_id=7, summary="x",
                     before={"role": "auditor"}, after={"role": "admin"}, actor_email="cli", commit=True)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == "7"))
        assert event.occurred_at.tzinfo is not None
        assert (event.actor_email, event.action, event.before, event.after) == (
            "cli", "user.updated", {"role": "auditor"}, {"role": "admin"})


def test_lead_officers_cannot_read_the_audit_log(web, people):
    web.sign_in(people.lead)
    assert web.get("/audit-log/").status_code == 403

"""Departments: listing with lead officers, adding, changing, retiring; all audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Department


def _department(app, code):
    with app.app_context():
        department = db.session.scalar(select(Department).where(Department.code == code))
        if department is not None:
            db.session.expunge(department)
        return department


def test_the_list_shows_each_department_with_its_lead_officer(web, people):
    web.sign_in(people.auditor)
    page = web.get("/departments/").get_data(as_text=True)
    assert "Housing Services" in page and "Lena Lead" in page
    assert "Planning Services" in page and "Omar Other" in page
    assert "Add a department" not in page  # auditors read only


def test_a_department_without_a_lead_officer_is_flagged(app, web, people):
    from tests.support import add_department

    add_department(app, "REV", "Revenue")
    web.sign_in(people.cso)
    page = web.get("/departments/").get_data(as_text=True)
    assert "No lead officer" in page
    home = web.get("/").get_data(as_text=True)
    assert "1 of 3 departments have no active lead officer: Revenue." in home


def test_adding_a_department(app, web, people):
    web.sign_in(people.cso)
    response = web.post("/departments/new", {"name": "Economic  Development", "code": "econ",
                                             "description": "Town centre management"})
    assert response.status_code == 302
    department = _department(app, "ECON")
    assert department.name == "Economic Development"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "department.created"))
        assert event.after == {"code": "ECON", "name": "Economic Development",
                               "description": "Town centre management", "active": True}


@pytest.mark.parametrize("data,message", [
    ({"code": "HOUS"}, "A department with code HOUS already exists"),
    ({"name": "housing services"}, "A department called Housing Services already exists"),
    ({"code": "x"}, "Short code must be 2 to 16 letters, numbers or hyphens"),
    ({"code": "A B"}, "Short code must be 2 to 16 letters, numbers or hyphens"),
    ({"name": ""}, "Enter the department&#39;s name"),
    ({"code": "X" * 17}, "Short code must be 16 characters or fewer"),
    ({"name": "N" * 121}, "Name must be 120 characters or fewer"),
])
def test_bad_department_details_are_explained_and_nothing_is_added(app, web, people, data, message):
    web.sign_in(people.cso)
    page = web.post("/departments/new", {"name": "Revenue", "code": "REV", **data}).get_data(as_text=True)
    assert message in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Department)) == 2


def test_changing_a_department_is_audited_with_before_and_after(app, web, people):
    web.sign_in(people.admin)
    web.post(f"/departments/{people.housing_id}/edit", {"name": "Housing and Homelessness", "code": "HOUS",
                                                        "description": "Tenancy enforcement"})
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "department.updated"))
        assert event.before["name"] == "Housing Services"
        assert event.after["name"] == "Housing and Homelessness"


def test_retiring_and_reinstating(app, web, people):
    web.sign_in(people.cso)
    confirm = web.get(f"/departments/{people.planning_id}/retire").get_data(as_text=True)
    assert "Retire Planning Services?" in confirm
    assert _department(app, "PLAN").active  # nothing happens until confirmed
    web.post(f"/departments/{people.planning_id}/retire")
    assert not _department(app, "PLAN").active
    page = web.get("/departments/").get_data(as_text=True)
    assert "Retired departments" in page
    web.post(f"/departments/{people.planning_id}/reinstate")
    assert _department(app, "PLAN").active


def test_lead_officers_cannot_open_the_department_pages(web, people):
    web.sign_in(people.lead)
    assert web.get("/departments/").status_code == 403
    assert web.get(f"/departments/{people.planning_id}").status_code == 403


def test_unknown_department_is_not_found(web, people):
    web.sign_in(people.cso)
    assert web.get("/departments/424242").status_code == 404

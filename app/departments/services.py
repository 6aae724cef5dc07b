"""Departments: listing, adding, changing and retiring them, each change audited."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.extensions import db
from app.models import Department, Role, User
from app.text_input import ControlCharacterError, clean_text

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")


@dataclass(frozen=True)
class DepartmentProblem(Exception):
    field: str
    message: str


def list_departments(*, include_retired: bool = True) -> list[Department]:
    query = select(Department).options(selectinload(Department.lead_officers)).order_by(Department.name)
    if not include_retired:
        query = query.where(Department.active.is_(True))
    return list(db.session.scalars(query))


def departments_for(user: User) -> list[Department]:
    """The departments a user may see: their own for lead officers, all for everyone else."""
    if user.role == Role.LEAD_OFFICER:
        return sorted(user.departments, key=lambda d: d.name)
    return list_departments()


def get_department_or_404(department_id: int) -> Department:
    return db.get_or_404(Department, department_id)


def find_department_by_code(code: str) -> Department | None:
    code = normalise_code(code)
    if not CODE_PATTERN.match(code):
        return None  # no department has it; and PostgreSQL refuses a NUL even in a query
    return db.session.scalar(select(Department).where(Department.code == code))


def normalise_code(code: str) -> str:
    return code.strip().upper()


def _text(field: str, label: str, raw: str, *, multiline: bool = False) -> str:
    """app/text_input.py's rule, for the command line as for the form (which has applied it already)."""
    try:
        return clean_text(raw, multiline=multiline)
    except ControlCharacterError as error:
        raise DepartmentProblem(field, error.message_for(label)) from None


def _check(code: str, name: str, description: str, *, existing: Department | None = None) -> tuple[str, str, str]:
    code = normalise_code(_text("code", "Short code", code))
    name = _text("name", "Name", name)
    description = _text("description", "Description", description, multiline=True)
    if not CODE_PATTERN.match(code):
        raise DepartmentProblem(
            "code", "Short code must be 2 to 16 letters, numbers or hyphens, starting with a letter or number"
        )
    if not name:
        raise DepartmentProblem("name", "Enter the department's name")
    if len(name) > 120:
        raise DepartmentProblem("name", "Name must be 120 characters or fewer")
    same_code = db.session.scalar(select(Department).where(Department.code == code))
    if same_code is not None and same_code is not existing:
        raise DepartmentProblem("code", f"A department with code {code} already exists")
    same_name = db.session.scalar(select(Department).where(func.lower(Department.name) == name.lower()))
    if same_name is not None and same_name is not existing:
        raise DepartmentProblem("name", f"A department called {same_name.name} already exists")
    return code, name, description


def create_department(code: str, name: str, description: str = "") -> Department:
    code, name, description = _check(code, name, description)
    department = Department(code=code, name=name, description=description, active=True)
    db.session.add(department)
    db.session.flush()
    record_event("department.created", object_type="department", object_id=department.id,
                 summary=f"Added department {name}", after=department.as_audit_dict())
    db.session.commit()
    return department


def update_department(department: Department, code: str, name: str, description: str) -> Department:
    before = department.as_audit_dict()
    code, name, description = _check(code, name, description, existing=department)
    department.code, department.name, department.description = code, name, description
    after = department.as_audit_dict()
    if after != before:
        record_event("department.updated", object_type="department", object_id=department.id,
                     summary=f"Changed department {name}", before=before, after=after)
    db.session.commit()
    return department


def set_department_active(department: Department, active: bool) -> Department:
    if department.active == active:
        return department
    before = department.as_audit_dict()
    department.active = active
    record_event("department.reinstated" if active else "department.retired", object_type="department",
                 object_id=department.id, summary=f"{'Reinstated' if active else 'Retired'} {department.name}",
                 before=before, after=department.as_audit_dict())
    db.session.commit()
    return department

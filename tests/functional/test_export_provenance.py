"""A closed cycle's workbook never changes: its departments keep the names and codes they had at closing."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import select

from app.extensions import db
from app.models import Cycle, Department, User


def workbook_of(app, cycle_id: int) -> bytes:
    from app.export_jobs.services import ExportRequest, write_export

    buffer = io.BytesIO()
    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        write_export(ExportRequest(cycle, None, "xlsx"), buffer, actor=None, generated_by="test", how="test",
                     at=datetime(2027, 6, 1, tzinfo=UTC))
    return buffer.getvalue()


def test_renaming_a_department_after_its_cycle_closed_leaves_that_cycles_workbook_as_it_was(app, people, cycle):
    from app.cycles.services import close_cycle

    with app.app_context():
        close_cycle(db.session.get(User, people.cso.id), db.session.get(Cycle, cycle.cycle_id))
    before = workbook_of(app, cycle.cycle_id)
    with app.app_context():
        housing = db.session.scalar(select(Department).where(Department.code == "HOUS"))
        housing.name, housing.code = "Homes and Communities", "HOMES"
        db.session.commit()
    after = workbook_of(app, cycle.cycle_id)
    assert after == before  # byte for byte
    summary = pd.read_excel(io.BytesIO(after), sheet_name="Summary", nrows=2)
    assert "Housing Services" in set(summary["Department"]) and "HOUS" in set(summary["Code"])
    assert "Homes and Communities" not in set(pd.read_excel(io.BytesIO(after), sheet_name="Responses")[
        "Department or partnership"])


def test_an_open_cycle_shows_a_department_by_its_name_now(app, people, cycle):
    with app.app_context():
        housing = db.session.scalar(select(Department).where(Department.code == "HOUS"))
        housing.name = "Homes and Communities"
        db.session.commit()
    summary = pd.read_excel(io.BytesIO(workbook_of(app, cycle.cycle_id)), sheet_name="Summary", nrows=2)
    assert "Homes and Communities" in set(summary["Department"])

"""`section17 department ...`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.departments.services import DepartmentProblem, create_department, list_departments


@click.group("department", cls=AppGroup)
def department_group() -> None:
    """Add and list departments."""


@department_group.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--description", default="", help="Where the department's work touches crime and disorder.")
def add_department(code: str, name: str, description: str) -> None:
    """Add a department with a short CODE (e.g. HOUS) and a NAME."""
    try:
        department = create_department(code, name, description)
    except DepartmentProblem as problem:
        raise click.ClickException(f"{problem.field}: {problem.message}") from None
    click.echo(f"Added {department.name} ({department.code}).")


@department_group.command("list")
@click.option("--all", "include_retired", is_flag=True, help="Include retired departments.")
def list_departments_command(include_retired: bool) -> None:
    """List departments: code, status, lead officers, name."""
    for department in list_departments(include_retired=include_retired):
        leads = ",".join(u.email for u in department.lead_officers if u.active) or "-"
        status = "active" if department.active else "retired"
        click.echo(f"{department.code}\t{status}\t{leads}\t{department.name}")

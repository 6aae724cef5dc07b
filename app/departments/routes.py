"""Views for departments. Rules live in app/departments/services.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from app.admin.forms import ConfirmForm
from app.departments import bp
from app.departments.forms import DepartmentForm
from app.departments.services import (
    DepartmentProblem,
    create_department,
    get_department_or_404,
    list_departments,
    set_department_active,
    update_department,
)
from app.security.access import Permission, allow


@bp.route("/")
@allow(Permission.VIEW_DIRECTORY)
def index() -> str:
    departments = list_departments()
    return render_template("departments/index.html",
                           active=[d for d in departments if d.active],
                           retired=[d for d in departments if not d.active])


@bp.route("/<int:department_id>")
@allow(Permission.VIEW_DIRECTORY)
def detail(department_id: int) -> str:
    return render_template("departments/detail.html", department=get_department_or_404(department_id),
                           form=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@allow(Permission.MANAGE_DEPARTMENTS)
def new() -> Response | str:
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            department = create_department(form.code.data or "", form.name.data or "", form.description.data or "")
        except DepartmentProblem as problem:
            getattr(form, problem.field).errors = [problem.message]
        else:
            flash(f"{department.name} has been added.", "success")
            return redirect(url_for("departments.detail", department_id=department.id))
    return render_template("departments/form.html", form=form, department=None)


@bp.route("/<int:department_id>/edit", methods=["GET", "POST"])
@allow(Permission.MANAGE_DEPARTMENTS)
def edit(department_id: int) -> Response | str:
    department = get_department_or_404(department_id)
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        try:
            update_department(department, form.code.data or "", form.name.data or "", form.description.data or "")
        except DepartmentProblem as problem:
            getattr(form, problem.field).errors = [problem.message]
        else:
            flash(f"{department.name} has been updated.", "success")
            return redirect(url_for("departments.detail", department_id=department.id))
    return render_template("departments/form.html", form=form, department=department)


@bp.route("/<int:department_id>/retire", methods=["GET", "POST"])
@allow(Permission.MANAGE_DEPARTMENTS)
def retire(department_id: int) -> Response | str:
    department = get_department_or_404(department_id)
    back_url = url_for("departments.detail", department_id=department.id)
    form = ConfirmForm()
    if not department.active:
        return redirect(back_url)
    if form.validate_on_submit():
        set_department_active(department, False)
        flash(f"{department.name} is retired. It stays in past audits but is not included in new ones.", "success")
        return redirect(back_url)
    return render_template(
        "layout/confirm.html", form=form, problem=None, can_confirm=True, back_url=back_url,
        heading=f"Retire {department.name}?",
        explanation="Retire a department that no longer exists. It stays in past audits with its answers, "
                    "but is left out of new ones. Its lead officers keep their accounts. You can reinstate it later.",
        button="Retire department", button_classes="govuk-button--warning",
    )


@bp.route("/<int:department_id>/reinstate", methods=["POST"])
@allow(Permission.MANAGE_DEPARTMENTS)
def reinstate(department_id: int) -> Response:
    department = get_department_or_404(department_id)
    if ConfirmForm().validate_on_submit():
        set_department_active(department, True)
        flash(f"{department.name} is active again.", "success")
    return redirect(url_for("departments.detail", department_id=department.id))

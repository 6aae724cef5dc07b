"""Views for users and organisation settings. Rules live in app/users/services.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.admin import bp
from app.admin.forms import ConfirmForm, OrganisationForm, UserForm
from app.audit.services import list_events
from app.departments.services import list_departments
from app.extensions import db
from app.ids import parse_id
from app.models import Role
from app.models.user import ROLE_DESCRIPTIONS
from app.organisation.services import current_organisation, update_organisation
from app.security.access import Permission, allow
from app.security.shown_once import keep_to_show_once, take_shown_once
from app.users.services import (
    UserProblem,
    assignable_roles,
    create_user,
    get_user_or_404,
    list_users,
    may_manage,
    reset_password,
    set_user_active,
    update_user,
)

TEMPORARY_PASSWORD = "temporary-password"


def _actor():
    return current_user._get_current_object()


def _user_form(obj=None) -> UserForm:
    """The user form; a user's retired departments stay listed so the form can still be saved."""
    form = UserForm(obj=obj)
    departments = list_departments(include_retired=False)
    departments += [d for d in getattr(obj, "departments", []) if not d.active]
    form.set_choices(assignable_roles(_actor()), departments)
    return form


def _role_hints(form: UserForm) -> dict:
    return {"items": [{"hint": {"text": ROLE_DESCRIPTIONS[Role(choice.value)]}} for choice in form.role.choices]}


@bp.route("/users")
@allow(Permission.VIEW_DIRECTORY)
def users() -> str:
    role = request.args.get("role") or None
    status = request.args.get("status") or None
    if role not in {None, *Role}:
        role = None
    active = {"active": True, "disabled": False}.get(status or "")
    return render_template("admin/users.html", users=list_users(role=role, active=active),
                           selected_role=role, selected_status=status, roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Permission.MANAGE_USERS)
def user_new() -> Response | str:
    form = _user_form()
    if form.validate_on_submit():
        try:
            user, temporary = create_user(
                _actor(), name=form.name.data or "", email=form.email.data or "", role=form.role.data or "",
                department_ids=form.departments.data or [],
            )
        except UserProblem as problem:
            getattr(form, problem.field).errors = [problem.message]
        else:
            return _show_temporary_password_once(user, temporary, "created")
    if request.method == "GET" and (department_id := parse_id(request.args.get("department"))):
        form.role.data = Role.LEAD_OFFICER.value
        form.departments.data = [department_id]
    return render_template("admin/user_form.html", form=form, role_hints=_role_hints(form), user=None)


def _show_temporary_password_once(user, password: str | None, kind: str) -> Response:
    """Redirect to a page that shows the password once, so that refreshing it cannot reset it again.

    The password waits server-side for that one page (app/security/shown_once.py), never in the cookie.
    """
    if password is not None:
        keep_to_show_once(TEMPORARY_PASSWORD, user.id, password, viewer_id=_actor().id, extra=kind)
        db.session.commit()
    return redirect(url_for("admin.user_temporary_password", user_id=user.id))


@bp.route("/users/<int:user_id>/temporary-password")
@allow(Permission.MANAGE_USERS)
def user_temporary_password(user_id: int) -> str:
    user = get_user_or_404(user_id)
    taken = take_shown_once(TEMPORARY_PASSWORD, user.id, viewer_id=_actor().id)
    shown = {"user_id": user.id, "password": taken[0], "kind": taken[1]} if taken else None
    return render_template("admin/temporary_password.html", user=user, shown=shown,
                           sign_in_url=url_for("auth.sign_in", _external=True))


@bp.route("/users/<int:user_id>")
@allow(Permission.VIEW_DIRECTORY)
def user_detail(user_id: int) -> str:
    user = get_user_or_404(user_id)
    activity = list_events(actor_email=user.email, per_page=15)
    return render_template("admin/user_detail.html", user=user, activity=activity.events,
                           may_manage=may_manage(_actor(), user) and user.id != _actor().id)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@allow(Permission.MANAGE_USERS)
def user_edit(user_id: int) -> Response | str:
    user = get_user_or_404(user_id)
    if not may_manage(_actor(), user):
        abort(403)
    form = _user_form(obj=user)
    if request.method == "GET":
        form.departments.data = [d.id for d in user.departments]
    if form.validate_on_submit():
        try:
            update_user(_actor(), user, name=form.name.data or "", email=form.email.data or "",
                        role=form.role.data or "", department_ids=form.departments.data or [])
        except UserProblem as problem:
            getattr(form, problem.field).errors = [problem.message]
        else:
            flash(f"{user.name}'s account has been updated.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user_form.html", form=form, role_hints=_role_hints(form), user=user)


_CONFIRMATIONS = {
    "disable": {
        "heading": "Disable {name}'s account?",
        "explanation": "They will be signed out at once and will not be able to sign in. Their answers and their "
                       "entries in the audit log are kept. You can re-enable the account later.",
        "button": "Disable account",
        "button_classes": "govuk-button--warning",
    },
    "reset": {
        "heading": "Reset {name}'s password?",
        "explanation": "We will make a temporary password for you to give them. Their current password stops "
                       "working and they are signed out everywhere. They choose a new password when they next "
                       "sign in.",
        "button": "Reset password",
        "button_classes": "",
    },
}


def _confirmed_action(user_id: int, kind: str, action) -> Response | str:
    """Show a confirmation page; on POST do the action, or show why it cannot be done."""
    user = get_user_or_404(user_id)
    if not may_manage(_actor(), user):
        abort(403)
    form = ConfirmForm()
    own_account = user.id == _actor().id
    problem = "You cannot do this to your own account" if own_account else None
    if not own_account and form.validate_on_submit():
        try:
            return action(user)
        except UserProblem as error:
            problem = error.message
    text = dict(_CONFIRMATIONS[kind], heading=_CONFIRMATIONS[kind]["heading"].format(name=user.name))
    return render_template("layout/confirm.html", form=form, problem=problem, can_confirm=not own_account,
                           back_url=url_for("admin.user_detail", user_id=user.id), **text)


@bp.route("/users/<int:user_id>/disable", methods=["GET", "POST"])
@allow(Permission.MANAGE_USERS)
def user_disable(user_id: int) -> Response | str:
    def disable(user):
        set_user_active(_actor(), user, False)
        flash(f"{user.name}'s account is disabled. They have been signed out.", "success")
        return redirect(url_for("admin.user_detail", user_id=user.id))

    return _confirmed_action(user_id, "disable", disable)


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@allow(Permission.MANAGE_USERS)
def user_enable(user_id: int) -> Response:
    user = get_user_or_404(user_id)
    try:
        set_user_active(_actor(), user, True)
    except UserProblem as problem:
        abort(403, problem.message)
    flash(f"{user.name}'s account is active again.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-password", methods=["GET", "POST"])
@allow(Permission.MANAGE_USERS)
def user_reset_password(user_id: int) -> Response | str:
    def reset(user):
        return _show_temporary_password_once(user, reset_password(_actor(), user), "reset")

    return _confirmed_action(user_id, "reset", reset)


@bp.route("/organisation", methods=["GET", "POST"])
@allow(Permission.MANAGE_ORGANISATION)
def organisation() -> Response | str:
    names = current_organisation()
    form = OrganisationForm(data={"council_name": names.council_name, "partnership_name": names.partnership_name})
    if form.validate_on_submit():
        update_organisation(form.council_name.data.strip(), form.partnership_name.data.strip())
        flash("Organisation settings saved.", "success")
        return redirect(url_for("admin.organisation"))
    return render_template("admin/organisation.html", form=form)

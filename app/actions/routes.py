"""Views for the action plan. Rules live in app/actions/services.py."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.actions import bp
from app.actions.forms import ActionForm, NewOriginActionForm, OriginActionForm, ProgressForm
from app.actions.services import (
    CONFLICT,
    ActionDetails,
    ActionListFilter,
    ActionProblem,
    ActionSource,
    create_action,
    facts,
    gap_source,
    get_action_for_reader_or_404,
    may_plan_for,
    may_update,
    owner_choices,
    owners_for_any,
    plannable_departments,
    record_progress,
    update_details,
    visible_actions,
)
from app.analysis.actions import ACTION_STATUS_LABELS, ActionStatus, action_progress, is_overdue
from app.departments.services import departments_for
from app.evidence.services import Upload, files_by_note, limits
from app.extensions import db
from app.ids import parse_id
from app.models import CycleStatus, Department, Role, User
from app.models.action import ORIGIN_NAMES
from app.results.filters import FilterProblem
from app.results.services import get_results_cycle_or_404, may_see_department, results_cycles
from app.security.access import Permission, allow
from app.security.uploads import accepts_upload_of

READERS = (Permission.PLAN_ACTIONS, Permission.VIEW_ALL_RETURNS)
PARTNERSHIP_KEY = "partnership"


def _user():
    return current_user._get_current_object()


def _today() -> date:
    return date.today()


def _owner_label(user: User) -> str:
    if user.role == Role.LEAD_OFFICER.value:
        return f"{user.name} (lead officer: {', '.join(d.name for d in user.departments) or 'no department'})"
    return f"{user.name} ({user.role_label.lower()})"


def _owner_field(form: ActionForm, owners: list[User]) -> None:
    form.owner.choices = [SelectChoice(0, "Choose an owner")] + [SelectChoice(u.id, _owner_label(u)) for u in owners]
    if request.method == "GET" and not form.owner.data:
        form.owner.data = _user().id if _user().id in {u.id for u in owners} else 0


def _details(form: ActionForm) -> ActionDetails:
    return ActionDetails(form.title.data or "", form.done_looks_like.data or "", form.owner.data or None,
                         form.due_date.data)


def _show_problem(form, problem: ActionProblem, action=None) -> None:
    field = getattr(form, problem.field, None) or form.title
    field.errors = [*list(field.errors or []), problem.message]
    if action is not None and problem.message == CONFLICT:
        form.version.data = action.version  # the page now shows the latest state: saving again applies to it


def _list_filter(args) -> tuple[ActionListFilter, list[FilterProblem]]:
    problems = []
    cycle_id = department_id = status = None
    raw = (args.get("cycle") or "").strip()
    if raw:
        cycle_id = parse_id(raw)
        if cycle_id is None:
            problems.append(FilterProblem("cycle", f"Cycle ‘{raw}’ is not a cycle number"))
    raw = (args.get("department") or "").strip()
    if raw == PARTNERSHIP_KEY:
        department_id = 0
    elif raw:
        department_id = parse_id(raw)
        if department_id is None:
            problems.append(FilterProblem("department", f"Department ‘{raw}’ is not a department number"))
    raw = (args.get("status") or "").strip()
    if raw:
        if raw in {s.value for s in ActionStatus}:
            status = raw
        else:
            problems.append(FilterProblem("status", f"Status ‘{raw}’ is not one of: "
                                                    + ", ".join(s.value for s in ActionStatus)))
    overdue = (args.get("overdue") or "") == "1"
    return ActionListFilter(cycle_id, department_id, status, overdue), problems


@bp.route("/")
@allow(*READERS)
def index() -> tuple[str, int] | str:
    wanted, problems = _list_filter(request.args)
    today = _today()
    actions = [] if problems else visible_actions(_user(), wanted, today)
    overall, by_department = action_progress(facts(actions), today)
    page = render_template(
        "actions/index.html", actions=actions, overall=overall, by_department=by_department, wanted=wanted,
        problems=problems, cycles=results_cycles(), departments=departments_for(_user()), today=today,
        status_labels=ACTION_STATUS_LABELS, is_overdue=is_overdue, partnership_key=PARTNERSHIP_KEY,
        origin_names=ORIGIN_NAMES, new_action_cycle=_new_action_cycle(wanted.cycle_id),
    )
    return (page, 400) if problems else page


def _new_action_cycle(cycle_id: int | None):
    """The cycle a new action joins from the plan's page: the one shown, else the newest that has opened."""
    if not may_plan_for(_user(), None) and not plannable_departments(_user()):
        return None
    cycles = results_cycles()
    if cycle_id is not None:
        return next((c for c in cycles if c.id == cycle_id), None)
    return next((c for c in cycles if c.status == CycleStatus.OPEN.value), cycles[0] if cycles else None)


def _department_from_args() -> Department | None:
    raw = (request.args.get("department") or "").strip()
    if raw == PARTNERSHIP_KEY:
        return None
    department_id = parse_id(raw)
    if department_id is None:
        abort(404)
    department = db.session.get(Department, department_id)
    if department is None or not may_see_department(_user(), department.id):
        abort(404)
    return department


@bp.route("/new", methods=["GET", "POST"])
@allow(Permission.PLAN_ACTIONS)
def new() -> Response | str:
    """Raise an action: from a gap when a question is given, otherwise from wherever the person says."""
    cycle_id = parse_id(request.args.get("cycle"))
    if cycle_id is None:
        abort(404)
    cycle = get_results_cycle_or_404(cycle_id)
    if request.args.get("question"):
        return _new_from_gap(cycle)
    return _new_not_from_gap(cycle)


def _new_from_gap(cycle) -> Response | str:
    department = _department_from_args()
    department_id = department.id if department else None
    if not may_plan_for(_user(), department_id):
        abort(404)
    source = gap_source(cycle, department_id, request.args.get("question"))
    if source is None:
        abort(404)
    form = ActionForm()
    _owner_field(form, owner_choices(department_id))
    if form.validate_on_submit():
        try:
            action = create_action(_user(), cycle, department, source, _details(form), _today())
        except ActionProblem as problem:
            _show_problem(form, problem)
        else:
            flash(f"The action ‘{action.title}’ has been added to the plan.", "success")
            return redirect(url_for("actions.detail", action_id=action.id))
    back = (url_for("results.department", cycle_id=cycle.id, department_id=department_id) if department_id
            else url_for("results.hallmarks", cycle_id=cycle.id))
    return render_template("actions/form.html", form=form, cycle=cycle, department=department, source=source,
                           action=None, back=back)


def _new_not_from_gap(cycle) -> Response | str:
    """An action from a scrutiny recommendation, an earlier plan or elsewhere, for a department or the partnership."""
    chosen = _department_from_args() if request.args.get("department") else None
    if request.args.get("department") and not may_plan_for(_user(), chosen.id if chosen else None):
        abort(404)
    departments = plannable_departments(_user())
    whole_partnership = may_plan_for(_user(), None)
    if not departments and not whole_partnership:
        abort(404)
    form = NewOriginActionForm()
    form.department.description = ("A department, or the partnership as a whole." if whole_partnership
                                   else "One of your departments.")
    form.department.choices = (
        [SelectChoice("", "Choose who it is for")]
        + ([SelectChoice(PARTNERSHIP_KEY, "The partnership as a whole")] if whole_partnership else [])
        + [SelectChoice(str(d.id), d.name) for d in departments])
    if request.method == "GET":
        form.department.data = (PARTNERSHIP_KEY if request.args.get("department") == PARTNERSHIP_KEY
                                else str(chosen.id) if chosen else (str(departments[0].id) if len(departments) == 1
                                                                    and not whole_partnership else ""))
    _owner_field(form, owners_for_any([*([None] if whole_partnership else []), *departments]))
    if form.validate_on_submit():
        department, problem = _chosen_department(form.department.data, departments, whole_partnership)
        try:
            if problem:
                raise problem
            source = ActionSource(form.origin.data or "", origin_detail=form.origin_detail.data or "")
            action = create_action(_user(), cycle, department, source, _details(form), _today())
        except ActionProblem as problem:
            _show_problem(form, problem)
        else:
            flash(f"The action ‘{action.title}’ has been added to the plan.", "success")
            return redirect(url_for("actions.detail", action_id=action.id))
    return render_template("actions/form.html", form=form, cycle=cycle, department=None, source=None,
                           action=None, back=url_for("actions.index", cycle=cycle.id))


def _chosen_department(value: str | None, departments: list[Department], whole_partnership: bool
                       ) -> tuple[Department | None, ActionProblem | None]:
    """The department the form chose, among those offered; or the problem to show."""
    if value == PARTNERSHIP_KEY and whole_partnership:
        return None, None
    found = {str(d.id): d for d in departments}.get(value or "")
    if found is None:
        return None, ActionProblem("department", "Choose who the action is for from the list")
    return found, None


def _detail_page(action, form: ProgressForm, status: int = 200) -> tuple[str, int]:
    return render_template("actions/detail.html", action=action, form=form,
                           note_files=files_by_note(note.id for note in action.notes),
                           can_update=may_update(_user(), action),
                           can_edit=may_plan_for(_user(), action.department_id), today=_today(),
                           status_labels=ACTION_STATUS_LABELS, is_overdue=is_overdue), status


@bp.route("/<int:action_id>")
@allow(*READERS)
def detail(action_id: int) -> tuple[str, int]:
    action = get_action_for_reader_or_404(_user(), action_id)
    return _detail_page(action, ProgressForm(data={"status": action.status, "version": action.version}))


@bp.route("/<int:action_id>/progress", methods=["POST"])
@allow(Permission.PLAN_ACTIONS)
@accepts_upload_of(lambda: limits().request_bytes)
def record_progress_view(action_id: int) -> Response | tuple[str, int]:
    action = get_action_for_reader_or_404(_user(), action_id)
    if not may_update(_user(), action):
        abort(404)
    form = ProgressForm()
    if form.validate_on_submit():
        try:
            uploads = [Upload(f.filename, f.stream) for f in request.files.getlist(form.files.name) if f.filename]
            record_progress(_user(), action, status=form.status.data, note=form.note.data or "",
                            dropped_reason=form.dropped_reason.data or "", base_version=form.version.data,
                            uploads=uploads)
        except ActionProblem as problem:
            _show_problem(form, problem, action)
        else:
            flash("Progress has been recorded.", "success")
            return redirect(url_for("actions.detail", action_id=action.id))
    return _detail_page(action, form)


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
@allow(Permission.PLAN_ACTIONS)
def edit(action_id: int) -> Response | str:
    action = get_action_for_reader_or_404(_user(), action_id)
    if not may_plan_for(_user(), action.department_id):
        abort(404)
    from_gap = action.question_id is not None
    form_class = ActionForm if from_gap else OriginActionForm
    form = form_class(obj=action) if request.method == "GET" else form_class()
    if request.method == "GET":
        form.owner.data = action.owner_id
        form.version.data = action.version
    _owner_field(form, owner_choices(action.department_id))
    if form.validate_on_submit():
        source = None if from_gap else ActionSource(form.origin.data or "", origin_detail=form.origin_detail.data or "")
        try:
            update_details(_user(), action, _details(form), base_version=form.version.data, today=_today(),
                           source=source)
        except ActionProblem as problem:
            _show_problem(form, problem, action)
        else:
            flash("The action has been updated.", "success")
            return redirect(url_for("actions.detail", action_id=action.id))
    return render_template("actions/form.html", form=form, cycle=action.cycle, department=action.department,
                           source=None, action=action, back=url_for("actions.detail", action_id=action.id))

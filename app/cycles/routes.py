"""Views for audit cycles. Rules live in app/cycles/services.py."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.admin.forms import ConfirmForm
from app.cycles import bp
from app.cycles.forms import CycleForm
from app.cycles.services import (
    CycleDetails,
    CycleProblem,
    QuestionnaireChoice,
    close_cycle,
    create_cycle,
    cycle_returns,
    get_cycle_or_404,
    grouped_returns,
    list_cycles,
    open_cycle,
    progress,
    update_cycle,
)
from app.departments.services import list_departments
from app.models import CycleStatus
from app.questionnaires import registry
from app.questionnaires.workflow import OVERDUE_LABEL, STATUS_LABELS, Status, display_status
from app.security.access import Permission, allow

KIND_LABELS = {"departmental": "Answered by each department", "partnership": "Answered for the partnership",
               "peer": "Sent to peer partnerships by invitation"}


def _form(cycle=None) -> CycleForm:
    form = CycleForm(obj=cycle)
    definitions = sorted(registry.available().values(), key=lambda d: (d.definition.kind, d.definition.title))
    form.questionnaires.choices = [SelectChoice(d.definition.id, d.definition.title) for d in definitions]
    form.departments.choices = [SelectChoice(d.id, f"{d.name} ({d.code})")
                                for d in list_departments(include_retired=False)]
    if cycle is not None and request.method == "GET":
        form.questionnaires.data = [q.definition_id for q in cycle.questionnaires]
        departmental = [q for q in cycle.questionnaires if not q.all_departments]
        form.department_scope.data = "some" if departmental else "all"
        form.departments.data = [d.id for q in departmental for d in q.departments]
    return form


def _questionnaire_hints() -> dict:
    definitions = registry.available()
    return {"items": [{"hint": {"text": f"{KIND_LABELS[d.definition.kind]}. Version {d.definition.version}, "
                                        f"{len(d.definition.questions)} questions."}}
                      for d in sorted(definitions.values(), key=lambda d: (d.definition.kind, d.definition.title))]}


def _details(form: CycleForm) -> CycleDetails:
    some = form.department_scope.data == "some"
    choices = tuple(QuestionnaireChoice(definition_id, all_departments=not some,
                                        department_ids=tuple(form.departments.data or ()))
                    for definition_id in form.questionnaires.data or ())
    return CycleDetails(form.name.data or "", form.period_start.data, form.period_end.data, form.deadline.data,
                        choices)


def _save(form: CycleForm, cycle=None) -> Response | None:
    if not form.validate_on_submit():
        return None
    try:
        if cycle is None:
            cycle = create_cycle(current_user._get_current_object(), _details(form))
            flash(f"{cycle.name} has been set up. Open it when you are ready to send the questionnaires.", "success")
        else:
            update_cycle(current_user._get_current_object(), cycle, _details(form))
            flash(f"{cycle.name} has been updated.", "success")
    except CycleProblem as problem:
        getattr(form, problem.field, form.name).errors = [problem.message]
        return None
    return redirect(url_for("cycles.detail", cycle_id=cycle.id))


@bp.route("/")
@allow(Permission.MANAGE_CYCLES, Permission.VIEW_ALL_RETURNS)
def index() -> str:
    return render_template("cycles/index.html", cycles=list_cycles())


@bp.route("/new", methods=["GET", "POST"])
@allow(Permission.MANAGE_CYCLES)
def new() -> Response | str:
    form = _form()
    return _save(form) or render_template("cycles/form.html", form=form, cycle=None, hints=_questionnaire_hints())


@bp.route("/<int:cycle_id>/edit", methods=["GET", "POST"])
@allow(Permission.MANAGE_CYCLES)
def edit(cycle_id: int) -> Response | str:
    cycle = get_cycle_or_404(cycle_id)
    if cycle.status != CycleStatus.DRAFT.value:
        flash("This cycle has opened, so its questionnaires and dates can no longer be changed.")
        return redirect(url_for("cycles.detail", cycle_id=cycle.id))
    form = _form(cycle)
    return _save(form, cycle) or render_template("cycles/form.html", form=form, cycle=cycle,
                                                 hints=_questionnaire_hints())


@bp.route("/<int:cycle_id>")
@allow(Permission.MANAGE_CYCLES, Permission.VIEW_ALL_RETURNS)
def detail(cycle_id: int) -> str:
    cycle = get_cycle_or_404(cycle_id)
    returns = grouped_returns(cycle_returns(cycle))
    today = date.today()
    wanted = request.args.get("status") or None
    labels = {status.value: STATUS_LABELS[status] for status in Status} | {"overdue": OVERDUE_LABEL}

    def shown(assignments):
        if wanted not in labels:
            return assignments
        return [a for a in assignments if display_status(a.status, a.due_date, today)[0] == labels[wanted]]

    return render_template(
        "cycles/detail.html", cycle=cycle, returns=returns, departments=shown(returns.departments),
        partnership=shown(returns.partnership), peers=shown(returns.peers), total=len(returns.departments),
        progress=progress(returns.departments, today), status_filter=wanted if wanted in labels else None,
        status_labels=labels, kind_labels=KIND_LABELS, definitions=registry.available())


def _confirm(cycle, *, heading: str, explanation: str, button: str, action) -> Response | str:
    form = ConfirmForm()
    problem = None
    if form.validate_on_submit():
        try:
            return action()
        except CycleProblem as error:
            problem = error.message
    return render_template("layout/confirm.html", form=form, problem=problem, can_confirm=True,
                           back_url=url_for("cycles.detail", cycle_id=cycle.id), heading=heading,
                           explanation=explanation, button=button, button_classes="")


@bp.route("/<int:cycle_id>/open", methods=["GET", "POST"])
@allow(Permission.MANAGE_CYCLES)
def open_(cycle_id: int) -> Response | str:
    cycle = get_cycle_or_404(cycle_id)
    if cycle.status != CycleStatus.DRAFT.value:
        flash(f"{cycle.name} is already open.")
        return redirect(url_for("cycles.detail", cycle_id=cycle.id))

    def do_open():
        open_cycle(current_user._get_current_object(), cycle, date.today())
        flash(f"{cycle.name} is open. Lead officers can now see and answer their returns.", "success")
        return redirect(url_for("cycles.detail", cycle_id=cycle.id))

    return _confirm(cycle, heading=f"Open {cycle.name}?", button="Open cycle", action=do_open,
                    explanation="Each questionnaire is fixed as it is now: later changes to its file will not "
                                "affect this cycle. Every department chosen gets a return to complete by "
                                f"{cycle.deadline.day} {cycle.deadline:%B %Y}.")


@bp.route("/<int:cycle_id>/close", methods=["GET", "POST"])
@allow(Permission.MANAGE_CYCLES)
def close(cycle_id: int) -> Response | str:
    cycle = get_cycle_or_404(cycle_id)
    if cycle.status != CycleStatus.OPEN.value:
        flash(f"{cycle.name} is not open, so it cannot be closed.")
        return redirect(url_for("cycles.detail", cycle_id=cycle.id))

    def do_close():
        close_cycle(current_user._get_current_object(), cycle)
        flash(f"{cycle.name} is closed. Its returns can be read but no longer changed.", "success")
        return redirect(url_for("cycles.detail", cycle_id=cycle.id))

    return _confirm(cycle, heading=f"Close {cycle.name}?", button="Close cycle", action=do_close,
                    explanation="Nobody will be able to change or submit its returns, and returns not yet "
                                "submitted stay as they are. This cannot be undone.")


@bp.route("/<int:cycle_id>/carry-over", methods=["GET", "POST"])
@allow(Permission.MANAGE_CYCLES)
def carry_over_answers(cycle_id: int) -> Response | str:
    """Pre-fill the returns not yet started from each department's last accepted return."""
    from app.cycles.carry_over import CarryProblem, carry_candidates, carry_over

    cycle = get_cycle_or_404(cycle_id)
    candidates = carry_candidates(cycle) if cycle.status == CycleStatus.OPEN.value else []
    if not candidates:
        return render_template(
            "layout/confirm.html", form=ConfirmForm(), problem=None, can_confirm=False,
            back_url=url_for("cycles.detail", cycle_id=cycle.id), heading="No return can be pre-filled from last year",
            explanation="A return is pre-filled from its department's last accepted return of the same questionnaire, "
                        "and only while nobody has started it. In this cycle every such return has been started, "
                        "or no department has an accepted return from an earlier cycle.", button="", button_classes="")

    def do_carry():
        try:
            done = carry_over(current_user._get_current_object(), cycle)
        except CarryProblem as problem:
            raise CycleProblem("cycle", problem.message) from None
        left = f" {done.skipped} answers no longer fit their questions and were left out." if done.skipped else ""
        flash(f"Pre-filled {done.returns} return{'s' if done.returns != 1 else ''} with {done.answers} answers and "
              f"{done.files} evidence file{'s' if done.files != 1 else ''} from last year.{left} Each answer counts "
              "as unanswered until its lead officer confirms or changes it.", "success")
        return redirect(url_for("cycles.detail", cycle_id=cycle.id))

    names = ", ".join(target.respondent_name for target, _ in candidates[:8]) + (
        f" and {len(candidates) - 8} more" if len(candidates) > 8 else "")
    return _confirm(cycle, heading=f"Pre-fill {len(candidates)} return{'s' if len(candidates) != 1 else ''} "
                                   "from last year?", button="Pre-fill returns", action=do_carry,
                    explanation=f"{names}: each starts with the answers and evidence files of its department's "
                                "last accepted return of the same questionnaire. Every answer is marked carried "
                                "over and counts as unanswered until the lead officer confirms or changes it. "
                                "Returns already started are not touched.")

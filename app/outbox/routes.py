"""The outbox pages (read by the CSO, auditors and admins) and the chase pages (the CSO)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug import Response

from app.cycles.services import get_cycle_or_404
from app.extensions import db
from app.ids import parse_id
from app.mail.chase import ChaseProblem, chaseable, new_batch, preview_chase, send_chase
from app.mail.outbox import mail_is_set_up
from app.mail.reminders import council_today, lead_officers, when_words
from app.models import OutboxMessage
from app.outbox import bp
from app.outbox.forms import ChaseForm
from app.outbox.services import (
    STATE_WORDS,
    OutboxFilter,
    cycles_with_messages,
    list_messages,
    unsent_because_not_set_up,
)
from app.questionnaires.workflow import STATUS_LABELS, Status
from app.security.access import Permission, allow


def _id_arg(name: str) -> int | None:
    raw = request.args.get(name)
    return parse_id(raw) if raw else None


@bp.route("/outbox/")
@allow(Permission.VIEW_AUDIT_LOG)
def index() -> str:
    state = request.args.get("state") or None
    wanted = OutboxFilter(cycle_id=_id_arg("cycle"), state=state if state in STATE_WORDS else None,
                          person_id=_id_arg("person"), assignment_id=_id_arg("return"))
    result = list_messages(wanted, request.args.get("page", 1, type=int))

    def page_url(number: int) -> str:
        return url_for("outbox.index", cycle=wanted.cycle_id, state=wanted.state, person=wanted.person_id,
                       page=number, **({"return": wanted.assignment_id} if wanted.assignment_id else {}))

    return render_template("outbox/index.html", result=result, wanted=wanted, state_words=STATE_WORDS,
                           cycles=cycles_with_messages(), page_url=page_url, mail_set_up=mail_is_set_up(),
                           not_set_up=unsent_because_not_set_up(wanted))


@bp.route("/outbox/<int:message_id>")
@allow(Permission.VIEW_AUDIT_LOG)
def message(message_id: int) -> str:
    found = db.session.get(OutboxMessage, message_id)
    if found is None:
        abort(404)
    return render_template("outbox/message.html", message=found, state_words=STATE_WORDS,
                           mail_set_up=mail_is_set_up())


def _chase_form(cycle) -> tuple[ChaseForm, dict]:  # type: ignore[no-untyped-def]
    """The form with a box for each return not submitted, and each box's hint (status, when due, who is told)."""
    form = ChaseForm()
    today = council_today()
    choices = []
    for assignment in chaseable(cycle):
        people = lead_officers(assignment.department)
        who = ", ".join(p.name for p in people) or "no active lead officer: nobody would be told"
        status = STATUS_LABELS[Status(assignment.status)]
        choices.append((assignment.id, f"{assignment.respondent_name}: {assignment.snapshot.title}",
                        f"{status}, {when_words(assignment.due_date, today)}. Lead officers: {who}."))
    form.returns.choices = [(value, label) for value, label, _ in choices]
    return form, {"items": [{"hint": {"text": hint}} for _, _, hint in choices]}


@bp.route("/cycles/<int:cycle_id>/chase", methods=["GET", "POST"])
@allow(Permission.MANAGE_CYCLES)
def chase(cycle_id: int) -> Response | str:
    """Choose returns (every one not submitted is ticked to start with) and preview the message."""
    cycle = get_cycle_or_404(cycle_id)
    form, hints = _chase_form(cycle)
    if request.method == "GET":
        form.returns.data = [value for value, _ in form.returns.choices]
    problem = None
    if form.validate_on_submit():
        try:
            preview = preview_chase(cycle, form.returns.data or [], current_user, form.note.data or "")
        except ChaseProblem as error:
            problem = error.message
        else:
            form.batch.data = new_batch()
            return render_template("outbox/chase_preview.html", cycle=cycle, form=form, preview=preview,
                                   mail_set_up=mail_is_set_up())
    return render_template("outbox/chase.html", cycle=cycle, form=form, hints=hints, problem=problem,
                           mail_set_up=mail_is_set_up())


@bp.route("/cycles/<int:cycle_id>/chase/send", methods=["POST"])
@allow(Permission.MANAGE_CYCLES)
def chase_send(cycle_id: int) -> Response | str:
    cycle = get_cycle_or_404(cycle_id)
    form, _hints = _chase_form(cycle)
    batch = form.batch.data or ""
    if not form.validate_on_submit() or not (len(batch) == 16 and all(c in "0123456789abcdef" for c in batch)):
        flash("The reminder was not sent: the page was out of date. Choose the returns again.")
        return redirect(url_for("outbox.chase", cycle_id=cycle.id))
    try:
        queued = send_chase(cycle, form.returns.data or [], current_user, form.note.data or "", batch)
    except ChaseProblem as error:
        flash(f"The reminder was not sent: {error.message}.")
        return redirect(url_for("outbox.chase", cycle_id=cycle.id))
    if queued == 0:
        flash("These reminders had already been sent from this preview, so nothing more was sent.")
    elif mail_is_set_up():
        flash(f"{queued} reminder{'s are' if queued != 1 else ' is'} being sent. Their progress is below.",
              "success")
    else:
        flash(f"{queued} reminder{'s were' if queued != 1 else ' was'} recorded, but e-mail is not set up, so "
              f"{'they were' if queued != 1 else 'it was'} not sent.")
    return redirect(url_for("outbox.index", cycle=cycle.id))



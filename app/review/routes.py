"""Views for reading and reviewing a return."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.outbox.services import STATE_WORDS, messages_about_return
from app.respond.services import definition_of, get_return_for_reader, stored_answers, visible_questions
from app.review import bp
from app.review.forms import AcceptForm, ReturnForm
from app.review.services import (
    ReviewProblem,
    accept,
    answer_change_count,
    history,
    respondent_in_sentence,
    return_for_changes,
    returned_message,
)
from app.security.access import Permission, allow


def _render(assignment, *, return_form: ReturnForm | None = None, problem: str | None = None, status: int = 200):
    definition = definition_of(assignment)
    answers = stored_answers(assignment)
    accept_form = AcceptForm(data={"version": assignment.version})
    return render_template(
        "review/detail.html", assignment=assignment, definition=definition, answers=answers,
        visible=visible_questions(definition, answers), events=history(assignment),
        answer_changes=answer_change_count(assignment), accept_form=accept_form,
        messages=messages_about_return(assignment.id), state_words=STATE_WORDS,
        return_form=return_form or ReturnForm(data={"version": assignment.version}), problem=problem,
    ), status


@bp.route("/<int:assignment_id>")
@allow(Permission.VIEW_ALL_RETURNS)
def detail(assignment_id: int) -> tuple[str, int]:
    return _render(get_return_for_reader(current_user, assignment_id))


@bp.route("/<int:assignment_id>/accept", methods=["POST"])
@allow(Permission.REVIEW_RETURNS)
def accept_return(assignment_id: int) -> Response | tuple[str, int]:
    assignment = get_return_for_reader(current_user, assignment_id)
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            accept(current_user._get_current_object(), assignment, base_version=form.version.data)
        except ReviewProblem as error:
            return _render(assignment, problem=error.message)
        flash(f"You accepted the return for {respondent_in_sentence(assignment)}.", "success")
    return redirect(url_for("review.detail", assignment_id=assignment.id))


@bp.route("/<int:assignment_id>/return", methods=["POST"])
@allow(Permission.REVIEW_RETURNS)
def return_return(assignment_id: int) -> Response | tuple[str, int]:
    assignment = get_return_for_reader(current_user, assignment_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            return_for_changes(current_user._get_current_object(), assignment, form.reason.data or "",
                               base_version=form.version.data)
        except ReviewProblem as error:
            form.reason.errors = [error.message]
            return _render(assignment, return_form=form)
        flash(returned_message(assignment), "success")
        return redirect(url_for("review.detail", assignment_id=assignment.id))
    return _render(assignment, return_form=form)

"""Views for reading and reviewing a return: the page, the decision, comments and evidence checks."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.outbox.services import STATE_WORDS, messages_about_return
from app.respond.services import definition_of, get_return_for_reader
from app.review import bp
from app.review.comments import (
    CommentProblem,
    add_comment,
    comment_of_return,
    delete_draft,
    resolve_by_reviewer,
)
from app.review.evidence_checks import CheckProblem, set_evidence_checked
from app.review.forms import AcceptForm, ButtonForm, CommentForm, ReturnForm
from app.review.page import build_review_page
from app.review.services import (
    ReviewProblem,
    accept,
    respondent_in_sentence,
    return_for_changes,
    returned_message,
)
from app.security.access import Permission, allow


def _user():
    return current_user._get_current_object()


def _render(assignment, *, return_form: ReturnForm | None = None, accept_form: AcceptForm | None = None,
            comment_error: tuple[str, str, str] | None = None, problem: str | None = None,
            status: int = 200) -> tuple[str, int]:
    """The page; `comment_error` is (question id, the text typed, the message) for a comment refused."""
    page = build_review_page(assignment, show_changed_only=request.args.get("show") == "changed")
    return render_template(
        "review/detail.html", page=page, assignment=assignment, definition=page.definition,
        accept_form=accept_form or AcceptForm(data={"version": assignment.version}),
        return_form=return_form or ReturnForm(data={"version": assignment.version}),
        button=ButtonForm(), comment_error=comment_error, problem=problem,
        messages=messages_about_return(assignment.id), state_words=STATE_WORDS,
    ), status


def _back_to(assignment, question_id: str | None = None) -> Response:
    anchor = f"#answer-{question_id}" if question_id else ""
    return redirect(url_for("review.detail", assignment_id=assignment.id) + anchor)


@bp.route("/<int:assignment_id>")
@allow(Permission.VIEW_ALL_RETURNS)
def detail(assignment_id: int) -> tuple[str, int]:
    return _render(get_return_for_reader(_user(), assignment_id))


@bp.route("/<int:assignment_id>/accept", methods=["POST"])
@allow(Permission.REVIEW_RETURNS)
def accept_return(assignment_id: int) -> Response | tuple[str, int]:
    assignment = get_return_for_reader(_user(), assignment_id)
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            accept(_user(), assignment, base_version=form.version.data,
                   open_comments_seen=bool(form.open_comments_seen.data))
        except ReviewProblem as error:
            if error.field == "open_comments_seen":
                form.open_comments_seen.errors = [error.message]
                return _render(assignment, accept_form=form)
            return _render(assignment, problem=error.message)
        flash(f"You accepted the return for {respondent_in_sentence(assignment)}.", "success")
    return _back_to(assignment)


@bp.route("/<int:assignment_id>/return", methods=["POST"])
@allow(Permission.REVIEW_RETURNS)
def return_return(assignment_id: int) -> Response | tuple[str, int]:
    assignment = get_return_for_reader(_user(), assignment_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            return_for_changes(_user(), assignment, form.reason.data or "", base_version=form.version.data)
        except ReviewProblem as error:
            form.reason.errors = [error.message]
            return _render(assignment, return_form=form)
        flash(returned_message(assignment), "success")
        return _back_to(assignment)
    return _render(assignment, return_form=form)


@bp.route("/<int:assignment_id>/comments", methods=["POST"])
@allow(Permission.REVIEW_RETURNS)
def comment(assignment_id: int) -> Response | tuple[str, int]:
    assignment = get_return_for_reader(_user(), assignment_id)
    form = CommentForm()
    question_id = form.question.data or ""
    definition = definition_of(assignment)
    if definition.question(question_id) is None:
        abort(400)
    if not form.validate_on_submit():
        message = next(iter(form.body.errors), None) or "Enter your comment"
        return _render(assignment, comment_error=(question_id, form.body.data or "", message))
    try:
        add_comment(_user(), assignment, definition, question_id, form.body.data or "")
    except CommentProblem as error:
        return _render(assignment, comment_error=(question_id, form.body.data or "", error.message))
    flash("Your comment has been added. The lead officers will see it once you decide.", "success")
    return _back_to(assignment, question_id)


def _comment_action(assignment_id: int, comment_id: int, act, done: str) -> Response | tuple[str, int]:
    assignment = get_return_for_reader(_user(), assignment_id)
    found = comment_of_return(assignment, comment_id)
    if found is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    question_id = found.question_id
    try:
        act(_user(), assignment, found)
    except CommentProblem as error:
        return _render(assignment, problem=error.message, status=409)
    flash(done, "success")
    return _back_to(assignment, question_id)


@bp.route("/<int:assignment_id>/comments/<int:comment_id>/delete", methods=["POST"])
@allow(Permission.REVIEW_RETURNS)
def delete_comment(assignment_id: int, comment_id: int) -> Response | tuple[str, int]:
    return _comment_action(assignment_id, comment_id, delete_draft, "Your draft comment has been deleted.")


@bp.route("/<int:assignment_id>/comments/<int:comment_id>/resolve", methods=["POST"])
@allow(Permission.REVIEW_RETURNS)
def resolve_comment(assignment_id: int, comment_id: int) -> Response | tuple[str, int]:
    return _comment_action(assignment_id, comment_id, resolve_by_reviewer, "The comment is marked resolved.")


@bp.route("/<int:assignment_id>/evidence-checked/<question_id>", methods=["POST"])
@allow(Permission.REVIEW_RETURNS)
def evidence_checked(assignment_id: int, question_id: str) -> Response | tuple[str, int]:
    assignment = get_return_for_reader(_user(), assignment_id)
    if definition_of(assignment).question(question_id) is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    checked = request.form.get("checked") == "yes"
    try:
        set_evidence_checked(_user(), assignment, question_id, checked)
    except CheckProblem as error:
        return _render(assignment, problem=error.message, status=409)
    return _back_to(assignment, question_id)

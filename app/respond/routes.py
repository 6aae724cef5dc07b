"""Answering a return: list, task list, section pages, check answers, declaration and submit."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.extensions import limiter
from app.questionnaires.progress import SECTION_STATUS_LABELS, SectionStatus, missing_answers, section_status
from app.questionnaires.rendering import format_answer, raw_from_answer, raw_from_form
from app.respond import bp
from app.respond.question_html import question_html
from app.respond.services import (
    BadSubmission,
    ReturnReadOnly,
    definition_of,
    discard_kept_answers,
    get_return_for_respondent,
    is_read_only,
    kept_answers,
    returns_for,
    save_section,
    section_or_404,
    stash_posted_answers,
    stored_answers,
    submit,
    visible_questions,
)
from app.security.access import Permission, allow

RESPONDERS = (Permission.RESPOND_FOR_DEPARTMENT, Permission.RESPOND_FOR_PARTNERSHIP)
KEPT_COOKIE = "section17_kept_answers"
KEPT_ANSWERS_LIMIT = "30 per hour"


def _user():
    return current_user._get_current_object()


def keep_answers_after_expiry(view):
    """If the session has ended when this page is posted, keep the answers and ask the person to sign in."""

    def keep() -> Response:
        args = request.view_args or {}
        # Anyone can reach this without signing in, so it is limited per client address.
        with limiter.limit(KEPT_ANSWERS_LIMIT, scope="kept-answers"):
            token = stash_posted_answers(int(args.get("assignment_id", 0)), str(args.get("section_id", "")),
                                         request.form)
        response = redirect(url_for("auth.sign_in", next=request.path, timed_out=1, kept=1 if token else None))
        if token:
            response.set_cookie(KEPT_COOKIE, token, max_age=86400, httponly=True, samesite="Lax",
                                secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/returns/")
        return response

    view._on_expired_post = keep
    return view


def _today() -> date:
    return date.today()


@bp.route("/")
@allow(*RESPONDERS)
def index() -> str:
    return render_template("respond/index.html", returns=returns_for(_user()), today=_today())


@bp.route("/<int:assignment_id>")
@allow(*RESPONDERS)
def task_list(assignment_id: int) -> str:
    assignment = get_return_for_respondent(_user(), assignment_id)
    definition = definition_of(assignment)
    answers = stored_answers(assignment)
    statuses = {s.id: section_status(definition, s, answers) for s in definition.sections}
    return render_template(
        "respond/task_list.html", assignment=assignment, definition=definition, statuses=statuses,
        status_labels=SECTION_STATUS_LABELS, all_complete=all(v == SectionStatus.COMPLETED for v in statuses.values()),
        read_only=is_read_only(assignment), answers=answers, visible=visible_questions(definition, answers),
        today=_today(),
    )


def _page_questions(definition, section, answers):
    """Questions to put on the page: those shown now, and follow-ups to questions on this same page."""
    visible = visible_questions(definition, answers)
    on_page = {q.id for q in section.questions}
    return [q for q in section.questions
            if q.id in visible or (q.show_if and set(q.show_if.question_ids()) & on_page)]


def _render_section(assignment, definition, section, raw_by_question, problems, *, kept=False, version=None,
                    status=200, answers=None):
    answers = stored_answers(assignment) if answers is None else answers
    questions = _page_questions(definition, section, answers)
    errors = {p.field: p.message for p in problems}
    on_page = frozenset(q.id for q in questions)
    blocks = [question_html(assignment.snapshot.sha256, definition, q, number, raw_by_question.get(q.id, {}), errors,
                            on_page) for number, q in enumerate(questions, 1)]
    position = definition.sections.index(section)
    response = make_response(render_template(
        "respond/section.html", assignment=assignment, definition=definition, section=section, blocks=blocks,
        problems=problems, error_list=[{"text": p.message, "href": f"#{p.field}"} for p in problems],
        kept=kept, version=assignment.version if version is None else version,
        position=position, question_ids=",".join(q.id for q in questions),
    ), status)
    return response


@bp.route("/<int:assignment_id>/sections/<section_id>", methods=["GET", "POST"])
@allow(*RESPONDERS)
@keep_answers_after_expiry
def section(assignment_id: int, section_id: str) -> Response | str:
    assignment = get_return_for_respondent(_user(), assignment_id)
    definition = definition_of(assignment)
    page = section_or_404(definition, section_id)
    if is_read_only(assignment):
        flash("This return has been submitted, so it cannot be changed now.")
        return redirect(url_for("respond.task_list", assignment_id=assignment.id))
    token = request.cookies.get(KEPT_COOKIE)

    if request.method == "GET":
        kept = kept_answers(token, assignment, page.id)
        answers = stored_answers(assignment)
        if kept is not None:
            raw = {q.id: raw_from_form(q, kept) for q in page.questions}
        else:
            raw = {q.id: raw_from_answer(q, answers.get(q.id)) for q in page.questions}
        return _render_section(assignment, definition, page, raw, [], kept=kept is not None, answers=answers)

    base_version = request.form.get("version", type=int)
    if base_version is None:
        abort(400)
    try:
        result = save_section(_user(), assignment, page, request.form, base_version=base_version,
                              overwrite=request.form.get("overwrite") == "1")
    except BadSubmission:
        abort(400)
    except ReturnReadOnly:
        flash("This return has been submitted, so it cannot be changed now.")
        return redirect(url_for("respond.task_list", assignment_id=assignment.id))
    if result.conflicts:
        return make_response(render_template(
            "respond/conflict.html", assignment=assignment, section=page, definition=definition,
            conflicts=result.conflicts, form=request.form, version=assignment.version,
        ), 409)
    discard_kept_answers(token)
    if result.problems:
        raw = {q.id: raw_from_form(q, request.form) for q in page.questions}
        response = _render_section(assignment, definition, page, raw, result.problems, status=200)
    else:
        response = redirect(_after_save(assignment, definition, page, result.changed))
    response.delete_cookie(KEPT_COOKIE, path="/returns/")
    return response


def _after_save(assignment, definition, page, changed) -> str:
    if request.form.get("next") == "later":
        flash(f"Your answers have been saved. You can come back and finish at any time before "
              f"{assignment.due_date.day} {assignment.due_date:%B %Y}.", "success")
        return url_for("respond.task_list", assignment_id=assignment.id)
    position = definition.sections.index(page)
    if position + 1 < len(definition.sections):
        return url_for("respond.section", assignment_id=assignment.id, section_id=definition.sections[position + 1].id)
    return url_for("respond.check", assignment_id=assignment.id)


@bp.route("/<int:assignment_id>/check")
@allow(*RESPONDERS)
def check(assignment_id: int) -> Response | str:
    assignment = get_return_for_respondent(_user(), assignment_id)
    if is_read_only(assignment):
        return redirect(url_for("respond.task_list", assignment_id=assignment.id))
    return _render_check(assignment)


def _render_check(assignment, declaration_error: str | None = None, status: int = 200):
    definition = definition_of(assignment)
    answers = stored_answers(assignment)
    missing = missing_answers(definition, answers)
    return make_response(render_template(
        "respond/check.html", assignment=assignment, definition=definition, answers=answers,
        visible=visible_questions(definition, answers), missing=missing,
        declaration_error=declaration_error,
    ), status)


@bp.route("/<int:assignment_id>/submit", methods=["POST"])
@allow(*RESPONDERS)
def submit_return(assignment_id: int) -> Response:
    assignment = get_return_for_respondent(_user(), assignment_id)
    base_version = request.form.get("version", type=int)
    if base_version is None:
        abort(400)
    if request.form.get("declaration") != "confirmed" and assignment.status not in ("submitted", "accepted"):
        return _render_check(assignment, "Confirm the declaration to submit your return")
    result = submit(_user(), assignment, base_version=base_version)
    if result.outcome in ("submitted", "already_submitted"):
        return redirect(url_for("respond.confirmation", assignment_id=assignment.id))
    if result.outcome == "changed_since":
        flash("Some answers changed after you opened this page. Check them again before you submit.")
        return redirect(url_for("respond.check", assignment_id=assignment.id))
    if result.outcome == "incomplete":
        return redirect(url_for("respond.check", assignment_id=assignment.id))
    flash("This return can no longer be submitted.")
    return redirect(url_for("respond.task_list", assignment_id=assignment.id))


@bp.route("/<int:assignment_id>/confirmation")
@allow(*RESPONDERS)
def confirmation(assignment_id: int) -> Response | str:
    assignment = get_return_for_respondent(_user(), assignment_id)
    if assignment.status not in ("submitted", "accepted"):
        return redirect(url_for("respond.task_list", assignment_id=assignment.id))
    return render_template("respond/confirmation.html", assignment=assignment, definition=definition_of(assignment))


@bp.app_template_global("return_status")
def return_status(assignment) -> tuple[str, str]:
    """(label, tag class) for a return as shown everywhere: overdue beats the stored status."""
    from app.questionnaires.workflow import display_status

    return display_status(assignment.status, assignment.due_date, _today())


bp.add_app_template_global(format_answer, "format_answer")

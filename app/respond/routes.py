"""Answering a return after signing in: list, task list, section pages, check answers, submit.

The pages themselves are shared with peers answering by link (app/respond/pages.py);
these views find the return the signed-in person may answer and say who they are.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.extensions import limiter, login_manager
from app.questionnaires.rendering import format_answer
from app.respond import bp
from app.respond.pages import (
    ReturnContext,
    ReturnLinks,
    check_page,
    confirmation_page,
    kept_answers_redirect,
    section_page,
    submit_page,
    task_list_page,
)
from app.respond.services import (
    Respondent,
    definition_of,
    get_return_for_respondent,
    is_read_only,
    keep_for_account,
    returns_for,
    stored_answers,
)
from app.security.access import Permission, allow

RESPONDERS = (Permission.RESPOND_FOR_DEPARTMENT, Permission.RESPOND_FOR_PARTNERSHIP)
KEPT_ANSWERS_LIMIT = "30 per hour"


def _user():
    return current_user._get_current_object()


def _links(assignment_id: int) -> ReturnLinks:
    return ReturnLinks("respond", {"assignment_id": assignment_id},
                       cookie_path=url_for("respond.task_list", assignment_id=assignment_id),
                       home_url=url_for("respond.index"), home_label="Your returns")


def _context(assignment_id: int) -> ReturnContext:
    """The return, if the signed-in person may answer it (404 otherwise)."""
    user = _user()
    return ReturnContext(get_return_for_respondent(user, assignment_id), Respondent(user), _links(assignment_id))


def keep_answers_after_expiry(view):
    """If the session has ended when this page is posted, keep the answers and ask the person to sign in.

    Only a page that carries a genuine keep token for this return has its answers
    kept (app/respond/keep_token.py). Every other anonymous post gets the plain
    sign-in redirect any page gives, whether or not the return exists, and nothing
    is written. A page from an earlier session posted after signing in again (its
    CSRF token is stale) is kept the same way and shown back; without a genuine
    keep token it is refused as any stale form is (None: the CSRF error stands).
    """

    def keep() -> Response | None:
        args = request.view_args or {}
        assignment_id = int(args.get("assignment_id", 0))
        # Anyone can reach this without signing in, so it is limited per client address.
        with limiter.limit(KEPT_ANSWERS_LIMIT, scope="kept-answers"):
            token = keep_for_account(assignment_id, str(args.get("section_id", "")), request.form)
        if current_user.is_authenticated:  # signed in again since the page was opened: show it back
            return kept_answers_redirect(request.path, token, _links(assignment_id).cookie_path) if token else None
        if token is None:
            return login_manager.unauthorized()
        sign_in = url_for("auth.sign_in", next=request.path, timed_out=1, kept=1)  # only a genuine page gets here
        return kept_answers_redirect(sign_in, token, _links(assignment_id).cookie_path)

    view._on_expired_post = keep
    return view


@bp.route("/")
@allow(*RESPONDERS)
def index() -> str:
    return render_template("respond/index.html", returns=returns_for(_user()), today=date.today())


@bp.route("/<int:assignment_id>")
@allow(*RESPONDERS)
def task_list(assignment_id: int) -> str:
    return task_list_page(_context(assignment_id))


@bp.route("/<int:assignment_id>/sections/<section_id>", methods=["GET", "POST"])
@allow(*RESPONDERS)
@keep_answers_after_expiry
def section(assignment_id: int, section_id: str) -> Response:
    return section_page(_context(assignment_id), section_id)


@bp.route("/<int:assignment_id>/check")
@allow(*RESPONDERS)
def check(assignment_id: int) -> Response:
    return check_page(_context(assignment_id))


@bp.route("/<int:assignment_id>/submit", methods=["POST"])
@allow(*RESPONDERS)
def submit_return(assignment_id: int) -> Response:
    return submit_page(_context(assignment_id))


@bp.route("/<int:assignment_id>/confirmation")
@allow(*RESPONDERS)
def confirmation(assignment_id: int) -> Response | str:
    return confirmation_page(_context(assignment_id))


@bp.route("/<int:assignment_id>/questions/<question_id>/reply", methods=["GET", "POST"])
@allow(*RESPONDERS)
def reply(assignment_id: int, question_id: str) -> Response | str:
    """Answer the reviewer's comments on one question without changing the answer."""
    from app.review.comments import CommentProblem, comments_for
    from app.review.comments import reply as send_reply
    from app.review.forms import ReplyForm

    ctx = _context(assignment_id)
    definition = definition_of(ctx.assignment)
    question = definition.question(question_id)
    thread = comments_for(ctx.assignment, for_reviewers=False).get(question_id, [])
    if question is None or not thread:
        abort(404)
    section = definition.section_of(question_id)
    back = ctx.links.section(section.id) + f"#q-{question_id}-block"
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            send_reply(_user(), ctx.assignment, definition, question_id, form.body.data or "")
        except CommentProblem as error:
            form.body.errors = [error.message]
        else:
            flash("Your reply has been sent. The reviewer will see it with your return.", "success")
            return redirect(back)
    return render_template("respond/reply.html", assignment=ctx.assignment, definition=definition,
                           question=question, answer=stored_answers(ctx.assignment).get(question_id),
                           thread=thread, form=form, back=back,
                           can_reply=any(c.is_open for c in thread) and not is_read_only(ctx.assignment))


@bp.route("/<int:assignment_id>/sections/<section_id>/confirm-carried", methods=["POST"])
@allow(*RESPONDERS)
def confirm_carried(assignment_id: int, section_id: str) -> Response:
    """One click: every answer carried over in this section still holds."""
    from app.cycles.carry_over import CarryProblem, confirm_section
    from app.respond.services import ReturnReadOnly

    ctx = _context(assignment_id)
    definition = definition_of(ctx.assignment)
    if definition.section(section_id) is None:
        abort(404)
    try:
        count = confirm_section(_user(), ctx.assignment, definition, section_id)
    except (CarryProblem, ReturnReadOnly):
        flash("This return cannot be changed now.")
        return redirect(ctx.links.task_list())
    if count:
        flash(f"Confirmed {count} answer{'s' if count != 1 else ''} carried over from last year.", "success")
    return redirect(ctx.links.task_list())


@bp.app_template_global("return_status")
def return_status(assignment) -> tuple[str, str]:
    """(label, tag class) for a return as shown everywhere: overdue beats the stored status."""
    from app.questionnaires.workflow import display_status

    return display_status(assignment.status, assignment.due_date, date.today())


bp.add_app_template_global(format_answer, "format_answer")

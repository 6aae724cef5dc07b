"""The pages of one return, shared by everyone who answers one.

A lead officer (or the community safety officer for the partnership) reaches a
return through /returns/<id> after signing in; a peer contact through the link in
their invitation, without an account. Both get exactly the same engine: task list,
section pages that save as they go, conflicts, check your answers, declaration,
submit, confirmation. What differs is carried by a ReturnContext: who is answering
(for the audit log), where the pages link to, and a few words on the pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.models import Assignment
from app.questionnaires.progress import SECTION_STATUS_LABELS, SectionStatus, missing_answers, section_status
from app.questionnaires.rendering import raw_from_answer, raw_from_form
from app.respond.question_html import question_html
from app.respond.services import (
    PENDING_LIFETIME,
    BadSubmission,
    Respondent,
    ReturnReadOnly,
    definition_of,
    discard_kept_answers,
    is_read_only,
    keep_token_for,
    kept_answers,
    save_section,
    section_or_404,
    stored_answers,
    submit,
    visible_questions,
)

KEPT_COOKIE = "section17_kept_answers"


@dataclass(frozen=True)
class ReturnLinks:
    """Where the pages of a return point. Both blueprints name their endpoints alike."""

    blueprint: str  # "respond" or "peer"
    values: Mapping[str, Any]  # what identifies the return in the URL: its id, or the link's token
    cookie_path: str  # every page of this return is under it: the kept-answers cookie goes only there
    home_url: str | None = None  # the back link from the task list, if there is one
    home_label: str = ""

    def _url(self, endpoint: str, **extra: Any) -> str:
        return url_for(f"{self.blueprint}.{endpoint}", **self.values, **extra)

    def task_list(self) -> str:
        return self._url("task_list")

    def section(self, section_id: str) -> str:
        return self._url("section", section_id=section_id)

    def check(self) -> str:
        return self._url("check")

    def submit(self) -> str:
        return self._url("submit_return")

    def confirmation(self) -> str:
        return self._url("confirmation")


@dataclass(frozen=True)
class ReturnContext:
    assignment: Assignment
    respondent: Respondent
    links: ReturnLinks
    audience: str = "officer"  # "officer" or "peer": a few sentences differ
    extra: dict[str, Any] = field(default_factory=dict)  # more for the templates (e.g. the invitation)

    def render(self, template: str, **values: Any) -> str:
        return render_template(template, assignment=self.assignment, links=self.links, audience=self.audience,
                               **self.extra, **values)


def _today() -> date:
    return date.today()


def task_list_page(ctx: ReturnContext) -> str:
    assignment = ctx.assignment
    definition = definition_of(assignment)
    answers = stored_answers(assignment)
    statuses = {s.id: section_status(definition, s, answers) for s in definition.sections}
    return ctx.render(
        "respond/task_list.html", definition=definition, statuses=statuses, status_labels=SECTION_STATUS_LABELS,
        all_complete=all(v == SectionStatus.COMPLETED for v in statuses.values()),
        read_only=is_read_only(assignment), answers=answers, visible=visible_questions(definition, answers),
        today=_today(),
    )


def _page_questions(definition, section, answers):
    """Questions to put on the page: those shown now, and follow-ups to questions on this same page."""
    visible = visible_questions(definition, answers)
    on_page = {q.id for q in section.questions}
    return [q for q in section.questions
            if q.id in visible or (q.show_if and set(q.show_if.question_ids()) & on_page)]


def _render_section(ctx: ReturnContext, definition, section, raw_by_question, problems, *, kept=False,
                    version=None, status=200, answers=None) -> Response:
    assignment = ctx.assignment
    answers = stored_answers(assignment) if answers is None else answers
    questions = _page_questions(definition, section, answers)
    errors = {p.field: p.message for p in problems}
    on_page = frozenset(q.id for q in questions)
    blocks = [question_html(assignment.snapshot.sha256, definition, q, number, raw_by_question.get(q.id, {}), errors,
                            on_page) for number, q in enumerate(questions, 1)]
    version = assignment.version if version is None else version
    return make_response(ctx.render(
        "respond/section.html", definition=definition, section=section, blocks=blocks, problems=problems,
        error_list=[{"text": p.message, "href": f"#{p.field}"} for p in problems],
        kept=kept, version=version, keep_token=keep_token_for(ctx.respondent, assignment, section.id, version),
        position=definition.sections.index(section), question_ids=",".join(q.id for q in questions),
    ), status)


def _read_only_redirect(ctx: ReturnContext) -> Response:
    flash("This return has been submitted, so it cannot be changed now.")
    return redirect(ctx.links.task_list())


def section_page(ctx: ReturnContext, section_id: str) -> Response:
    """GET shows a section (with any kept answers); POST saves it."""
    assignment = ctx.assignment
    definition = definition_of(assignment)
    page = section_or_404(definition, section_id)
    if is_read_only(assignment):
        return _read_only_redirect(ctx)
    token = request.cookies.get(KEPT_COOKIE)

    if request.method == "GET":
        kept = kept_answers(token, assignment, page.id, ctx.respondent)
        answers = stored_answers(assignment)
        if kept is not None:
            # Shown with the version they were typed against: a colleague's change since is a conflict.
            raw = {q.id: raw_from_form(q, kept.form) for q in page.questions}
            return _render_section(ctx, definition, page, raw, [], kept=True, answers=answers, version=kept.version)
        raw = {q.id: raw_from_answer(q, answers.get(q.id)) for q in page.questions}
        return _render_section(ctx, definition, page, raw, [], answers=answers)

    base_version = request.form.get("version", type=int)
    if base_version is None:
        abort(400)
    try:
        result = save_section(ctx.respondent, assignment, page, request.form, base_version=base_version)
    except BadSubmission:
        abort(400)
    except ReturnReadOnly:
        return _read_only_redirect(ctx)
    if result.conflicts:
        # The page offers to save these answers over the ones it shows, and only those: it carries
        # the version it was built from, so a change made after it was shown is a new conflict.
        return make_response(ctx.render(
            "respond/conflict.html", section=page, definition=definition, conflicts=result.conflicts,
            form=request.form, version=assignment.version,
            keep_token=keep_token_for(ctx.respondent, assignment, page.id, assignment.version),
        ), 409)
    discard_kept_answers(token)
    if result.problems:
        raw = {q.id: raw_from_form(q, request.form) for q in page.questions}
        response = _render_section(ctx, definition, page, raw, result.problems, status=200)
    else:
        response = redirect(_after_save(ctx, definition, page))
    response.delete_cookie(KEPT_COOKIE, path=ctx.links.cookie_path)
    return response


def _after_save(ctx: ReturnContext, definition, page) -> str:
    if request.form.get("next") == "later":
        due = ctx.assignment.due_date
        flash(f"Your answers have been saved. You can come back and finish at any time before "
              f"{due.day} {due:%B %Y}.", "success")
        return ctx.links.task_list()
    position = definition.sections.index(page)
    if position + 1 < len(definition.sections):
        return ctx.links.section(definition.sections[position + 1].id)
    return ctx.links.check()


def check_page(ctx: ReturnContext) -> Response:
    if is_read_only(ctx.assignment):
        return redirect(ctx.links.task_list())
    return _render_check(ctx)


def _render_check(ctx: ReturnContext, declaration_error: str | None = None, status: int = 200) -> Response:
    definition = definition_of(ctx.assignment)
    answers = stored_answers(ctx.assignment)
    return make_response(ctx.render(
        "respond/check.html", definition=definition, answers=answers, visible=visible_questions(definition, answers),
        missing=missing_answers(definition, answers), declaration_error=declaration_error,
    ), status)


def submit_page(ctx: ReturnContext) -> Response:
    assignment = ctx.assignment
    base_version = request.form.get("version", type=int)
    if base_version is None:
        abort(400)
    if request.form.get("declaration") != "confirmed" and assignment.status not in ("submitted", "accepted"):
        return _render_check(ctx, "Confirm the declaration to submit your return")
    result = submit(ctx.respondent, assignment, base_version=base_version)
    if result.outcome in ("submitted", "already_submitted"):
        return redirect(ctx.links.confirmation())
    if result.outcome == "changed_since":
        flash("Some answers changed after you opened this page. Check them again before you submit.")
        return redirect(ctx.links.check())
    if result.outcome == "incomplete":
        return redirect(ctx.links.check())
    flash("This return can no longer be submitted.")
    return redirect(ctx.links.task_list())


def confirmation_page(ctx: ReturnContext) -> Response | str:
    if ctx.assignment.status not in ("submitted", "accepted"):
        return redirect(ctx.links.task_list())
    return ctx.render("respond/confirmation.html", definition=definition_of(ctx.assignment))


def kept_answers_redirect(target: str, token: str | None, cookie_path: str) -> Response:
    """Send the browser on to `target`, carrying the token of answers just kept (if any) in a cookie."""
    response = redirect(target)
    if token:
        response.set_cookie(KEPT_COOKIE, token, max_age=int(PENDING_LIFETIME.total_seconds()), httponly=True,
                            samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path=cookie_path)
    return response


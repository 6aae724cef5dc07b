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
from app.questionnaires.answers import FieldProblem
from app.questionnaires.progress import (
    SECTION_STATUS_LABELS,
    SectionStatus,
    missing_answers,
    missing_on_page,
    section_status,
)
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
    page_question_ids,
    save_section,
    section_or_404,
    stored_answers,
    submit,
    visible_questions,
)

KEPT_COOKIE = "section17_kept_answers"
RETURN_TO_CHECK = "check"  # the only place a section page can send you back to: never an address from the request
ANSWER_ANCHOR = "answer-"  # check your answers: the id of each question's row is this and the question's id

# What the pages say differs a little between our own officers and a peer answering by link:
# a peer sends their answers to another partnership; they do not "submit a return" in our audit cycle.
WORDING: dict[str, dict[str, str]] = {
    "officer": {
        "submit_button": "Submit return",
        "check_heading": "Check your answers before you submit",
        "check_task": "Check your answers and submit",
        "cannot_yet": "You cannot submit yet",
        "submit_here": "When every question above is answered you can submit the return here.",
        "declaration_error": "Confirm the declaration to submit your return",
        "done_title": "Return submitted",
        "already_done": "This return has been submitted, so it cannot be changed now.",
        "changed_since": "Some answers changed after you opened this page. Check them again before you submit.",
        "cannot_submit": "This return can no longer be submitted.",
        "sent_tag": "",
    },
    "peer": {
        "submit_button": "Send your answers",
        "check_heading": "Check your answers before you send them",
        "check_task": "Check and send your answers",
        "cannot_yet": "You cannot send your answers yet",
        "submit_here": "When every question above is answered you can send your answers here.",
        "declaration_error": "Confirm the declaration to send your answers",
        "done_title": "Answers sent",
        "already_done": "Your answers have been sent, so they cannot be changed now.",
        "changed_since": "Some answers changed after you opened this page. Check them again before you send them.",
        "cannot_submit": "These answers can no longer be sent: the questionnaire has closed.",
        "sent_tag": "Answers sent",
    },
}


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

    def section(self, section_id: str, **extra: Any) -> str:
        return self._url("section", section_id=section_id, **extra)

    def change(self, section_id: str, question_id: str) -> str:
        """A section opened from check your answers: saving it goes back there, to this question."""
        return self.section(section_id, return_to=RETURN_TO_CHECK, question=question_id)

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

    @property
    def words(self) -> dict[str, str]:
        return WORDING[self.audience]

    def render(self, template: str, **values: Any) -> str:
        return render_template(template, assignment=self.assignment, links=self.links, audience=self.audience,
                               words=self.words, **self.extra, **values)


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
        today=_today(), comments=_shared_comments(ctx), evidence_files=_evidence_files(ctx),
        carried=carried_by_section(definition, answers),
    )


def carried_by_section(definition, answers) -> dict[str, int]:
    """How many answers carried over from last year wait for confirmation, per section that has any.

    A follow-up is counted even while its carried parent hides it: confirming the section confirms both.
    """
    counts = {s.id: sum(1 for q in s.questions if answers.get(q.id) is not None and answers[q.id].carried)
              for s in definition.sections}
    return {section_id: count for section_id, count in counts.items() if count}


def _page_questions(definition, section, answers):
    """Questions to put on the page: those shown now, and follow-ups to questions on this same page."""
    visible = visible_questions(definition, answers)
    on_page = {q.id for q in section.questions}
    return [q for q in section.questions
            if q.id in visible or (q.show_if and set(q.show_if.question_ids()) & on_page)]


@dataclass(frozen=True)
class ReturnTo:
    """Where a section page goes after "Save and continue": on to the next section, or back to check
    your answers (to the question whose Change link opened it). Read from the request, but only ever
    one of those two places, so it cannot be made to send anyone elsewhere."""

    check: bool = False
    question_id: str = ""

    @classmethod
    def read(cls, values: Mapping[str, Any], section) -> ReturnTo:
        if values.get("return_to") != RETURN_TO_CHECK:
            return cls()
        question_id = str(values.get("question", ""))
        return cls(True, question_id if any(q.id == question_id for q in section.questions) else "")

    def check_url(self, links: ReturnLinks) -> str:
        return links.check() + (f"#{ANSWER_ANCHOR}{self.question_id}" if self.question_id else "")


def _render_section(ctx: ReturnContext, definition, section, raw_by_question, problems, *, kept=False,
                    version=None, status=200, answers=None, return_to: ReturnTo | None = None,
                    saved_note: str = "") -> Response:
    assignment = ctx.assignment
    answers = stored_answers(assignment) if answers is None else answers
    questions = _page_questions(definition, section, answers)
    errors = {p.field: p.message for p in problems}
    on_page = frozenset(q.id for q in questions)
    blocks = [question_html(assignment.snapshot.sha256, definition, q, number, raw_by_question.get(q.id, {}), errors,
                            on_page) for number, q in enumerate(questions, 1)]
    version = assignment.version if version is None else version
    return make_response(ctx.render(
        "respond/section.html", definition=definition, section=section, blocks=list(zip(questions, blocks, strict=True)),
        comments=_shared_comments(ctx), reply_url=_reply_url(ctx), evidence_files=_evidence_files(ctx),
        carried={q.id for q in questions if answers.get(q.id) is not None and answers[q.id].carried},
        problems=problems,
        error_list=[{"text": p.message, "href": f"#{p.field}"} for p in problems], saved_note=saved_note,
        kept=kept, version=version, keep_token=keep_token_for(ctx.respondent, assignment, section.id, version),
        position=definition.sections.index(section), question_ids=",".join(q.id for q in questions),
        return_to=return_to or ReturnTo(), return_to_check=RETURN_TO_CHECK,
    ), status)


def _shared_comments(ctx: ReturnContext) -> dict:
    """The reviewer's comments the officers may see, by question; none for a peer (peers are not reviewed)."""
    if ctx.audience == "peer":
        return {}
    from app.review.comments import comments_for  # here: the review blueprint's package imports this module

    return comments_for(ctx.assignment, for_reviewers=False)


def _evidence_files(ctx: ReturnContext) -> dict | None:
    """Each answer's files, for officers (peers answer by link and attach none); None where there are none."""
    if ctx.audience == "peer":
        return None
    from app.evidence.services import files_by_question

    return files_by_question(ctx.assignment)


def _reply_url(ctx: ReturnContext):
    """How a page links to the reply form for one question's comments, or None where there is none."""
    if ctx.audience == "peer" or is_read_only(ctx.assignment):
        return None
    return lambda question_id: url_for("respond.reply", assignment_id=ctx.assignment.id, question_id=question_id)


def _still_missing(definition, page_ids: list[str], answers, problems: list[FieldProblem]) -> list[FieldProblem]:
    """What the page still lacks once saved, for questions whose values were good (those with a bad
    value already have their problem), as problems the page shows beside each field."""
    refused = {p.question_id for p in problems}
    return [FieldProblem(m.question.id, m.field, m.message)
            for m in missing_on_page(definition, [qid for qid in page_ids if qid not in refused], answers)]


def _read_only_redirect(ctx: ReturnContext) -> Response:
    flash(ctx.words["already_done"])
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
        return_to = ReturnTo.read(request.args, page)
        kept = kept_answers(token, assignment, page.id, ctx.respondent)
        answers = stored_answers(assignment)
        if kept is not None:
            # Shown with the version they were typed against: a colleague's change since is a conflict.
            raw = {q.id: raw_from_form(q, kept.form) for q in page.questions}
            return _render_section(ctx, definition, page, raw, [], kept=True, answers=answers, version=kept.version,
                                   return_to=return_to)
        raw = {q.id: raw_from_answer(q, answers.get(q.id)) for q in page.questions}
        return _render_section(ctx, definition, page, raw, [], answers=answers, return_to=return_to)

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
    return_to = ReturnTo.read(request.form, page)
    files_for = _files_question(ctx, request.form.get("next", ""), page)
    later = request.form.get("next") == "later" or files_for is not None
    problems = list(result.problems)
    if not later:
        # "Save and continue" finishes the page: what it still lacks is said here, not at check your answers.
        # Everything good on the page is already saved; "Save and come back later" skips this.
        problems += _still_missing(definition, page_question_ids(page, request.form), stored_answers(assignment),
                                   result.problems)
    if problems:
        raw = {q.id: raw_from_form(q, request.form) for q in page.questions}
        note = ("Your other answers on this page have been saved." if result.problems
                else "Your answers on this page have been saved. To finish this section:")
        response = _render_section(ctx, definition, page, raw, problems, status=200, return_to=return_to,
                                   saved_note=note)
    elif files_for is not None:
        response = redirect(url_for("evidence.answer_files", assignment_id=assignment.id, question_id=files_for))
    else:
        response = redirect(_after_save(ctx, definition, page, return_to, later=later))
    response.delete_cookie(KEPT_COOKIE, path=ctx.links.cookie_path)
    return response


FILES_PREFIX = "files:"  # the value of a section page's "Save and attach files" button, then the question's id


def _files_question(ctx: ReturnContext, pressed: str, page) -> str | None:
    """The question whose files page to go to once the page is saved, if that is the button pressed."""
    if ctx.audience == "peer" or not pressed.startswith(FILES_PREFIX):
        return None
    question_id = pressed[len(FILES_PREFIX):]
    return question_id if any(q.id == question_id for q in page.questions) else None


def _after_save(ctx: ReturnContext, definition, page, return_to: ReturnTo, *, later: bool) -> str:
    if later:
        flash(_come_back_message(ctx), "success")
        return ctx.links.task_list()
    if return_to.check:
        return return_to.check_url(ctx.links)
    position = definition.sections.index(page)
    if position + 1 < len(definition.sections):
        return ctx.links.section(definition.sections[position + 1].id)
    return ctx.links.check()


def _come_back_message(ctx: ReturnContext) -> str:
    invitation = ctx.extra.get("invitation")
    if ctx.audience == "peer" and invitation is not None:
        until = invitation.expires_at
        return (f"Your answers have been saved. You can come back with the same link and finish at any time "
                f"until {until.day} {until:%B %Y}.")
    due = ctx.assignment.due_date
    return f"Your answers have been saved. You can come back and finish at any time before {due.day} {due:%B %Y}."


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
        answer_anchor=ANSWER_ANCHOR, evidence_files=_evidence_files(ctx),
    ), status)


def submit_page(ctx: ReturnContext) -> Response:
    assignment = ctx.assignment
    base_version = request.form.get("version", type=int)
    if base_version is None:
        abort(400)
    if request.form.get("declaration") != "confirmed" and assignment.status not in ("submitted", "accepted"):
        return _render_check(ctx, ctx.words["declaration_error"])
    result = submit(ctx.respondent, assignment, base_version=base_version)
    if result.outcome in ("submitted", "already_submitted"):
        return redirect(ctx.links.confirmation())
    if result.outcome == "changed_since":
        flash(ctx.words["changed_since"])
        return redirect(ctx.links.check())
    if result.outcome == "incomplete":
        return redirect(ctx.links.check())
    flash(ctx.words["cannot_submit"])
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


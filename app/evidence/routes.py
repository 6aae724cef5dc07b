"""Evidence file pages: one answer's files (attach, remove) and the download of one file."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.evidence import bp
from app.evidence.forms import UploadForm
from app.evidence.services import (
    EvidenceProblem,
    Upload,
    attach_to_answer,
    file_for_reader,
    files_by_question,
    limits,
    record_download,
    remove_from_answer,
    size_words,
)
from app.evidence.storage import evidence_store
from app.extensions import db
from app.models.evidence import EvidenceFile
from app.respond.services import definition_of, get_return_for_respondent, is_read_only, stored_answers
from app.security.access import Permission, allow
from app.security.uploads import accepts_upload_of

RESPONDERS = (Permission.RESPOND_FOR_DEPARTMENT, Permission.RESPOND_FOR_PARTNERSHIP)
# A downloaded file is never shown by the browser as a page of this site: it is a download, its type is
# not guessed, and if it were ever opened in place it would run no script and reach nothing.
DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"


def _user():
    return current_user._get_current_object()


def _answer_page(assignment_id: int, question_id: str):
    assignment = get_return_for_respondent(_user(), assignment_id)
    definition = definition_of(assignment)
    question = definition.question(question_id)
    if question is None:
        abort(404)
    return assignment, definition, question


def _render(assignment, definition, question, form: UploadForm, problem: str | None = None, status: int = 200):
    section = definition.section_of(question.id)
    read_only = is_read_only(assignment)

    def remove_link(row: EvidenceFile) -> str:
        return url_for("evidence.remove_answer_file", assignment_id=assignment.id, question_id=question.id,
                       file_id=row.id)

    return render_template(
        "evidence/answer_files.html", assignment=assignment, definition=definition, question=question,
        answer=stored_answers(assignment).get(question.id), files=files_by_question(assignment).get(question.id, []),
        form=form, problem=problem, limits=limits(), size_words=size_words, read_only=read_only,
        remove_link=None if read_only else remove_link,
        back=url_for("respond.section", assignment_id=assignment.id, section_id=section.id) + f"#q-{question.id}-block",
    ), status


@bp.route("/returns/<int:assignment_id>/questions/<question_id>/files", methods=["GET", "POST"])
@allow(*RESPONDERS)
@accepts_upload_of(lambda: limits().request_bytes)
def answer_files(assignment_id: int, question_id: str) -> Response | tuple[str, int]:
    assignment, definition, question = _answer_page(assignment_id, question_id)
    form = UploadForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _render(assignment, definition, question, form)
    uploads = [Upload(f.filename or "", f.stream) for f in request.files.getlist(form.files.name) if f.filename]
    try:
        made = attach_to_answer(_user(), assignment, definition, question.id, uploads)
    except EvidenceProblem as error:
        return _render(assignment, definition, question, form, problem=error.message)
    names = ", ".join(row.file_name for row in made)
    flash(f"Attached {names}." if len(made) == 1 else f"Attached {len(made)} files: {names}.", "success")
    return redirect(url_for("evidence.answer_files", assignment_id=assignment.id, question_id=question.id))


@bp.route("/returns/<int:assignment_id>/questions/<question_id>/files/<int:file_id>/remove", methods=["POST"])
@allow(*RESPONDERS)
def remove_answer_file(assignment_id: int, question_id: str, file_id: int) -> Response | tuple[str, int]:
    assignment, definition, question = _answer_page(assignment_id, question_id)
    row = db.session.get(EvidenceFile, file_id)
    if row is None or row.assignment_id != assignment.id or row.question_id != question.id:
        abort(404)
    try:
        remove_from_answer(_user(), assignment, row)
    except EvidenceProblem as error:
        return _render(assignment, definition, question, UploadForm(formdata=None), problem=error.message, status=409)
    flash(f"Removed {row.file_name}.", "success")
    return redirect(url_for("evidence.answer_files", assignment_id=assignment.id, question_id=question.id))


@bp.route("/evidence/<int:file_id>")
@allow(Permission.VIEW_OWN_DEPARTMENTS, Permission.VIEW_ALL_RETURNS)
def download(file_id: int) -> Response:
    row = file_for_reader(_user(), file_id)
    store = evidence_store()
    if row is None or not store.exists(row.sha256):
        abort(404)
    record_download(_user(), row)
    response = send_file(store.open(row.sha256), mimetype=row.media_type, as_attachment=True,
                         download_name=row.file_name, conditional=False, etag=False, max_age=0)
    response.content_length = row.size_bytes
    response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

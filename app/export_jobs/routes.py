"""Views for exports. Who may export what and how a file is written: app/export_jobs/services.py; jobs: jobs.py."""

from __future__ import annotations

import tempfile

from flask import (
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from werkzeug.http import dump_options_header

from app.export_jobs import bp
from app.export_jobs.forms import WHOLE_CYCLE, ExportForm
from app.export_jobs.jobs import (
    KIND_LABELS,
    Offer,
    background_threshold,
    count_returns,
    describe_person,
    job_for_reader_or_404,
    keep_words,
    media_type,
    offer_for,
    recent_jobs,
    record_download,
    start_job,
    stored_file,
    view_of,
)
from app.export_jobs.services import (
    CSV,
    MEDIA_TYPES,
    XLSX,
    ZIP,
    ExportRequest,
    answer_count,
    exportable_cycle_or_404,
    request_for,
    stream_csv,
    write_export,
)
from app.exports.workbook_columns import SHEET_NOTES
from app.ids import parse_id
from app.models import Cycle, ExportJobStatus
from app.security.access import Permission, allow

# Whoever may export anything: the whole cycle (VIEW_ALL_RETURNS) or their own departments.
EXPORTERS = (Permission.VIEW_ALL_RETURNS, Permission.VIEW_OWN_DEPARTMENTS)
# Sheets a one-department workbook leaves out: they are about the partnership, not a department.
WHOLE_CYCLE_SHEETS = frozenset({"Hallmarks", "Peer approaches", "Crime benchmarking"})


def _user():
    return current_user._get_current_object()


def _wanted(cycle: Cycle, offer: Offer, form: ExportForm) -> ExportRequest:
    """The export the form asks for; 404 for a department this person may not export (or that has no return)."""
    department_id = form.department_id
    if department_id is not None and offer.department(department_id) is None:
        abort(404)
    return request_for(_user(), cycle, department_id, form.kind.data)


def _attachment(response: Response, name: str) -> Response:
    response.headers["Content-Disposition"] = dump_options_header("attachment", {"filename": name})
    return response


def _send_now(wanted: ExportRequest) -> Response:
    """A small export as the response itself: the CSV streamed as it is written, the workbook from a temp file."""
    user = _user()
    if wanted.kind == CSV:
        name, lines = stream_csv(wanted, actor=user, generated_by=describe_person(user))
        return _attachment(Response(stream_with_context(lines), mimetype=MEDIA_TYPES[CSV]), name)
    handle = tempfile.TemporaryFile()  # gone when closed, which send_file does once the response is sent
    try:
        name = write_export(wanted, handle, actor=user, generated_by=describe_person(user), how="download")
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return send_file(handle, mimetype=MEDIA_TYPES[XLSX], as_attachment=True, download_name=name,
                     conditional=False, etag=False)


def _sizes(cycle: Cycle, offer: Offer) -> list[tuple[str, int, int]]:
    """(what, returns, answers) for the whole cycle, or for each of a lead officer's departments."""
    scopes = [ExportRequest(cycle, None, XLSX)] if offer.whole_cycle else [
        ExportRequest(cycle, d, XLSX) for d in offer.departments]
    return [(w.scope, count_returns(w), answer_count(w)) for w in scopes]


def _choose_first(form: ExportForm, offer: Offer) -> None:
    """What the form starts with: the whole cycle, or the department named in ?department= (from its page)."""
    raw = request.args.get("department", "")
    department_id = parse_id(raw)
    named = offer.department(department_id) if department_id is not None else None
    if named is None and len(offer.departments) == 1 and not offer.whole_cycle:
        named = offer.departments[0]
    form.scope.data = str(named.id) if named is not None else WHOLE_CYCLE if offer.whole_cycle else ""


@bp.route("/cycles/<int:cycle_id>/export", methods=["GET", "POST"])
@allow(*EXPORTERS)
def export(cycle_id: int) -> Response | tuple[str, int] | str:
    cycle = exportable_cycle_or_404(cycle_id)
    offer = offer_for(_user(), cycle)
    if not offer.anything:
        abort(404)
    form = ExportForm()
    form.offer(offer.whole_cycle, offer.departments)
    if form.validate_on_submit():
        wanted = _wanted(cycle, offer, form)
        if wanted.kind != ZIP and answer_count(wanted) < background_threshold():
            return _send_now(wanted)  # an evidence pack may be large whatever the answers: always in the background
        job = start_job(_user(), wanted)
        return redirect(url_for("export_jobs.job", export_token=job.token), code=303)
    if not form.is_submitted():
        _choose_first(form, offer)
    page = render_template(
        "export_jobs/export.html", cycle=cycle, offer=offer, form=form, sizes=_sizes(cycle, offer),
        sheets=SHEET_NOTES, whole_cycle_sheets=WHOLE_CYCLE_SHEETS, threshold=background_threshold(),
        keep_words=keep_words(), jobs=recent_jobs(_user()), view_of=view_of,
    )
    return (page, 400) if form.errors else page


@bp.route("/exports/<export_token>")
@allow(*EXPORTERS)
def job(export_token: str) -> str:
    found = job_for_reader_or_404(_user(), export_token)
    return render_template("export_jobs/job.html", job=found, view=view_of(found), kind_labels=KIND_LABELS,
                           keep_words=keep_words())


@bp.route("/exports/<export_token>/status")
@allow(*EXPORTERS)
def job_status(export_token: str) -> Response:
    """The job page's figures as JSON, for the script that keeps the page up to date."""
    return jsonify(view_of(job_for_reader_or_404(_user(), export_token)).as_json())


@bp.route("/exports/<export_token>/download")
@allow(*EXPORTERS)
def download(export_token: str) -> Response:
    found = job_for_reader_or_404(_user(), export_token)
    path = stored_file(found) if found.status == ExportJobStatus.DONE.value else None
    if path is None:  # not ready, failed or deleted: its page says which
        return redirect(url_for("export_jobs.job", export_token=found.token))
    record_download(found)
    return send_file(path, mimetype=media_type(found), as_attachment=True, download_name=found.file_name,
                     conditional=False, etag=False)

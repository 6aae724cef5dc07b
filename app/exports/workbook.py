"""The cycle workbook: About, Summary, Responses, Matrix, Gaps, Questions, Hallmarks, Peer approaches,
Crime benchmarking, Reviews, Comments, Evidence files, Actions and Audit log, built with xlsxwriter in constant_memory mode.

One pass over the returns writes the Responses and Gaps sheets row by row and keeps
only what the Summary and Matrix need (counts per department, and one reference per
answer to its label, most of which are the same few option labels). Everything else
is small. The same data, generated at the same time by the same person, gives the same
bytes: the document's properties are fixed and xlsxwriter dates every zip entry 1980.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import IO
from zoneinfo import ZoneInfo

from app.exports.answer_rows import write_answers
from app.exports.fingerprint import Fingerprint, plain
from app.exports.front_sheets import write_about, write_matrix, write_summary
from app.exports.model import CycleExport, Progress
from app.exports.questions_sheet import QUESTION_COLUMNS, fingerprints_of, question_rows
from app.exports.reference_sheets import write_approaches, write_crime, write_hallmarks
from app.exports.sheets import (
    Styles,
    Table,
    new_workbook,
    shown_text,
)
from app.exports.workbook_columns import (
    ACTION_COLUMNS,
    AUDIT_COLUMNS,
    COMMENT_COLUMNS,
    EVIDENCE_FILE_COLUMNS,
    GAPS_COLUMNS,
    RESPONSES_COLUMNS,
    REVIEW_COLUMNS,
    SHEET_NOTES,
)


def write_workbook(output: str | IO[bytes], data: CycleExport, *, progress: Progress | None = None) -> None:
    """Write the whole workbook to a path or a binary file object."""
    workbook = new_workbook(output)
    about = data.about
    # The document's date is the data's, never the moment of export: the same data gives the same bytes.
    dated = about.data_as_of or datetime.combine(about.period_start, time())
    created = dated.astimezone(ZoneInfo("UTC")).replace(tzinfo=None) if dated.tzinfo else dated
    workbook.set_properties({  # not cells, but shown by spreadsheets: bidirectional controls made visible too
        "title": shown_text(f"Section 17 audit: {about.cycle}"), "subject": shown_text(about.scope),
        "author": shown_text(about.made_with), "company": shown_text(about.council), "created": created,
        "comments": f"Made by {about.made_with}. Every text cell is text: nothing in it is a formula or a link.",
    })
    fingerprint = Fingerprint()
    fingerprint.add("about", {key: value for key, value in plain(about).items()
                              if key not in ("generated_at", "generated_by")})
    data.returns = fingerprint.through("return", data.returns)
    data.audit = fingerprint.through("event", data.audit)
    # Automatic, as Excel's own default: the mode is saved with the file and applies to the whole Excel session,
    # so "manual" stopped an auditor's own check formulas recalculating in every workbook they had open.
    workbook.set_calc_mode("auto")
    styles = Styles(workbook)
    zone = ZoneInfo(about.timezone)
    bands = about.bands
    sheets = [name for name, _ in SHEET_NOTES if _included(name, data)]

    about_sheet = workbook.add_worksheet("About")
    summary_sheet = workbook.add_worksheet("Summary")
    responses = Table(workbook, styles, "Responses", RESPONSES_COLUMNS, zone=zone, bands=bands, key_columns=5)
    matrix_sheet = workbook.add_worksheet("Matrix")
    gaps = Table(workbook, styles, "Gaps", GAPS_COLUMNS, zone=zone, bands=bands, key_columns=4)
    questions = Table(workbook, styles, "Questions", QUESTION_COLUMNS, zone=zone, key_columns=1)
    hallmark_sheet = workbook.add_worksheet("Hallmarks") if "Hallmarks" in sheets else None
    approach_sheet = workbook.add_worksheet("Peer approaches") if "Peer approaches" in sheets else None
    crime_sheet = workbook.add_worksheet("Crime benchmarking") if "Crime benchmarking" in sheets else None
    reviews = Table(workbook, styles, "Reviews", REVIEW_COLUMNS, zone=zone)
    comments = Table(workbook, styles, "Comments", COMMENT_COLUMNS, zone=zone, key_columns=2)
    files = Table(workbook, styles, "Evidence files", EVIDENCE_FILE_COLUMNS, zone=zone, key_columns=2)
    actions = Table(workbook, styles, "Actions", ACTION_COLUMNS, zone=zone, key_columns=2)
    audit = Table(workbook, styles, "Audit log", AUDIT_COLUMNS, zone=zone, key_columns=2)

    tallies, matrix = write_answers(data, responses, gaps, progress)
    responses.finish()
    gaps.finish()
    write_summary(workbook, summary_sheet, styles, data, tallies, zone)
    write_matrix(matrix_sheet, styles, data, matrix)
    for row in question_rows((data.definitions[key] for key in sorted(data.definitions)),
                             fingerprints_of(about.definitions)):
        questions.write_row(row)
    questions.finish()
    if hallmark_sheet is not None:
        write_hallmarks(hallmark_sheet, styles, data)
    if approach_sheet is not None:
        write_approaches(approach_sheet, styles, data)
    if crime_sheet is not None:
        write_crime(crime_sheet, styles, data)
    for comment in data.comments:
        comments.write_row((comment.respondent, comment.department_code, comment.question_id, comment.question,
                            comment.text, comment.author, comment.author_role, comment.written_at, comment.shared_at,
                            comment.state, comment.resolved_at, comment.resolved_how, comment.resolved_by,
                            comment.comment_id, comment.assignment_id))
    comments.finish()
    for file in data.evidence_files:
        files.write_row((file.respondent, file.department_code, file.attached_to, file.question_id, file.about,
                         file.file_name, file.media_type, file.size_bytes, file.uploaded_by, file.uploaded_at,
                         file.first_uploaded_at, file.frozen_at, file.text_read, file.sha256, file.file_id,
                         file.return_id))
    files.finish()
    for review in data.reviews:
        reviews.write_row((review.assignment_id, review.respondent, review.department_code, review.submission,
                           review.submitted_at, review.submitted_by, review.decision, review.decided_at,
                           review.decided_by, review.reason))
    reviews.finish()
    for action in data.actions:
        actions.write_row((action.action_id, action.title, action.department, action.return_id, action.origin,
                           action.origin_detail, action.question_id, action.gap_text, action.owner, action.due_date,
                           action.status, "Yes" if action.overdue else "No", action.done_looks_like,
                           action.dropped_reason, action.latest_note, action.latest_note_at, action.notes,
                           action.created_at, action.updated_at))
    actions.finish()
    for event in data.audit:
        audit.write_row((event.event_id, event.occurred_at, event.actor, event.action, event.object_type,
                         event.object_id, event.summary, event.before, event.after, event.ip_address))
    audit.finish()
    for label, part in (("actions", data.actions), ("reviews", data.reviews), ("comments", data.comments),
                        ("evidence files", data.evidence_files), ("checklists", data.hallmarks),
                        ("approaches", data.approaches), ("crime", data.crime), ("quartile rule", data.quartile_rule),
                        ("questionnaires", [(key, data.definitions[key].id, data.definitions[key].version)
                                            for key in sorted(data.definitions)])):
        fingerprint.add(label, part)
    write_about(about_sheet, styles, data, sheets, fingerprint.hexdigest())  # last: it shows the fingerprint
    workbook.close()


def _included(sheet: str, data: CycleExport) -> bool:
    if sheet == "Hallmarks":
        return bool(data.hallmarks)
    if sheet == "Peer approaches":
        return data.approaches is not None
    if sheet == "Crime benchmarking":
        return bool(data.crime)
    return True

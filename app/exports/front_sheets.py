"""The sheets an auditor reads first: About (what the workbook is and how it was made), Summary (scores
and checklist compliance) and Matrix (each department's answer to each question)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from xlsxwriter.workbook import Workbook

from app.analysis.compliance import ChecklistCompliance, Compliance
from app.analysis.frame import question_catalogue
from app.exports.answer_rows import MatrixData, Tally, band_word
from app.exports.model import CycleExport, ReturnInfo
from app.exports.sheets import (
    MAX_ROW_HEIGHT,
    ROW_HEIGHT,
    Styles,
    Table,
    print_setup,
    shown_text,
    wrapped_lines,
    write_text,
)
from app.exports.workbook_columns import (
    MATRIX_WIDTH,
    SHEET_NOTES,
    SUMMARY_AT,
    SUMMARY_COLUMNS,
    SUMMARY_COUNTED_COLUMN,
    SUMMARY_SCORE_COLUMN,
)

# --------------------------------------------------------------------------- About


def write_about(sheet, styles: Styles, data: CycleExport, sheets: list[str], fingerprint: str = "") -> None:
    """Two columns, read top to bottom: what the workbook covers, the questionnaires, the rules."""
    about = data.about
    width = 100
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, width)
    print_setup(sheet, title_rows=False)
    row = 0

    def put(key: str, value: Any = "") -> None:
        nonlocal row
        write_text(sheet, styles, row, 0, key, "label")
        shown = write_text(sheet, styles, row, 1, value, "long_text")
        lines = wrapped_lines(shown, width) if shown else 1
        if lines > 1:
            sheet.set_row(row, 15 * lines)
        row += 1

    write_text(sheet, styles, row, 0, f"Section 17 audit: {about.cycle}", "title")
    row += 2
    zone = ZoneInfo(about.timezone)
    as_of = (f"{about.data_as_of.astimezone(zone):%d %B %Y at %H:%M:%S} ({about.timezone}): the latest change this "
             "workbook includes; overdue is judged on that day" if about.data_as_of else "No change recorded yet")
    for key, value in (("Council", about.council), ("Partnership", about.partnership), ("Audit cycle", about.cycle),
                       ("Period", f"{about.period_start:%d %B %Y} to {about.period_end:%d %B %Y}"),
                       ("Deadline for returns", f"{about.deadline:%d %B %Y}"), ("Cycle status", about.cycle_status),
                       ("What this workbook covers", about.scope), ("Data as of", as_of),
                       ("Returns", f"{data.return_count:,} returns with {data.answer_count:,} answers stored"),
                       ("Made with", about.made_with),
                       ("Content fingerprint (SHA-256)", fingerprint),
                       ("Export id", fingerprint[:16]),
                       ("Who exported it, and when", "In the service's audit log (export.made, with this file's "
                                                     "SHA-256) and in the file's name: not in the workbook, so the "
                                                     "same data always gives the same file")):
        put(key, value)
    who = {"departmental": "Each department", "partnership": "The partnership", "peer": "Peer partnerships"}
    for definition in about.definitions:
        row += 1
        put("Questionnaire", definition.id)
        put("    Title", definition.title)
        put("    Version", str(definition.version))
        put("    Answered by", who.get(definition.kind, definition.kind))
        put("    SHA-256 of its definition", definition.sha256)
    for heading, lines in (("How scores and gaps are worked out", about.scoring_rules),
                           ("How ranks and quartiles are worked out", about.benchmark_rules),
                           ("The sheets", [f"{name}: {note}" for name, note in SHEET_NOTES if name in sheets])):
        if not lines:
            continue
        row += 1
        for index, line in enumerate(lines):
            put(heading if index == 0 else "", line)


# --------------------------------------------------------------------------- Summary


def write_summary(workbook: Workbook, sheet, styles: Styles, data: CycleExport,
                   tallies: list[tuple[ReturnInfo, Tally]], zone: ZoneInfo) -> None:
    """Departments' progress and scores (a table with a filter), then each partnership checklist's compliance."""
    bands = data.about.bands
    departments = [(info, t) for info, t in tallies if info.respondent_type == "department"]
    table = Table(workbook, styles, "Summary", SUMMARY_COLUMNS, zone=zone, bands=bands, sheet=sheet,
                  provisional_where=(SUMMARY_COUNTED_COLUMN, "No"), key_columns=2)
    council = Tally()
    counted = 0
    for info, tally in sorted(departments, key=lambda item: item[0].respondent.casefold()):
        table.write_row((info.respondent, info.department_code, info.assignment_id, info.status,
                         "Yes" if info.overdue else "No", info.due_date, info.submitted_at, tally.questions,
                         tally.answered, tally.met, tally.gaps, tally.unanswered, tally.not_applicable, tally.score,
                         tally.coverage, band_word(tally.score, bands, provisional=not info.counted),
                         "Yes" if info.counted else "No", tally.gaps_checked, tally.met_checked, info.reviewed_by,
                         info.reviewed_at, info.return_reason))
        if info.counted:
            council.add_tally(tally)
            counted += 1
    last = max(table.finish(), 1)
    if departments:
        table.highlight_rows_where(SUMMARY_COUNTED_COLUMN, "No", style="provisional")
    below = last  # the last row used: the table's, or the council-wide row's under it
    if departments and data.whole_cycle:
        below = last + 2
        _write_council_row(sheet, styles, below, council, counted, bands)
    if departments:
        chart = workbook.add_chart({"type": "bar"})
        chart.add_series({"name": "Score", "categories": ["Summary", 1, 0, last, 0],
                          "values": ["Summary", 1, SUMMARY_SCORE_COLUMN, last, SUMMARY_SCORE_COLUMN],
                          "fill": {"color": "#1D70B8"},
                          "data_labels": {"value": True, "num_format": "0%"}})
        chart.set_title({"name": "Score by department"})
        chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        chart.set_size({"width": 720, "height": max(300, 24 * len(departments) + 80)})
        sheet.insert_chart(below + 2, 0, chart)
    start = below + 2 + max(16, (24 * len(departments) + 80) // 20 + 2)
    for checklist in data.hallmarks or ():
        start = _write_checklist_compliance(workbook, sheet, styles, start, checklist_title(data, checklist),
                                            checklist)


def _write_council_row(sheet, styles: Styles, row: int, council: Tally, counted: int, bands) -> None:
    """Below the table (outside its filter): every submitted return's answers pooled, as the results pages
    count them; returns still being written are left out, so this row is never provisional."""
    label = (f"Council-wide: {counted} submitted return{'s' if counted != 1 else ''} "
             "(returns still being written are not counted)")
    write_text(sheet, styles, row, 0, label, "total")
    for col in range(1, len(SUMMARY_COLUMNS)):
        sheet.write_blank(row, col, None, styles.get("total"))
    at = SUMMARY_AT
    for header, value in (("Questions", council.questions), ("Answered", council.answered), ("Met", council.met),
                          ("Gaps", council.gaps), ("Not answered", council.unanswered),
                          ("Not applicable", council.not_applicable), ("Gaps with evidence checked",
                                                                      council.gaps_checked),
                          ("Met with evidence checked", council.met_checked)):
        sheet.write_number(row, at[header], value, styles.get("total"))
    for header, value in (("Score", council.score), ("Coverage (answered of asked)", council.coverage)):
        if value is not None:
            sheet.write_number(row, at[header], value, styles.get("total_percent"))
    write_text(sheet, styles, row, at["Band"], band_word(council.score, bands), "total")
    sheet.set_row(row, 30)


COMPLIANCE_HEADER = ("Met", "In words", "Items that apply", "Share met", "Partly met", "Not met", "Not answered",
                     "Not applicable", "Statutory requirements", "Suggested practice")


def checklist_title(data: CycleExport, checklist: ChecklistCompliance) -> str:
    """The checklist's title as the cycle fixed it (the compliance may have been worked out without titles)."""
    titles = {definition.id: definition.title for definition in data.about.definitions}
    return titles.get(checklist.definition_id, checklist.title)


def _write_checklist_compliance(workbook: Workbook, sheet, styles: Styles, start: int, title: str,
                                checklist: ChecklistCompliance) -> int:
    """One checklist's compliance on the Summary: its title, the table and a chart. Returns the next free row.

    Each checklist has a block of its own: a council's own list and the hallmark
    checklist are never added together.
    """
    write_text(sheet, styles, start, 0, f"{title}: compliance", "title")
    header_row = start + 1
    sheet.set_row(header_row, 30)
    for col, text in enumerate((f"By {checklist.grouped_by}", *COMPLIANCE_HEADER)):
        write_text(sheet, styles, header_row, col, text, "header")
    lines: list[tuple[Compliance, Compliance | None, Compliance | None]] = [
        (checklist.overall, checklist.statutory, checklist.suggested),
        *((group.overall, group.statutory, group.suggested) for group in checklist.groups),
        (checklist.statutory, None, None), (checklist.suggested, None, None)]
    for offset, (compliance, statutory, suggested) in enumerate(lines, 1):
        _write_compliance(sheet, styles, header_row + offset, compliance, statutory, suggested)
    first, last = header_row + 1, header_row + len(lines)
    what = "hallmark items" if checklist.by_hallmark else "items"
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series({"name": "Share met", "categories": ["Summary", first, 0, last, 0],
                      "values": ["Summary", first, 4, last, 4], "fill": {"color": "#00703C"},
                      "data_labels": {"value": True, "num_format": "0%"}})
    chart.set_title({"name": shown_text(f"{title}: share of {what} met")})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%"})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    height = 60 + 26 * len(lines)
    chart.set_size({"width": 720, "height": height})
    sheet.insert_chart(last + 2, 0, chart)
    return last + 2 + height // 20 + 3


def _write_compliance(sheet, styles: Styles, row: int, compliance: Compliance, statutory: Compliance | None,
                      suggested: Compliance | None) -> None:
    """One line of a compliance table, cells in column order (constant_memory writes rows in order).

    `statutory` and `suggested` split the line's items in two; the lines that are
    already one of the two have neither.
    """
    write_text(sheet, styles, row, 0, compliance.label, "long_text")
    sheet.write_number(row, 1, compliance.met, styles.get("integer"))
    write_text(sheet, styles, row, 2, compliance.sentence, "text")
    sheet.write_number(row, 3, compliance.applicable, styles.get("integer"))
    if compliance.applicable:
        sheet.write_number(row, 4, compliance.met / compliance.applicable, styles.get("percent"))
    for col, value in ((5, compliance.partly_met), (6, compliance.not_met), (7, compliance.unanswered),
                       (8, compliance.not_applicable)):
        sheet.write_number(row, col, value, styles.get("integer"))
    for col, part in ((9, statutory), (10, suggested)):
        if part is not None:
            write_text(sheet, styles, row, col, part.sentence, "text")


# --------------------------------------------------------------------------- Matrix


def write_matrix(sheet, styles: Styles, data: CycleExport, matrix: MatrixData) -> None:
    fixed = ("Questionnaire", "Section", "Question id", "Question")
    for col, name in enumerate([*fixed, *matrix.columns]):
        write_text(sheet, styles, 0, col, name, "header")
    ids = [question.id for snapshot_id in matrix.cells for question in data.definitions[snapshot_id].questions]
    sheet.set_column(0, 1, 22)
    sheet.set_column(2, 2, max([20, *(len(question_id) + 2 for question_id in ids)]))  # ids are never cut off
    sheet.set_column(3, 3, 50)
    if matrix.columns:
        sheet.set_column(4, 3 + len(matrix.columns), MATRIX_WIDTH)
    sheet.freeze_panes(1, 4)
    sheet.set_row(0, 45)
    print_setup(sheet, width=114 + 24 * len(matrix.columns), key_columns=4)
    row = 1
    labels = matrix.labels
    for snapshot_id, by_question in matrix.cells.items():
        definition = data.definitions[snapshot_id]
        for question, entry in zip(definition.questions, question_catalogue(definition), strict=True):
            codes = by_question.get(question.id, ())
            for col, value in enumerate((definition.id, entry["section"], question.id, question.text)):
                write_text(sheet, styles, row, col, value, "long_text" if col == 3 else None)
            lines = wrapped_lines(question.text, 50)
            for offset, code in enumerate(codes):
                if code:
                    label = write_text(sheet, styles, row, 4 + offset, labels.text(code), wrap_beyond=MATRIX_WIDTH)
                    lines = max(lines, wrapped_lines(label, MATRIX_WIDTH))
            if lines > 1:
                sheet.set_row(row, min(ROW_HEIGHT * lines, MAX_ROW_HEIGHT))
            row += 1
    sheet.autofilter(0, 0, max(row - 1, 1), 3 + len(matrix.columns))
    labels.close()

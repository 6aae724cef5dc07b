"""The cycle workbook: About, Summary, Responses, Matrix, Gaps, Hallmarks, Peer approaches,
Crime benchmarking, Actions and Audit log, built with xlsxwriter in constant_memory mode.

One pass over the returns writes the Responses and Gaps sheets row by row and keeps
only what the Summary and Matrix need (counts per department, and one reference per
answer to its label, most of which are the same few option labels). Everything else
is small. The same data, generated at the same time by the same person, gives the same
bytes: the document's properties are fixed and xlsxwriter dates every zip entry 1980.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple
from zoneinfo import ZoneInfo

from xlsxwriter.workbook import Workbook

from app.analysis.approaches import status_label
from app.analysis.frame import MATTER_LABELS, Judge, question_catalogue, visible_in
from app.analysis.hallmarks import Compliance
from app.exports.model import CycleExport, Progress, ReturnInfo, StoredReturn
from app.exports.sheets import (
    Column,
    Kind,
    RagBands,
    Styles,
    Table,
    new_workbook,
    print_setup,
    shown_text,
    write_text,
)
from app.questionnaires.definition import Definition, Question
from app.questionnaires.scoring import Outcome
from app.questionnaires.workflow import STATUS_LABELS

OUTCOME_WORDS = {
    Outcome.MET.value: "Met", Outcome.GAP.value: "Gap", Outcome.UNANSWERED.value: "Not answered",
    Outcome.NOT_APPLICABLE.value: "Not applicable", Outcome.HIDDEN.value: "Not asked (an earlier answer hid it)",
    Outcome.UNSCORED.value: "Not scored",
}
MET, GAP, UNANSWERED, NOT_APPLICABLE, HIDDEN = (Outcome.MET.value, Outcome.GAP.value, Outcome.UNANSWERED.value,
                                                Outcome.NOT_APPLICABLE.value, Outcome.HIDDEN.value)
IN_SCOPE = {MET, GAP, UNANSWERED}
RETURN_STATUSES = tuple(STATUS_LABELS.values())
ACTION_STATUSES = ("Not started", "In progress", "Done", "Dropped")
YES_NO = ("Yes", "No")
PROGRESS_EVERY = 25  # returns
MATRIX_WIDTH = 24  # characters: each department's column in the Matrix

RESPONSES_COLUMNS = (
    Column("Respondent type", width=13), Column("Department or partnership", width=28), Column("Code", width=8),
    Column("Questionnaire", width=24), Column("Version", Kind.INTEGER, 8), Column("Section", width=24),
    Column("Theme", width=22), Column("Matters", Kind.LONG_TEXT, 30), Column("Question id", width=22),
    Column("Question", Kind.LONG_TEXT, 50), Column("Answer", Kind.LONG_TEXT, 36), Column("Score", Kind.PERCENT, 8),
    Column("Target", Kind.LONG_TEXT, 28), Column("Gap", width=6, choices=YES_NO), Column("Outcome", width=16),
    Column("Evidence or comment", Kind.LONG_TEXT, 40), Column("Planned action", Kind.LONG_TEXT, 32),
    Column("Return status", width=18, choices=RETURN_STATUSES), Column("Answered by", width=22),
    Column("Answered at", Kind.DATETIME, 17),
)
GAPS_COLUMNS = (
    Column("Department or partnership", width=28), Column("Code", width=8), Column("Theme", width=22),
    Column("Matters", Kind.LONG_TEXT, 30), Column("Statutory", width=9, choices=YES_NO),
    Column("Question id", width=22), Column("Question", Kind.LONG_TEXT, 50), Column("Answer", Kind.LONG_TEXT, 32),
    Column("Score", Kind.PERCENT, 8), Column("Target", Kind.LONG_TEXT, 28),
    Column("Evidence or comment", Kind.LONG_TEXT, 36), Column("Return status", width=18, choices=RETURN_STATUSES),
)
SUMMARY_COLUMNS = (
    Column("Department", width=34), Column("Code", width=8), Column("Return status", width=20, choices=RETURN_STATUSES),
    Column("Overdue", width=9, choices=YES_NO), Column("Deadline", Kind.DATE, 12), Column("Submitted", Kind.DATE, 12),
    Column("Questions", Kind.INTEGER, 10), Column("Answered", Kind.INTEGER, 10), Column("Met", Kind.INTEGER, 8),
    Column("Gaps", Kind.INTEGER, 8), Column("Not answered", Kind.INTEGER, 10),
    Column("Not applicable", Kind.INTEGER, 10), Column("Score", Kind.PERCENT, 8), Column("Band", width=8),
)
ACTION_COLUMNS = (
    Column("Action", Kind.LONG_TEXT, 36), Column("Department", width=26), Column("Question id", width=20),
    Column("Gap it came from", Kind.LONG_TEXT, 40), Column("Owner", width=22), Column("Due", Kind.DATE, 12),
    Column("Status", width=13, choices=ACTION_STATUSES), Column("Overdue", width=9, choices=YES_NO),
    Column("What done looks like", Kind.LONG_TEXT, 36), Column("Why dropped", Kind.LONG_TEXT, 24),
    Column("Latest note", Kind.LONG_TEXT, 36), Column("Latest note on", Kind.DATE, 12),
    Column("Notes", Kind.INTEGER, 7), Column("Raised", Kind.DATE, 12), Column("Last changed", Kind.DATETIME, 17),
)
AUDIT_COLUMNS = (
    Column("When", Kind.DATETIME, 17), Column("Who", width=30), Column("What", width=24),
    Column("About", width=16), Column("Its id", width=8), Column("Summary", Kind.LONG_TEXT, 50),
    Column("Before", Kind.LONG_TEXT, 40), Column("After", Kind.LONG_TEXT, 40), Column("Internet address", width=16),
)
SHEET_NOTES = (
    ("About", "This page: what the workbook covers, the questionnaires with their versions and fingerprints, "
              "and the rules behind every figure."),
    ("Summary", "Each department's return: its status and score; the hallmark checklist's compliance; charts."),
    ("Responses", "One row per return and question, answered or not: the answer in words, its score against the "
                  "target, whether it is a gap, the evidence, and who answered when."),
    ("Matrix", "Each departmental question, with every department's answer side by side."),
    ("Gaps", "Every question whose answer misses its target, or that has not been answered."),
    ("Hallmarks", "The Hallmarks of Effective Partnership checklist, item by item."),
    ("Peer approaches", "How each peer partnership mainstreams the duty, with ours beside them."),
    ("Crime benchmarking", "Recorded crime per 1,000 people across the family group: rank, quartile and band."),
    ("Actions", "The improvement action plan."),
    ("Audit log", "Every recorded change and event for what this workbook covers, oldest first."),
)


def theme_names(definition: Definition) -> dict[str, str]:
    """Each theme with the title of the first section that carries it."""
    names: dict[str, str] = {}
    for entry in question_catalogue(definition):
        if entry["theme"] and entry["theme"] not in names:
            names[entry["theme"]] = entry["section"]
    return names


def matter_words(matters: tuple[str, ...]) -> str:
    return "; ".join(MATTER_LABELS.get(m, m) for m in matters)


@dataclass
class Tally:
    """What the Summary says of one return, counted as its rows are written."""

    questions: int = 0
    answered: int = 0
    met: int = 0
    gaps: int = 0
    unanswered: int = 0
    not_applicable: int = 0
    scores: Counter[float] = field(default_factory=Counter)  # score -> how many: an exact, order-free mean

    def add(self, outcome: str, score: float, is_gap: bool) -> None:
        if outcome in IN_SCOPE:
            self.questions += 1
        if outcome == MET or outcome == GAP:
            self.answered += 1
            self.scores[score] += 1
        self.met += outcome == MET
        self.gaps += is_gap
        self.unanswered += outcome == UNANSWERED
        self.not_applicable += outcome == NOT_APPLICABLE

    @property
    def score(self) -> float | None:
        if not self.answered:
            return None
        return math.fsum(value * count for value, count in self.scores.items()) / self.answered


def band_word(score: float | None, bands: RagBands) -> str:
    if score is None:
        return ""
    return "Green" if score >= bands.green else "Amber" if score >= bands.amber else "Red"


class _QuestionRows:
    """The repeated, per-question part of a Responses row, made once per question."""

    def __init__(self, definition: Definition) -> None:
        themes = theme_names(definition)
        self.entries: list[tuple[Question, tuple[Any, ...], bool]] = []
        for question, entry in zip(definition.questions, question_catalogue(definition), strict=True):
            self.entries.append((question, (
                definition.id, definition.version, entry["section"], themes.get(entry["theme"], ""),
                matter_words(entry["matter"]), question.id, question.text), bool(entry["statutory"])))
        self.targets = [entry["target"] for entry in question_catalogue(definition)]


def write_workbook(output: str | IO[bytes], data: CycleExport, *, progress: Progress | None = None) -> None:
    """Write the whole workbook to a path or a binary file object."""
    workbook = new_workbook(output)
    about = data.about
    created = about.generated_at.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    workbook.set_properties({  # not cells, but shown by spreadsheets: bidirectional controls made visible too
        "title": shown_text(f"Section 17 audit: {about.cycle}"), "subject": shown_text(about.scope),
        "author": shown_text(about.generated_by), "company": shown_text(about.council), "created": created,
        "comments": "Made by Section 17 Audit. Every text cell is text: nothing in it is a formula or a link.",
    })
    workbook.set_calc_mode("manual")  # nothing to calculate: no formulas anywhere
    styles = Styles(workbook)
    zone = ZoneInfo(about.timezone)
    bands = about.bands
    sheets = [name for name, _ in SHEET_NOTES if _included(name, data)]

    about_sheet = workbook.add_worksheet("About")
    summary_sheet = workbook.add_worksheet("Summary")
    responses = Table(workbook, styles, "Responses", RESPONSES_COLUMNS, zone=zone, bands=bands)
    matrix_sheet = workbook.add_worksheet("Matrix")
    gaps = Table(workbook, styles, "Gaps", GAPS_COLUMNS, zone=zone, bands=bands)
    hallmark_sheet = workbook.add_worksheet("Hallmarks") if "Hallmarks" in sheets else None
    approach_sheet = workbook.add_worksheet("Peer approaches") if "Peer approaches" in sheets else None
    crime_sheet = workbook.add_worksheet("Crime benchmarking") if "Crime benchmarking" in sheets else None
    actions = Table(workbook, styles, "Actions", ACTION_COLUMNS, zone=zone)
    audit = Table(workbook, styles, "Audit log", AUDIT_COLUMNS, zone=zone)

    tallies, matrix = _write_answers(data, responses, gaps, progress)
    responses.finish()
    gaps.finish()
    _write_about(about_sheet, styles, data, sheets)
    _write_summary(workbook, summary_sheet, styles, data, tallies, zone)
    _write_matrix(matrix_sheet, styles, data, matrix)
    if hallmark_sheet is not None:
        _write_hallmarks(hallmark_sheet, styles, data)
    if approach_sheet is not None:
        _write_approaches(approach_sheet, styles, data)
    if crime_sheet is not None:
        _write_crime(crime_sheet, styles, data)
    for action in data.actions:
        actions.write_row((action.title, action.department, action.question_id, action.gap_text, action.owner,
                           action.due_date, action.status, "Yes" if action.overdue else "No", action.done_looks_like,
                           action.dropped_reason, action.latest_note, action.latest_note_at, action.notes,
                           action.created_at, action.updated_at))
    actions.finish()
    for event in data.audit:
        audit.write_row((event.occurred_at, event.actor, event.action, event.object_type, event.object_id,
                         event.summary, event.before, event.after, event.ip_address))
    audit.finish()
    workbook.close()


def _included(sheet: str, data: CycleExport) -> bool:
    if sheet == "Hallmarks":
        return data.hallmarks is not None
    if sheet == "Peer approaches":
        return data.approaches is not None
    if sheet == "Crime benchmarking":
        return bool(data.crime)
    return True


# --------------------------------------------------------------------------- the answers, in one pass


@dataclass
class MatrixData:
    """Departmental answers by question and department: references to labels, most of them shared."""

    columns: list[str] = field(default_factory=list)  # department names, in order
    # snapshot id -> question id -> one label per department column (appended as departments come)
    cells: dict[int, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(dict))


KIND_WORDS = {"department": "Department", "partnership": "Partnership", "peer": "Peer"}


class ScoredAnswer(NamedTuple):
    """One question of one return, judged: what every answer-level sheet is made from.

    A named tuple, not a dataclass: one is made per answer, and a tuple is the cheapest to make.
    """

    stored: StoredReturn
    question: Question
    fixed: tuple[Any, ...]  # questionnaire, version, section, theme, matters, question id, question
    statutory: bool
    target: str
    raw: Any  # the stored answer, or None
    outcome: str
    score: float
    is_gap: bool
    label: str

    def detail(self, index: int, missing: Any = "") -> Any:
        raw = self.raw
        return raw[index] if raw is not None and len(raw) > index else missing


def scored_answers(data: CycleExport) -> Iterator[ScoredAnswer]:
    """Every question of every return, in order, with its verdict (each distinct answer judged once)."""
    judge = Judge(all_labels=True)
    per_definition: dict[int, _QuestionRows] = {}
    for stored in data.returns:
        info = stored.info
        definition = data.definitions[info.snapshot_id]
        rows = per_definition.get(info.snapshot_id)
        if rows is None:
            rows = per_definition[info.snapshot_id] = _QuestionRows(definition)
        answers = stored.answers
        visible = visible_in(definition, answers)
        for (question, fixed, statutory), target in zip(rows.entries, rows.targets, strict=True):
            raw = answers.get(question.id)
            outcome, score, is_gap, label = judge(id(question), question, visible is None or question.id in visible,
                                                  raw)
            yield ScoredAnswer(stored, question, fixed, statutory, target, raw, outcome, score, is_gap, label)


def response_row(answer: ScoredAnswer) -> tuple[Any, ...]:
    """A Responses row, in RESPONSES_COLUMNS order."""
    info = answer.stored.info
    return (KIND_WORDS[info.respondent_type], info.respondent, info.department_code, *answer.fixed, answer.label,
            answer.score, answer.target, "Yes" if answer.is_gap else "No", OUTCOME_WORDS[answer.outcome],
            answer.detail(2), answer.detail(3), info.status, answer.detail(5), answer.detail(4, None))


def response_rows(data: CycleExport) -> Iterator[tuple[Any, ...]]:
    return (response_row(answer) for answer in scored_answers(data))


def _write_answers(data: CycleExport, responses: Table, gaps: Table, progress: Progress | None
                   ) -> tuple[list[tuple[ReturnInfo, Tally]], MatrixData]:
    """Responses and Gaps, row by row; the counts for the Summary and the labels for the Matrix on the way."""
    tallies: list[tuple[ReturnInfo, Tally]] = []  # not the returns: they hold every answer
    matrix = MatrixData()
    current: StoredReturn | None = None
    tally = Tally()
    cells_by_question: dict[str, list[str]] | None = None
    column = 0

    def close_return() -> None:
        if current is not None:
            tallies.append((current.info, tally))
            if progress is not None and (len(tallies) % PROGRESS_EVERY == 0 or len(tallies) == data.return_count):
                progress(len(tallies), data.return_count)

    for answer in scored_answers(data):
        if answer.stored is not current:
            close_return()
            current, tally = answer.stored, Tally()
            info = current.info
            cells_by_question = None
            if info.respondent_type == "department" and data.definitions[info.snapshot_id].kind == "departmental":
                column = len(matrix.columns)
                matrix.columns.append(info.respondent)
                cells_by_question = matrix.cells[info.snapshot_id]
        tally.add(answer.outcome, answer.score, answer.is_gap)
        responses.write_row(response_row(answer))
        if answer.is_gap:
            info = answer.stored.info
            gaps.write_row((info.respondent, info.department_code, answer.fixed[3], answer.fixed[4],
                            "Yes" if answer.statutory else "No", answer.question.id, answer.question.text,
                            answer.label if answer.outcome != UNANSWERED else "Not answered",
                            answer.score, answer.target, answer.detail(2), info.status))
        if cells_by_question is not None:
            cells = cells_by_question.setdefault(answer.question.id, [])
            cells.extend([""] * (column - len(cells)))
            cells.append(answer.label if answer.outcome != HIDDEN else "")
    close_return()
    return tallies, matrix


# --------------------------------------------------------------------------- About


def _lines(text: str, width: float) -> int:
    """Roughly how many lines `text` wraps to in a column `width` characters wide."""
    return sum(max(1, math.ceil(len(part) / max(width * 1.05, 1))) for part in text.split("\n"))


def _write_about(sheet, styles: Styles, data: CycleExport, sheets: list[str]) -> None:
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
        lines = _lines(shown, width) if shown else 1
        if lines > 1:
            sheet.set_row(row, 15 * lines)
        row += 1

    write_text(sheet, styles, row, 0, f"Section 17 audit: {about.cycle}", "title")
    row += 2
    zone = ZoneInfo(about.timezone)
    generated = about.generated_at.astimezone(zone)
    for key, value in (("Council", about.council), ("Partnership", about.partnership), ("Audit cycle", about.cycle),
                       ("Period", f"{about.period_start:%d %B %Y} to {about.period_end:%d %B %Y}"),
                       ("Deadline for returns", f"{about.deadline:%d %B %Y}"), ("Cycle status", about.cycle_status),
                       ("What this workbook covers", about.scope),
                       ("Generated", f"{generated:%d %B %Y at %H:%M} ({about.timezone})"),
                       ("Generated by", about.generated_by),
                       ("Returns", f"{data.return_count:,} returns with {data.answer_count:,} answers stored")):
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


def _write_summary(workbook: Workbook, sheet, styles: Styles, data: CycleExport,
                   tallies: list[tuple[ReturnInfo, Tally]], zone: ZoneInfo) -> None:
    """Departments' progress and scores (a table with a filter), hallmark compliance, and two charts."""
    bands = data.about.bands
    departments = [(info, t) for info, t in tallies if info.respondent_type == "department"]
    table = Table(workbook, styles, "Summary", SUMMARY_COLUMNS, zone=zone, bands=bands, sheet=sheet)
    for info, tally in sorted(departments, key=lambda item: item[0].respondent.casefold()):
        table.write_row((info.respondent, info.department_code, info.status, "Yes" if info.overdue else "No",
                         info.due_date, info.submitted_at, tally.questions, tally.answered, tally.met, tally.gaps,
                         tally.unanswered, tally.not_applicable, tally.score, band_word(tally.score, bands)))
    last = max(table.finish(), 1)
    if departments:
        chart = workbook.add_chart({"type": "bar"})
        chart.add_series({"name": "Score", "categories": ["Summary", 1, 0, last, 0],
                          "values": ["Summary", 1, 12, last, 12], "fill": {"color": "#1D70B8"},
                          "data_labels": {"value": True, "num_format": "0%"}})
        chart.set_title({"name": "Score by department"})
        chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        chart.set_size({"width": 720, "height": max(300, 24 * len(departments) + 80)})
        sheet.insert_chart(last + 2, 0, chart)
    if data.hallmarks is None:
        return
    start = last + 2 + max(16, (24 * len(departments) + 80) // 20 + 2)
    rows = [data.hallmarks.overall, *data.hallmarks.by_hallmark, data.hallmarks.statutory, data.hallmarks.suggested]
    header = ("Hallmark compliance", "Met", "In words", "Items that apply", "Share met", "Partly met", "Not met",
              "Not answered", "Not applicable")
    sheet.set_row(start, 30)
    for col, text in enumerate(header):
        write_text(sheet, styles, start, col, text, "header")
    for offset, compliance in enumerate(rows, 1):
        _write_compliance(sheet, styles, start + offset, compliance)
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series({"name": "Share met", "categories": ["Summary", start + 1, 0, start + len(rows), 0],
                      "values": ["Summary", start + 1, 4, start + len(rows), 4], "fill": {"color": "#00703C"},
                      "data_labels": {"value": True, "num_format": "0%"}})
    chart.set_title({"name": "Hallmark items met"})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%"})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 720, "height": 60 + 26 * len(rows)})
    sheet.insert_chart(start + len(rows) + 2, 0, chart)


def _write_compliance(sheet, styles: Styles, row: int, compliance: Compliance) -> None:
    """One line of the compliance table, cells in column order (constant_memory writes rows in order)."""
    write_text(sheet, styles, row, 0, compliance.label, "long_text")
    sheet.write_number(row, 1, compliance.met, styles.get("integer"))
    write_text(sheet, styles, row, 2, compliance.sentence, "text")
    sheet.write_number(row, 3, compliance.applicable, styles.get("integer"))
    if compliance.applicable:
        sheet.write_number(row, 4, compliance.met / compliance.applicable, styles.get("percent"))
    for col, value in ((5, compliance.partly_met), (6, compliance.not_met), (7, compliance.unanswered),
                       (8, compliance.not_applicable)):
        sheet.write_number(row, col, value, styles.get("integer"))


# --------------------------------------------------------------------------- Matrix


def _write_matrix(sheet, styles: Styles, data: CycleExport, matrix: MatrixData) -> None:
    fixed = ("Questionnaire", "Section", "Question id", "Question")
    for col, name in enumerate([*fixed, *matrix.columns]):
        write_text(sheet, styles, 0, col, name, "header")
    sheet.set_column(0, 1, 22)
    sheet.set_column(2, 2, 20)
    sheet.set_column(3, 3, 50)
    if matrix.columns:
        sheet.set_column(4, 3 + len(matrix.columns), MATRIX_WIDTH)
    sheet.freeze_panes(1, 4)
    sheet.set_row(0, 45)
    print_setup(sheet, width=114 + 24 * len(matrix.columns))
    row = 1
    for snapshot_id, by_question in matrix.cells.items():
        definition = data.definitions[snapshot_id]
        for question, entry in zip(definition.questions, question_catalogue(definition), strict=True):
            cells = by_question.get(question.id, [])
            for col, value in enumerate((definition.id, entry["section"], question.id, question.text)):
                write_text(sheet, styles, row, col, value, "long_text" if col == 3 else None)
            for offset, label in enumerate(cells):
                if label:
                    write_text(sheet, styles, row, 4 + offset, label, wrap_beyond=MATRIX_WIDTH)
            row += 1
    sheet.autofilter(0, 0, max(row - 1, 1), 3 + len(matrix.columns))


# --------------------------------------------------------------------------- Hallmarks, peers, crime


def _simple_table(sheet, styles: Styles, headers: Iterable[tuple[str, float]], rows: Iterable[Iterable[Any]],
                  *, number_styles: dict[int, str] | None = None) -> int:
    """A small table: text, or numbers in the style named for their column. Returns the last row written."""
    headers = list(headers)
    number_styles = number_styles or {}
    for col, (name, width) in enumerate(headers):
        write_text(sheet, styles, 0, col, name, "header")  # peers' names head the Peer approaches columns
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    print_setup(sheet, width=sum(width for _, width in headers))
    row = 0
    for row, values in enumerate(rows, 1):
        for col, value in enumerate(values):
            if value is None or value == "" or (isinstance(value, float) and value != value):
                continue
            if col in number_styles:
                sheet.write_number(row, col, value, styles.get(number_styles[col]))
            else:
                write_text(sheet, styles, row, col, value, "long_text")
    sheet.autofilter(0, 0, max(row, 1), len(headers) - 1)
    return row


def _write_hallmarks(sheet, styles: Styles, data: CycleExport) -> None:
    items = data.hallmark_items
    labels = {"met": "Met", "partly_met": "Partly met", "not_met": "Not met"}
    rows = []
    if items is not None:
        for item in items.itertuples(index=False):
            answer = ("Not applicable" if item.outcome == Outcome.NOT_APPLICABLE.value else
                      labels.get(item.value, item.answer or "") if item.outcome != Outcome.UNANSWERED.value
                      else "Not answered")
            rows.append((item.section, item.question_id, item.question, "Yes" if item.statutory else "No", item.source,
                         answer, "Yes" if item.outcome == Outcome.MET.value else "No", item.evidence, item.action))
    last = _simple_table(sheet, styles, (("Hallmark", 28), ("Item id", 20), ("Item", 60), ("Statutory", 9),
                                         ("Where the law says so", 26), ("Answer", 14), ("Met", 6),
                                         ("Evidence", 40), ("Planned action", 36)), rows)
    for col, choices in ((3, YES_NO), (6, YES_NO), (5, ("Met", "Partly met", "Not met", "Not applicable",
                                                          "Not answered"))):
        sheet.data_validation(1, col, max(last, 1), col, {"validate": "list", "source": list(choices)})


def _write_approaches(sheet, styles: Styles, data: CycleExport) -> None:
    matrix = data.approaches
    assert matrix is not None
    own = matrix.own or "Our partnership"
    headers = [("Approach", 44), ("Section", 24), (f"{own} (ours)", 14), *((p, 14) for p in matrix.peers),
               ("Peers with it in place", 12), ("Share of peers", 10), ("Most peers use it and we do not", 14)]
    rows = [(r.question, r.section, status_label(r.ours), *(status_label(r.by_peer[p]) for p in matrix.peers),
             r.peers_in_place, r.share, "Yes" if r.most_peers and r.ours != "in_place" else "No")
            for r in matrix.rows]
    first_number = 3 + len(matrix.peers)
    _simple_table(sheet, styles, headers, rows, number_styles={first_number: "integer", first_number + 1: "percent"})


def _write_crime(sheet, styles: Styles, data: CycleExport) -> None:
    headers = (("Offence type", 26), ("Period", 9), ("Partnership", 26), ("Our partnership", 10),
               ("Offences per 1,000", 11), ("Change %", 9), ("Change worked out", 14), ("Rank", 7),
               ("Quartile", 9), ("Top quartile", 9), ("Against the group band", 14), ("Change rank", 8),
               ("Change quartile", 9), ("Partnerships ranked", 10), ("Group mean", 10), ("Group median", 10))
    band_words = {"below": "Below the band", "in_line": "In line", "above": "Above the band"}
    rows = []
    for section in data.crime:
        table = section.table
        for r in table.rows:
            rows.append((section.offence, section.period, r.partnership, "Yes" if r.own else "No", r.rate, r.change,
                         r.change_source.value.replace("_", " ") if r.change_source else "", r.rank, r.quartile,
                         "Yes" if r.quartile == 1 else "No", band_words.get(r.band.value, r.band.value) if r.band else "",
                         r.change_rank, r.change_quartile, table.n, table.mean, table.median))
    last = max(_simple_table(sheet, styles, headers, rows, number_styles={
        4: "number", 5: "change", 7: "integer", 8: "integer", 11: "integer", 12: "integer", 13: "integer",
        14: "number", 15: "number"}), 1)
    for quartile, style in ((1, "green"), (2, "amber"), (3, "amber"), (4, "red")):
        sheet.conditional_format(1, 8, last, 8, {"type": "cell", "criteria": "equal to", "value": quartile,
                                                 "format": styles.get(style)})
    sheet.conditional_format(1, 0, last, len(headers) - 1, {"type": "formula", "criteria": '=$D2="Yes"',
                                                            "format": styles.get("own")})
    if data.quartile_rule:
        write_text(sheet, styles, last + 2, 0, data.quartile_rule, "long_text")

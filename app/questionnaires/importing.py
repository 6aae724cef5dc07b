"""A council's own checklist, from a spreadsheet to a questionnaire definition.

The sheet has one row per item, under a header row naming the columns:

    section    the group the item belongs to (items keep their order; sections appear in order)
    id         the item's reference, e.g. "1.2" or "R12" (made into an id such as "1-2" or "r12")
    text       the item, as people will read it
    statutory  yes or no (blank means no)
    hint       optional help shown under the item, for example the law it comes from

Every item becomes a question answered met, partly met, not met or not
applicable, with evidence required for "met" and a planned action for "not
met": the same shape as the hallmark checklist. Every bad row is reported
(row numbers as the spreadsheet shows them, the header being row 1) and no
definition is produced unless the whole sheet is good. Pure functions.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from app.questionnaires.validation import check_document

COLUMNS = ("section", "id", "text", "statutory", "hint")
REQUIRED_COLUMNS = ("section", "id", "text")
YES = {"yes", "y", "true", "1", "statutory"}
NO = {"no", "n", "false", "0", "", "suggested"}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_TEXT = 1000
MAX_ROWS = 2000

RATING = [{"value": "met", "label": "Met", "score": 1}, {"value": "partly_met", "label": "Partly met", "score": 0.5},
          {"value": "not_met", "label": "Not met", "score": 0}]


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        return f"row {self.row}, column {self.column}: {self.message}" if self.column else f"row {self.row}: {self.message}"


class ImportFailed(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)


# --------------------------------------------------------------------------- reading files


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheet(filename: str, data: bytes) -> Sheet:
    """Read a CSV or XLSX file's first sheet. Raise ImportFailed if it cannot be read."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv"):
        return _read_csv(data)
    raise ImportFailed([RowProblem(0, "", "Choose a CSV or Excel (.xlsx) file")])


def _read_csv(data: bytes) -> Sheet:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ImportFailed([RowProblem(0, "", "The file is not text that can be read as CSV")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = list(reader)
    except csv.Error as error:
        raise ImportFailed([RowProblem(reader.line_num, "", f"this row cannot be read as CSV: {error}")]) from None
    if not lines:
        raise ImportFailed([RowProblem(0, "", "The file is empty")])
    return Sheet([c.strip() for c in lines[0]], [(n, [c.strip() for c in row]) for n, row in enumerate(lines[1:], 2)])


def _read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFailed([RowProblem(0, "", "The file is not an Excel workbook (.xlsx)")])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for damaged files
        raise ImportFailed([RowProblem(0, "", f"The workbook cannot be opened: {error}")]) from None
    sheet = workbook.worksheets[0]
    rows = [(index, [_cell(v) for v in values]) for index, values in
            enumerate(sheet.iter_rows(values_only=True), 1)]
    workbook.close()
    if not rows:
        raise ImportFailed([RowProblem(0, "", "The first sheet is empty")])
    return Sheet(rows[0][1], rows[1:])


# --------------------------------------------------------------------------- building a definition


def make_id(reference: str) -> str:
    """'R1.2' -> 'r1-2': lower-case letters, digits and hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", reference.strip().lower()).strip("-")
    return slug[:64].rstrip("-")


@dataclass(frozen=True)
class Summary:
    sections: int
    items: int
    statutory: int


def checklist_definition(sheet: Sheet, *, definition_id: str, title: str,
                         kind: str = "partnership") -> tuple[dict[str, Any], Summary]:
    """The definition for a sheet, or ImportFailed listing every problem."""
    problems: list[RowProblem] = []
    if not ID_PATTERN.match(definition_id or ""):
        problems.append(RowProblem(0, "", "The questionnaire id must be lower-case letters, digits and hyphens, "
                                          "for example our-recommendations"))
    if not title.strip():
        problems.append(RowProblem(0, "", "Give the questionnaire a title"))
    header = [h.strip().lower() for h in sheet.header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    for column in missing:
        problems.append(RowProblem(1, column, f"there is no '{column}' column: the first row must name the columns "
                                              f"{', '.join(COLUMNS)}"))
    if missing:
        raise ImportFailed(problems)
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    for column in repeated:
        problems.append(RowProblem(1, column, "this column appears more than once"))
    if len(sheet.rows) > MAX_ROWS:
        problems.append(RowProblem(0, "", f"The sheet has more than {MAX_ROWS:,} rows"))

    position = {name: header.index(name) for name in COLUMNS if name in header}
    sections: dict[str, dict[str, Any]] = {}
    seen_ids: dict[str, int] = {}
    statutory_count = 0
    for number, cells in sheet.rows:
        def value(column: str, cells: list[str] = cells) -> str:
            index = position.get(column)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        if not any(value(c) for c in COLUMNS):
            continue  # a blank row
        row_problems: list[RowProblem] = []
        section_title, reference, text = value("section"), value("id"), value("text")
        if not section_title:
            row_problems.append(RowProblem(number, "section", "is empty: say which section the item belongs to"))
        elif len(section_title) > 200:
            row_problems.append(RowProblem(number, "section", "is longer than 200 characters"))
        question_id = make_id(reference)
        if not reference:
            row_problems.append(RowProblem(number, "id", "is empty: give every item a reference, such as 1.2"))
        elif not question_id:
            row_problems.append(RowProblem(number, "id", f"'{reference}' has no letters or digits to make an id from"))
        elif question_id in seen_ids:
            row_problems.append(RowProblem(number, "id", f"'{reference}' gives the id '{question_id}', which row "
                                                         f"{seen_ids[question_id]} already has"))
        if not text:
            row_problems.append(RowProblem(number, "text", "is empty: say what the item asks"))
        elif len(text) > MAX_TEXT:
            row_problems.append(RowProblem(number, "text", f"is longer than {MAX_TEXT:,} characters"))
        statutory_text = value("statutory").lower()
        if statutory_text not in YES | NO:
            row_problems.append(RowProblem(number, "statutory", f"'{value('statutory')}' must be yes or no"))
        hint = value("hint")
        if len(hint) > MAX_TEXT:
            row_problems.append(RowProblem(number, "hint", f"is longer than {MAX_TEXT:,} characters"))
        if question_id and question_id not in seen_ids:
            seen_ids[question_id] = number
        if row_problems:
            problems.extend(row_problems)
            continue
        statutory = statutory_text in YES
        statutory_count += statutory
        section = sections.get(section_title)
        if section is None:
            section_id = _unique(make_id(section_title) or "section", {s["id"] for s in sections.values()})
            section = sections[section_title] = {"id": section_id, "title": section_title, "questions": []}
        question: dict[str, Any] = {
            "id": question_id, "type": "single_choice", "text": text,
            "tags": {"statutory": statutory, "reference": reference},
            "options": RATING, "allow_not_applicable": True, "target": "met",
            "evidence": {"required_for": ["met"], "label": "What shows this is met"},
            "action": {"required_for": ["not_met"], "label": "What you will do, and by when"},
        }
        if hint:
            question["hint"] = hint
        section["questions"].append(question)
    if not seen_ids and not problems:
        problems.append(RowProblem(0, "", "The sheet has no items under its header row"))
    if problems:
        raise ImportFailed(problems)
    document = {
        "id": definition_id, "version": 1, "title": title.strip(), "kind": kind,
        "description": ("Answer met, partly met, not met or not applicable for each item. Say what shows that an "
                        "item is met, and what you will do about an item that is not."),
        "sections": list(sections.values()),
    }
    leftover = check_document(document, f"{definition_id}.yaml")
    if leftover:  # should not happen: the rows were checked above
        raise ImportFailed([RowProblem(0, "", message) for message in leftover])
    items = sum(len(s["questions"]) for s in document["sections"])
    return document, Summary(len(document["sections"]), items, statutory_count)


def _unique(candidate: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    if candidate not in taken:
        return candidate
    number = 2
    while f"{candidate[:60]}-{number}" in taken:
        number += 1
    return f"{candidate[:60]}-{number}"


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def definition_yaml(document: dict[str, Any], source_name: str) -> str:
    """The definition as YAML a person can read and edit."""
    header = (f"# {document['title']}\n# Imported from {source_name} with `section17 surveys import-checklist`.\n"
              "# Edit it like any other definition; keep the question ids stable.\n")
    return header + yaml.dump(document, Dumper=_NoAliases, sort_keys=False, width=110, allow_unicode=True)

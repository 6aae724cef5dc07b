"""A council's own checklist, from a spreadsheet to a questionnaire definition.

The sheet has one row per item, under a header row naming the columns:

    section    the group the item belongs to (items keep their order; sections appear in order)
    id         the item's reference, e.g. "1.2" or "R12" (made into an id such as "1-2" or "r12")
    text       the item, as people will read it
    statutory  yes or no (blank means no)
    hint       optional help shown under the item, for example the law it comes from
    hallmark   optional: the Hallmark of Effective Partnership the item belongs to, as a
               number from 1 to 6 or the hallmark's name ("Engaged communities",
               "Hallmark 5"), in any case. Left blank, an item takes its section's
               hallmark when the section is named after one ("Engaged communities",
               "Hallmark 5: Engaged communities"); otherwise it has none, and its
               compliance is shown by section.

Every item becomes a question answered met, partly met, not met or not
applicable, with evidence required for "met" and a planned action for "not
met": the same shape as the hallmark checklist, and tagged with its hallmark when
it has one. Every bad row is reported
(row numbers as the spreadsheet shows them, the header being row 1) and no
definition is produced unless the whole sheet is good. Pure functions. The file
is read by app.imports.sheets.read_sheet with SHEET_LIMITS (re-exported here, with
the problem types, for the callers that have always imported them from here).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from app.analysis.hallmarks import HALLMARKS, find_hallmark
from app.imports.problems import ImportFailed as ImportFailed
from app.imports.problems import RowProblem as RowProblem
from app.imports.sheet import Sheet as Sheet
from app.imports.sheet import SheetLimits
from app.imports.sheets import read_sheet as read_sheet
from app.questionnaires.validation import check_document
from app.text_input import clean_text

COLUMNS = ("section", "id", "text", "statutory", "hint", "hallmark")
REQUIRED_COLUMNS = ("section", "id", "text")
YES = {"yes", "y", "true", "1", "statutory"}
NO = {"no", "n", "false", "0", "", "suggested"}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_TEXT = 1000
MAX_ROWS = 2000
SHEET_LIMITS = SheetLimits(max_rows=MAX_ROWS)  # reading stops at the first row past the limit

RATING = [{"value": "met", "label": "Met", "score": 1}, {"value": "partly_met", "label": "Partly met", "score": 0.5},
          {"value": "not_met", "label": "Not met", "score": 0}]


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
    with_hallmark: int = 0  # items tagged with a hallmark, from the column or their section's name


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
                                              "section, id and text, and may name statutory, hint and hallmark"))
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
    hallmark_count = 0
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
        hallmark_text = value("hallmark")
        hallmark = find_hallmark(hallmark_text) if hallmark_text else find_hallmark(section_title)
        if hallmark_text and hallmark is None:
            row_problems.append(RowProblem(number, "hallmark", f"'{hallmark_text}' is not a hallmark: give a number "
                                                               f"from 1 to 6 or a hallmark's name, such as "
                                                               f"'{HALLMARKS[5]}' (or leave it blank)"))
        if question_id and question_id not in seen_ids:
            seen_ids[question_id] = number
        if row_problems:
            problems.extend(row_problems)
            continue
        statutory = statutory_text in YES
        statutory_count += statutory
        hallmark_count += hallmark is not None
        section = sections.get(section_title)
        if section is None:
            section_id = _unique(make_id(section_title) or "section", {s["id"] for s in sections.values()})
            section = sections[section_title] = {"id": section_id, "title": section_title, "questions": []}
        question: dict[str, Any] = {
            "id": question_id, "type": "single_choice", "text": text,
            "tags": {"statutory": statutory, "reference": reference, **({"hallmark": hallmark} if hallmark else {})},
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
    return document, Summary(len(document["sections"]), items, statutory_count, hallmark_count)


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
    """The definition as YAML a person can read and edit.

    The title and the file's name go into comment lines, so each is made one line
    first: a line break in either would end the comment and start YAML of its own.
    """
    title, source = (clean_text(str(text), strip_controls=True) for text in (document["title"], source_name))
    header = (f"# {title}\n# Imported from {source} with `section17 surveys import-checklist`.\n"
              "# Edit it like any other definition; keep the question ids stable.\n")
    return header + yaml.dump(document, Dumper=_NoAliases, sort_keys=False, width=110, allow_unicode=True)

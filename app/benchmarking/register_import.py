"""The peer register from a spreadsheet: pure parsing and checking, nothing written.

The first row names the columns (any order, any case):

    name          the partnership, as it is known (required; at most 150 characters)
    area          e.g. the county (optional)
    population    the population of its area, a whole number (optional)
    family_group  the group it is compared in, e.g. "Family group 12" (optional)
    own           yes for our own partnership (at most one row), otherwise no or blank

A row whose name is already in the register updates that partnership; any other
row adds one. Family groups are compared exactly (benchmarking takes the partnerships
whose group is the same as ours), so a group written differently from one already in
the register or on an earlier row, only in its capitals or spaces, is refused. The file is read by app.imports.sheets.read_sheet, with SHEET_LIMITS.
Every bad row is reported (row numbers as the spreadsheet shows them,
the header being row 1) and nothing is imported unless the whole file is good.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.imports.problems import ImportFailed, RowProblem
from app.imports.sheet import Sheet, SheetLimits

COLUMNS = ("name", "area", "population", "family_group", "own")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
MAX_ROWS = 2000
SHEET_LIMITS = SheetLimits(max_rows=MAX_ROWS)  # for app.imports.sheets.read_sheet: it stops at the first row past
WHOLE_NUMBER = re.compile(r"^\d+$")


@dataclass(frozen=True)
class RegisterRow:
    row: int
    name: str
    area: str
    population: int | None
    family_group: str
    is_own: bool
    existing_id: int | None  # the partnership this row updates, if it is already in the register


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    problems = []
    for index, raw in enumerate(header):
        name = raw.strip().lower().replace(" ", "_")
        if not name:
            continue
        if name not in COLUMNS:
            problems.append(RowProblem(1, raw, f"‘{raw}’ is not a column this import knows: use "
                                               f"{', '.join(COLUMNS)}"))
        elif name in found:
            problems.append(RowProblem(1, raw, f"the column {name} appears twice"))
        else:
            found[name] = index
    if "name" not in found:
        problems.append(RowProblem(1, "name", "the header row needs a name column"))
    if problems:
        raise ImportFailed(problems)
    return found


def _population(raw: str, row: int, problems: list[RowProblem]) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if "," in text:
        problems.append(RowProblem(row, "population", f"‘{text}’ has a comma: write the number without "
                                                      "separators, e.g. 94600"))
        return None
    if not WHOLE_NUMBER.match(text) or int(text) == 0:
        problems.append(RowProblem(row, "population", f"‘{text}’ is not a whole number of people above 0"))
        return None
    if int(text) > 100_000_000:
        problems.append(RowProblem(row, "population", f"{text} is more people than any area has"))
        return None
    return int(text)


def tidy_group(text: str) -> str:
    """A family group as stored: single spaces, none at either end."""
    return " ".join(text.split())


def spelling_clash(group: str, known: Iterable[str]) -> str | None:
    """The known group that `group` repeats with other capitals or spaces ("family group  7" for "Family group 7").

    Two spellings of one group would split it in two: benchmarking compares groups exactly.
    """
    wanted = tidy_group(group).casefold()
    return next((g for g in known if g != tidy_group(group) and tidy_group(g).casefold() == wanted), None) \
        if wanted else None


def parse_register(sheet: Sheet, existing: Mapping[str, int],
                   existing_groups: Mapping[str, str] | None = None) -> list[RegisterRow]:
    """Check every row; return them all, or raise ImportFailed with every problem.

    `existing` maps the casefolded names already in the register to their ids;
    `existing_groups` maps them to their family groups (those of partnerships the file
    does not update are the groups its rows must spell the same way).
    """
    columns = _columns(sheet.header)
    rows = [(number, cells) for number, cells in sheet.rows if any(c.strip() for c in cells)]
    if not rows:
        raise ImportFailed([RowProblem(0, "", "The file has a header row but no partnerships")])
    if len(rows) > MAX_ROWS:
        raise ImportFailed([RowProblem(0, "", f"The file has {len(rows)} rows; import at most {MAX_ROWS}")])
    problems: list[RowProblem] = []
    parsed: list[RegisterRow] = []
    seen: dict[str, int] = {}
    own_rows: list[int] = []

    def cell(cells: list[str], column: str) -> str:
        index = columns.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    for number, cells in rows:
        name = cell(cells, "name")
        if not name:
            problems.append(RowProblem(number, "name", "enter the partnership's name"))
        elif len(name) > 150:
            problems.append(RowProblem(number, "name", "the name must be 150 characters or fewer"))
        elif name.casefold() in seen:
            problems.append(RowProblem(number, "name", f"{name} is already on row {seen[name.casefold()]}"))
        else:
            seen[name.casefold()] = number
        area, family_group = cell(cells, "area"), tidy_group(cell(cells, "family_group"))
        for column, value in (("area", area), ("family_group", family_group)):
            limit = 150 if column == "area" else 100
            if len(value) > limit:
                problems.append(RowProblem(number, column, f"must be {limit} characters or fewer"))
        own_text = cell(cells, "own").lower()
        if own_text not in YES | NO:
            problems.append(RowProblem(number, "own", f"‘{cell(cells, 'own')}’ is not yes or no"))
        is_own = own_text in YES
        if is_own:
            own_rows.append(number)
        population = _population(cell(cells, "population"), number, problems)
        parsed.append(RegisterRow(number, name, area, population, family_group, is_own,
                                  existing.get(name.casefold())))
    names_in_file = {row.name.casefold() for row in parsed}
    known = {group: "the register" for name, group in (existing_groups or {}).items()
             if group and name not in names_in_file}
    for row in parsed:
        clash = spelling_clash(row.family_group, known)
        if clash is not None:
            problems.append(RowProblem(row.row, "family_group", f"‘{row.family_group}’ is written differently from "
                                                                f"‘{clash}’ in {known[clash]}: write it the same way"))
        elif row.family_group:
            known.setdefault(row.family_group, f"row {row.row}")
    if len(own_rows) > 1:
        problems.append(RowProblem(own_rows[1], "own", f"only one partnership can be our own; row {own_rows[0]} "
                                                       "already is"))
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: p.row))
    return parsed


def summary(rows: Iterable[RegisterRow]) -> dict[str, int]:
    rows = list(rows)
    return {"added": sum(1 for r in rows if r.existing_id is None),
            "updated": sum(1 for r in rows if r.existing_id is not None)}

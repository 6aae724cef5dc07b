"""Crime figures from a spreadsheet: every row checked, every problem named.

The sheet (CSV or XLSX, read by app.imports.sheets.read_sheet with SHEET_LIMITS,
so that a file of a million rows is refused at row 20,002) has a header row
naming its columns, case and surrounding spaces ignored:

    partnership    a name in the peer register (case and surrounding spaces ignored)
    offence        an offence type key, e.g. robbery (app/benchmarking/crime/offences.py)
    period         a financial year such as 2001/02, or a calendar year such as 2001
    count          recorded offences, a whole number from 0       } either both of these,
    population     the people living in the area, a whole number  }
    rate_per_1000  offences per 1,000 people, 0 or more             or this (or all three)
    change_pct     optional: the % change on the previous period, as the source gave it

Numbers are read strictly: "1,234" and "3,4" are refused with a reason rather than
guessed at (a comma can be a thousands separator or a decimal point, and reading
it the wrong way would change a figure by a factor of a thousand). Every problem is
reported with the row number the spreadsheet shows (the header is row 1) and the
column; no figures come out unless the whole sheet is good. Pure functions: the
register's names and the offence keys are passed in.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.analysis.crime import PERIOD_FORMS, parse_period
from app.imports.problems import ImportFailed, RowProblem
from app.imports.sheet import Sheet, SheetLimits

COLUMNS = ("partnership", "offence", "period", "count", "population", "rate_per_1000", "change_pct")
REQUIRED_COLUMNS = ("partnership", "offence", "period")
MAX_ROWS = 20_000
SHEET_LIMITS = SheetLimits(max_rows=MAX_ROWS)  # reading stops at the first row past the limit
RATE_TOLERANCE = 0.05  # per 1,000: a rate given to one decimal place agrees with its count and population
MAX_WHOLE = 2_147_483_647  # the largest whole number the database stores
MAX_NUMBER_LENGTH = 32  # characters: no real figure is longer, and the preview carries every cell

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_EUROPEAN = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$")


@dataclass(frozen=True)
class Figure:
    """One checked row: a partnership's figure for an offence type in a period."""

    row: int  # as the spreadsheet numbers it
    partnership: str  # as the peer register spells it
    offence: str
    period: str
    count: int | None
    population: int | None
    rate_per_1000: float  # as given, or count / population x 1,000
    change_pct: float | None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.partnership, self.offence, self.period)


@dataclass(frozen=True)
class ParsedSheet:
    figures: list[Figure]
    ignored_columns: list[str]  # header cells that are not one of COLUMNS, as the file spells them
    sheet: Sheet  # the columns read and the rows with something in them (figures_sheet)


# --------------------------------------------------------------------------- numbers


def read_number(text: str) -> float | str:
    """The number a cell holds, or a sentence saying why it is not one."""
    if len(text) > MAX_NUMBER_LENGTH:
        return f"'{text[:20]}...' is too long to be a number"
    if _NUMBER.match(text):
        value = float(text)
        return value if math.isfinite(value) else f"'{text}' is too large to be a number we can store"
    if _THOUSANDS.match(text):
        plain = text.replace(",", "")
        return (f"'{text}' has a comma in it. Write numbers without a thousands separator ({plain}); "
                f"if the comma is a decimal point, write a full stop instead ({text.replace(',', '.')})")
    if _EUROPEAN.match(text):
        return (f"'{text}' uses full stops between thousands and a decimal comma: write it as "
                f"{text.replace('.', '').replace(',', '.')}")
    if _DECIMAL_COMMA.match(text):
        return f"'{text}' has a decimal comma: write the decimal point as a full stop ({text.replace(',', '.')})"
    if text.endswith("%") and _NUMBER.match(text[:-1].strip()):
        return f"'{text}' is not a number: leave out the % sign ({text[:-1].strip()})"
    return f"'{text}' is not a number"


def _whole(text: str, *, minimum: int, too_small: str) -> int | str:
    value = read_number(text)
    if isinstance(value, str):
        return value
    if not value.is_integer():
        return f"'{text}' is not a whole number"
    if value < minimum:
        return f"'{text}' {too_small}"
    if value > MAX_WHOLE:
        return f"'{text}' is too large"
    return int(value)


# --------------------------------------------------------------------------- the sheet


def figures_sheet(sheet: Sheet) -> Sheet:
    """Only the columns the import reads, named as COLUMNS, and only rows with something in them.

    This is what the preview carries to the confirm step, where it is checked again
    exactly as the upload was: the rows keep the spreadsheet's numbers.
    """
    header = [h.strip().lower() for h in sheet.header]
    wanted = [(name, header.index(name)) for name in COLUMNS if name in header]
    rows = []
    for number, cells in sheet.rows:
        kept = [cells[i].strip() if i < len(cells) else "" for _, i in wanted]
        if any(kept):
            rows.append((number, kept))
    return Sheet([name for name, _ in wanted], rows)


def _header_problems(header: list[str]) -> list[RowProblem]:
    problems = [RowProblem(1, column, f"there is no '{column}' column: the first row must name the columns "
                                      "partnership, offence, period, then count and population or rate_per_1000")
                for column in REQUIRED_COLUMNS if column not in header]
    problems += [RowProblem(1, column, "this column appears more than once")
                 for column in sorted({h for h in header if h in COLUMNS and header.count(h) > 1})]
    has_count, has_population = "count" in header, "population" in header
    if has_count and not has_population:
        problems.append(RowProblem(1, "population", "there is a 'count' column but no 'population' column: "
                                                    "the rate is worked out from both"))
    elif has_population and not has_count:
        problems.append(RowProblem(1, "count", "there is a 'population' column but no 'count' column: "
                                               "the rate is worked out from both"))
    elif not has_count and "rate_per_1000" not in header:
        problems.append(RowProblem(1, "rate_per_1000", "there is no 'rate_per_1000' column, nor 'count' and "
                                                       "'population' columns: give the rate, or the count and "
                                                       "the population"))
    return problems


class _Names:
    """The peer register's names, matched ignoring case and surrounding spaces."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_fold: dict[str, list[str]] = {}
        for name in names:
            self.by_fold.setdefault(name.strip().casefold(), []).append(name)

    def find(self, text: str) -> str | list[str] | None:
        found = self.by_fold.get(text.strip().casefold())
        if found is None:
            return None
        return found[0] if len(found) == 1 else found


def parse_statistics(sheet: Sheet, *, partnerships: Iterable[str], offences: Iterable[str],
                     max_rows: int = MAX_ROWS) -> ParsedSheet:
    """The sheet's figures, or ImportFailed listing every problem in row order."""
    header = [h.strip().lower() for h in sheet.header]
    ignored = [h.strip() for h, low in zip(sheet.header, header, strict=True) if low and low not in COLUMNS]
    problems = _header_problems(header)
    if problems:
        raise ImportFailed(problems)
    data = figures_sheet(sheet)
    if len(data.rows) > max_rows:
        raise ImportFailed([RowProblem(0, "", f"The file has {len(data.rows):,} rows of figures; at most "
                                              f"{max_rows:,} can be imported at once. Split it into smaller files")])
    names = _Names(partnerships)
    known_offences = list(dict.fromkeys(offences))
    position = {name: data.header.index(name) for name in data.header}
    figures: list[Figure] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, cells in data.rows:
        row = _RowReader(number, cells, position)
        partnership = row.partnership(names)
        offence = row.offence(known_offences)
        period = row.period()
        rate, count, population = row.rate()
        change = row.optional_number("change_pct")
        if partnership and offence and period:
            key = (partnership, offence, period)
            if key in seen:
                row.problem("", f"{partnership}, {offence}, {period} is also on row {seen[key]}: keep only one "
                                "of them")
            else:
                seen[key] = number
        if row.problems:
            problems.extend(row.problems)
            continue
        assert partnership and offence and period and rate is not None
        figures.append(Figure(number, partnership, offence, period, count, population, rate, change))
    if not figures and not problems:
        problems.append(RowProblem(0, "", "The file has no figures under its header row"))
    if problems:
        raise ImportFailed(problems)
    return ParsedSheet(figures, ignored, data)


class _RowReader:
    """Reads one row's cells, collecting a problem for each that is wrong."""

    def __init__(self, number: int, cells: list[str], position: dict[str, int]) -> None:
        self.number = number
        self.cells = cells
        self.position = position
        self.problems: list[RowProblem] = []

    def value(self, column: str) -> str:
        index = self.position.get(column)
        return self.cells[index] if index is not None and index < len(self.cells) else ""

    def problem(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.number, column, message))

    def partnership(self, names: _Names) -> str | None:
        text = self.value("partnership")
        if not text:
            self.problem("partnership", "is missing: name the partnership as the peer register spells it")
            return None
        found = names.find(text)
        if found is None:
            self.problem("partnership", f"'{text}' is not in the peer register: add it to the register first, or "
                                        "correct the name")
            return None
        if isinstance(found, list):
            self.problem("partnership", f"'{text}' matches {len(found)} partnerships in the peer register "
                                        f"({', '.join(found)}): rename one of them")
            return None
        return found

    def offence(self, known: list[str]) -> str | None:
        text = self.value("offence")
        if not text:
            self.problem("offence", "is missing: give the offence type's key, for example robbery")
            return None
        key = text.strip().lower()
        if key in known:
            return key
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        self.problem("offence", f"'{text}' is not an offence type: use a key from the list of offence types, "
                                f"or add it there first.{hint}")
        return None

    def period(self) -> str | None:
        text = self.value("period")
        if not text:
            self.problem("period", f"is missing: give {PERIOD_FORMS}")
            return None
        period = parse_period(text)
        if period is not None:
            return period.text
        if _DATE.match(text):
            self.problem("period", f"'{text}' is a date, not a period: the spreadsheet may have turned 2001/02 into "
                                   "a date. Format the column as text and type the period again")
        else:
            self.problem("period", f"'{text}' is not a period: use {PERIOD_FORMS}")
        return None

    def optional_number(self, column: str) -> float | None:
        text = self.value(column)
        if not text:
            return None
        value = read_number(text)
        if isinstance(value, str):
            self.problem(column, value)
            return None
        return value

    def rate(self) -> tuple[float | None, int | None, int | None]:
        """(rate per 1,000, count, population): from the count and population, the rate, or both when they agree."""
        count_text, population_text, rate_text = self.value("count"), self.value("population"), \
            self.value("rate_per_1000")
        count = population = None
        worked_out = None
        if count_text or population_text:
            if not count_text:
                self.problem("count", "is missing: a population needs its count to work out the rate")
            if not population_text:
                self.problem("population", "is missing: a count needs its population to work out the rate")
            if count_text:
                count = self._checked(_whole(count_text, minimum=0, too_small="cannot be negative"), "count")
            if population_text:
                population = self._checked(_whole(population_text, minimum=1, too_small="must be more than 0"),
                                           "population")
            if count is not None and population is not None:
                worked_out = count / population * 1000
        given = None
        if rate_text:
            value = read_number(rate_text)
            if isinstance(value, str):
                self.problem("rate_per_1000", value)
            elif value < 0:
                self.problem("rate_per_1000", f"'{rate_text}' cannot be negative")
            else:
                given = value
        elif not (count_text or population_text):
            if "rate_per_1000" in self.position:
                self.problem("rate_per_1000", "is missing: give the rate per 1,000, or the count and the population")
            else:
                self.problem("count", "is missing: give the number of offences recorded")
                self.problem("population", "is missing: give the population of the area")
        if worked_out is not None and given is not None and abs(worked_out - given) > RATE_TOLERANCE + 1e-9:
            self.problem("rate_per_1000", f"is {rate_text}, but the count and population give "
                                          f"{worked_out:.2f} per 1,000: correct one of them, or leave "
                                          "rate_per_1000 empty")
        rate = worked_out if worked_out is not None else given
        return rate, count, population

    def _checked(self, value: int | str, column: str) -> int | None:
        if isinstance(value, str):
            self.problem(column, value)
            return None
        return value

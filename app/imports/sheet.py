"""A sheet as the importers see it, the limits on reading one, and the collector that enforces them row by row.

Every limit is checked while the file is read, so a hostile file costs at most
what the limits allow, in time and in memory, and is refused with a sentence
saying which limit it passed. The readers (app.imports.xlsx, app.imports.csv_file)
hand each row to a SheetCollector as soon as it is complete.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from app.imports.problems import ImportFailed, RowProblem, file_problem

MB = 1024 * 1024


@dataclass(frozen=True)
class Sheet:
    header: list[str]  # row 1, as the file has it (empty if row 1 is blank)
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells); blank rows left out


@dataclass(frozen=True)
class SheetLimits:
    """What one import may cost. The defaults fit the largest import (20,000 rows of crime figures) many times over.

    Memory: the rows kept are at most max_rows x max_columns cells, of which at most
    max_cells hold something, holding at most max_chars characters (and as many again
    in an xlsx file's table of shared strings). The worst file these allow (every row
    full out to column AX, every cell distinct text of 4-byte characters: built by
    tests/hostile_sheets.py worst_allowed_xlsx) costs the reader about 40 MB, and the
    whole import stays under 100 MB whatever the file is. Time: reading stops at
    max_seconds.
    """

    max_rows: int = 20_000  # rows with something in them, under the header row
    max_columns: int = 50  # columns A to AX; a value beyond them refuses the file, an empty cell is ignored
    max_cells: int = 200_000  # cells with something in them, header included (20,000 rows of crime figures: 140,000)
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_chars: int = 3_000_000  # characters in all the cells kept (a full 2,000-item checklist: about 1,000,000)
    max_row_chars: int = 100_000  # CSV: one row as the file writes it
    max_seconds: float = 10.0
    # The xlsx package, checked from its central directory before anything is unpacked.
    max_parts: int = 1_000
    max_part_bytes: int = 32 * MB  # any one part, unpacked; 20,000 rows of 30 formatted columns are about 14 MB
    max_unpacked_bytes: int = 100 * MB  # all the parts together
    max_ratio: int = 100  # unpacked size / packed size; real sheets are about 10
    ratio_floor_bytes: int = 1 * MB  # parts smaller than this may be packed as tightly as they like


def column_letter(number: int) -> str:
    """1 -> A, 100 -> CV, 16384 -> XFD: the column as the spreadsheet names it."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class Deadline:
    """The moment reading must stop; shared by every part of one file."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise file_problem(f"The file took longer than {self.seconds:g} seconds to read, so reading was stopped: "
                               "split it into smaller files, or save it again as a plain Excel workbook or CSV file")


class SheetCollector:
    """Keeps a sheet's rows as a reader finds them, and refuses the file the moment it passes a limit."""

    def __init__(self, limits: SheetLimits, deadline: Deadline) -> None:
        self.limits = limits
        self.deadline = deadline
        self.header: list[str] = []
        self.rows: list[tuple[int, list[str]]] = []
        self.cells = 0
        self.chars = 0
        self.seen_any_row = False

    def column_beyond_limit(self, row: int, column: int) -> ImportFailed:
        """The problem for a value in a column past max_columns, for a reader to raise at once."""
        last = self.limits.max_columns
        return ImportFailed([RowProblem(row, column_letter(column),
                                        f"has something in it, but only the first {last} columns (A to "
                                        f"{column_letter(last)}) can be read: delete what is in column "
                                        f"{column_letter(column)} and beyond, or move it nearer")])

    def long_cell(self, row: int, column: int) -> ImportFailed:
        return ImportFailed([RowProblem(row, column_letter(column),
                                        f"holds more than {self.limits.max_cell_chars:,} characters, the most a "
                                        "spreadsheet cell can hold")])

    def add(self, number: int, cells: list[str]) -> None:
        """Keep one row (its cells already stripped of surrounding spaces), or raise ImportFailed."""
        self.deadline.check()
        self.seen_any_row = True
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            return  # a blank row: nothing to keep, and the importers skip them anyway
        limits = self.limits
        if number != 1 and len(self.rows) >= limits.max_rows:
            raise file_problem(f"The file has more than {limits.max_rows:,} rows: at most {limits.max_rows:,} can be "
                               "imported at once. Split it into smaller files")
        if len(cells) > limits.max_columns:
            raise self.column_beyond_limit(number, len(cells))
        filled = len(cells) - cells.count("")
        if max(map(len, cells)) > limits.max_cell_chars:
            raise self.long_cell(number, next(i for i, t in enumerate(cells, 1) if len(t) > limits.max_cell_chars))
        self.chars += sum(map(len, cells))
        self.cells += filled
        if self.cells > limits.max_cells:
            raise file_problem(f"The file has more than {limits.max_cells:,} cells with something in them: split it "
                               "into smaller files")
        if self.chars > limits.max_chars:
            raise file_problem(f"The file has more than {limits.max_chars:,} characters of text: split it into "
                               "smaller files")
        if number == 1:
            self.header = cells
        else:
            self.rows.append((number, cells))

    def sheet(self, empty_message: str) -> Sheet:
        if not self.seen_any_row or (not self.header and not self.rows):
            raise file_problem(empty_message)
        return Sheet(self.header, self.rows)

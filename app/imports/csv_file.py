"""A CSV file, read as a stream: decoded a piece at a time, each row checked against the limits as it is read.

UTF-8 first (with or without the byte-order mark Excel's "CSV UTF-8" writes); if
that fails, Windows-1252, which is what Excel's plain "CSV (Comma delimited)"
writes on a UK PC, so "£" and "–" from such a file still read correctly. Files that
are plainly not CSV text (UTF-16 "Unicode Text", a workbook or binary renamed .csv,
or bytes that neither encoding has) are refused with a sentence saying what to do.
No whole line is ever read before its length is known: lines are read at most
max_row_chars at a time, so a file that is one enormous line is refused after the
first 100,000 characters rather than split into millions of cells.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from app.imports.problems import ImportFailed, RowProblem, file_problem
from app.imports.sheet import Deadline, Sheet, SheetCollector, SheetLimits

ENCODINGS = ("utf-8-sig", "cp1252")
SAVE_AS_UTF8 = "save it from your spreadsheet program as “CSV UTF-8 (Comma delimited)” and import that"
EMPTY_FILE = "The file is empty"
NOT_IN_CP1252 = (0x81, 0x8D, 0x8F, 0x90, 0x9D)  # the only bytes Windows-1252 cannot decode


def _refuse_what_is_not_text(data: bytes) -> None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise file_problem(f"The file is saved as UTF-16 (“Unicode Text”), not as CSV: {SAVE_AS_UTF8}")
    if data.startswith(b"PK\x03\x04"):
        raise file_problem("The file is an Excel workbook with a name ending .csv: import it with its name ending "
                           ".xlsx, or save it as CSV")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise file_problem(f"The file is an older Excel workbook (.xls) with a name ending .csv: {SAVE_AS_UTF8}")
    if b"\x00" in data:
        raise file_problem(f"The file is not CSV text: it has bytes that no text file has. If it came from a "
                           f"spreadsheet, {SAVE_AS_UTF8}")


class _Lines:
    """The file's lines for csv.reader, refusing a row (which may span lines, in quotes) once it is too long."""

    def __init__(self, stream: io.TextIOBase, limits: SheetLimits) -> None:
        self.stream = stream
        self.limit = limits.max_row_chars
        self.row_chars = 0  # characters of the row being read, reset by the reader after each row
        self.row = 1

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        room = self.limit - self.row_chars
        line = self.stream.readline(room + 1)
        if not line:
            raise StopIteration
        self.row_chars += len(line)
        if self.row_chars > self.limit:
            raise ImportFailed([RowProblem(self.row, "", f"is longer than {self.limit:,} characters, far more than a "
                                                         "row of an import needs: check that this is the right file "
                                                         "and that it is CSV")])
        return line


def _read(data: bytes, encoding: str, limits: SheetLimits, deadline: Deadline) -> Sheet:
    collector = SheetCollector(limits, deadline)
    lines = _Lines(io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="strict", newline=""), limits)
    reader = csv.reader(lines)
    try:
        for number, record in enumerate(reader, 1):
            collector.add(number, [cell.strip() for cell in record])
            lines.row_chars, lines.row = 0, number + 1
    except csv.Error as error:
        raise ImportFailed([RowProblem(reader.line_num, "", f"this row cannot be read as CSV: {error}")]) from None
    return collector.sheet(EMPTY_FILE)


def read_csv(data: bytes, limits: SheetLimits, deadline: Deadline) -> Sheet:
    """The rows of a CSV file, or ImportFailed saying what is wrong with it."""
    _refuse_what_is_not_text(data)
    for encoding in ENCODINGS:
        try:
            return _read(data, encoding, limits, deadline)
        except UnicodeDecodeError:
            continue
    position = min((p for p in (data.find(bytes([b])) for b in NOT_IN_CP1252) if p >= 0), default=0)
    raise file_problem(f"The file is not UTF-8 text: byte {position + 1:,} ({data[position]:#04x}) is not a letter "
                       f"in UTF-8 nor in Windows' own encoding. {SAVE_AS_UTF8[0].upper()}{SAVE_AS_UTF8[1:]}")

"""The Responses sheet as CSV: the same rows and columns, one pass, text safe to open in a spreadsheet.

Every text cell, the header row included, goes through the workbook's rule (csv_text,
app/exports/sheets.py): a cell that a spreadsheet would read as a formula (it starts
with =, +, -, @, a tab, a carriage return or a line feed) is written with a leading
apostrophe, the usual way to make a spreadsheet keep it as text (security.md item 13),
and bidirectional controls are shown as markers such as [U+202E]. Numbers are plain
numbers; a score is a fraction from 0 to 1, as in the workbook.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from app.exports.answer_rows import response_rows
from app.exports.model import CycleExport
from app.exports.sheets import csv_text
from app.exports.workbook_columns import RESPONSES_COLUMNS


def safe_csv_cell(value: Any, zone: ZoneInfo) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, datetime):
        return (value.astimezone(zone) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    return csv_text(value)


def csv_lines(data: CycleExport) -> Iterator[str]:
    """The CSV, a row at a time (for streaming a download)."""
    zone = ZoneInfo(data.about.timezone)
    buffer = _Line()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_text(column.header) for column in RESPONSES_COLUMNS])
    yield "\ufeff" + buffer.take()  # a byte-order mark, so that Excel reads UTF-8
    for row in response_rows(data):
        writer.writerow([safe_csv_cell(value, zone) for value in row])
        yield buffer.take()


def write_csv(output: TextIO, data: CycleExport) -> None:
    for line in csv_lines(data):
        output.write(line)


class _Line:
    """A file-like object holding what csv.writer wrote last."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        self._parts.append(text)
        return len(text)

    def take(self) -> str:
        text = "".join(self._parts)
        self._parts.clear()
        return text

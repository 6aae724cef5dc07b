"""xlsxwriter, tuned for sheets whose text repeats: each distinct text is escaped once.

In constant_memory mode xlsxwriter writes every text cell in place, and for each
one escapes it twice (control characters as _xHHHH_, then &, < and > for XML) with
regular expressions. On a cycle's Responses sheet nearly every text repeats (the
department, section, theme, question, the answer's label, "Yes", the status...), and
that escaping was a quarter of the whole export's time. Both escapes are pure
functions of the text, so remembering their results gives exactly the same bytes,
faster (and a cell's reference and format number, which need no escaping, skip the attempt):
tests/unit/test_xlsx.py compares the sheets' XML with stock xlsxwriter's.

xlsxwriter supports its own subclasses through `Workbook.worksheet_class`; what is
overridden here are three of its private helpers, and three more are called directly, so the
test above is what guards an upgrade of xlsxwriter.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

REMEMBER_UP_TO = 200  # characters: longer texts (evidence, comments) rarely repeat
REMEMBER_AT_MOST = 20_000  # distinct texts per sheet and escape; then it starts again, so memory stays flat


class _Remembered(dict):
    """Results of one escape, by text: bounded, so that a sheet of distinct texts cannot grow it."""

    def keep(self, text: str, escaped: str) -> str:
        if len(text) <= REMEMBER_UP_TO:
            if len(self) >= REMEMBER_AT_MOST:
                self.clear()
            self[text] = escaped
        return escaped


class EscapeOnceWorksheet(Worksheet):
    """A worksheet that escapes each distinct text once; what it writes is byte for byte xlsxwriter's."""

    # write_string, write_number and write_datetime without their decorator, which also
    # accepts "A1" cell references: the exports always give a row and a column as numbers,
    # and on a large sheet the decorator's check of every call costs more than the cell.
    write_string_at = Worksheet._write_string
    write_number_at = Worksheet._write_number
    write_datetime_at = Worksheet._write_datetime

    def __init__(self) -> None:
        super().__init__()
        self._control_escaped = _Remembered()
        self._data_escaped = _Remembered()

    def _escape_control_characters(self, data: Any) -> Any:
        if data.__class__ is not str:
            return super()._escape_control_characters(data)
        escaped = self._control_escaped.get(data)
        if escaped is None:
            escaped = self._control_escaped.keep(data, super()._escape_control_characters(data))
        return escaped

    def _escape_data(self, data: Any) -> Any:
        if data.__class__ is not str:
            return super()._escape_data(data)
        escaped = self._data_escaped.get(data)
        if escaped is None:
            escaped = self._data_escaped.keep(data, super()._escape_data(data))
        return escaped


    def _escape_attributes(self, attribute: Any) -> Any:
        # A cell's reference ("B12") and its format's number need no escaping: the stock
        # helper finds that out with a regular expression, or by catching a TypeError.
        if attribute.__class__ is int or (attribute.__class__ is str and attribute.isalnum()):
            return attribute
        return super()._escape_attributes(attribute)


class ExportWorkbook(Workbook):
    """A workbook whose worksheets are EscapeOnceWorksheets."""

    worksheet_class = EscapeOnceWorksheet

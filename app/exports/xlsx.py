"""xlsxwriter, tuned for sheets whose text repeats: each distinct text is escaped once.

In constant_memory mode xlsxwriter writes every text cell in place, and for each
one escapes it twice (control characters as _xHHHH_, then &, < and > for XML) with
regular expressions. On a cycle's Responses sheet nearly every text repeats (the
department, section, theme, question, the answer's label, "Yes", the status...), and
that escaping was a quarter of the whole export's time. Both escapes are pure
functions of the text, so remembering their results gives exactly the same bytes,
faster (and a cell's reference and format number, which need no escaping, skip the attempt):
tests/unit/test_xlsx.py and tests/unit/test_export_bench_writer.py compare the sheets'
XML with stock xlsxwriter's.

Writing a row was the rest of the cost: for every cell xlsxwriter builds a list of
attributes, escapes each, checks the text for leading and trailing spaces with two
regular expressions and writes to the file. A row of text, number and date cells (all
the exports write) is written here as one string instead, each cell's XML after its
reference remembered by text and format; a row with anything else (a formula, a
comment, a row format or height) is left to xlsxwriter.

xlsxwriter supports its own subclasses through `Workbook.worksheet_class`; what is
overridden here are four of its private helpers, and more are called directly or
copied (write_string_at, _cell_after_reference), so the tests above are what guard an
upgrade of xlsxwriter.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import CellDatetimeTuple, CellNumberTuple, CellStringTuple, Worksheet

REMEMBER_UP_TO = 200  # characters: longer texts (evidence, comments) rarely repeat
REMEMBER_AT_MOST = 20_000  # distinct texts per sheet and escape; then it starts again, so memory stays flat
CELLS_AT_MOST = 10_000  # distinct text cells (text and format) per sheet whose XML is remembered


class _Remembered(dict):
    """Results of one escape (or a cell's XML), by text: bounded, so that a sheet of distinct texts cannot
    grow it. Texts longer than REMEMBER_UP_TO are not kept; when full, it starts again."""

    def __init__(self, at_most: int | None = None) -> None:
        super().__init__()
        self.at_most = at_most  # None: REMEMBER_AT_MOST

    def keep(self, text: str, escaped: str, key: Any = None) -> str:
        if len(text) <= REMEMBER_UP_TO:
            if len(self) >= (REMEMBER_AT_MOST if self.at_most is None else self.at_most):
                self.clear()
            self[text if key is None else key] = escaped
        return escaped


_COLUMN_NAMES: dict[int, str] = {}


def _column_name(col: int) -> str:
    name = _COLUMN_NAMES.get(col)
    if name is None:
        name = _COLUMN_NAMES[col] = xl_col_to_name(col)
    return name


class EscapeOnceWorksheet(Worksheet):
    """A worksheet that escapes each distinct text once and writes a row at a time; what it writes is byte
    for byte xlsxwriter's."""

    # write_number and write_datetime without their decorator, which also accepts "A1" cell
    # references: the exports always give a row and a column as numbers, and on a large sheet
    # the decorator's check of every call costs more than the cell (write_string_at, below, also
    # inlines the checks that follow).
    write_number_at = Worksheet._write_number
    write_datetime_at = Worksheet._write_datetime

    def write_string_at(self, row: int, col: int, string: str, cell_format: Any = None) -> int:
        """Worksheet._write_string, with its checks inlined for the usual cell: constant_memory, the current
        row or a later one, inside the sheet, and a text too short to be cut (anything else: xlsxwriter's own)."""
        if (not self.constant_memory or row < self.previous_row or row >= self.xls_rowmax or col < 0
                or col >= self.xls_colmax or len(string) > self.xls_strmax // 2):
            return Worksheet._write_string(self, row, col, string, cell_format)
        if self.dim_rowmin is None or row < self.dim_rowmin:  # _check_dimensions
            self.dim_rowmin = row
        if self.dim_rowmax is None or row > self.dim_rowmax:
            self.dim_rowmax = row
        if self.dim_colmin is None or col < self.dim_colmin:
            self.dim_colmin = col
        if self.dim_colmax is None or col > self.dim_colmax:
            self.dim_colmax = col
        if row > self.previous_row:
            self._write_single_row(row)
        self.table[row][col] = CellStringTuple(string, cell_format)
        return 0

    def __init__(self) -> None:
        super().__init__()
        self._control_escaped = _Remembered()
        self._data_escaped = _Remembered()
        self._cell_xml = _Remembered(CELLS_AT_MOST)  # (text, format index) -> a text cell's XML after its reference

    def _write_single_row(self, current_row_num: int = 0) -> None:
        """The row in waiting, as xlsxwriter writes it, in one string (see the module's docstring)."""
        row_num = self.previous_row
        cells = self.table.get(row_num)
        if (not cells or not self.constant_memory or row_num in self.row_info or row_num in self.comments
                or self.excel_version == 2010 or self.default_row_height != self.original_row_height):
            super()._write_single_row(current_row_num)
            return
        number = str(row_num + 1)
        parts = ['<row r="', number, '">']
        for col in sorted(cells):
            after = self._cell_after_reference(col, cells[col])
            if after is None:  # a kind of cell the exports do not write: xlsxwriter writes the row
                super()._write_single_row(current_row_num)
                return
            parts += ('<c r="', _column_name(col), number, after)
        parts.append("</row>")
        self.previous_row = current_row_num
        self.fh.write("".join(parts))
        self.table.clear()

    def _cell_after_reference(self, col: int, cell: Any) -> str | None:
        """What xlsxwriter's _write_cell writes after a cell's reference, for a text, number or date cell."""
        kind = cell.__class__
        cell_format = cell.format
        if cell_format:
            index = cell_format._get_xf_index()
        else:
            column = self.col_info.get(col)
            column_format = column.column_format if column is not None else None
            index = column_format._get_xf_index() if column_format is not None else None
        style = "" if index is None else f' s="{index}"'
        if kind is CellStringTuple:
            text = cell.string
            key = (text, index)
            after = self._cell_xml.get(key)
            if after is None:
                # xlsxwriter's own escapes: the cell's XML is what is remembered, not the escapes as well.
                # Always plain text, even when it looks like rich text (see _xml_rich_inline_string).
                escaped = Worksheet._escape_control_characters(text)
                preserve = ' xml:space="preserve"' if _preserve_whitespace(escaped) else ""
                data = Worksheet._escape_data(self, escaped)
                after = f'"{style} t="inlineStr"><is><t{preserve}>{data}</t></is></c>'
                self._cell_xml.keep(text, after, key)
            return after
        if kind is CellNumberTuple or kind is CellDatetimeTuple:
            return f'"{style}><v>{cell.number:.16G}</v></c>'
        return None

    def _xml_rich_inline_string(self, string: str, attributes: Any) -> None:
        """A text that starts with "<r>" and ends with "</r>", written as the plain text it is.

        Stock xlsxwriter takes such a text for rich-text XML it made itself and writes it
        into the sheet unescaped, so an answer typed as "<r>...</r>" could close its cell
        and open another holding a formula (a HYPERLINK to anywhere) in the auditor's
        workbook. The exports never write rich text, so every text is escaped.
        """
        self._xml_inline_string(string, _preserve_whitespace(string), attributes)

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


def add_table_over_written_rows(sheet: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int,
                                options: dict[str, Any]) -> int:
    """Make rows already written (header row included) an Excel Table, in constant_memory mode.

    xlsxwriter refuses add_table in that mode because a table writes its header cells, and rows
    already written cannot be written again. Ours are written, with the same texts, before the
    table is declared; so here the header writes are skipped and the refusal lifted for the call,
    and nothing else of the sheet's cells is touched (no data, no formulas, no total row are given).
    """
    if options.get("data") or options.get("total_row") or any(
            column.get("formula") or column.get("total_function") for column in options.get("columns", ())):
        raise ValueError("only a table over rows already written: no data, formulas or total row")
    saved = sheet.constant_memory
    sheet.constant_memory = False
    sheet._write_string = lambda *args, **kwargs: 0  # type: ignore[method-assign]  # headers: written already
    try:
        return sheet.add_table(first_row, first_col, last_row, last_col, options)
    finally:
        del sheet._write_string  # the class's own again
        sheet.constant_memory = saved


class ExportWorkbook(Workbook):
    """A workbook whose worksheets are EscapeOnceWorksheets."""

    worksheet_class = EscapeOnceWorksheet

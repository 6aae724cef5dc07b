"""The export's worksheet writes exactly what stock xlsxwriter writes, only faster.

app/exports/xlsx.py remembers escaped texts and calls three of xlsxwriter's private
writers directly. If an upgrade of xlsxwriter changed what those helpers do, these
tests would see the workbooks differ.
"""

from __future__ import annotations

import random
from datetime import datetime
from io import BytesIO

import pytest
from xlsxwriter.workbook import Workbook

from app.exports import xlsx
from app.exports.xlsx import ExportWorkbook

FIXED = datetime(2026, 12, 1, 9, 0)
TRICKY = [
    "Plain text", "Plain text", "  leading spaces", "trailing spaces  ", "\ttab first", "line\nbreak",
    "a & b < c > d \"quoted\" 'single'", "_x0000_ looks like an escape", "control \x01 \x07 \x1f characters",
    "non-characters \ufffe \uffff", "Welsh: Cyngor Sir Ddinbych – ŵ ŷ", "emoji 🙂", "=1+1", "@SUM(A1)", "",
    "x" * 300, "x" * 300,
]


def _write(workbook_class: type[Workbook], cells: list[object], *, formats: bool) -> bytes:
    output = BytesIO()
    workbook = workbook_class(output, {"constant_memory": True, "strings_to_formulas": False,
                                       "strings_to_urls": False, "in_memory": False})
    workbook.set_properties({"created": FIXED})
    wrap = workbook.add_format({"text_wrap": True})
    date_format = workbook.add_format({"num_format": "d mmm yyyy"})
    sheet = workbook.add_worksheet("Cells")
    fast = hasattr(sheet, "write_string_at")
    for index, value in enumerate(cells):
        row, col = divmod(index, 7)
        cell_format = wrap if formats and index % 3 == 0 else None
        if isinstance(value, str):
            (sheet.write_string_at if fast else sheet.write_string)(row, col, value, cell_format)
        elif isinstance(value, datetime):
            (sheet.write_datetime_at if fast else sheet.write_datetime)(row, col, value, date_format)
        else:
            (sheet.write_number_at if fast else sheet.write_number)(row, col, value, cell_format)
    workbook.close()
    return output.getvalue()


@pytest.mark.parametrize("formats", [False, True])
def test_tricky_texts_numbers_and_dates_give_the_same_bytes_as_stock_xlsxwriter(formats: bool) -> None:
    cells: list[object] = [*TRICKY, 0, -1.5, 1e-20, 123456789012, datetime(2026, 11, 19, 15, 45), *TRICKY]
    assert _write(ExportWorkbook, cells, formats=formats) == _write(Workbook, cells, formats=formats)


def test_many_distinct_texts_still_give_the_same_bytes_and_the_memory_stays_bounded(monkeypatch) -> None:
    monkeypatch.setattr(xlsx, "REMEMBER_AT_MOST", 50)
    rng = random.Random(17)
    cells: list[object] = [rng.choice(TRICKY) + str(rng.randrange(200)) for _ in range(3000)]
    assert _write(ExportWorkbook, cells, formats=True) == _write(Workbook, cells, formats=True)

    sheet = ExportWorkbook(BytesIO(), {"constant_memory": True}).add_worksheet()
    for text in cells:
        sheet._escape_control_characters(text)
    assert 0 < len(sheet._control_escaped) <= 50


def test_long_texts_are_escaped_but_not_remembered() -> None:
    sheet = ExportWorkbook(BytesIO(), {"constant_memory": True}).add_worksheet()
    long = "&" * (xlsx.REMEMBER_UP_TO + 1)
    assert sheet._escape_data(long) == "&amp;" * (xlsx.REMEMBER_UP_TO + 1)
    assert sheet._escape_data("a < b") == "a &lt; b"
    assert long not in sheet._data_escaped and "a < b" in sheet._data_escaped


RICH = ('<r><t>x</t></r></is></c><c r="Z9"><f>HYPERLINK("http://x.example","y")</f></c>'
        '<c r="Z10" t="inlineStr"><is><r><t>y</t></r>')


@pytest.mark.parametrize("with_blank", [False, True], ids=["fast row", "row xlsxwriter writes"])
def test_text_that_looks_like_rich_text_is_written_as_the_text_it_is(with_blank: bool) -> None:
    """Stock xlsxwriter writes a text between <r> and </r> unescaped: typed as an answer, it made a formula."""
    from openpyxl import load_workbook

    output = BytesIO()
    workbook = ExportWorkbook(output, {"constant_memory": True, "strings_to_formulas": False,
                                       "strings_to_urls": False})
    sheet = workbook.add_worksheet("Cells")
    sheet.write_string(0, 0, RICH)
    if with_blank:  # a blank cell with a format: a kind the fast row writer leaves to xlsxwriter
        sheet.write_blank(0, 1, None, workbook.add_format({"bold": True}))
    workbook.close()
    book = load_workbook(BytesIO(output.getvalue()))
    cells = [(cell.coordinate, cell.value, cell.data_type) for row in book["Cells"].iter_rows() for cell in row
             if cell.value is not None]
    assert cells == [("A1", RICH, "s")]

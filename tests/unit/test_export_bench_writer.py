"""What the export's speed-ups (benchmarks/export.py) must not change: the bytes, and flat memory.

app/exports/xlsx.py writes a row of text, number and date cells as one string, and
stores text cells without xlsxwriter's per-call checks; app/exports/answer_rows.py
keeps the Matrix's labels as codes, some of them in a temporary file. Each is checked
here against what it replaces: stock xlsxwriter, and the Matrix with every label in memory.
"""

from __future__ import annotations

import io
import random
import zipfile
from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from xlsxwriter.workbook import Workbook

from app.exports import answer_rows, xlsx
from app.exports.answer_rows import MatrixLabels
from app.exports.xlsx import ExportWorkbook
from tests.unit.test_exports import export, workbook_bytes
from tests.unit.test_xlsx import TRICKY

FIXED = datetime(2026, 12, 1, 9, 0)


def _sheet_xml(workbook_class: type[Workbook], write) -> bytes:
    """Sheet 1's XML after `write(workbook, sheet, fast)` has written its cells."""
    output = BytesIO()
    workbook = workbook_class(output, {"constant_memory": True, "strings_to_formulas": False,
                                       "strings_to_urls": False})
    workbook.set_properties({"created": FIXED})
    sheet = workbook.add_worksheet("Cells")
    write(workbook, sheet, hasattr(sheet, "write_string_at"))
    workbook.close()
    return zipfile.ZipFile(BytesIO(output.getvalue())).read("xl/worksheets/sheet1.xml")


def _same_as_stock(write) -> bytes:
    ours = _sheet_xml(ExportWorkbook, write)
    assert ours == _sheet_xml(Workbook, write)
    return ours


def _text(sheet, fast: bool, row: int, col: int, value: str, cell_format=None) -> None:
    (sheet.write_string_at if fast else sheet.write_string)(row, col, value, cell_format)


def test_rows_with_column_formats_row_heights_and_gaps_between_cells_give_stock_bytes() -> None:
    def write(workbook, sheet, fast):
        wrap, money = workbook.add_format({"text_wrap": True}), workbook.add_format({"num_format": "0.00"})
        sheet.set_column(1, 1, 30, wrap)  # a column format: cells without their own take it
        sheet.set_row(0, 30)  # a height before any cell, as every Table's header row has
        sheet.freeze_panes(1, 0)
        for row in range(40):
            for col, value in enumerate(TRICKY[row % 5: row % 5 + 6]):
                if (row + col) % 4:
                    _text(sheet, fast, row, col * 2, value, wrap if col == 3 else None)
            sheet.write_number(row, 13, row / 7, money if row % 2 else None)
            sheet.write_datetime(row, 14, FIXED)
        sheet.set_row(45, 40)  # a row with a height: xlsxwriter's own
        _text(sheet, fast, 45, 0, "tall")
        _text(sheet, fast, 46, 3, "after the tall row")
    assert b'<row r="46" ht="39.75" customHeight="1">' in _same_as_stock(write)


def test_rows_with_cells_the_exports_never_write_are_left_to_xlsxwriter() -> None:
    def write(workbook, sheet, fast):
        for row in range(6):
            _text(sheet, fast, row, 0, f"row {row}")
            if row == 2:
                sheet.write_formula(row, 1, "=1+1", None, 2)
            if row == 3:
                sheet.write_blank(row, 1, None, workbook.add_format({"bold": True}))
            if row == 4:
                sheet.write_boolean(row, 1, True)
    assert b"<f>1+1</f>" in _same_as_stock(write)


def test_a_default_row_height_and_out_of_order_writes_behave_as_in_xlsxwriter() -> None:
    def write(workbook, sheet, fast):
        sheet.set_default_row(20)
        for row in range(5):
            _text(sheet, fast, row, 2, "x")
        _text(sheet, fast, 1, 0, "too late: constant_memory drops it")
        _text(sheet, fast, 6, 0, "y" * 20_000)  # long enough for xlsxwriter's own length check
    assert b"too late" not in _same_as_stock(write)


def test_many_distinct_texts_give_stock_bytes_and_the_cells_remembered_stay_bounded(monkeypatch) -> None:
    monkeypatch.setattr(xlsx, "CELLS_AT_MOST", 40)
    rng = random.Random(17)
    texts = [rng.choice(TRICKY) + str(rng.randrange(300)) for _ in range(2000)]

    def write(workbook, sheet, fast):
        bold = workbook.add_format({"bold": True})
        for index, text in enumerate(texts):
            _text(sheet, fast, index // 9, index % 9, text, bold if index % 5 == 0 else None)
    _same_as_stock(write)

    sheet = ExportWorkbook(BytesIO(), {"constant_memory": True}).add_worksheet()
    for index, text in enumerate(texts):
        sheet.write_string_at(index // 9, index % 9, text)
    sheet._write_single_row()
    assert 0 < len(sheet._cell_xml) <= 40


def test_matrix_labels_keep_short_labels_once_and_read_the_others_back_from_their_file() -> None:
    labels = MatrixLabels()
    long_text = "Our licensing officers – and the police – share intelligence weekly. 🙂 " * 4
    codes = [labels.code(text) for text in ("", "Yes", "Yes", "45%", long_text, long_text, "Ŵ" * 150)]
    assert codes[0] == 0 and codes[1] == codes[2] > 0 and codes[3] > 0
    assert codes[4] < 0 and codes[5] < 0 and codes[4] != codes[5]  # long texts are not compared, only stored
    assert [labels.text(code) for code in codes] == ["", "Yes", "Yes", "45%", long_text, long_text, "Ŵ" * 150]
    labels.close()


def test_matrix_labels_beyond_the_shared_ones_go_to_the_file(monkeypatch) -> None:
    monkeypatch.setattr(answer_rows, "SHARED_AT_MOST", 3)
    labels = MatrixLabels()
    codes = [labels.code(str(number)) for number in range(10)]
    assert codes[:2] == [1, 2] and all(code < 0 for code in codes[2:])
    assert [labels.text(code) for code in codes] == [str(number) for number in range(10)]
    labels.close()


@pytest.mark.parametrize("shared_up_to", [0, 5])
def test_the_workbook_is_the_same_whichever_matrix_labels_wait_in_the_file(monkeypatch, shared_up_to: int) -> None:
    expected = workbook_bytes(export(extra_text="A comment long enough to wait in the file"))
    monkeypatch.setattr(answer_rows, "SHARED_UP_TO", shared_up_to)
    content = workbook_bytes(export(extra_text="A comment long enough to wait in the file"))
    assert content == expected
    matrix = {row[2]: row[4:] for row in load_workbook(io.BytesIO(content))["Matrix"].iter_rows(values_only=True)}
    assert matrix["q3"][0] == "A comment long enough to wait in the file"

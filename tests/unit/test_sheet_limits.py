"""The shared spreadsheet reader refuses hostile files early, in little time and memory, saying exactly why.

Each hostile file is one an attacker could upload (tests/hostile_sheets.py builds
them byte by byte). For each: the specific sentence the import shows, how long
reading took, and the most Python memory it held (tracemalloc), which must stay
far below the 100 MB an import may cost. tests/functional/test_import_limits.py
checks the same through the pages and the command line, and the whole process's
memory (RSS) in a fresh interpreter.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook

from app.imports.problems import ImportFailed
from app.imports.sheet import MB, SheetLimits
from app.imports.sheets import read_sheet
from tests import hostile_sheets as hostile

CRIME = SheetLimits(max_rows=20_000)  # what the crime figures import uses
NO_PACKAGE_LIMITS = SheetLimits(max_ratio=1_000_000, max_part_bytes=2_000 * MB, max_unpacked_bytes=2_000 * MB)
MEMORY_CEILING = 20 * MB  # far below the 100 MB an import may cost
# Times are generous (the machine is shared, and tracemalloc slows allocation): they catch reading a whole
# hostile file, which took the old reader 25 s and more.


def refused(filename: str, data: bytes, limits: SheetLimits = CRIME) -> tuple[list[str], float, int]:
    """(the problems, seconds taken, peak bytes traced) of reading a file that must be refused."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ImportFailed) as caught:
            read_sheet(filename, data, limits)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return [str(p) for p in caught.value.problems], seconds, peak


# --------------------------------------------------------------------------- columns and rows


def test_rows_that_each_touch_column_xfd_are_refused_at_the_first_row():
    problems, seconds, peak = refused("figures.xlsx", hostile.xfd_rows_xlsx(10_000))
    assert problems == ["row 1, column XFD: has something in it, but only the first 50 columns (A to AX) can be "
                        "read: delete what is in column XFD and beyond, or move it nearer"]
    assert seconds < 1 and peak < MEMORY_CEILING


def test_empty_cells_out_to_column_xfd_cost_nothing():
    tracemalloc.start()
    try:
        sheet = read_sheet("figures.xlsx", hostile.xfd_rows_xlsx(10_000, value_in_xfd=False), CRIME)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sheet.header == ["1"] and len(sheet.rows) == 9_999 and sheet.rows[-1] == (10_000, ["10000"])
    assert peak < MEMORY_CEILING  # the old reader held 16,384 cells a row: 1.3 GB for this file


def test_two_cells_at_opposite_corners_are_not_made_into_a_rectangle():
    problems, seconds, peak = refused("figures.xlsx", hostile.far_corner_xlsx())
    assert problems[0].startswith("row 1048576, column XFD: has something in it")
    corner = hostile.workbook([hostile.SHEET_START, hostile.row(1, ["partnership"]),
                               '<row r="1048576"><c r="B1048576"><v>7</v></c></row>', hostile.SHEET_END])
    assert read_sheet("figures.xlsx", corner, CRIME).rows == [(1_048_576, ["", "7"])]
    assert seconds < 1 and peak < MEMORY_CEILING


def test_a_million_tiny_rows_are_refused_from_the_zip_directory_before_parsing():
    problems, seconds, peak = refused("figures.xlsx", hostile.million_rows_xlsx())
    assert problems == ["The spreadsheet is too large when unpacked (xl/worksheets/sheet1.xml unpacks to 47 MB; "
                        "one part can be at most 32 MB): split it into smaller files"]
    assert seconds < 0.5 and peak < MEMORY_CEILING


def test_a_million_rows_small_enough_to_unpack_stop_at_the_row_limit():
    problems, seconds, peak = refused("figures.xlsx", hostile.numbered_million_rows_xlsx())
    assert problems == ["The file has more than 20,000 rows: at most 20,000 can be imported at once. Split it into "
                        "smaller files"]
    assert seconds < 5 and peak < MEMORY_CEILING  # the old reader took 29 s to read them all first


def test_each_import_has_its_own_row_limit():
    data = hostile.realistic_crime_csv(2_001)
    assert refused("list.csv", data, SheetLimits(max_rows=2_000))[0] == [
        "The file has more than 2,000 rows: at most 2,000 can be imported at once. Split it into smaller files"]
    assert len(read_sheet("list.csv", data, CRIME).rows) == 2_001


def test_cells_and_characters_are_limited_as_they_are_read():
    data = hostile.realistic_crime_csv(100)
    assert refused("f.csv", data, SheetLimits(max_cells=500))[0] == [
        "The file has more than 500 cells with something in them: split it into smaller files"]
    assert refused("f.csv", data, SheetLimits(max_chars=2_000))[0] == [
        "The file has more than 2,000 characters of text: split it into smaller files"]


def test_one_long_string_in_every_cell_stops_at_the_text_limit():
    """30,000 characters shared by 20,000 cells: 600 million characters if each cell were given its own copy."""
    problems, seconds, peak = refused("figures.xlsx", hostile.repeated_string_xlsx(20_000))
    assert problems == ["The file has more than 3,000,000 characters of text: split it into smaller files"]
    assert seconds < 1 and peak < 3 * MEMORY_CEILING  # the old reader ran out of memory at 3.9 GB


def test_a_cell_longer_than_excel_allows_is_refused_with_its_row_and_column():
    data = hostile.workbook([hostile.SHEET_START, hostile.row(1, ["id", "text"]),
                             hostile.row(2, ["1", "x" * 40_000]), hostile.SHEET_END])
    assert refused("list.xlsx", data)[0] == [
        "row 2, column B: holds more than 32,767 characters, the most a spreadsheet cell can hold"]


# --------------------------------------------------------------------------- the zip package


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking_it():
    problems, seconds, peak = refused("figures.xlsx", hostile.bomb_xlsx(300))
    assert problems == ["The spreadsheet is too large when unpacked (xl/worksheets/sheet1.xml unpacks to 300 MB; "
                        "one part can be at most 32 MB): split it into smaller files"]
    assert seconds < 0.5 and peak < MEMORY_CEILING


def test_a_zip_bomb_is_still_cheap_if_the_package_limits_are_lifted():
    """Defence in depth: the stream stops at the first cell too long, having inflated a few kilobytes."""
    problems, seconds, peak = refused("figures.xlsx", hostile.bomb_xlsx(300), NO_PACKAGE_LIMITS)
    assert problems == ["row 1, column A: holds more than 32,767 characters, the most a spreadsheet cell can hold"]
    assert seconds < 0.5 and peak < MEMORY_CEILING


def test_parts_packed_far_more_tightly_than_real_sheets_are_refused():
    problems, _, _ = refused("figures.xlsx", hostile.one_huge_row_xlsx())
    assert problems == ["The spreadsheet is packed too tightly to be safe to unpack (xl/worksheets/sheet1.xml "
                        "unpacks to 1,013 times its packed size; real spreadsheets are about 10 times, and at most "
                        "100 times is accepted): save it again from a spreadsheet program and import that"]


def test_a_row_of_millions_of_cells_is_refused_without_holding_them():
    problems, seconds, peak = refused("figures.xlsx", hostile.one_huge_row_xlsx(), NO_PACKAGE_LIMITS)
    assert problems == ["The workbook is damaged and cannot be read (xl/worksheets/sheet1.xml: row 1 has more cells "
                        "than the 16,384 columns there are): open it in Excel or LibreOffice, save it again and "
                        "import that"]
    assert seconds < 0.5 and peak < MEMORY_CEILING  # openpyxl held 920 MB for this row


def test_a_workbook_of_thousands_of_parts_is_refused_before_they_are_listed():
    problems, seconds, _ = refused("figures.xlsx", hostile.many_parts_xlsx())
    assert problems == ["The spreadsheet has 20,007 parts packed inside it; a workbook to import can have at most "
                        "1,000. Copy the sheet into a new workbook and import that"]
    assert seconds < 0.5


def _understate_size(data: bytes, part: str, size: int) -> bytes:
    """The package with its central directory claiming that `part` unpacks to `size` bytes."""
    name = part.encode()
    position = data.index(b"PK\x01\x02")  # the first entry of the central directory
    while data[position + 46:position + 46 + len(name)] != name:
        position = data.index(b"PK\x01\x02", position + 4)
    return data[:position + 24] + size.to_bytes(4, "little") + data[position + 28:]


def test_a_part_that_understates_its_size_is_never_unpacked_past_it():
    data = _understate_size(hostile.realistic_crime_xlsx(5000), "xl/worksheets/sheet1.xml", 4096)
    problems, _, peak = refused("figures.xlsx", data)
    assert problems == ["The workbook is damaged and cannot be read (xl/worksheets/sheet1.xml: Bad CRC-32 for file "
                        "'xl/worksheets/sheet1.xml'): open it in Excel or LibreOffice, save it again and import that"]
    assert peak < MEMORY_CEILING


def test_a_document_type_declaration_is_refused():
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              f'<worksheet xmlns="{hostile.MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t>'
              "</is></c></row></sheetData></worksheet>")
    assert refused("figures.xlsx", hostile.workbook([laughs]))[0] == [
        "The workbook is damaged and cannot be read (xl/worksheets/sheet1.xml: it declares a document type, which no "
        "workbook has): open it in Excel or LibreOffice, save it again and import that"]


@pytest.mark.parametrize("data,message", [
    (b"not a zip", "The file is not an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "The file is not an Excel workbook (.xlsx)"),
])
def test_files_that_are_not_workbooks_are_refused(data, message):
    assert refused("figures.xlsx", data)[0] == [message]


def test_reading_stops_at_the_time_limit(monkeypatch):
    clock = iter(range(0, 10_000))
    monkeypatch.setattr("app.imports.sheet.time.monotonic", lambda: next(clock))  # a second goes by at every look
    problems, _, _ = refused("figures.xlsx", hostile.realistic_crime_xlsx(5000))
    assert problems == ["The file took longer than 10 seconds to read, so reading was stopped: split it into "
                        "smaller files, or save it again as a plain Excel workbook or CSV file"]


# --------------------------------------------------------------------------- CSV


def test_a_csv_of_a_million_rows_stops_at_the_row_limit():
    problems, seconds, peak = refused("figures.csv", hostile.million_rows_csv())
    assert problems == ["The file has more than 20,000 rows: at most 20,000 can be imported at once. Split it into "
                        "smaller files"]
    assert seconds < 3 and peak < MEMORY_CEILING  # the old reader held all million rows: 110 MB


def test_a_csv_of_one_enormous_line_is_refused_before_it_is_split_into_cells():
    problems, seconds, peak = refused("figures.csv", hostile.huge_line_csv(8))
    assert problems == ["row 2: is longer than 100,000 characters, far more than a row of an import needs: check "
                        "that this is the right file and that it is CSV"]
    assert seconds < 0.5 and peak < MEMORY_CEILING


def test_a_csv_row_may_span_lines_in_quotes_but_not_past_the_limit():
    sheet = read_sheet("list.csv", b'section,id,text\nA,1,"two\nlines"\n', CRIME)
    assert sheet.rows == [(2, ["A", "1", "two\nlines"])]
    endless = b'section,id,text\nA,1,"' + b"a line\n" * 20_000
    assert refused("list.csv", endless)[0][0].startswith("row 2: is longer than 100,000 characters")


def test_a_value_beyond_the_last_column_of_a_csv_is_refused_but_trailing_commas_are_not():
    assert refused("f.csv", b"a" + b"," * 50 + b"x\n")[0] == [
        "row 1, column AY: has something in it, but only the first 50 columns (A to AX) can be read: delete what "
        "is in column AY and beyond, or move it nearer"]
    assert read_sheet("f.csv", b"a,b" + b"," * 5_000 + b"\n1,2\n", CRIME).header == ["a", "b"]


@pytest.mark.parametrize("data,message", [
    ("section,id\n".encode("utf-16"),
     "The file is saved as UTF-16 (“Unicode Text”), not as CSV: save it from your spreadsheet program as “CSV UTF-8 "
     "(Comma delimited)” and import that"),
    (b"section,id\nA,\x81\x8d\n",
     "The file is not UTF-8 text: byte 14 (0x81) is not a letter in UTF-8 nor in Windows' own encoding. Save it from "
     "your spreadsheet program as “CSV UTF-8 (Comma delimited)” and import that"),
    (b"section,id\x00\n",
     "The file is not CSV text: it has bytes that no text file has. If it came from a spreadsheet, save it from your "
     "spreadsheet program as “CSV UTF-8 (Comma delimited)” and import that"),
    (b"PK\x03\x04rest of a workbook",
     "The file is an Excel workbook with a name ending .csv: import it with its name ending .xlsx, or save it as CSV"),
    (b"", "The file is empty"),
])
def test_files_that_are_not_csv_text_get_a_sentence_saying_what_to_do(data, message):
    assert refused("list.csv", data)[0] == [message]


def test_utf8_with_or_without_a_byte_order_mark_and_windows_1252_are_read():
    for data in ("section,id\nCoûts,1\n".encode("utf-8-sig"), "section,id\nCoûts,1\n".encode(),
                 "section,id\nCoûts,1\n".encode("cp1252")):
        assert read_sheet("list.csv", data, CRIME).rows == [(2, ["Coûts", "1"])]


# --------------------------------------------------------------------------- what good files give


def test_cells_read_as_they_always_have():
    """Numbers without a needless .0, dates as Python writes them, booleans as True and False, text stripped."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Partnership ", "period", "count", "rate", "flag"])
    sheet.append(["  Vale Royal", datetime(2001, 2, 1), 552.0, 0.25, True])
    sheet.append([None, None, None, None, None])
    sheet.append(["Crich", "2001/02", 12345678901234, 1e-05, False])
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = read_sheet("figures.xlsx", buffer.getvalue(), CRIME)
    assert read.header == ["Partnership", "period", "count", "rate", "flag"]
    assert read.rows == [(2, ["Vale Royal", "2001-02-01 00:00:00", "552", "0.25", "True"]),
                         (4, ["Crich", "2001/02", "12345678901234", "1e-05", "False"])]


def test_rich_text_phonetic_guides_formula_values_and_the_1904_calendar():
    rows = [hostile.SHEET_START,
            '<row r="1"><c r="A1" t="inlineStr"><is><r><t>Vale </t></r><r><t>Royal</t></r>'
            "<rPh><t>guide</t></rPh></is></c>"
            '<c r="B1" t="str"><f>A1&amp;"!"</f><v>Vale Royal!</v></c>'
            '<c r="C1"><f>1+1</f><v>2</v></c><c r="D1" t="e"><v>#N/A</v></c>'
            '<c r="E1" s="1"><v>36923</v></c><c r="F1" t="s"><v>0</v></c></row>',
            hostile.SHEET_END]
    data = hostile.workbook(rows, shared_strings=["shared"])
    assert read_sheet("f.xlsx", data, CRIME).header == ["Vale Royal", "Vale Royal!", "2", "#N/A",
                                                        "2001-02-01 00:00:00", "shared"]
    package = zipfile.ZipFile(io.BytesIO(data))
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w") as out:
        for info in package.infolist():
            content = package.read(info)
            if info.filename == "xl/workbook.xml":
                content = content.replace(b"<sheets>", b'<workbookPr date1904="1"/><sheets>')
            out.writestr(info.filename, content)
    assert read_sheet("f.xlsx", rebuilt.getvalue(), CRIME).header[4] == "2005-02-02 00:00:00"


def test_rows_keep_the_spreadsheets_numbers_and_blank_rows_are_left_out():
    data = hostile.workbook([hostile.SHEET_START, hostile.row(1, ["a", "b"]), hostile.row(3, [None, "x"]),
                             '<row r="4"><c r="A4" s="0"/></row>', hostile.row(7, ["y"]), hostile.SHEET_END])
    assert read_sheet("f.xlsx", data, CRIME).rows == [(3, ["", "x"]), (7, ["y"])]


def test_a_realistic_file_of_5000_rows_reads_quickly_in_little_memory():
    tracemalloc.start()
    started = time.perf_counter()
    try:
        sheet = read_sheet("figures.xlsx", hostile.realistic_crime_xlsx(5000), CRIME)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sheet.header == hostile.CRIME_HEADER and len(sheet.rows) == 5000
    assert sheet.rows[0] == (2, ["Partnership 000", "robbery", "2000/01", "10", "60000", "0.17", "-20"])
    assert seconds < 5 and peak < MEMORY_CEILING

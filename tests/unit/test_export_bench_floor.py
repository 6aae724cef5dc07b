"""The export benchmark's floor writes exactly the Responses cells, whichever writer it uses.

benchmarks/export.py compares the export with our own writer (and, for information,
stock xlsxwriter) writing the cells of the Responses sheet, read back from a workbook
the export wrote. If the floor wrote fewer or other cells, the comparison would flatter
or wrong the export: each writer's workbook is read back here and compared cell by cell.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from benchmarks.export import load_cells, read_back, run_floor
from tests.unit.test_exports import export, workbook_bytes


def _responses(path: Path) -> list[tuple]:
    book = load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book["Responses"].iter_rows(values_only=True)]
    finally:
        book.close()


@pytest.mark.parametrize("writer", ["product", "stock"])
def test_the_floor_writes_the_responses_cells_and_reading_them_is_timed_apart(tmp_path: Path, writer: str) -> None:
    workbook = tmp_path / "export.xlsx"
    workbook.write_bytes(workbook_bytes(export()))
    cells = tmp_path / "cells.pickle"
    checked = read_back(str(workbook), str(cells))
    assert checked["formulas"] == 0 and checked["links"] == 0
    expected = _responses(workbook)
    assert load_cells(str(cells)) == expected
    assert checked["sheets"]["Responses"][0] == len(expected)

    floor = tmp_path / f"{writer}.xlsx"
    result = run_floor(str(cells), str(floor), writer)
    assert result["rows"] == len(expected)
    assert result["seconds"] > 0 and result["loading_seconds"] > 0
    assert _responses(floor) == expected

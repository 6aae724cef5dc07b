"""The peer register from a spreadsheet: every bad row reported, nothing returned unless all are good."""

from __future__ import annotations

import pytest

from app.benchmarking.register_import import parse_register, summary
from app.questionnaires.importing import ImportFailed, read_sheet


def sheet(text: str):
    return read_sheet("register.csv", text.encode())


def test_a_good_sheet_adds_new_partnerships_and_updates_known_ones():
    rows = parse_register(sheet("Name,Area,Population,Family group,Own\n"
                                "Amber Valley,Derbyshire,122300,Group 7,\n"
                                "South Derbyshire,Derbyshire,94600,Group 7,yes\n"), {"amber valley": 5})
    assert [(r.row, r.name, r.population, r.family_group, r.is_own, r.existing_id) for r in rows] == [
        (2, "Amber Valley", 122300, "Group 7", False, 5), (3, "South Derbyshire", 94600, "Group 7", True, None)]
    assert summary(rows) == {"added": 1, "updated": 1}


def test_every_bad_row_is_reported_with_its_row_and_column():
    text = ("name,area,population,family_group,own\n"
            ",Kent,100,,\n"  # row 2: no name
            "Boston,Lincolnshire,\"64,600\",,\n"  # row 3: thousands separator
            "Fenland,,3.5,,\n"  # row 4: not whole
            "boston,,,,\n"  # row 5: the same name again
            "Mendip,,,,maybe\n"  # row 6: not yes or no
            "Rother,,,,yes\n"
            "Wyre,,,,yes\n")  # row 8: a second own partnership
    with pytest.raises(ImportFailed) as failure:
        parse_register(sheet(text), {})
    assert [str(p) for p in failure.value.problems] == [
        "row 2, column name: enter the partnership's name",
        "row 3, column population: ‘64,600’ has a comma: write the number without separators, e.g. 94600",
        "row 4, column population: ‘3.5’ is not a whole number of people above 0",
        "row 5, column name: boston is already on row 3",
        "row 6, column own: ‘maybe’ is not yes or no",
        "row 8, column own: only one partnership can be our own; row 7 already is",
    ]


def test_unknown_and_missing_columns_are_named():
    with pytest.raises(ImportFailed) as failure:
        parse_register(sheet("partnership,county\nAmber Valley,Derbyshire\n"), {})
    messages = [str(p) for p in failure.value.problems]
    assert "row 1, column partnership: ‘partnership’ is not a column this import knows: use name, area, " \
           "population, family_group, own" in messages
    assert "row 1, column name: the header row needs a name column" in messages


def test_a_header_without_rows_is_refused():
    with pytest.raises(ImportFailed) as failure:
        parse_register(sheet("name,area\n\n"), {})
    assert [str(p) for p in failure.value.problems] == ["The file has a header row but no partnerships"]

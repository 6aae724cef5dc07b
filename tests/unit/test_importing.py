"""Turning a council's checklist spreadsheet into a definition: good files, and every kind of bad row."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.questionnaires.importing import ImportFailed, checklist_definition, definition_yaml, make_id, read_sheet
from app.questionnaires.validation import load_text

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "checklist-example.csv"


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def problems(data: bytes, filename: str = "list.csv", **kwargs) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        checklist_definition(read_sheet(filename, data), definition_id=kwargs.get("definition_id", "ours"),
                             title=kwargs.get("title", "Ours"))
    return [str(p) for p in caught.value.problems]


def test_the_example_file_imports_into_a_valid_definition():
    document, summary = checklist_definition(read_sheet(EXAMPLE.name, EXAMPLE.read_bytes()),
                                             definition_id="our-recommendations", title="Our recommendations")
    assert (summary.sections, summary.items, summary.statutory) == (4, 13, 4)
    loaded = load_text(definition_yaml(document, EXAMPLE.name), "our-recommendations.yaml")
    question = loaded.definition.question("g2")
    assert question.tags == {"statutory": True, "reference": "G2"}
    assert question.hint == "Crime and Disorder Act 1998 section 5"
    assert [o.value for o in question.options] == ["met", "partly_met", "not_met"]
    assert question.evidence.required_for == {"met"} and question.action.required_for == {"not_met"}
    assert [s.title for s in loaded.definition.sections] == ["Governance", "Information", "Mainstreaming",
                                                             "Communities"]


def test_a_full_list_of_115_recommendations_from_excel():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Section", "ID", "Text", "Statutory", "Hint"])
    for number in range(1, 116):
        sheet.append([f"Hallmark {1 + number % 6}", f"R{number}", f"Recommendation number {number}.",
                      "Yes" if number % 5 == 0 else "No", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    document, summary = checklist_definition(read_sheet("recs.xlsx", buffer.getvalue()),
                                             definition_id="recs", title="Recommendations")
    assert (summary.items, summary.sections, summary.statutory) == (115, 6, 23)


def test_blank_rows_are_skipped_but_rows_keep_the_spreadsheets_numbers():
    data = csv_bytes("section,id,text", "A,1,First", ",,", "A,1,Same again")
    assert problems(data) == ["row 4, column id: '1' gives the id '1', which row 2 already has"]


@pytest.mark.parametrize("lines,expected", [
    (["section,text", "A,First"], ["row 1, column id: there is no 'id' column: the first row must name the columns "
                                   "section, id and text, and may name statutory, hint and hallmark"]),
    (["section,id,text,text", "A,1,First,Again"], ["row 1, column text: this column appears more than once"]),
    (["section,id,text", ",1,First"], ["row 2, column section: is empty: say which section the item belongs to"]),
    (["section,id,text", "A,,First"], ["row 2, column id: is empty: give every item a reference, such as 1.2"]),
    (["section,id,text", "A,!!,First"], ["row 2, column id: '!!' has no letters or digits to make an id from"]),
    (["section,id,text", "A,1.1,First", "A,1-1,Second"],
     ["row 3, column id: '1-1' gives the id '1-1', which row 2 already has"]),
    (["section,id,text", "A,1,"], ["row 2, column text: is empty: say what the item asks"]),
    (["section,id,text,statutory", "A,1,First,maybe"], ["row 2, column statutory: 'maybe' must be yes or no"]),
    (["section,id,text", "A,1," + "x" * 1001], ["row 2, column text: is longer than 1,000 characters"]),
    (["section,id,text"], ["The sheet has no items under its header row"]),
])
def test_bad_rows_are_each_reported(lines, expected):
    assert problems(csv_bytes(*lines)) == expected


def test_every_bad_row_is_reported_at_once():
    data = csv_bytes("section,id,text,statutory", ",1,a,yes", "A,,b,no", "A,3,,perhaps", "A,4,fine,no")
    assert problems(data) == [
        "row 2, column section: is empty: say which section the item belongs to",
        "row 3, column id: is empty: give every item a reference, such as 1.2",
        "row 4, column text: is empty: say what the item asks",
        "row 4, column statutory: 'perhaps' must be yes or no",
    ]


def test_a_bad_id_or_title_for_the_questionnaire_is_reported():
    assert problems(csv_bytes("section,id,text", "A,1,a"), definition_id="Bad Id", title=" ") == [
        "The questionnaire id must be lower-case letters, digits and hyphens, for example our-recommendations",
        "Give the questionnaire a title",
    ]


def test_files_that_are_not_csv_or_excel_are_refused():
    assert problems(b"hello", filename="list.txt") == ["Choose a CSV or Excel (.xlsx) file"]
    assert problems(b"not a zip", filename="list.xlsx") == ["The file is not an Excel workbook (.xlsx)"]


def test_csv_saved_by_excel_in_windows_encoding_is_read():
    data = 'section,id,text\r\nCosts,1,"Spend under £5,000 is reported – quarterly"\r\n'.encode("cp1252")
    document, _ = checklist_definition(read_sheet("list.csv", data), definition_id="ours", title="Ours")
    assert document["sections"][0]["questions"][0]["text"] == "Spend under £5,000 is reported – quarterly"


@pytest.mark.parametrize("reference,expected", [("R1.2", "r1-2"), ("  G 3 ", "g-3"), ("1/a", "1-a"), ("**", "")])
def test_references_become_ids(reference, expected):
    assert make_id(reference) == expected

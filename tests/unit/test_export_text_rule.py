"""The one rule for text in exports (app/exports/sheets.py), and every path of the workbook and CSV using it.

Hand-made data where every text an export shows is hostile: names, the questionnaire's own wording (an
imported checklist comes from a spreadsheet), answers, evidence, actions, the audit log, the peers and the
crime figures' partnerships. Each sheet is read back with openpyxl.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from app.analysis.approaches import ApproachMatrix, ApproachRow
from app.analysis.compliance import ChecklistCompliance, Compliance, GroupCompliance
from app.analysis.crime import Band, ChangeSource, GroupTable, TableRow
from app.exports.model import (
    About,
    ActionInfo,
    AuditInfo,
    CommentInfo,
    CrimeSection,
    CycleExport,
    DefinitionInfo,
    EvidenceFileInfo,
    ReviewInfo,
    StoredReturn,
)
from app.exports.responses_csv import write_csv
from app.exports.sheets import RISKY_STARTS, RagBands, cell_text, csv_text
from app.exports.workbook import write_workbook
from app.questionnaires.definition import build_definition
from tests.unit.test_exports import _answer, _info

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
HOSTILE = ('=HYPERLINK("http://x.example","y")', "+cmd", "-1+2", "@SUM(A1)", "\tTab", "\rReturn", "\nLine",
           "Invoice \u202egnp.exe")


@pytest.mark.parametrize("control", BIDI_CONTROLS)
def test_each_bidi_control_is_shown_as_a_visible_marker_in_workbook_and_csv_text(control):
    marker = f"[U+{ord(control):04X}]"
    assert cell_text(f"Housing{control}Services") == f"Housing{marker}Services"
    assert csv_text(f"Housing{control}Services") == f"Housing{marker}Services"
    assert csv_text(f"{control}=1+1") == f"{marker}=1+1"  # the marker cannot start a formula


def test_the_csv_rule_quotes_risky_text_of_any_type():
    assert [csv_text(t) for t in ("=1", "+1", "-1", "@A1", "\tx", "\rx", "\nx")] == [
        "'=1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "'\nx"]
    assert csv_text(-5) == "'-5" and csv_text(None) == "" and csv_text("Plain") == "Plain"


def _definition(text: str):
    return build_definition({
        "id": "mini", "version": 1, "title": "Mini", "kind": "departmental",
        "sections": [{"id": "s1", "title": f"{text} section", "tags": {"theme": "t1"}, "questions": [
            {"id": "q1", "type": "single_choice", "text": f"{text} question", "target": "a",
             "options": [{"value": "a", "label": f"{text} yes", "score": 1},
                         {"value": "b", "label": f"{text} no", "score": 0}]},
            {"id": "q2", "type": "long_text", "text": "Tell us more."},
        ]}],
    })


def _crime(text: str) -> CrimeSection:
    row = TableRow(text, False, 4.2, -3.0, ChangeSource.GIVEN, 1, 1, 1, 1, Band.IN_LINE)
    ours = TableRow(f"{text} ours", True, 5.0, 1.0, ChangeSource.COMPUTED, 2, 4, 2, 4, Band.IN_LINE)
    return CrimeSection(text, "2001/02", GroupTable([row, ours], 2, 2, 4.6, 4.6, 0.4, 4.2, 5.0))


def _hallmarks(text: str) -> list[ChecklistCompliance]:
    compliance = Compliance(f"{text} hallmark", 1, 2, 0, 1, 0, 0)
    items = pd.DataFrame([{"section": f"{text} section", "group": f"{text} hallmark", "question_id": "h1",
                           "question": f"{text} item", "statutory": True, "source": text, "value": "met",
                           "answer": "Met", "outcome": "met", "evidence": text, "action": text}])
    group = GroupCompliance(f"{text} hallmark", None, compliance, compliance, compliance)
    checklist = ChecklistCompliance(9, "own-list", f"{text} checklist", "submitted", "section", compliance,
                                    compliance, compliance, [group], items, items.iloc[0:0], items.iloc[0:0])
    return [checklist]


def hostile_export(text: str) -> CycleExport:
    """A whole-cycle export in which every text that comes from people or files is `text` or starts with it."""
    name = f"{text} dept"
    returns = [StoredReturn(_info(1, name, "H1"), {"q1": _answer("a", evidence=text, action=text, by=text),
                                                   "q2": _answer(text, by=text)}),
               StoredReturn(_info(2, f"{text} other", "H2"), {"q1": _answer("b", evidence=text)})]
    about = About(text, text, text, date(2026, 4, 1), date(2027, 3, 31), date(2027, 1, 31), "Open", text,
                  datetime(2026, 12, 1, 12, 30, tzinfo=UTC), text, "Europe/London",
                  [DefinitionInfo("mini", 1, text, "departmental", "ab" * 32)], [text], [text], RagBands(0.8, 0.5))
    actions = [ActionInfo(text, name, "q1", text, text, date(2026, 10, 1), "Not started", True, text, text, text,
                          datetime(2026, 9, 1, tzinfo=UTC), 1, datetime(2026, 8, 1, tzinfo=UTC), None)]
    audit = [AuditInfo(datetime(2026, 11, 19, tzinfo=UTC), text, text, text, text, text, text, text, text)]
    approaches = ApproachMatrix([text, f"{text} two"], f"{text} own", [
        ApproachRow("x", text, text, "in_place", {text: "planned", f"{text} two": "in_place"}, 1, 2)])
    hallmarks = _hallmarks(text)
    when = datetime(2026, 11, 20, tzinfo=UTC)
    comments = [CommentInfo(1, 1, name, "H1", "q1", text, text, "Reviewer", when, when, text, "Open", None, text,
                            text)]
    files = [EvidenceFileInfo(1, 1, name, "H1", "Answer", "q1", text, f"{text}.pdf", "application/pdf", 10, text,
                              when, None, None, "Read", "ab" * 32)]
    reviews = [ReviewInfo(1, name, "H1", 1, when, text, "Returned for changes", when, text, text)]
    return CycleExport(about=about, definitions={1: _definition(text)}, returns=iter(returns), return_count=2,
                       answer_count=3, actions=actions, audit=iter(audit), hallmarks=hallmarks,
                       approaches=approaches, crime=[_crime(text)], quartile_rule=text, comments=comments,
                       evidence_files=files, reviews=reviews)


def _as_stored(value: str) -> str:
    return value.replace("_x000D_", "\r")


@pytest.mark.parametrize("text", HOSTILE)
def test_every_text_cell_on_every_sheet_goes_through_the_rule(text):
    buffer = io.BytesIO()
    write_workbook(buffer, hostile_export(text))
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert len(book.sheetnames) == 14
    shown = cell_text(text)
    found: set[str] = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f" and cell.hyperlink is None, (sheet.title, cell.coordinate)
                if not isinstance(cell.value, str):
                    continue
                value = _as_stored(cell.value)
                assert not set(BIDI_CONTROLS) & set(value), (sheet.title, cell.coordinate, value)
                if value.startswith(RISKY_STARTS):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, value)
                if value.startswith(shown):
                    found.add(sheet.title)
    # Headers included: peers head the Peer approaches columns, departments the Matrix's.
    assert found == set(book.sheetnames)
    assert book["Peer approaches"]["D1"].value == _stored(shown) and book["Peer approaches"]["D1"].quotePrefix == (
        shown.startswith(RISKY_STARTS))
    assert book["Matrix"]["E1"].value == _stored(f"{shown} dept")


def _stored(text: str) -> str:
    return text.replace("\r", "_x000D_")


def test_every_csv_cell_goes_through_the_same_rule():
    for text in HOSTILE:
        buffer = io.StringIO()
        write_csv(buffer, hostile_export(text))
        rows = list(csv.reader(io.StringIO(buffer.getvalue().lstrip("\ufeff"))))
        cells = [cell for row in rows for cell in row]
        assert all(not cell.startswith(RISKY_STARTS) for cell in cells), text
        assert not set(BIDI_CONTROLS) & set("".join(cells)), text
        assert csv_text(text) in cells and csv_text(f"{text} dept") in cells, text
    assert csv_text("Invoice \u202egnp.exe dept") == "Invoice [U+202E]gnp.exe dept"

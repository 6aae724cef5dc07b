"""The workbook and CSV writers, from hand-made data: every sheet read back with openpyxl and pandas.

Figures are worked out by hand from tests/unit/analysis_fixtures.py's mini questionnaire:
Alpha: q1 yes (met, 100%), q2 Sometimes (gap, 50%), q3 unscored, q4 yes (met), q5 hidden
(q4 is yes): 3 in scope, 2 met, 1 gap, score (1 + 0.5 + 1) / 3 = 83% green.
Beta: q1 no (gap, 0%), q2 not applicable, q4 no (gap, 0%), q5 unanswered (shown, as q4 is
no): 3 in scope, 0 met, 3 gaps, score 0% red.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from app.exports.model import (
    About,
    ActionInfo,
    AuditInfo,
    CommentInfo,
    CycleExport,
    DefinitionInfo,
    EvidenceCheck,
    EvidenceFileInfo,
    ReturnInfo,
    ReviewInfo,
    StoredReturn,
)
from app.exports.responses_csv import write_csv
from app.exports.sheets import RISKY_STARTS, RagBands
from app.exports.workbook import write_workbook
from tests.unit.analysis_fixtures import DEPARTMENTAL

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-2+3", "@SUM(A1:A2)", "\tTab", "\rReturn",
           "\nLine", "=1+1", "http://evil.example/x"]
AT = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)
CHECKED_AT = datetime(2026, 11, 25, 14, 5, tzinfo=UTC)
DATA_AS_OF = datetime(2026, 11, 25, 16, 0, 5, tzinfo=UTC)


def _info(assignment_id: int, name: str, code: str, status: str = "Submitted") -> ReturnInfo:
    return ReturnInfo(assignment_id, 1, "department", name, assignment_id, code, status, False, date(2027, 1, 31),
                      datetime(2026, 11, 20, 9, 0, tzinfo=UTC), None,
                      counted=status not in ("Not started", "In progress"))


def _answer(value, *, na: bool = False, evidence: str = "", action: str = "", by: str = "Lena Lead"):
    return [value, na, evidence, action, datetime(2026, 11, 19, 15, 45, tzinfo=UTC), by, None]  # id: see export()


def export(*, alpha_evidence: str = "Minutes of March", extra_text: str = "Works with the CSP",
           generated_at: datetime = AT, generated_by: str = "Alex Auditor") -> CycleExport:
    returns = [
        StoredReturn(_info(1, "Alpha", "ALP"), {
            "q1": _answer("yes"), "q2": _answer("b", evidence=alpha_evidence), "q3": _answer(extra_text),
            "q4": _answer("yes"), "q5": _answer("no")},
            {"q1": EvidenceCheck(CHECKED_AT, "Casey Reviewer"), "q2": EvidenceCheck(CHECKED_AT, "Casey Reviewer"),
             "q5": EvidenceCheck(CHECKED_AT, "Casey Reviewer")}),  # q5 is hidden: not counted
        StoredReturn(_info(2, "Beta", "BET", "In progress"), {
            "q1": _answer("no"), "q2": _answer(None, na=True), "q4": _answer("no")}),
    ]
    for number, raw in enumerate((raw for stored in returns for raw in stored.answers.values()), 101):
        raw[6] = number  # answer ids: Alpha's q1 is 101 ... Beta's q4 is 108
    about = About("Test Council", "Test Partnership", "Audit 2026", date(2026, 4, 1), date(2027, 3, 31),
                  date(2027, 1, 31), "Open", "The whole cycle", generated_at, generated_by, "Europe/London",
                  [DefinitionInfo("mini", 1, "Mini", "departmental", "ab" * 32)], ["Rule one.", "Rule two."],
                  ["Rank 1 is lowest."], RagBands(0.8, 0.5), data_as_of=DATA_AS_OF,
                  made_with="Section 17 Audit 9.9.9")
    actions = [ActionInfo("Brief the team", "Beta", "q1", "Q1?", "Lena Lead", date(2026, 10, 1), "Not started",
                          True, "Everyone briefed", "", "Started", datetime(2026, 9, 1, tzinfo=UTC), 1,
                          datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 9, 1, tzinfo=UTC), action_id=41,
                          return_id=2)]
    audit = [AuditInfo(datetime(2026, 11, 19, 15, 45, tzinfo=UTC), "lena@council.example", "answer.changed",
                       "assignment", "1", "Changed the answer to q1", "", '{"value": "yes"}', "127.0.0.1",
                       event_id=901)]
    reviews = [ReviewInfo(1, "Alpha", "ALP", 1, datetime(2026, 11, 18, 9, 0, tzinfo=UTC), "Lena Lead",
                          "Returned for changes", datetime(2026, 11, 19, 10, 0, tzinfo=UTC), "Casey Reviewer",
                          "Say which plan"),
               ReviewInfo(1, "Alpha", "ALP", 2, datetime(2026, 11, 20, 9, 0, tzinfo=UTC), "Lena Lead", "", None, "",
                          "")]
    comments = [
        CommentInfo(7, 2, "Beta", "BET", "q1", "Q1?", "Casey Reviewer", "Reviewer", datetime(2026, 11, 21, 10, 0,
                    tzinfo=UTC), datetime(2026, 11, 21, 11, 0, tzinfo=UTC), "Which plan says this?", "Resolved",
                    datetime(2026, 11, 22, 9, 0, tzinfo=UTC), "the lead officer replied", "Lena Lead"),
        CommentInfo(8, 2, "Beta", "BET", "q1", "Q1?", "Lena Lead", "Lead officer", datetime(2026, 11, 22, 9, 0,
                    tzinfo=UTC), datetime(2026, 11, 22, 9, 0, tzinfo=UTC), extra_text, "Open", None, "", ""),
    ]
    files = [EvidenceFileInfo(31, 1, "Alpha", "ALP", "Answer", "q2", "Q2?", f"{extra_text}.pdf", "application/pdf",
                              2048, "Lena Lead", datetime(2026, 11, 19, 15, 40, tzinfo=UTC),
                              datetime(2025, 11, 1, 9, 0, tzinfo=UTC), None, "Read (3 pages)", "cd" * 32)]
    return CycleExport(about=about, definitions={1: DEPARTMENTAL}, returns=iter(returns), return_count=2,
                       answer_count=8, actions=actions, audit=iter(audit), comments=comments, evidence_files=files,
                       reviews=reviews)


def workbook_bytes(data: CycleExport) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, data)
    return buffer.getvalue()


def sheet_rows(content: bytes, name: str) -> list[tuple]:
    return [tuple(row) for row in load_workbook(io.BytesIO(content))[name].iter_rows(values_only=True)]


def test_the_workbook_has_every_sheet_each_a_table_with_a_frozen_header_and_a_filter():
    content = workbook_bytes(export())
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["About", "Summary", "Responses", "Matrix", "Gaps", "Questions", "Reviews",
                               "Comments", "Evidence files", "Actions", "Audit log"]
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert sheet.freeze_panes in ("A2", "E2"), name
        if name == "Matrix":  # a display, one column per department: a filter, not a table to pivot
            assert sheet.auto_filter.ref.startswith("A1:")
            continue
        # An Excel Table over its rows, named after the sheet, with the table's own filter (not the sheet's).
        (table,) = sheet.tables.values()
        assert table.name == name.replace(" ", "_") and table.ref.startswith("A1:"), name
        assert table.autoFilter is not None and sheet.auto_filter.ref is None, name
        assert [column.name for column in table.tableColumns] == [cell.value for cell in sheet[1]
                                                                  if cell.value is not None], name


def test_long_text_wraps_text_that_fits_does_not_and_every_cell_is_aligned_to_the_top():
    long_evidence = "Minutes of the March board, the April safety plan and the May review of the strategy"
    book = load_workbook(io.BytesIO(workbook_bytes(export(alpha_evidence=long_evidence))))
    sheet = book["Responses"]
    header = [cell.value for cell in sheet[1]]
    evidence, department = header.index("Evidence or comment") + 1, header.index("Department or partnership") + 1
    cells = {row[header.index("Question id")].value: row for row in sheet.iter_rows(min_row=2)
             if row[department - 1].value == "Alpha"}
    assert cells["q2"][evidence - 1].value == long_evidence and cells["q2"][evidence - 1].alignment.wrap_text
    assert not cells["q1"][header.index("Answer")].alignment.wrap_text  # "Yes" fits its column
    assert all(cell.alignment.vertical == "top" for row in cells.values() for cell in row if cell.value is not None)


def test_responses_has_a_row_per_return_and_question_with_answers_in_words():
    frame = pd.read_excel(io.BytesIO(workbook_bytes(export())), sheet_name="Responses")
    assert len(frame) == 10  # 2 returns x 5 questions
    alpha = frame[frame["Department or partnership"] == "Alpha"].set_index("Question id")
    assert alpha.at["q2", "Answer"] == "Sometimes" and alpha.at["q2", "Score"] == 0.5
    assert alpha.at["q2", "Gap"] == "Yes" and alpha.at["q2", "Outcome"] == "Gap"
    assert alpha.at["q2", "Evidence or comment"] == "Minutes of March"
    assert alpha.at["q1", "Answer"] == "Yes" and alpha.at["q1", "Score"] == 1
    assert alpha.at["q5", "Outcome"] == "Not asked (an earlier answer hid it)" and pd.isna(alpha.at["q5", "Score"])
    assert alpha.at["q3", "Outcome"] == "Not scored"
    # Each matter its own yes/no column, and the answer as stored beside its words.
    assert alpha.at["q2", "Misuse of drugs, alcohol and other substances"] == "Yes"
    assert alpha.at["q2", "Crime and disorder, including anti-social behaviour"] == "Yes"
    assert alpha.at["q2", "Re-offending"] == "No" and alpha.at["q2", "Statutory"] == "Yes"
    assert alpha.at["q2", "Answer as stored"] == "b" and alpha.at["q1", "Statutory"] == "No"
    assert alpha.at["q1", "Answered by"] == "Lena Lead"
    # Real dates, in the service's time zone (15:45 UTC is 15:45 in London in November).
    assert alpha.at["q1", "Answered at"] == pd.Timestamp("2026-11-19 15:45")
    beta = frame[frame["Department or partnership"] == "Beta"].set_index("Question id")
    assert beta.at["q2", "Outcome"] == "Not applicable" and beta.at["q5", "Outcome"] == "Not answered"
    assert beta.at["q5", "Gap"] == "Yes" and set(beta["Return status"]) == {"In progress"}


def test_summary_gaps_and_matrix_agree_with_the_hand_worked_figures():
    content = workbook_bytes(export())
    summary = pd.read_excel(io.BytesIO(content), sheet_name="Summary", nrows=2).set_index("Department")
    assert summary.at["Alpha", "Score"] == pytest.approx(2.5 / 3) and summary.at["Alpha", "Band"] == "Green"
    assert (summary.at["Alpha", "Questions"], summary.at["Alpha", "Met"], summary.at["Alpha", "Gaps"]) == (3, 2, 1)
    assert summary.at["Beta", "Score"] == 0 and summary.at["Beta", "Gaps"] == 3
    assert summary.at["Beta", "Not applicable"] == 1 and summary.at["Beta", "Band"] == "Red (provisional)"
    gaps = pd.read_excel(io.BytesIO(content), sheet_name="Gaps")
    assert sorted(zip(gaps["Department or partnership"], gaps["Question id"], strict=True)) == [
        ("Alpha", "q2"), ("Beta", "q1"), ("Beta", "q4"), ("Beta", "q5")]
    assert gaps.set_index(["Department or partnership", "Question id"]).at[("Beta", "q5"), "Answer"] == "Not answered"
    matrix = pd.read_excel(io.BytesIO(content), sheet_name="Matrix").set_index("Question id")
    assert list(matrix.columns[-2:]) == ["Alpha", "Beta"]
    assert matrix.at["q2", "Alpha"] == "Sometimes" and matrix.at["q2", "Beta"] == "Not applicable"
    assert pd.isna(matrix.at["q5", "Alpha"])  # hidden for Alpha


def test_a_return_still_being_written_has_a_provisional_greyed_band_and_the_council_row_leaves_it_out():
    content = workbook_bytes(export())
    summary = pd.read_excel(io.BytesIO(content), sheet_name="Summary", nrows=2).set_index("Department")
    assert summary.at["Alpha", "Band"] == "Green" and summary.at["Alpha", "In council-wide figures"] == "Yes"
    assert summary.at["Beta", "Band"] == "Red (provisional)" and summary.at["Beta", "In council-wide figures"] == "No"
    assert summary.at["Alpha", "Coverage (answered of asked)"] == 1  # 3 of 3 asked were answered
    assert summary.at["Beta", "Coverage (answered of asked)"] == pytest.approx(2 / 3)  # q5 not answered
    rows = sheet_rows(content, "Summary")
    council = rows[4]  # header, Alpha, Beta, an empty row, then the council: outside the table's filter
    assert rows[3] == (None,) * len(rows[3])
    assert council[0] == "Council-wide: 1 submitted return (returns still being written are not counted)"
    header = rows[0]
    got = dict(zip(header, council, strict=True))
    assert got["Score"] == pytest.approx(2.5 / 3) and got["Band"] == "Green"  # Alpha alone: Beta is in progress
    assert (got["Questions"], got["Met"], got["Gaps"]) == (3, 2, 1)
    book = load_workbook(io.BytesIO(content))
    score = get_column_letter([cell.value for cell in book["Summary"][1]].index("Score") + 1)
    first_rule = next(rule for group in book["Summary"].conditional_formatting for rule in group.rules
                      if str(group.sqref).startswith(f"{score}2"))
    counted = get_column_letter([cell.value for cell in book["Summary"][1]].index("In council-wide figures") + 1)
    assert first_rule.formula[0] == f'${counted}2="No"' and first_rule.stopIfTrue  # greyed, never banded


def test_summary_has_native_charts_and_scores_carry_rag_colours_and_words():
    content = workbook_bytes(export())
    book = load_workbook(io.BytesIO(content))
    assert len(book["Summary"]._charts) == 1  # department scores (no hallmark checklist in this data)
    header = [cell.value for cell in book["Responses"][1]]
    letter = {name: get_column_letter(index + 1) for index, name in enumerate(header)}
    score = letter["Score"]
    rules = [rule.formula[0] for group in book["Responses"].conditional_formatting for rule in group.rules]
    # Only cells holding a number are coloured: a "less than 50%" cell rule painted every blank score red.
    assert rules == [f"AND(ISNUMBER({score}2),{score}2>=0.8)", f"AND(ISNUMBER({score}2),{score}2>=0.5)",
                     f"ISNUMBER({score}2)"]
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in book["Responses"].data_validations.dataValidation}
    assert lists[f"{letter['Gap']}2"] == '"Yes,No"'  # Gap offers its values as a list
    assert "Returned for changes" in lists[f"{letter['Return status']}2"]  # and so does the return's status


def test_evidence_checks_are_counted_on_the_summary_and_named_on_each_response():
    content = workbook_bytes(export())
    summary = pd.read_excel(io.BytesIO(content), sheet_name="Summary", nrows=2).set_index("Department")
    # Alpha: q1 (met) and q2 (gap) checked; q5 is hidden by q4, so its stale check counts for nothing.
    assert (summary.at["Alpha", "Gaps with evidence checked"], summary.at["Alpha", "Met with evidence checked"]) == (1, 1)
    assert (summary.at["Beta", "Gaps with evidence checked"], summary.at["Beta", "Met with evidence checked"]) == (0, 0)
    responses = pd.read_excel(io.BytesIO(content), sheet_name="Responses")
    alpha = responses[responses["Department or partnership"] == "Alpha"].set_index("Question id")
    assert alpha.at["q2", "Evidence checked by"] == "Casey Reviewer"
    assert alpha.at["q2", "Evidence checked at"] == pd.Timestamp("2026-11-25 14:05")
    assert pd.isna(alpha.at["q4", "Evidence checked by"]) and pd.isna(alpha.at["q4", "Evidence checked at"])
    book = load_workbook(io.BytesIO(content))
    chart = book["Summary"]._charts[0]
    assert chart.series[0].val.numRef.f == "Summary!$N$2:$N$3"  # still the Score column


def test_comments_and_evidence_files_sheets_keep_the_conversation_and_each_files_fingerprint():
    content = workbook_bytes(export(extra_text="We use the community safety plan"))
    comments = pd.read_excel(io.BytesIO(content), sheet_name="Comments")
    assert list(comments["Comment"]) == ["Which plan says this?", "We use the community safety plan"]
    first = comments.iloc[0]
    assert (first["Department or partnership"], first["Question id"], first["As"], first["State"]) == (
        "Beta", "q1", "Reviewer", "Resolved")
    assert first["Resolved because"] == "the lead officer replied" and first["Resolved by"] == "Lena Lead"
    assert first["Sent to the officer"] == pd.Timestamp("2026-11-21 11:00") and first["Return id"] == 2
    assert comments.iloc[1]["As"] == "Lead officer" and comments.iloc[1]["State"] == "Open"
    files = pd.read_excel(io.BytesIO(content), sheet_name="Evidence files")
    row = files.iloc[0]
    assert (row["File name"], row["Question id"], row["Attached to"], row["Size (bytes)"]) == (
        "We use the community safety plan.pdf", "q2", "Answer", 2048)
    assert row["SHA-256"] == "cd" * 32 and row["File id"] == 31
    assert row["First attached (carried over)"] == pd.Timestamp("2025-11-01 09:00")
    about = " ".join(str(v) for r in sheet_rows(content, "About") for v in r if v is not None)
    assert "Comments: The review's conversation" in about and "Evidence files: Every file attached" in about


def test_the_questions_sheet_gives_each_options_score_and_each_target_as_words_and_data():
    questions = pd.read_excel(io.BytesIO(workbook_bytes(export())), sheet_name="Questions").set_index("Question id")
    assert list(questions.index) == ["q1", "q2", "q3", "q4", "q5"]
    q2 = questions.loc["q2"]
    assert q2["Options (value: label = score)"] == "a: Always = 100%; b: Sometimes = 50%; c: Never = 0%"
    assert (q2["Target rule"], q2["Target value"]) == ("min_score", "1") and q2["Target"] == "‘Always’"
    assert q2["How an answer scores"].startswith("The chosen option's score (above)")
    q1 = questions.loc["q1"]
    assert q1["How an answer scores"] == "100% when the answer is ‘Yes’, otherwise 0%; met at 100%."
    assert (q1["Target rule"], q1["Target value"]) == ("value", "yes") and q1["Type"] == "Yes or no"
    assert questions.loc["q3", "How an answer scores"].startswith("Not scored")
    assert q1["Statutory"] == "No" and q1["Crime and disorder, including anti-social behaviour"] == "Yes"
    assert q1["Serious violence"] == "No" and q1["Misuse of drugs, alcohol and other substances"] == "No"
    assert q2["Statutory"] == "Yes" and q2["Misuse of drugs, alcohol and other substances"] == "Yes"
    assert (q1["Questionnaire"], q1["Version"], q1["Definition SHA-256"]) == ("mini", 1, "ab" * 32)


def test_the_same_ids_join_every_sheet_and_gaps_name_their_action():
    content = workbook_bytes(export())
    responses = pd.read_excel(io.BytesIO(content), sheet_name="Responses")
    alpha = responses[responses["Department or partnership"] == "Alpha"].set_index("Question id")
    assert set(alpha["Return id"]) == {1} and (alpha.at["q1", "Answer id"], alpha.at["q3", "Answer id"]) == (101, 103)
    beta = responses[responses["Department or partnership"] == "Beta"].set_index("Question id")
    assert pd.isna(beta.at["q5", "Answer id"])  # never answered: no answer row to point to
    summary = pd.read_excel(io.BytesIO(content), sheet_name="Summary", nrows=2).set_index("Department")
    assert (summary.at["Alpha", "Return id"], summary.at["Beta", "Return id"]) == (1, 2)
    gaps = pd.read_excel(io.BytesIO(content), sheet_name="Gaps").set_index(["Return id", "Question id"])
    assert (gaps.at[(2, "q1"), "Action id"], gaps.at[(2, "q1"), "Action status"]) == (41, "Not started")
    assert gaps.at[(2, "q1"), "Action due"] == pd.Timestamp("2026-10-01") and pd.isna(gaps.at[(2, "q4"), "Action id"])
    assert gaps.at[(2, "q1"), "Answer id"] == beta.at["q1", "Answer id"]
    actions = pd.read_excel(io.BytesIO(content), sheet_name="Actions")
    assert (actions.iloc[0]["Action id"], actions.iloc[0]["Return id"]) == (41, 2)
    assert pd.read_excel(io.BytesIO(content), sheet_name="Audit log").iloc[0]["Event id"] == 901
    assert pd.read_excel(io.BytesIO(content), sheet_name="Evidence files").iloc[0]["Return id"] == 1


def test_the_reviews_sheet_lists_every_submission_and_its_decision_with_the_reason():
    reviews = pd.read_excel(io.BytesIO(workbook_bytes(export())), sheet_name="Reviews")
    assert list(reviews["Submission"]) == [1, 2] and set(reviews["Return id"]) == {1}
    first, second = reviews.iloc[0], reviews.iloc[1]
    assert (first["Decision"], first["Decided by"], first["Reason given"]) == ("Returned for changes",
                                                                              "Casey Reviewer", "Say which plan")
    assert first["Decided at"] == pd.Timestamp("2026-11-19 10:00")
    assert pd.isna(second["Decision"]) and second["Submitted at"] == pd.Timestamp("2026-11-20 09:00")


def test_actions_and_audit_log_are_complete_with_real_dates():
    content = workbook_bytes(export())
    actions = pd.read_excel(io.BytesIO(content), sheet_name="Actions")
    row = actions.iloc[0]
    assert (row["Action"], row["Status"], row["Overdue"], row["Due"]) == ("Brief the team", "Not started", "Yes",
                                                                         pd.Timestamp("2026-10-01"))
    assert (row["Comes from"], row["Question id"]) == ("Gap found by the audit", "q1")
    audit = pd.read_excel(io.BytesIO(content), sheet_name="Audit log")
    assert audit.iloc[0]["What"] == "answer.changed" and audit.iloc[0]["After"] == '{"value": "yes"}'


def test_about_names_the_cycle_the_definitions_with_their_fingerprints_and_the_rules():
    rows = sheet_rows(workbook_bytes(export()), "About")
    cells = [value for row in rows for value in row if value is not None]
    assert "Audit 2026" in " ".join(map(str, cells))
    assert "ab" * 32 in cells and "Rule one." in cells and "Rank 1 is lowest." in cells
    assert "Section 17 Audit 9.9.9" in cells


def test_hostile_text_is_never_a_formula_or_a_link():
    """security.md item 13: answers, evidence and names that look like formulas stay text."""
    hostile = "; ".join(HOSTILE)
    for text in HOSTILE:
        data = export(alpha_evidence=text, extra_text=text)
        content = workbook_bytes(data)
        book = load_workbook(io.BytesIO(content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                    assert cell.hyperlink is None, (sheet.title, cell.coordinate)
        evidence = pd.read_excel(io.BytesIO(content), sheet_name="Responses").set_index("Question id")
        alpha = evidence[evidence["Department or partnership"] == "Alpha"]
        # Shown exactly as typed (a carriage return is stored in the file's own escape, _x000D_).
        assert alpha.at["q2", "Evidence or comment"].replace("_x000D_", "\r") == text
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheet_xml = archive.read("xl/worksheets/sheet3.xml").decode()
            assert "<f>" not in sheet_xml and "hyperlink" not in sheet_xml
            styles = archive.read("xl/styles.xml").decode()
            assert ('quotePrefix="1"' in styles) == text.startswith(RISKY_STARTS)  # risky cells get a quote prefix
    assert hostile  # the list is not empty


def test_the_csv_has_the_responses_columns_and_neutralises_risky_cells():
    data = export(alpha_evidence="=HYPERLINK(\"http://evil.example\")", extra_text="-2+3")
    buffer = io.StringIO()
    write_csv(buffer, data)
    text = buffer.getvalue()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Return id", "Answer id", "Respondent type", "Department or partnership", "Code"]
    assert len(body) == 10 and all(len(row) == len(header) for row in body)
    by_question = {(r[3], r[header.index("Question id")]): dict(zip(header, r, strict=True)) for r in body}
    assert by_question[("Alpha", "q2")]["Evidence or comment"] == "'=HYPERLINK(\"http://evil.example\")"
    assert by_question[("Alpha", "q3")]["Answer"] == "'-2+3"
    assert by_question[("Alpha", "q2")]["Score"] == "0.5"
    assert by_question[("Alpha", "q1")]["Answered at"] == "2026-11-19 15:45:00"


def about_value(content: bytes, key: str):
    return next(row[1] for row in sheet_rows(content, "About") if row[0] == key)


def test_the_same_data_gives_the_same_bytes_whoever_exports_it_and_whenever():
    first = workbook_bytes(export())
    later = workbook_bytes(export(generated_at=datetime(2027, 3, 2, 8, 15, tzinfo=UTC), generated_by="Bo Other"))
    assert later == first
    book = load_workbook(io.BytesIO(first))
    assert book.properties.creator == "Section 17 Audit 9.9.9"  # not a person, nor "Microsoft Excel"
    assert book.properties.created == datetime(2026, 11, 25, 16, 0, 5)  # the data's date, not the export's
    changed = workbook_bytes(export(alpha_evidence="Minutes of April"))
    assert changed != first
    fingerprint = about_value(first, "Content fingerprint (SHA-256)")
    assert len(fingerprint) == 64 and about_value(changed, "Content fingerprint (SHA-256)") != fingerprint
    assert about_value(first, "Export id") == fingerprint[:16]
    cells = " ".join(str(v) for row in sheet_rows(first, "About") for v in row if v is not None)
    assert "Alex Auditor" not in cells and "12:30" not in cells
    assert about_value(first, "Data as of").startswith("25 November 2026 at 16:00:05 (Europe/London)")


def test_an_action_not_raised_from_a_gap_says_where_it_comes_from():
    data = export()
    data.actions = [ActionInfo("Act on the scrutiny report", "", "", "", "Casey Officer", date(2027, 1, 15),
                               "In progress", False, "Report back", "", "", None, 0, None, None,
                               origin="Recommendation", origin_detail="Scrutiny committee, 4 November 2026, rec. 3")]
    row = pd.read_excel(io.BytesIO(workbook_bytes(data)), sheet_name="Actions").iloc[0]
    assert row["Comes from"] == "Recommendation"
    assert row["Which recommendation, plan or decision"] == "Scrutiny committee, 4 November 2026, rec. 3"


def test_the_workbook_offers_every_action_origin_the_service_knows():
    from app.exports.workbook_columns import ACTION_ORIGINS
    from app.models.action import ORIGIN_NAMES

    assert set(ACTION_ORIGINS) == set(ORIGIN_NAMES.values())


def test_the_workbook_leaves_excel_recalculating_automatically():
    """A saved calculation mode applies to the whole Excel session: manual stopped an auditor's own formulas."""
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(export()))) as archive:
        book_xml = archive.read("xl/workbook.xml").decode()
    assert 'calcMode="manual"' not in book_xml
    assert load_workbook(io.BytesIO(workbook_bytes(export()))).calculation.calcMode in (None, "auto")


def test_a_sheet_too_wide_for_a_page_repeats_its_key_columns_and_its_header_on_every_printed_page():
    book = load_workbook(io.BytesIO(workbook_bytes(export())))
    responses = book["Responses"]
    assert responses.print_title_rows == "$1:$1" and responses.print_title_cols == "$A:$E"  # ids, who, code
    assert book["Gaps"].print_title_cols == "$A:$D" and book["Summary"].print_title_cols == "$A:$B"
    assert book["Reviews"].print_title_cols is None  # narrow enough to print one page wide
    reviews = book["Reviews"]  # fitted to one page wide (width 1 is the file format's default), any number tall
    assert reviews.sheet_properties.pageSetUpPr.fitToPage and reviews.page_setup.fitToHeight in (0, "0")

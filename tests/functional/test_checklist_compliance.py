"""A council's own checklist counts: imported with `section17 surveys import-checklist`, answered, then read on
the compliance page and in the cycle workbook.

The checklist is made here as a council would write it: 115 recommendations in five
sections, none named after a hallmark and no hallmark column, so its compliance is
shown by section. It is answered through the same service the answer pages use:
95 met, the rest partly met, not met or left unanswered.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from app.cli import cli
from app.extensions import db
from app.models import Assignment, User
from app.respond.services import Respondent, definition_of, save_section
from tests.support import SURVEYS, WebClient, open_cycle

SECTIONS = (("Governance", 25), ("Information sharing", 20), ("Mainstreaming in services", 30),
            ("Working with residents", 20), ("Training and briefing", 20))
UNANSWERED = frozenset({100, 101, 102})
NOT_MET = frozenset(range(2, 115, 11)) - UNANSWERED  # 10 items: 2, 13, ..., 90, 112
PARTLY_MET = frozenset({7, 17, 27, 37, 47, 59, 63})  # 7 items, so 95 of the 115 are met


def write_checklist(path: Path, *, hallmarks: list[str] | None = None) -> list[dict[str, str]]:
    """115 items as a council's spreadsheet has them; every fourth is statutory. Returns the rows."""
    rows = []
    number = 0
    for section, size in SECTIONS:
        for index in range(1, size + 1):
            rows.append({"section": section, "id": f"{section[0]}{index}",
                         "text": f"Recommendation {number + 1}: {section.lower()} item {index} is in place.",
                         "statutory": "yes" if number % 4 == 0 else "no",
                         "hint": "Crime and Disorder Act 1998 section 17" if number % 4 == 0 else ""})
            number += 1
    columns = ["section", "id", "text", "statutory", "hint"]
    if hallmarks is not None:
        columns.append("hallmark")
        for row, hallmark in zip(rows, hallmarks, strict=True):
            row["hallmark"] = hallmark
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, columns)
        writer.writeheader()
        writer.writerows(rows)
    return rows


def answer_for(index: int) -> str | None:
    if index in UNANSWERED:
        return None
    return "not_met" if index in NOT_MET else "partly_met" if index in PARTLY_MET else "met"


def expected(rows: list[dict[str, str]], wanted=lambda row: True) -> str:
    """'N of M met (x%)' worked out from the sheet and the answers given, not by the app."""
    chosen = [index for index, row in enumerate(rows) if wanted(row)]
    met = sum(answer_for(index) == "met" for index in chosen)
    return f"{met} of {len(chosen)} met ({round(100 * met / len(chosen))}%)"


@pytest.fixture
def surveys(tmp_path) -> Path:
    folder = tmp_path / "surveys"
    shutil.copytree(SURVEYS, folder)
    return folder


def import_checklist(surveys: Path, sheet: Path, *args: str):
    return CliRunner().invoke(cli, ["surveys", "import-checklist", str(sheet), "--id", "our-recommendations",
                                    "--title", "Our scrutiny recommendations", *args],
                              env={"SECTION17_SURVEYS_DIR": str(surveys)})


def answer_checklist(app, people, assignment_id: int) -> None:
    """Answer every section of the return through app.respond.services, as the answer pages do."""
    with app.test_request_context():
        assignment = db.session.get(Assignment, assignment_id)
        officer = db.session.get(User, people.cso.id)
        definition = definition_of(assignment)
        index = 0
        for section in definition.sections:
            form: dict[str, str] = {"questions": ",".join(q.id for q in section.questions)}
            for question in section.questions:
                value = answer_for(index)
                if value is not None:
                    form[f"q-{question.id}"] = value
                    form[f"q-{question.id}-evidence"] = "Minutes of the strategy group" if value == "met" else ""
                    form[f"q-{question.id}-action"] = "Agree an owner by June" if value == "not_met" else ""
                index += 1
            result = save_section(Respondent(officer), assignment, section, form, base_version=assignment.version)
            assert not result.problems and not result.conflicts, result


def page_words(response) -> str:
    """The visible words of the page's main content, without the results sub-navigation."""
    page = response.get_data(as_text=True)
    main = page[page.index("<main"):page.index("</main>")]
    main = re.sub(r'<nav class="app-subnav".*?</nav>', " ", main, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def signed_in(app, account) -> WebClient:
    web = WebClient(app.test_client())
    assert web.sign_in(account).status_code == 302
    return web


def export(app, cycle_name: str, tmp_path: Path):
    out = tmp_path / "cycle.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "--cycle", cycle_name, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return load_workbook(io.BytesIO(out.read_bytes()))


def cells(sheet) -> list:
    return [value for row in sheet.iter_rows(values_only=True) for value in row if value is not None]


def sheet_rows(sheet) -> list[dict]:
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def imported(surveys, tmp_path):
    sheet = tmp_path / "recommendations.csv"
    rows = write_checklist(sheet)
    result = import_checklist(surveys, sheet)
    assert result.exit_code == 0, result.output
    assert "Imported 115 items in 5 sections (29 statutory)" in result.output
    assert "No item belongs to a hallmark: compliance will be shown by section." in result.output
    return rows


def test_an_imported_checklist_of_115_items_with_95_met_reads_95_of_115_on_the_page_and_in_the_workbook(
        make_app, people, surveys, imported, tmp_path):
    app = make_app(SURVEYS_DIR=str(surveys))
    made = open_cycle(app, people, definitions=("small-departmental", "our-recommendations"))
    answer_checklist(app, people, made.partnership)

    response = signed_in(app, people.auditor).get(f"/cycles/{made.cycle_id}/hallmarks")
    assert response.status_code == 200
    words = page_words(response)
    assert "Partnership checklists" in words
    assert "From the partnership's return of ‘Our scrutiny recommendations’ (in progress)" in words
    assert "All items: 95 of 115 met (83%)" in words
    statutory = expected(imported, lambda row: row["statutory"] == "yes")
    suggested = expected(imported, lambda row: row["statutory"] == "no")
    assert f"Statutory requirements: {statutory}" in words and f"Suggested practice: {suggested}" in words
    assert "Compliance by section" in words
    for section, _ in SECTIONS:  # each section's line: all items, then statutory, then suggested practice
        in_section = expected(imported, lambda row, s=section: row["section"] == s)
        section_statutory = expected(imported, lambda row, s=section: row["section"] == s and row["statutory"] == "yes")
        section_suggested = expected(imported, lambda row, s=section: row["section"] == s and row["statutory"] == "no")
        assert f"{section} {in_section} {section_statutory} {section_suggested}" in words, section
    assert "17 items partly met or not met" in words and "Agree an owner by June" in words
    assert "Items not yet answered" in words and "Recommendation 101:" in words
    assert "hallmark" not in words.casefold()  # nothing on this checklist is about hallmarks
    assert "No items apply" not in words

    book = export(app, "Audit 2026 to 2027", tmp_path)
    summary = cells(book["Summary"])
    assert "Our scrutiny recommendations: compliance" in summary and "By section" in summary
    assert "95 of 115 met (83%)" in summary and statutory in summary and suggested in summary
    items = sheet_rows(book["Hallmarks"])
    assert len(items) == 115 and sum(item["Met"] == "Yes" for item in items) == 95
    assert {item["Checklist"] for item in items} == {"Our scrutiny recommendations"}
    assert [item["Hallmark or section"] for item in items] == [row["section"] for row in imported]
    assert sum(item["Answer"] == "Not answered" for item in items) == 3


def test_the_hallmark_checklist_and_an_imported_one_in_one_cycle_are_counted_apart(
        make_app, people, surveys, imported, tmp_path):
    app = make_app(SURVEYS_DIR=str(surveys))
    made = open_cycle(app, people, definitions=("small-departmental", "small-partnership", "our-recommendations"))
    with app.app_context():
        ours = db.session.scalar(db.select(Assignment).where(
            Assignment.cycle_id == made.cycle_id, Assignment.respondent_type == "partnership",
            Assignment.snapshot.has(definition_id="our-recommendations")))
        hallmarks = db.session.scalar(db.select(Assignment).where(
            Assignment.cycle_id == made.cycle_id, Assignment.respondent_type == "partnership", Assignment.id != ours.id))
        ours_id, hallmarks_id = ours.id, hallmarks.id
    answer_checklist(app, people, ours_id)
    with app.test_request_context():
        assignment = db.session.get(Assignment, hallmarks_id)
        section = definition_of(assignment).sections[0]
        save_section(Respondent(db.session.get(User, people.cso.id)), assignment, section,
                     {"questions": "strategy-group,member-training", "q-strategy-group": "met",
                      "q-strategy-group-evidence": "Terms of reference", "q-member-training": "not_met",
                      "q-member-training-action": "Train members by May"}, base_version=assignment.version)

    words = page_words(signed_in(app, people.cso).get(f"/cycles/{made.cycle_id}/hallmarks"))
    assert "Partnership checklists" in words and "Each checklist is counted on its own" in words
    small, own = words.index("Small partnership checklist"), words.index("Our scrutiny recommendations")
    hallmark_block, own_block = (words[small:own], words[own:]) if small < own else (words[small:], words[own:small])
    assert "All items: 1 of 2 met (50%)" in hallmark_block and "Compliance by hallmark" in hallmark_block
    assert "Hallmark 1: Empowered and effective leadership 1 of 2 met (50%)" in hallmark_block
    assert "All items: 95 of 115 met (83%)" in own_block and "Compliance by section" in own_block
    assert "96 of 117" not in words  # never added together

    book = export(app, "Audit 2026 to 2027", tmp_path)
    summary = cells(book["Summary"])
    assert "Small partnership checklist: compliance" in summary and "Our scrutiny recommendations: compliance" in summary
    assert "1 of 2 met (50%)" in summary and "95 of 115 met (83%)" in summary and "By hallmark" in summary
    items = sheet_rows(book["Hallmarks"])
    assert [sum(item["Checklist"] == title for item in items)
            for title in ("Small partnership checklist", "Our scrutiny recommendations")] == [2, 115]


def test_a_hallmark_column_groups_an_imported_checklist_by_hallmark(make_app, people, surveys, tmp_path):
    sheet = tmp_path / "by-hallmark.csv"
    names = ["1", "Visible and constructive accountability", "hallmark 3", "4", "ENGAGED COMMUNITIES", "6"]
    write_checklist(sheet, hallmarks=[names[index % 6] for index in range(115)])
    result = import_checklist(surveys, sheet)
    assert result.exit_code == 0, result.output
    assert "Every item belongs to a hallmark: compliance will be shown by hallmark." in result.output
    app = make_app(SURVEYS_DIR=str(surveys))
    made = open_cycle(app, people, definitions=("small-departmental", "our-recommendations"))
    answer_checklist(app, people, made.partnership)
    words = page_words(signed_in(app, people.auditor).get(f"/cycles/{made.cycle_id}/hallmarks"))
    assert "Hallmarks of Effective Partnership" in words and "Compliance by hallmark" in words
    assert "All items: 95 of 115 met (83%)" in words
    assert "Hallmark 5: Engaged communities" in words and "Hallmark 6: Appropriate skills and knowledge" in words


def test_an_unknown_hallmark_names_its_row_and_nothing_is_written(surveys, tmp_path):
    sheet = tmp_path / "bad.csv"
    write_checklist(sheet, hallmarks=["2"] * 40 + ["Seven"] + ["3"] * 74)
    result = import_checklist(surveys, sheet)
    assert result.exit_code == 1
    assert ("bad.csv: row 42, column hallmark: 'Seven' is not a hallmark: give a number from 1 to 6 or a "
            "hallmark's name, such as 'Engaged communities' (or leave it blank)") in result.output
    assert not (surveys / "our-recommendations.yaml").exists()

"""security.md item 13, end to end: a demo cycle whose names, answers and evidence are hostile, exported by
`section17 export` as the workbook and as the CSV, then every cell of every sheet read back.

No cell may be a formula or a link; every text cell that a spreadsheet would read as a formula when edited
(it starts with =, +, -, @, a tab, a carriage return or a line feed) must be quote-prefixed in the workbook
and start with an apostrophe in the CSV, headers and titles included; and no cell may hold a bidirectional
control (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), which would make it read differently from
what it holds: each is shown as a marker such as [U+202E].
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Action, Answer, Assignment, Department, PeerPartnership, User
from app.models.organisation import Organisation
from app.questionnaires.definition import TEXT_TYPES
from app.questionnaires.registry import DEFAULT_SURVEYS_DIR, definition_from_snapshot

RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

PEER = '=HYPERLINK("http://x.example","y")'
DEPARTMENT = "+cmd|' /C calc'!A0"
USER = "-1+2"
ANSWER = "@SUM(A1)"
EVIDENCE = ("\tTab first", "\rReturn first", "\nLine feed first", '=HYPERLINK("http://x.example/e","e")')
ACTION = "-2+3 actions"
# Stock xlsxwriter writes a text between <r> and </r> into the sheet unescaped, as rich text it made itself.
RICH = ('<r><t>x</t></r></is></c><c r="ZZ9"><f>HYPERLINK("http://x.example/r","r")</f></c>'
        '<c r="ZZ10" t="inlineStr"><is><r><t>y</t></r>')
BIDI_PEER = "Peer \u202egnp.exe"
BIDI_DEPARTMENT = "Parks \u2067lla\u2069 and \u200fopen spaces"
BIDI_USER = "Lena \u202dLead\u202c"
BIDI_COUNCIL = "South \u061cDerbyshire \u202aDistrict\u202c Council"


def _text_answers(cycle_id: int) -> list[Answer]:
    """Answers to free-text questions in the cycle: their value is shown as typed."""
    found = []
    for answer in db.session.scalars(select(Answer).join(Assignment).where(Assignment.cycle_id == cycle_id)
                                     .order_by(Answer.id)):
        question = definition_from_snapshot(answer.assignment.snapshot).question(answer.question_id)
        if question.type in TEXT_TYPES and isinstance(answer.value, str) and not answer.not_applicable:
            found.append(answer)
    return found


def _make_hostile(cycle_name: str) -> None:
    """Rename a peer, two departments, users and the council; make an answer, evidence and an action hostile."""
    from app.models import Cycle

    cycle = db.session.scalar(select(Cycle).where(Cycle.name == cycle_name))
    answered = (select(Assignment.peer_partnership_id).join(Answer)
                .where(Assignment.cycle_id == cycle.id, Assignment.respondent_type == "peer"))
    peers = db.session.scalars(select(PeerPartnership).where(PeerPartnership.id.in_(answered),
                                                              ~PeerPartnership.is_own)
                               .order_by(PeerPartnership.name)).all()
    peers[0].name, peers[1].name = PEER, BIDI_PEER
    departments = db.session.scalars(select(Department).join(Assignment, Assignment.department_id == Department.id)
                                     .where(Assignment.cycle_id == cycle.id).order_by(Department.name)).all()
    departments[0].name, departments[1].name = DEPARTMENT, BIDI_DEPARTMENT
    text_answers = _text_answers(cycle.id)
    first = text_answers[0]
    first.value = ANSWER
    for answer, evidence in zip(text_answers[1:], EVIDENCE, strict=False):
        answer.evidence = evidence
    text_answers[-2].value = RICH
    db.session.get(User, first.updated_by_id).name = USER
    db.session.get(User, text_answers[-1].updated_by_id).name = BIDI_USER
    action = db.session.scalars(select(Action).where(Action.cycle_id == cycle.id).order_by(Action.id)).first()
    action.title = ACTION
    db.session.scalars(select(Organisation)).first().council_name = BIDI_COUNCIL
    db.session.commit()
    from app.organisation.services import forget_cached_names

    forget_cached_names()  # changed behind the service's back (loading the demo read the names already)


@pytest.fixture(scope="module")
def hostile_exports(tmp_path_factory):
    """The demo council made hostile, and its whole-cycle workbook and CSV."""
    from flask_migrate import upgrade

    from app import create_app
    from app.demo.services import CYCLE_NAME, load_demo
    from tests.conftest import fresh_database_url

    folder = tmp_path_factory.mktemp("hostile")
    urls = fresh_database_url(tmp_path_factory, "hostile")
    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": next(urls), "SURVEYS_DIR": str(DEFAULT_SURVEYS_DIR)},
                     instance_path=str(folder / "instance"))
    with app.app_context():
        upgrade()
        load_demo()
        _make_hostile(CYCLE_NAME)
    files = {}
    for suffix in ("xlsx", "csv"):
        out = folder / f"cycle.{suffix}"
        result = app.test_cli_runner().invoke(args=["export", "--cycle", CYCLE_NAME, "--out", str(out)])
        assert result.exit_code == 0, result.output
        files[suffix] = out.read_bytes()
    yield files
    with app.app_context():
        db.engine.dispose()
    next(urls, None)


def _as_stored(value: str) -> str:
    """A cell's text as it was written (the file keeps a carriage return in its own escape, _x000D_)."""
    return value.replace("_x000D_", "\r")


def test_every_text_cell_of_every_sheet_is_text_quoted_when_risky_and_free_of_bidi_controls(hostile_exports):
    content = hostile_exports["xlsx"]
    book = load_workbook(io.BytesIO(content))
    where: dict[str, set[str]] = defaultdict(set)  # each text -> the sheets it is on
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert cell.hyperlink is None, (sheet.title, cell.coordinate)
                if not isinstance(cell.value, str):
                    continue
                text = _as_stored(cell.value)
                where[text].add(sheet.title)
                assert not BIDI & set(text), (sheet.title, cell.coordinate, text)
                if text.startswith(RISKY_STARTS):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, text)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            xml = archive.read(name).decode()
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in xml and "hyperlink" not in xml, name
            if name.startswith("docProps/"):  # the council's name is the file's "company"
                assert not BIDI & set(xml), name
    assert {"Peer approaches", "Crime benchmarking", "Responses"} <= where[PEER]  # a header of Peer approaches
    assert {"Summary", "Responses", "Matrix"} <= where[DEPARTMENT]  # a header of the Matrix
    assert {"Responses"} <= where[USER] and {"Responses"} <= where[ANSWER] and {"Actions"} <= where[ACTION]
    assert {"Responses"} <= where[RICH]  # shown as typed, not taken for XML
    for evidence in EVIDENCE:
        assert "Responses" in where[evidence], evidence
    assert "Peer approaches" in where["Peer [U+202E]gnp.exe"]
    assert "Matrix" in where["Parks [U+2067]lla[U+2069] and [U+200F]open spaces"]
    assert "Responses" in where["Lena [U+202D]Lead[U+202C]"]
    assert "About" in where["South [U+061C]Derbyshire [U+202A]District[U+202C] Council"]


def test_every_cell_of_the_csv_is_neutralised_the_same_way(hostile_exports):
    text = hostile_exports["csv"].decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        assert not cell.startswith(RISKY_STARTS), cell
        assert not BIDI & set(cell), cell
    for hostile in (PEER, DEPARTMENT, USER, ANSWER, *EVIDENCE):
        assert "'" + hostile in cells, hostile
    assert RICH in cells
    for shown in ("Peer [U+202E]gnp.exe", "Parks [U+2067]lla[U+2069] and [U+200F]open spaces",
                  "Lena [U+202D]Lead[U+202C]"):
        assert shown in cells, shown

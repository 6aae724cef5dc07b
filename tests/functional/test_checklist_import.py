"""Importing a council's own checklist: the command line and the upload, preview and save pages."""

from __future__ import annotations

import html
import io
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.questionnaires.commands import surveys_group
from tests.support import SURVEYS, WebClient

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "checklist-example.csv"


@pytest.fixture
def surveys(tmp_path) -> Path:
    folder = tmp_path / "surveys"
    shutil.copytree(SURVEYS, folder)
    return folder


def run(surveys: Path, *args: str):
    return CliRunner().invoke(surveys_group, list(args), env={"SECTION17_SURVEYS_DIR": str(surveys)})


def test_the_command_line_import_writes_a_definition_that_checks_clean(surveys):
    result = run(surveys, "import-checklist", str(EXAMPLE), "--id", "our-recommendations", "--title", "Ours")
    assert result.exit_code == 0, result.output
    assert "Imported 13 items in 4 sections (4 statutory)" in result.output
    assert (surveys / "our-recommendations.yaml").exists()
    assert run(surveys, "check").exit_code == 0
    assert "our-recommendations\t1\tpartnership\t13\tOurs" in run(surveys, "list").output


def test_the_command_line_import_never_overwrites_by_accident(surveys):
    run(surveys, "import-checklist", str(EXAMPLE), "--id", "ours", "--title", "Ours")
    again = run(surveys, "import-checklist", str(EXAMPLE), "--id", "ours", "--title", "Ours")
    assert again.exit_code == 1 and "already exists; use --replace" in again.output
    clash = run(surveys, "import-checklist", str(EXAMPLE), "--id", "small-partnership", "--title", "X",
                "--out", str(surveys / "other.yaml"))
    assert clash.exit_code == 1 and "small-partnership.yaml already has the id small-partnership" in clash.output
    assert run(surveys, "import-checklist", str(EXAMPLE), "--id", "ours", "--title", "New",
               "--replace").exit_code == 0


def test_a_bad_sheet_lists_every_row_and_writes_nothing(surveys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("section,id,text,statutory\nA,1,First,yes\n,2,Second,no\nA,3,,sometimes\n")
    result = run(surveys, "import-checklist", str(bad), "--id", "bad", "--title", "Bad")
    assert result.exit_code == 1
    assert "bad.csv: row 3, column section: is empty" in result.output
    assert "bad.csv: row 4, column text: is empty" in result.output
    assert "bad.csv: row 4, column statutory: 'sometimes' must be yes or no" in result.output
    assert not (surveys / "bad.yaml").exists()


def test_surveys_check_reports_a_broken_file_and_exits_non_zero(surveys):
    (surveys / "broken.yaml").write_text("id: broken\nversion: 1\n")
    result = run(surveys, "check")
    assert result.exit_code == 1 and "broken.yaml: kind: is required" in result.output


@pytest.fixture
def officer(make_app, surveys, people):
    app = make_app(SURVEYS_DIR=str(surveys))
    web = WebClient(app.test_client())
    web.sign_in(people.cso)
    return app, web


def _upload(web: WebClient, data: bytes, filename: str, **fields):
    form = {"title": "Our recommendations", "definition_id": "our-recommendations", "kind": "partnership", **fields,
            "sheet": (io.BytesIO(data), filename)}
    return web.post("/questionnaires/import", form, content_type="multipart/form-data")


def test_upload_preview_and_save(officer, surveys):
    app, web = officer
    preview = html.unescape(_upload(web, EXAMPLE.read_bytes(), "recs.csv").get_data(as_text=True))
    assert "Check the imported checklist" in preview and "13 items in 4 sections, 4 of them statutory" in preview
    assert not (surveys / "our-recommendations.yaml").exists()  # nothing saved before confirming
    fields = dict(re.findall(r'<input id="(definition|source)" name="\1" type="hidden" value="([^"]*)">',
                             preview.replace("&#34;", '"')))
    raw = _upload(web, EXAMPLE.read_bytes(), "recs.csv").get_data(as_text=True)
    hidden = dict(re.findall(r'name="(definition|source)" type="hidden" value="([^"]*)"', raw))
    response = web.post("/questionnaires/import/save", {k: html.unescape(v) for k, v in hidden.items()})
    assert response.status_code == 302 and response.headers["Location"] == "/questionnaires/our-recommendations"
    assert (surveys / "our-recommendations.yaml").exists()
    page = web.get("/questionnaires/our-recommendations").get_data(as_text=True)
    assert "Every council service plan has a community safety section" in page
    assert "our-recommendations" in web.get("/cycles/new").get_data(as_text=True)  # ready for a cycle
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "questionnaire.imported"))
        assert event.after["questions"] == 13 and len(event.after["sha256"]) == 64
    assert fields or hidden


def test_a_bad_upload_lists_every_row_and_saves_nothing(officer, surveys):
    _, web = officer
    page = html.unescape(_upload(web, b"section,id,text\nA,1,One\nA,1,Two\n,3,Three\n", "recs.csv"
                                 ).get_data(as_text=True))
    assert "The file has 2 problems. Nothing has been saved" in page
    assert "row 3, column id: '1' gives the id '1', which row 2 already has" in page
    assert "row 4, column section: is empty" in page
    assert sorted(p.name for p in surveys.glob("*.yaml")) == ["small-departmental.yaml", "small-partnership.yaml",
                                                           "small-peer.yaml"]


@pytest.mark.parametrize("filename,data,message", [
    ("recs.txt", b"x", "The spreadsheet must be a CSV or Excel (.xlsx) file"),
    ("recs.xlsx", b"not really excel", "The file is not an Excel workbook (.xlsx)"),
])
def test_files_of_the_wrong_kind_are_refused(officer, filename, data, message):
    _, web = officer
    assert message in html.unescape(_upload(web, data, filename).get_data(as_text=True))


def test_an_id_already_in_use_is_refused(officer):
    _, web = officer
    page = _upload(web, EXAMPLE.read_bytes(), "recs.csv", definition_id="small-partnership").get_data(as_text=True)
    assert "There is already a questionnaire with the id small-partnership" in page


def test_a_tampered_definition_is_checked_again_before_it_is_saved(officer, surveys):
    _, web = officer
    page = web.post("/questionnaires/import/save", {"definition": "id: evil\nversion: 1\n", "source": "x.csv"})
    assert "The checklist is no longer valid" in html.unescape(page.get_data(as_text=True))
    assert not (surveys / "evil.yaml").exists()


def test_auditors_read_questionnaires_but_cannot_import(make_app, surveys, people):
    app = make_app(SURVEYS_DIR=str(surveys))
    web = WebClient(app.test_client())
    web.sign_in(people.auditor)
    assert "Small departmental check" in web.get("/questionnaires/").get_data(as_text=True)
    assert "Import a checklist" not in web.get("/questionnaires/").get_data(as_text=True)
    assert web.get("/questionnaires/import").status_code == 403
    assert web.get("/questionnaires/no-such-thing").status_code == 404

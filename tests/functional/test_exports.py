"""The cycle workbook of the demo council, made by `section17 export`, read back and compared with the database."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import UTC, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.analysis.compliance import checklist_compliance
from app.analysis.scores import overall
from app.extensions import db
from app.models import Action, Answer, AnswerComment, Assignment, AuditEvent, Cycle, Department, EvidenceFile
from app.questionnaires.registry import DEFAULT_SURVEYS_DIR

SHEETS = ["About", "Summary", "Responses", "Matrix", "Gaps", "Questions", "Hallmarks", "Peer approaches", "Crime benchmarking",
          "Reviews", "Comments", "Evidence files", "Actions", "Audit log"]


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory):
    """One demo database and its whole-cycle workbook, shared by the read-only tests below."""
    from flask_migrate import upgrade

    from app import create_app
    from app.demo.services import CYCLE_NAME, load_demo
    from tests.conftest import fresh_database_url

    folder = tmp_path_factory.mktemp("export")
    urls = fresh_database_url(tmp_path_factory, "export")
    url = next(urls)
    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SURVEYS_DIR": str(DEFAULT_SURVEYS_DIR)},
                     instance_path=str(folder / "instance"))
    with app.app_context():
        upgrade()
        load_demo()
    out = folder / "cycle.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "--cycle", CYCLE_NAME, "--out", str(out)])
    assert result.exit_code == 0, result.output
    yield app, out.read_bytes(), CYCLE_NAME, result
    with app.app_context():
        db.engine.dispose()
    next(urls, None)


def frame_of(content: bytes, sheet: str, **kwargs) -> pd.DataFrame:
    return pd.read_excel(io.BytesIO(content), sheet_name=sheet, **kwargs)


def test_the_command_writes_every_sheet_and_records_the_export(demo_export):
    app, content, cycle_name, result = demo_export
    assert "Wrote" in result.output and cycle_name in result.output
    assert load_workbook(io.BytesIO(content), read_only=True).sheetnames == SHEETS
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.made"))
        assert event.actor_email == "command line" and event.after["format"] == "xlsx"


def test_responses_has_every_question_of_every_return_and_every_stored_answer(demo_export):
    app, content, cycle_name, _ = demo_export
    responses = frame_of(content, "Responses")
    with app.app_context():
        from app.respond.services import definition_of

        cycle = db.session.scalar(select(Cycle).where(Cycle.name == cycle_name))
        returns = list(db.session.scalars(select(Assignment).where(Assignment.cycle_id == cycle.id)))
        expected_rows = sum(len(definition_of(a).questions) for a in returns)
        answers = list(db.session.scalars(select(Answer).join(Assignment).where(Assignment.cycle_id == cycle.id)))
        evidence = Counter(a.evidence for a in answers if a.evidence)
        answered_by = db.session.scalar(select(func.count()).select_from(Answer).join(Assignment)
                                        .where(Assignment.cycle_id == cycle.id, Answer.updated_by_id.is_not(None)))
        # Peers answer without an account: their answers name the contact the invitation went to.
        by_peers = db.session.scalar(select(func.count()).select_from(Answer).join(Assignment).where(
            Assignment.cycle_id == cycle.id, Assignment.respondent_type == "peer", Answer.updated_by_id.is_(None)))
        answer_ids = set(db.session.scalars(select(Answer.id).join(Assignment).where(
            Assignment.cycle_id == cycle.id, Answer.carried_over.is_(False))))
    assert len(responses) == expected_rows
    assert Counter(responses["Evidence or comment"].dropna()) == evidence
    assert by_peers > 0 and responses["Answered by"].notna().sum() == answered_by + by_peers
    peers = responses[responses["Respondent type"] == "Peer"]
    assert peers["Answered by"].dropna().str.endswith(", peer contact").all()
    assert set(responses["Answer id"].dropna().astype(int)) == answer_ids  # every stored answer, by its id
    assert set(responses["Respondent type"]) == {"Department", "Partnership", "Peer"}
    assert responses["Answered at"].dropna().map(type).eq(pd.Timestamp).all()  # real dates


def test_summary_scores_and_gaps_match_the_results_pages(demo_export):
    app, content, cycle_name, _ = demo_export
    summary = frame_of(content, "Summary", nrows=13).set_index("Department")
    gaps = frame_of(content, "Gaps")
    with app.test_request_context():
        from app.results.services import bands, department_data

        cycle = db.session.scalar(select(Cycle).where(Cycle.name == cycle_name))
        for department in db.session.scalars(select(Department)):
            figures = overall(department_data(cycle, department.id).frame, bands())
            row = summary.loc[department.name]
            assert (row["Questions"], row["Gaps"], row["Met"]) == (figures["questions"], figures["gaps"],
                                                                   figures["met"]), department.name
            if figures["answered"]:
                assert row["Score"] == pytest.approx(figures["score"]), department.name
            assert (gaps["Department or partnership"] == department.name).sum() == figures["gaps"]


def test_the_council_wide_row_is_the_heatmaps_and_unsubmitted_returns_are_provisional(demo_export):
    """The same rule as the results pages: submitted returns only, every answer weighing the same."""
    app, content, cycle_name, _ = demo_export
    rows = list(load_workbook(io.BytesIO(content), read_only=True)["Summary"].iter_rows(values_only=True))
    header = rows[0]
    council = next(dict(zip(header, row, strict=False)) for row in rows
                   if isinstance(row[0], str) and row[0].startswith("Council-wide:"))
    end = next(index for index, row in enumerate(rows) if row[0] is None)  # the table ends at the empty row
    table = [dict(zip(header, row, strict=False)) for row in rows[1:end]]
    with app.test_request_context():
        from app.results.services import bands, council_data

        cycle = db.session.scalar(select(Cycle).where(Cycle.name == cycle_name))
        figures = overall(council_data(cycle).frame, bands())
        statuses = dict(db.session.execute(select(Department.name, Assignment.status).join(
            Assignment, Assignment.department_id == Department.id).where(Assignment.cycle_id == cycle.id)).all())
    assert council["Score"] == pytest.approx(figures["score"])
    assert (council["Questions"], council["Met"], council["Gaps"]) == (figures["questions"], figures["met"],
                                                                       figures["gaps"])
    counted = {name for name, status in statuses.items() if status in ("submitted", "returned", "accepted")}
    assert council["Department"] == f"Council-wide: {len(counted)} submitted returns (returns still being written " \
                                    "are not counted)"
    assert len(table) == len(statuses)
    for row in table:
        provisional = row["Department"] not in counted
        assert (row["In council-wide figures"] == "No") == provisional, row["Department"]
        if row["Band"]:
            assert row["Band"].endswith("(provisional)") == provisional, row["Department"]


def test_hallmarks_peer_approaches_and_crime_match_their_pages(demo_export):
    app, content, cycle_name, _ = demo_export
    with app.test_request_context():
        from app.benchmarking.crime.services import offence_table
        from app.results.services import partnership_data

        cycle = db.session.scalar(select(Cycle).where(Cycle.name == cycle_name))
        [compliance] = checklist_compliance(partnership_data(cycle).frame)
        robbery = offence_table("robbery", "2001/02")
    summary_cells = [v for row in load_workbook(io.BytesIO(content))["Summary"].iter_rows(values_only=True)
                     for v in row if v is not None]
    assert compliance.overall.sentence in summary_cells
    assert "Hallmarks of Effective Partnership: compliance" in summary_cells and "By hallmark" in summary_cells
    hallmarks = frame_of(content, "Hallmarks")
    assert len(hallmarks) == 66 and (hallmarks["Met"] == "Yes").sum() == compliance.overall.met
    approaches = frame_of(content, "Peer approaches")
    assert len(approaches) == 20 and "South Derbyshire (ours)" in approaches.columns
    crime = frame_of(content, "Crime benchmarking")
    ours = crime[(crime["Offence type"] == "Robbery") & (crime["Our partnership"] == "Yes")].iloc[0]
    own_row = robbery.own
    assert (ours["Rank"], ours["Quartile"], ours["Partnerships ranked"]) == (own_row.rank, own_row.quartile, robbery.n)
    assert ours["Offences per 1,000"] == pytest.approx(own_row.rate)
    # Where each figure came from, and how far it sits from the group's mean (as About promises).
    assert ours["Distance from the mean %"] == pytest.approx((own_row.rate - robbery.mean) / robbery.mean * 100)
    assert (ours["Band from"], ours["Band to"]) == (pytest.approx(robbery.band_low), pytest.approx(robbery.band_high))
    assert isinstance(ours["Imported from"], str) and ours["Imported from"]
    assert isinstance(ours["Imported at"], pd.Timestamp)


def test_actions_and_the_audit_log_are_complete(demo_export):
    app, content, cycle_name, _ = demo_export
    actions, audit = frame_of(content, "Actions"), frame_of(content, "Audit log")
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.name == cycle_name))
        titles = sorted(db.session.scalars(select(Action.title).where(Action.cycle_id == cycle.id)))
        opened = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cycle.opened",
                                                            AuditEvent.object_id == str(cycle.id)))
    assert sorted(actions["Action"]) == titles
    assert opened.summary in set(audit["Summary"])
    assert not audit["What"].str.startswith("export.").any()  # exports are in the service's own log
    assert audit["When"].is_monotonic_increasing


def test_one_departments_export_holds_only_that_department(demo_export, tmp_path):
    app, _, cycle_name, _ = demo_export
    out = tmp_path / "revenue.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "--cycle", cycle_name, "--department", "rev",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["About", "Summary", "Responses", "Matrix", "Gaps", "Questions", "Reviews",
                               "Comments", "Evidence files", "Actions", "Audit log"]
    responses = pd.read_excel(out, sheet_name="Responses")
    assert set(responses["Department or partnership"]) == {"Revenue"}
    comments = pd.read_excel(out, sheet_name="Comments")
    assert len(comments) > 0 and set(comments["Department or partnership"]) == {"Revenue"}
    assert set(pd.read_excel(out, sheet_name="Actions")["Department"]) <= {"Revenue"}


def test_the_responses_csv_has_the_same_rows(demo_export, tmp_path):
    app, content, cycle_name, _ = demo_export
    out = tmp_path / "responses.csv"
    result = app.test_cli_runner().invoke(args=["export", "--cycle", cycle_name, "--out", str(out)])
    assert result.exit_code == 0, result.output
    csv_frame = pd.read_csv(out, encoding="utf-8-sig")
    responses = frame_of(content, "Responses")
    assert list(csv_frame.columns) == list(responses.columns) and len(csv_frame) == len(responses)
    assert (csv_frame["Question id"] == responses["Question id"]).all()


def test_the_same_data_exported_twice_at_the_same_moment_is_the_same_file(demo_export):
    app, _, cycle_name, _ = demo_export
    from app.export_jobs.services import XLSX, ExportRequest, write_export

    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    files = []
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.name == cycle_name))
        for _ in range(2):
            buffer = io.BytesIO()
            write_export(ExportRequest(cycle, None, XLSX), buffer, actor=None, generated_by="Alex Auditor",
                         how="test", at=at)
            files.append(buffer.getvalue())
    assert files[0] == files[1]


def test_the_command_lists_cycles_and_names_what_is_wrong(demo_export):
    app, _, cycle_name, _ = demo_export
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["export", "--list-cycles"])
    assert listed.exit_code == 0 and cycle_name in listed.output and "Closed" in listed.output
    unknown = runner.invoke(args=["export", "--cycle", "No such cycle", "--out", "x.xlsx"])
    assert unknown.exit_code == 2 and "there is no opened cycle with the id or name ‘No such cycle’" in unknown.output
    department = runner.invoke(args=["export", "--cycle", cycle_name, "--department", "NOPE", "--out", "x.xlsx"])
    assert department.exit_code == 2 and "there is no department with the code ‘NOPE’" in department.output
    suffix = runner.invoke(args=["export", "--cycle", cycle_name, "--out", "x.pdf"])
    assert suffix.exit_code == 2 and "must end in .xlsx" in suffix.output
    missing = runner.invoke(args=["export"])
    assert missing.exit_code == 2 and "Give --cycle and --out" in missing.output


def test_comments_and_evidence_files_are_the_databases_and_drafts_stay_out(demo_export):
    """The review's conversation and every file's fingerprint, as stored; a reviewer's unsent draft is not in it."""
    app, content, cycle_name, _ = demo_export
    comments, files = frame_of(content, "Comments"), frame_of(content, "Evidence files")
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.name == cycle_name))
        in_cycle = select(Assignment.id).where(Assignment.cycle_id == cycle.id)
        shared = db.session.scalars(select(AnswerComment).where(AnswerComment.assignment_id.in_(in_cycle),
                                                                AnswerComment.shared_at.is_not(None))).all()
        assert len(shared) >= 2
        assert sorted(comments["Comment id"]) == sorted(c.id for c in shared)
        by_id = comments.set_index("Comment id")
        for comment in shared:
            assert by_id.at[comment.id, "Comment"] == comment.body
            assert by_id.at[comment.id, "Question id"] == comment.question_id
            assert by_id.at[comment.id, "Return id"] == comment.assignment_id
        stored = db.session.scalars(select(EvidenceFile).join(Assignment).where(Assignment.cycle_id == cycle.id)).all()
        assert len(stored) >= 2
        assert dict(zip(files["File id"], files["SHA-256"], strict=True)) == {f.id: f.sha256 for f in stored}
        assert set(files["Attached to"]) == {"Answer"}
        checked = db.session.scalar(select(func.count()).select_from(Answer).join(Assignment).where(
            Assignment.cycle_id == cycle.id, Answer.evidence_checked_at.is_not(None)))
    assert checked >= 1
    responses = frame_of(content, "Responses")
    assert responses["Evidence checked at"].notna().sum() == checked
    summary = frame_of(content, "Summary", nrows=len(responses["Department or partnership"].unique()))
    planning = summary[summary["Department"] == "Planning Services"].iloc[0]
    assert planning["Met with evidence checked"] + planning["Gaps with evidence checked"] >= 1


def test_a_reviewers_unsent_draft_is_not_in_the_departments_workbook(demo_export, tmp_path):
    app, _, cycle_name, _ = demo_export
    with app.app_context():
        department = db.session.scalar(select(Department).where(Department.code == "REV"))
        assignment = db.session.scalar(select(Assignment).join(Cycle).where(
            Cycle.name == cycle_name, Assignment.department_id == department.id))
        draft = AnswerComment(assignment_id=assignment.id, question_id="impact-designing-out", author_role="reviewer",
                              body="Draft: still checking the council tax leaflet")
        db.session.add(draft)
        db.session.commit()
        draft_id, body = draft.id, draft.body
    try:
        out = tmp_path / "revenue.xlsx"
        result = app.test_cli_runner().invoke(args=["export", "--cycle", cycle_name, "--department", "rev",
                                                    "--out", str(out)])
        assert result.exit_code == 0, result.output
        comments = pd.read_excel(out, sheet_name="Comments")
        assert len(comments) > 0 and body not in set(comments["Comment"])
    finally:
        with app.app_context():
            db.session.delete(db.session.get(AnswerComment, draft_id))
            db.session.commit()


def _score_by_hand(question: dict, stored) -> float:
    """An answer's score worked out from the Questions sheet alone, as an auditor would."""
    rule, value = question["Target rule"], question["Target value"]
    options = {}
    listed = question["Options (value: label = score)"]
    for part in (listed if isinstance(listed, str) else "").split("; "):
        if " = " in part:
            key, _, score = part.rpartition(" = ")
            options[key.split(": ", 1)[0]] = float(score.rstrip("%")) / 100
    chosen = [] if stored is None else str(stored).split("; ")
    if rule == "value":
        return options[str(stored)] if options else float(str(stored) == value)
    if rule == "min_score":
        return options.get(str(stored), 0.0)
    if rule == "min":
        return float(float(stored) >= float(value))
    if rule == "max":
        return float(float(stored) <= float(value))
    if rule == "includes":
        return float(all(item in chosen for item in json.loads(value)))
    if rule == "min_selected":
        return float(len(chosen) >= int(value))
    raise AssertionError(f"unknown rule {rule}")


def test_every_summary_score_can_be_worked_out_by_hand_from_the_questions_and_responses_sheets(demo_export):
    """Issue 18's auditor: take a score, find its answers, re-work each from the Questions sheet, same number."""
    _, content, _, _ = demo_export
    questions = {(row["Questionnaire"], row["Question id"]): row
                 for row in frame_of(content, "Questions").to_dict("records")}
    responses = frame_of(content, "Responses")
    rows = list(load_workbook(io.BytesIO(content), read_only=True)["Summary"].iter_rows(values_only=True))
    header, end = rows[0], next(index for index, row in enumerate(rows) if row[0] is None)
    checked = 0
    for row in (dict(zip(header, r, strict=False)) for r in rows[1:end]):
        if row["Score"] is None:
            continue
        answers = responses[(responses["Department or partnership"] == row["Department"])
                            & responses["Outcome"].isin(["Met", "Gap"])]
        scores = [_score_by_hand(questions[(a["Questionnaire"], a["Question id"])],
                                 None if pd.isna(a["Answer as stored"]) else a["Answer as stored"])
                  for a in answers.to_dict("records")]
        assert scores == pytest.approx(list(answers["Score"])), row["Department"]
        assert sum(scores) / len(scores) == pytest.approx(row["Score"]), row["Department"]
        checked += 1
    assert checked >= 8
    numbers = responses[responses["Question id"] == "plan-indicator-count"]["Answer as stored"].dropna()
    assert len(numbers) and all(isinstance(value, (int, float)) for value in numbers)  # numbers as numbers


def test_two_exports_at_different_times_give_the_same_bytes_and_the_audit_log_holds_their_hash(demo_export,
                                                                                                tmp_path):
    """The same data, exported again later by someone else: byte for byte the same file, proved by its hash."""
    import hashlib

    from app.export_jobs.services import ExportRequest, write_export
    from app.models import User

    app, content, cycle_name, _ = demo_export
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.name == cycle_name))
        auditor = db.session.scalar(select(User).where(User.role == "auditor"))
        path = tmp_path / "again.xlsx"
        write_export(ExportRequest(cycle, None, "xlsx"), str(path), actor=auditor, generated_by=auditor.name,
                     how="download", at=datetime(2031, 5, 6, 7, 8, tzinfo=UTC))
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.made")
                                    .order_by(AuditEvent.id)).all()
    again = path.read_bytes()
    assert again == content  # made years later, by another person, by another route
    digest = hashlib.sha256(content).hexdigest()
    assert events[-1].after["sha256"] == digest and events[0].after["sha256"] == digest
    about = {row[0]: row[1] for row in load_workbook(io.BytesIO(content), read_only=True)["About"].iter_rows(
        values_only=True) if row and row[0]}
    assert about["Made with"].startswith("Section 17 Audit ") and len(about["Content fingerprint (SHA-256)"]) == 64

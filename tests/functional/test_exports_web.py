"""Exports in the browser: the export page, small exports at once, large ones as background jobs.

security.md items 8 (a lead officer gets 404 for another department's export or job),
10 (CSRF, no change on GET), 15 (no-store on downloads) and 20 (exports and downloads
in the audit log).
"""

from __future__ import annotations

import html
import io
import os
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from app.export_jobs import jobs
from app.export_jobs.jobs import INTERRUPTED_MESSAGE, export_dir
from app.extensions import db
from app.models import Answer, AuditEvent, ExportJob, Role
from app.models.types import utcnow
from app.tasks.sweep import sweep_once
from tests.support import WebClient, add_user, open_cycle, run_queued_jobs

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WAIT_SECONDS = 60


def text(response) -> str:
    """The page's visible words, one space between them (tags dropped)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def signed_in(app, account) -> WebClient:
    web = WebClient(app.test_client())
    assert web.sign_in(account).status_code == 302
    return web


@pytest.fixture
def cycle(app, people):
    """An open cycle with a few of Housing's answers and one of Planning's."""
    made = open_cycle(app, people)
    with app.app_context():
        for assignment_id, answers in ((made.housing, {"plan-mentions-duty": "yes", "staff-trained": 40}),
                                       (made.planning, {"plan-mentions-duty": "no"})):
            for question_id, value in answers.items():
                db.session.add(Answer(assignment_id=assignment_id, question_id=question_id, value=value,
                                      evidence="=HYPERLINK(\"http://evil.example\")", changed_in_version=1,
                                      updated_at=datetime.now(UTC)))
        db.session.commit()
    return made


@pytest.fixture
def background(make_app, people, cycle):
    """An app that writes every export with at least one answer in the background."""
    app = make_app(EXPORT_BACKGROUND_ANSWERS=1)
    yield app
    run_queued_jobs(app)


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                       .order_by(AuditEvent.id)))


def job_rows(app) -> list[ExportJob]:
    with app.app_context():
        return list(db.session.scalars(select(ExportJob).order_by(ExportJob.id)))


def start(web: WebClient, cycle_id: int, **fields) -> str:
    """Ask for a background export; the job page's address."""
    response = web.post(f"/cycles/{cycle_id}/export", {"scope": "cycle", "kind": "xlsx", **fields})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].startswith("/exports/")
    return response.headers["Location"]


def finish(app) -> None:
    assert run_queued_jobs(app) >= 1, "no job was queued"


# --------------------------------------------------------------------------- the export page


def test_the_officer_and_auditor_may_export_the_whole_cycle_or_any_department(app, people, cycle):
    for account in (people.cso, people.auditor):
        page = signed_in(app, account).get(f"/cycles/{cycle.cycle_id}/export")
        assert page.status_code == 200
        words = text(page)
        assert "Export to a spreadsheet" in words
        assert "What do you want to export? The whole cycle, or one department's return on its own. The whole cycle Housing Services Planning Services" in words
        assert "The whole cycle holds 3 answers in 3 returns." in words
        assert "Summary Each department's return" in words  # the sheets, one sentence each
        assert "Responses CSV is the Responses sheet alone" in words


def test_a_lead_officer_sees_only_their_own_department(app, people, cycle):
    page = signed_in(app, people.lead).get(f"/cycles/{cycle.cycle_id}/export")
    assert page.status_code == 200
    words = text(page)
    assert "You can export your department's return: Housing Services" in words
    assert "Housing Services holds 2 answers in 1 return." in words
    assert "Planning Services" not in words
    assert "The whole cycle" not in words
    assert "Peer approaches" not in words and "Crime benchmarking" not in words  # not in a department's workbook


def test_a_lead_officer_of_two_departments_chooses_one_of_them(app, people, cycle):
    both = add_user(app, name="Bea Both", email="bea.both@council.example", role=Role.LEAD_OFFICER,
                    departments=["HOUS", "PLAN"])
    web = signed_in(app, both)
    page = web.get(f"/cycles/{cycle.cycle_id}/export?department={people.planning_id}")
    words = text(page)
    assert "Your departments hold: Housing Services: 2 answers in 1 return Planning Services: 1 answer in 1 return" \
           in words
    assert "What do you want to export? One of your departments' returns. Choose a department Housing Services " \
           "Planning Services" in words
    assert "The whole cycle" not in words
    assert f'<option value="{people.planning_id}" selected>' in page.get_data(as_text=True)
    refused = web.post(f"/cycles/{cycle.cycle_id}/export", {"scope": "", "kind": "csv"})
    assert refused.status_code == 400 and "Choose what to export" in text(refused)
    assert web.post(f"/cycles/{cycle.cycle_id}/export", {"scope": people.planning_id, "kind": "csv"}).status_code == 200


def test_who_may_not_export_is_refused(app, people, cycle):
    assert signed_in(app, people.admin).get(f"/cycles/{cycle.cycle_id}/export").status_code == 403
    anonymous = WebClient(app.test_client()).get(f"/cycles/{cycle.cycle_id}/export")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in")
    web = signed_in(app, people.cso)
    assert web.get("/cycles/999999/export").status_code == 404


def test_a_draft_cycle_cannot_be_exported(app, people, cycle):
    from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle

    with app.app_context():
        today = datetime.now(UTC).date()
        draft = create_cycle(None, CycleDetails("Next year", today, today + timedelta(days=300),
                                                today + timedelta(days=60),
                                                (QuestionnaireChoice("small-departmental"),))).id
    assert signed_in(app, people.cso).get(f"/cycles/{draft}/export").status_code == 404


def test_a_lead_officer_without_a_return_in_the_cycle_gets_404(app, people):
    made = open_cycle(app, people, definitions=("small-partnership",))
    assert signed_in(app, people.lead).get(f"/cycles/{made.cycle_id}/export").status_code == 404


def test_the_pages_link_to_the_export_page(app, people, cycle):
    web = signed_in(app, people.cso)
    target = f'href="/cycles/{cycle.cycle_id}/export"'
    assert target in web.get(f"/cycles/{cycle.cycle_id}").get_data(as_text=True)
    assert target in web.get(f"/cycles/{cycle.cycle_id}/results").get_data(as_text=True)
    lead_page = signed_in(app, people.lead).get(f"/cycles/{cycle.cycle_id}/results/departments/{people.housing_id}")
    assert f'href="/cycles/{cycle.cycle_id}/export?department={people.housing_id}"' in lead_page.get_data(as_text=True)


# --------------------------------------------------------------------------- small exports: the file at once


def test_a_small_workbook_comes_back_at_once_and_is_audited(app, people, cycle):
    web = signed_in(app, people.cso)
    response = web.post(f"/cycles/{cycle.cycle_id}/export", {"scope": "cycle", "kind": "xlsx"})
    assert response.status_code == 200
    assert response.mimetype == XLSX_TYPE
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r"attachment; filename=section17-audit-2026-to-2027-\d{8}-\d{4}\.xlsx", disposition)
    assert response.headers["Cache-Control"] == "no-store"
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "Responses" in workbook.sheetnames
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f" and cell.hyperlink is None
    (made,) = events(app, "export.made")
    assert made.actor_email == people.cso.email
    assert made.after["how"] == "download" and made.after["format"] == "xlsx" and made.after["department"] is None
    assert job_rows(app) == []


def test_a_small_csv_of_one_department_is_streamed(app, people, cycle):
    web = signed_in(app, people.lead)
    response = web.post(f"/cycles/{cycle.cycle_id}/export",
                        {"scope": people.housing_id, "kind": "csv"})
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert re.fullmatch(r"attachment; filename=section17-audit-2026-to-2027-hous-responses-\d{8}-\d{4}\.csv",
                        response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffReturn id,Answer id,Respondent type,")
    assert "Housing Services" in body and "Planning Services" not in body
    assert "'=HYPERLINK" in body  # a formula arrives as text
    (made,) = events(app, "export.made")
    assert made.actor_email == people.lead.email and made.after["department"] == "HOUS"


# --------------------------------------------------------------------------- bad requests change nothing


@pytest.mark.parametrize(("fields", "status", "message"), [
    ({"scope": "cycle", "kind": "pdf"}, 400, "Choose a format: Excel workbook, CSV or evidence pack"),
    ({"scope": "cycle"}, 400, "Choose a format: Excel workbook, CSV or evidence pack"),
    ({"kind": "xlsx"}, 400, "Choose what to export"),
    ({"scope": "", "kind": "xlsx"}, 400, "Choose what to export"),
    ({"scope": "everything", "kind": "xlsx"}, 400, "Choose the whole cycle or a department from the list"),
    ({"scope": "-1", "kind": "xlsx"}, 400, "Choose the whole cycle or a department from the list"),
    ({"scope": "999999", "kind": "xlsx"}, 404, "Page not found"),
    ({"scope": "9" * 30, "kind": "xlsx"}, 404, "Page not found"),
])
def test_bad_input_is_refused_and_changes_nothing(background, people, cycle, fields, status, message):
    web = signed_in(background, people.cso)
    response = web.post(f"/cycles/{cycle.cycle_id}/export", fields)
    assert response.status_code == status
    assert message in text(response)
    assert job_rows(background) == [] and events(background, "export.made") == []


def test_a_lead_officer_gets_404_for_another_departments_export_or_the_whole_cycle(background, people, cycle):
    web = signed_in(background, people.lead)
    for fields in ({"scope": people.planning_id, "kind": "xlsx"},
                   {"scope": "cycle", "kind": "csv"}):
        assert web.post(f"/cycles/{cycle.cycle_id}/export", fields).status_code == 404
    assert job_rows(background) == [] and events(background, "export.made") == []


def test_the_export_form_needs_a_csrf_token(background, people, cycle):
    web = signed_in(background, people.cso)
    response = web.post(f"/cycles/{cycle.cycle_id}/export", {"scope": "cycle", "kind": "xlsx"}, csrf=False)
    assert response.status_code == 400 and "This form has expired" in text(response)
    assert job_rows(background) == []


# --------------------------------------------------------------------------- large exports: background jobs


def test_a_large_export_runs_as_a_job_to_a_download(background, people, cycle):
    web = signed_in(background, people.cso)
    page_url = start(web, cycle.cycle_id)
    finish(background)
    (job,) = job_rows(background)
    assert job.status == "done" and job.requested_by_id == people.cso.id and job.department_id is None
    assert job.returns_done == job.returns_total == 3
    assert job.started_at is not None and job.finished_at is not None and job.error == ""
    assert page_url == f"/exports/{job.token}" and len(job.token) >= 40
    with background.app_context():
        stored = export_dir() / job.stored_path
        assert stored.is_file() and stored.stat().st_size == job.size_bytes
        assert stored.parent == export_dir() and export_dir().name == "exports"
        assert not list(export_dir().glob("*.part"))

    words = text(web.get(page_url))
    assert "Excel workbook of the whole cycle" in words and "Ready" in words
    assert "Download the Excel workbook (" in words and job.file_name in words
    status = web.get(f"{page_url}/status")
    assert status.status_code == 200 and status.mimetype == "application/json"
    state = status.get_json()
    assert state["status"] == "done" and state["finished"] is True
    assert state["done"] == state["total"] == 3
    assert state["download"] == {"url": f"{page_url}/download", "file_name": job.file_name,
                                 "text": f"Download the Excel workbook ({jobs.file_size(job.size_bytes)})"}

    (made,) = events(background, "export.made")
    assert made.actor_email == people.cso.email and made.after["how"] == "background job"
    download = web.get(f"{page_url}/download")
    assert download.status_code == 200 and download.mimetype == XLSX_TYPE
    assert download.headers["Content-Disposition"] == f"attachment; filename={job.file_name}"
    assert download.headers["Cache-Control"] == "no-store"
    assert "Responses" in openpyxl.load_workbook(io.BytesIO(download.data), read_only=True).sheetnames
    web.get(f"{page_url}/download")
    downloaded = events(background, "export.downloaded")
    assert len(downloaded) == 2  # every download
    assert downloaded[0].actor_email == people.cso.email and downloaded[0].after["file"] == job.file_name
    assert downloaded[0].object_type == "cycle" and downloaded[0].object_id == str(cycle.cycle_id)


def test_a_job_shows_its_progress_while_it_runs(background, people, cycle, monkeypatch):
    release = threading.Event()
    real = jobs.write_export

    def held(*args, **kwargs):
        kwargs["progress"](1, 3)
        assert release.wait(WAIT_SECONDS)
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "write_export", held)
    web = signed_in(background, people.auditor)
    page_url = start(web, cycle.cycle_id, scope=str(people.planning_id), kind="csv")
    worker = threading.Thread(target=run_queued_jobs, args=(background,))  # as a worker would, alongside the pages
    worker.start()
    try:
        for _ in range(200):
            state = web.get(f"{page_url}/status").get_json()
            if state["done"] == 1:
                break
            time.sleep(0.05)
        assert state == {"status": "running", "label": "Being written", "colour": "blue",
                         "text": "1 of 3 returns written.", "done": 1, "total": 3, "measured": True,
                         "finished": False, "download": None}
        page = web.get(page_url)
        words = text(page)
        assert "Responses CSV of Planning Services" in words and "Being written" in words
        assert "1 of 3 returns written." in words and "Check progress" in words
        body = page.get_data(as_text=True)
        assert 'role="status"' in body and '<progress id="export-progress"' in body and 'max="3" value="1"' in body
        assert f'data-status-url="{page_url}/status"' in body
        download = web.get(f"{page_url}/download")  # not ready: its page says so
        assert download.status_code == 302 and download.headers["Location"] == page_url
    finally:
        release.set()
        worker.join(WAIT_SECONDS)
    assert web.get(f"{page_url}/status").get_json()["status"] == "done"
    assert events(background, "export.downloaded") == []


def test_a_failed_job_says_so_plainly_and_offers_to_try_again(background, people, cycle, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire at /srv/secret/path")

    monkeypatch.setattr(jobs, "write_export", broken)
    web = signed_in(background, people.cso)
    page_url = start(web, cycle.cycle_id)
    finish(background)
    (job,) = job_rows(background)
    assert job.status == "failed" and job.finished_at is not None
    assert "disk on fire" not in job.error and "Traceback" not in job.error
    assert any("failed" in r.getMessage() and r.exc_info for r in caplog.records if r.name == "app.export_jobs.jobs")
    with background.app_context():
        assert list(export_dir().iterdir()) == []
    words = text(web.get(page_url))
    assert "Not finished" in words and jobs.FAILED_MESSAGE in words and "disk on fire" not in words
    assert "Try again" in words
    state = web.get(f"{page_url}/status").get_json()
    assert state["status"] == "failed" and state["finished"] is True and state["download"] is None

    monkeypatch.undo()
    again = web.post(f"/cycles/{cycle.cycle_id}/export", {"scope": "cycle", "kind": "xlsx"})  # the button's fields
    assert again.status_code == 303
    finish(background)
    assert [j.status for j in job_rows(background)] == ["failed", "done"]


def test_only_people_who_may_make_the_same_export_see_a_job(background, people, cycle):
    lead = signed_in(background, people.lead)
    housing_job = start(lead, cycle.cycle_id, scope=str(people.housing_id))
    officer_job = start(signed_in(background, people.cso), cycle.cycle_id, scope=str(people.planning_id))
    finish(background)
    other_lead = signed_in(background, people.other_lead)
    for suffix in ("", "/status", "/download"):
        assert lead.get(housing_job + suffix).status_code in (200, 302)
        assert lead.get(officer_job + suffix).status_code == 404  # another department's
        assert other_lead.get(housing_job + suffix).status_code == 404  # another person's, another department
        assert signed_in(background, people.auditor).get(housing_job + suffix).status_code == 200
    assert signed_in(background, people.admin).get(housing_job).status_code == 403
    assert [e.actor_email for e in events(background, "export.downloaded")] == [people.lead.email,
                                                                                  people.auditor.email]


@pytest.mark.parametrize("token", ["no-such-export", "x" * 65, "%00", "caf%C3%A9", "has%20space"])
def test_an_unknown_token_is_404(app, people, cycle, token):
    web = signed_in(app, people.cso)
    for suffix in ("", "/status", "/download"):
        assert web.get(f"/exports/{token}{suffix}").status_code == 404


def test_your_exports_lists_your_own_jobs(background, people, cycle):
    officer = signed_in(background, people.cso)
    start(officer, cycle.cycle_id)
    start(signed_in(background, people.auditor), cycle.cycle_id, kind="csv")
    finish(background)
    words = text(officer.get(f"/cycles/{cycle.cycle_id}/export"))
    listed = words.split("Your exports", 2)[2].split("What you get")[0]
    assert "Excel workbook of the whole cycle" in listed and "Ready" in listed
    assert "Responses CSV" not in listed


# --------------------------------------------------------------------------- tidying up


def _job(app, people, cycle, **values) -> ExportJob:
    with app.app_context():
        job = ExportJob(token=f"made-by-hand-{values.pop('name')}", cycle_id=cycle.cycle_id, department_id=None,
                        kind=values.pop("kind", "xlsx"), requested_by_id=people.cso.id, returns_total=3, **values)
        db.session.add(job)
        db.session.commit()
        db.session.refresh(job)
        db.session.expunge(job)
        return job


def test_a_running_csv_is_shown_without_a_measure(background, people, cycle):
    """The CSV writer does not report as it goes: the bar has no value rather than sitting at 0."""
    job = _job(background, people, cycle, name="csv", kind="csv", status="running", started_at=utcnow(),
               heartbeat_at=utcnow())
    web = signed_in(background, people.cso)
    state = web.get(f"/exports/{job.token}/status").get_json()
    assert state["text"] == "Writing 3 returns." and state["measured"] is False
    body = web.get(f"/exports/{job.token}").get_data(as_text=True)
    assert '<progress id="export-progress" class="govuk-!-width-full govuk-!-margin-bottom-6">' in body


def test_a_job_whose_worker_died_runs_again_once_then_is_failed(background, people, cycle):
    """The sweep finds running jobs whose heartbeat stopped: the first cut-off runs again, the second fails."""
    long_ago = utcnow() - timedelta(minutes=30)
    once = _job(background, people, cycle, name="once", status="running", started_at=long_ago,
                heartbeat_at=long_ago, attempts=1, stored_path="once.xlsx")
    twice = _job(background, people, cycle, name="twice", status="running", started_at=long_ago,
                 heartbeat_at=long_ago, attempts=2, stored_path="twice.xlsx")
    alive = _job(background, people, cycle, name="alive", status="running", started_at=long_ago,
                 heartbeat_at=utcnow(), attempts=1, stored_path="alive.xlsx")
    with background.app_context():
        done = sweep_once()
    assert done["exports retried"] == 1 and done["exports failed"] == 1
    assert run_queued_jobs(background) == 1  # the retried job, and nothing else
    rows = {job.token: job for job in job_rows(background)}
    assert rows[once.token].status == "done" and rows[once.token].attempts == 2
    assert rows[twice.token].status == "failed" and rows[twice.token].error == INTERRUPTED_MESSAGE
    assert rows[alive.token].status == "running"  # its worker is still saying it is alive
    with background.app_context():
        assert sweep_once()["exports retried"] == 0  # nothing changes on a second sweep
    web = signed_in(background, people.cso)
    page = text(web.get(f"/exports/{twice.token}"))
    assert "interrupted twice because the service stopped" in page and "Try again" in page
    assert "Ready" in text(web.get(f"/exports/{once.token}"))


def test_a_job_left_waiting_long_says_the_worker_may_not_be_running(background, people, cycle):
    waiting = _job(background, people, cycle, name="waiting", status="queued",
                   created_at=utcnow() - timedelta(minutes=5), heartbeat_at=utcnow() - timedelta(minutes=5))
    words = text(signed_in(background, people.cso).get(f"/exports/{waiting.token}"))
    assert "Waiting to start since" in words and "the worker may not be running" in words


def test_a_queued_job_the_queue_lost_is_queued_again_by_the_sweep(background, people, cycle):
    lost = _job(background, people, cycle, name="lost", status="queued", stored_path="lost.xlsx",
                created_at=utcnow() - timedelta(minutes=30), heartbeat_at=utcnow() - timedelta(minutes=30))
    with background.app_context():
        assert sweep_once()["exports requeued"] == 1
        assert sweep_once()["exports requeued"] == 0  # it is on the queue now: not queued twice
    assert run_queued_jobs(background) == 1
    assert {job.token: job for job in job_rows(background)}[lost.token].status == "done"


def test_old_files_are_deleted_and_their_jobs_expire_when_a_job_is_made(background, people, cycle):
    old = utcnow() - timedelta(hours=25)
    with background.app_context():
        folder = export_dir()
        (folder / "old.xlsx").write_bytes(b"old")
        (folder / "recent.xlsx").write_bytes(b"recent")
        (folder / "stray.xlsx.part").write_bytes(b"left by a killed process")
        stale = datetime.now().timestamp() - 25 * 3600
        os.utime(folder / "old.xlsx", (stale, stale))
        os.utime(folder / "stray.xlsx.part", (stale, stale))
    expired = _job(background, people, cycle, name="old", status="done", stored_path="old.xlsx",
                   file_name="old.xlsx", size_bytes=3, finished_at=old)
    kept = _job(background, people, cycle, name="recent", status="done", stored_path="recent.xlsx",
                file_name="recent.xlsx", size_bytes=6, finished_at=utcnow() - timedelta(hours=2))
    web = signed_in(background, people.cso)
    assert web.get(f"/exports/{expired.token}/download").status_code == 302  # too old, though not yet deleted
    words = text(web.get(f"/exports/{expired.token}"))
    assert "Status Deleted" in words and "The file has been deleted: exports are kept for 24 hours." in words
    start(web, cycle.cycle_id)
    finish(background)
    rows = {job.token: job for job in job_rows(background)}
    assert rows[expired.token].status == "expired" and rows[kept.token].status == "done"
    with background.app_context():
        names = {path.name for path in export_dir().iterdir()}
    assert "old.xlsx" not in names and "stray.xlsx.part" not in names and "recent.xlsx" in names
    download = web.get(f"/exports/{expired.token}/download")
    assert download.status_code == 302 and download.headers["Location"] == f"/exports/{expired.token}"
    words = text(web.get(f"/exports/{expired.token}"))
    assert "Deleted" in words and "The file has been deleted" in words and "Make it again" in words


def test_a_stored_path_outside_the_export_folder_is_never_served(background, people, cycle):
    sneaky = _job(background, people, cycle, name="sneaky", status="done", stored_path="../secret_key",
                  file_name="secret.xlsx", size_bytes=10, finished_at=utcnow())
    web = signed_in(background, people.cso)
    response = web.get(f"/exports/{sneaky.token}/download")
    assert response.status_code == 302
    assert "The file has been deleted" in text(web.get(f"/exports/{sneaky.token}"))


@pytest.mark.parametrize(("size", "words"), [(812, "812 bytes"), (45_300, "45 KB"), (3_412_000, "3.4 MB")])
def test_file_sizes_read_as_people_say_them(size, words):
    assert jobs.file_size(size) == words

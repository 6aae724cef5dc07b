"""The evidence pack (issue 17): every file of a cycle in one zip, foldered by department and question,
with a manifest whose SHA-256 of each file matches the file; a changed stored file stops the pack."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile

from sqlalchemy import select

from app.extensions import db
from app.models import EvidenceFile, ExportJob
from tests.evidence_samples import docx_with_text, pdf_with_text
from tests.functional.test_evidence_files import PLAN, upload
from tests.support import run_queued_jobs, signed_in

MINUTES = docx_with_text("Minutes of the community safety partnership, 3 March")


def make_pack(app, web, cycle_id: int, scope: str = "cycle"):
    response = web.post(f"/cycles/{cycle_id}/export", {"scope": scope, "kind": "zip"})
    assert response.status_code == 303, response.status_code
    job_page = response.headers["Location"]
    run_queued_jobs(app)
    return job_page


def job_row(app) -> ExportJob:
    with app.app_context():
        row = db.session.scalar(select(ExportJob).order_by(ExportJob.id.desc()))
        db.session.expunge(row)
        return row


def test_the_auditor_downloads_a_pack_whose_manifest_proves_every_file(app, people, cycle, lead):
    upload(lead, cycle.housing, ("plan.pdf", PLAN), ("minutes.docx", MINUTES))
    upload(lead, cycle.housing, ("plan.pdf", pdf_with_text("A second plan")), question_id="staff-trained")
    upload(lead, cycle.housing, ("plan.pdf", PLAN + b"%again"))  # the same name again for the same answer
    other = signed_in(app, people.other_lead)
    upload(other, cycle.planning, ("planning notes.txt", b"Designing out crime is checked on every scheme.\n"))

    auditor = signed_in(app, people.auditor)
    job_page = make_pack(app, auditor, cycle.cycle_id)
    assert "Ready: 5 of 5 files written" in " ".join(auditor.get(job_page).get_data(as_text=True).split())
    download = auditor.get(f"{job_page}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert re.search(r"filename=section17-audit-2026-to-2027-evidence-\d{8}-\d{4}\.zip",
                     download.headers["Content-Disposition"])

    archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert archive.testzip() is None
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert len(manifest) == 5 and "README.txt" in archive.namelist()
    for row in manifest:
        content = archive.read(row["File in this pack"])
        assert hashlib.sha256(content).hexdigest() == row["SHA-256"]
        assert int(row["Size (bytes)"]) == len(content)
    paths = sorted(row["File in this pack"] for row in manifest)
    assert paths == [
        "Housing Services/01 Does your service plan mention the duty/minutes.docx",
        "Housing Services/01 Does your service plan mention the duty/plan (2).pdf",
        "Housing Services/01 Does your service plan mention the duty/plan.pdf",
        "Housing Services/04 What share of front-line staff have had training on the duty/plan.pdf",
        "Planning Services/01 Does your service plan mention the duty/planning notes.txt",
    ]
    duty = next(r for r in manifest if r["File in this pack"].endswith("/minutes.docx"))
    assert duty["Department"] == "Housing Services" and duty["Section"] == "Planning"
    assert duty["Question"] == "Does your service plan mention the duty?" and duty["Attached by"] == "Lena Lead"
    assert duty["Answer"] == ""  # the files came before any answer


def test_a_lead_officer_packs_only_their_own_department(app, people, cycle, lead):
    upload(lead, cycle.housing, ("plan.pdf", PLAN))
    other = signed_in(app, people.other_lead)
    upload(other, cycle.planning, ("planning notes.txt", b"Planning notes\n"))
    job_page = make_pack(app, lead, cycle.cycle_id, scope=str(people.housing_id))
    archive = zipfile.ZipFile(io.BytesIO(lead.get(f"{job_page}/download").data))
    assert [n for n in archive.namelist() if not n.endswith((".csv", ".txt"))] == [
        "Housing Services/01 Does your service plan mention the duty/plan.pdf"]
    assert lead.post(f"/cycles/{cycle.cycle_id}/export", {"scope": "cycle", "kind": "zip"}).status_code in (400, 404)


def test_a_stored_file_that_no_longer_matches_its_hash_stops_the_pack(app, people, cycle, lead):
    from app.evidence.storage import evidence_store

    upload(lead, cycle.housing, ("plan.pdf", PLAN))
    with app.app_context():
        row = db.session.scalar(select(EvidenceFile))
        evidence_store().path(row.sha256).write_bytes(PLAN + b"tampered")
    make_pack(app, signed_in(app, people.auditor), cycle.cycle_id)
    job = job_row(app)
    assert job.status == "failed" and job.error == (
        "The stored copy of Housing Services/01 Does your service plan mention the duty/plan.pdf no longer matches "
        "its SHA-256: it has been changed. Tell your system administrator; the pack was not made.")


def test_a_cycle_without_files_gives_a_pack_with_only_the_manifest(app, people, cycle):
    auditor = signed_in(app, people.auditor)
    job_page = make_pack(app, auditor, cycle.cycle_id)
    archive = zipfile.ZipFile(io.BytesIO(auditor.get(f"{job_page}/download").data))
    assert sorted(archive.namelist()) == ["README.txt", "manifest.csv"]
    assert archive.read("manifest.csv").decode("utf-8-sig").startswith("File in this pack,Department")

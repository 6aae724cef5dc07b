"""Evidence as documents (issue 17, part 2): attach, check the real type, store by hash, serve safely, remove.

Security: a lead officer never reaches another department's file by any URL; a file is served
only as a download with no-store, nosniff and a sandboxing policy; a renamed HTML page or a
program is refused by its content; one bad file in an upload stores nothing.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from app.extensions import db
from app.models import Assignment, AuditEvent, Cycle, EvidenceFile
from tests.evidence_samples import docx_with_text, pdf_with_text, pdf_without_text, png
from tests.functional.test_respond import PEOPLE_DONE, PLANNING_DONE, save
from tests.functional.test_review_comments import resubmit, send_back, submit
from tests.support import run_queued_jobs, signed_in

DUTY = "plan-mentions-duty"
PLAN = pdf_with_text("Housing service plan 2026", "Section 3: anti-social behaviour on estates")


def files_url(assignment_id: int, question_id: str = DUTY) -> str:
    return f"/returns/{assignment_id}/questions/{question_id}/files"


def upload(web, assignment_id: int, *files: tuple[str, bytes], question_id: str = DUTY):
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    return web.post(files_url(assignment_id, question_id), data, content_type="multipart/form-data")


def stored_files(app) -> list[EvidenceFile]:
    with app.app_context():
        rows = list(db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def evidence_dir(app) -> Path:
    return Path(app.instance_path) / "evidence"


def kept_bytes(app) -> list[Path]:
    """Every file in the store (the incoming folder must be empty once a request is done)."""
    root = evidence_dir(app)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def make_idle(app, seconds: float = 3600) -> None:
    """As if every stored file had last been stored `seconds` ago."""
    then = time.time() - seconds
    for path in kept_bytes(app):
        os.utime(path, (then, then))


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_a_pdf_is_attached_stored_by_its_hash_and_its_words_read_for_search(app, people, cycle, lead):
    response = upload(lead, cycle.housing, ("Service plan 2026.pdf", PLAN))
    assert response.status_code == 302
    (row,) = stored_files(app)
    digest = hashlib.sha256(PLAN).hexdigest()
    assert (row.sha256, row.size_bytes, row.media_type, row.file_name) == (digest, len(PLAN), "application/pdf",
                                                                          "Service plan 2026.pdf")
    assert kept_bytes(app) == [evidence_dir(app) / digest[:2] / digest[2:4] / digest]
    assert "Service plan" not in str(kept_bytes(app)[0])  # never the uploaded name
    page = words(lead.get(files_url(cycle.housing)))
    assert "Attached Service plan 2026.pdf" in page and "Service plan 2026.pdf 1 KB, attached" in page
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.uploaded"))
        assert event.after["sha256"] == digest and event.actor_id == people.lead.id
    run_queued_jobs(app)
    (row,) = stored_files(app)
    assert row.text_state == "done" and "anti-social behaviour on estates" in row.text and row.text_pages == 1


def test_several_files_at_once_and_a_word_document_is_read_too(app, cycle, lead):
    response = upload(lead, cycle.housing, ("plan.pdf", PLAN), ("minutes.docx", docx_with_text("Minutes of the CSP")),
                      ("photo.png", png()))
    assert response.status_code == 302
    run_queued_jobs(app)
    by_name = {row.file_name: row for row in stored_files(app)}
    assert set(by_name) == {"plan.pdf", "minutes.docx", "photo.png"}
    assert "Minutes of the CSP" in by_name["minutes.docx"].text and by_name["photo.png"].text_state == "none"


def test_a_scan_with_no_words_is_said_to_be_a_scan(app, cycle, lead):
    upload(lead, cycle.housing, ("scan.pdf", pdf_without_text()))
    run_queued_jobs(app)
    assert stored_files(app)[0].text_state == "scanned"
    assert "A scan: its words cannot be searched." in words(lead.get(files_url(cycle.housing)))


@pytest.mark.parametrize(("name", "content", "message"), [
    ("plan.pdf", b"<html><script>alert(1)</script></html>",
     "plan.pdf is called a PDF file but its content is not a PDF"),
    ("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 20,
     "notes.txt is called a TXT file but its content is not a text file"),
    ("notes.txt", b"<!DOCTYPE html><html><body onload=alert(1)></body></html>",
     "notes.txt is called a TXT file but its content is not a text file"),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "drawing.svg is not a type of file that can be attached"),
    ("tool.exe", b"MZ\x90\x00", "tool.exe is not a type of file that can be attached"),
    ("report.docx", PLAN, "report.docx is called a DOCX file but its content is not a Word document"),
    ("empty.pdf", b"", "empty.pdf is empty"),
])
def test_a_file_whose_content_is_not_what_its_name_says_is_refused_and_nothing_is_kept(app, cycle, lead, name,
                                                                                    content, message):
    response = upload(lead, cycle.housing, ("good.pdf", PLAN), (name, content))
    assert response.status_code == 200
    assert message in words(response) and 'href="#files"' in response.get_data(as_text=True)
    assert stored_files(app) == [] and kept_bytes(app) == []  # the good file was not kept either


def test_a_file_over_the_limit_and_a_return_over_its_total_are_refused(make_app, people):
    from tests.support import open_cycle

    app = make_app(EVIDENCE_MAX_FILE_MB=1, EVIDENCE_MAX_RETURN_MB=2)
    cycle = open_cycle(app, people)
    lead = signed_in(app, people.lead)
    big = PLAN + b"%" + b"x" * (1024 * 1024)
    response = upload(lead, cycle.housing, ("big.pdf", big))
    assert "big.pdf is larger than 1 MB" in words(response) and kept_bytes(app) == []
    almost = [(f"part{n}.pdf", PLAN + b"%" + bytes([n]) * 900_000) for n in range(2)]
    assert upload(lead, cycle.housing, *almost).status_code == 302
    refused = upload(lead, cycle.housing, ("one more.pdf", PLAN + b"%" + b"z" * 400_000))
    assert "These files would take the evidence for this return over 2 MB (it has 1.7 MB already)" in words(refused)
    assert len(stored_files(app)) == 2


def test_the_same_document_twice_is_stored_once_and_removing_one_keeps_the_other(app, people, cycle, lead):
    upload(lead, cycle.housing, ("plan.pdf", PLAN))
    upload(lead, cycle.housing, ("plan copy.pdf", PLAN), question_id="staff-trained")
    first, second = stored_files(app)
    assert first.sha256 == second.sha256 and len(kept_bytes(app)) == 1
    assert lead.post(f"{files_url(cycle.housing)}/{first.id}/remove").status_code == 302
    assert len(kept_bytes(app)) == 1  # still used by the other answer
    make_idle(app)  # stored longer ago than EVIDENCE_UNUSED_KEPT_SECONDS
    lead.post(f"{files_url(cycle.housing, 'staff-trained')}/{second.id}/remove")
    assert stored_files(app) == [] and kept_bytes(app) == []  # a mistaken upload is really gone
    with app.app_context():
        removed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.removed")).all()
        assert [e.before["name"] for e in removed] == ["plan.pdf", "plan copy.pdf"]


def test_removing_a_file_never_deletes_bytes_an_upload_of_the_same_document_has_just_stored(app, cycle, lead):
    """Another upload of the same document stored the bytes a moment ago and is about to save its row: a removal
    now must leave them; once nothing has used them for a while, the hourly clean-up deletes them."""
    from app.evidence.services import forget_orphaned_bytes
    from app.evidence.storage import evidence_store

    upload(lead, cycle.housing, ("plan.pdf", PLAN))
    (row,) = stored_files(app)
    make_idle(app)
    with app.app_context():  # the other upload, in flight: bytes stored, its row not yet saved
        store = evidence_store()
        store.keep(store.receive(io.BytesIO(PLAN), 1_000_000))
    assert lead.post(f"{files_url(cycle.housing)}/{row.id}/remove").status_code == 302
    assert stored_files(app) == [] and len(kept_bytes(app)) == 1  # still there for the upload in flight
    with app.app_context():
        assert forget_orphaned_bytes() == 0  # stored too recently
    make_idle(app)  # the upload never saved its row (its process died): the bytes are nobody's
    with app.app_context():
        from app.models import ScheduledRun
        from app.tasks.sweep import ORPHANS, sweep_once

        # This hour's clean-up may have been claimed by a sweep run earlier in the test: start the hour afresh.
        db.session.execute(delete(ScheduledRun).where(ScheduledRun.name == ORPHANS))
        db.session.commit()
        assert sweep_once()["unused evidence files deleted"] == 1  # the background sweep, once an hour
        assert "unused evidence files deleted" not in sweep_once()  # not again this hour
    assert kept_bytes(app) == []


def test_a_download_is_an_attachment_that_cannot_run_or_be_cached(app, people, cycle, lead):
    upload(lead, cycle.housing, ("plan.pdf", PLAN))
    (row,) = stored_files(app)
    response = lead.get(f"/evidence/{row.id}")
    assert response.status_code == 200 and response.data == PLAN
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert 'filename=plan.pdf' in response.headers["Content-Disposition"]
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.downloaded"))
        assert event.actor_id == people.lead.id and event.after["sha256"] == row.sha256


def test_who_may_download_a_file(app, people, cycle, lead, new_web):
    upload(lead, cycle.housing, ("plan.pdf", PLAN))
    (row,) = stored_files(app)
    for account, status in ((people.cso, 200), (people.auditor, 200), (people.other_lead, 404), (people.admin, 403)):
        assert signed_in(app, account).get(f"/evidence/{row.id}").status_code == status, account.role
    anonymous = new_web()
    assert anonymous.get(f"/evidence/{row.id}").headers["Location"].startswith("/sign-in")
    assert lead.get(f"/evidence/{row.id + 1}").status_code == 404


def test_another_departments_officer_cannot_see_attach_or_remove(app, people, cycle, lead):
    upload(lead, cycle.housing, ("plan.pdf", PLAN))
    (row,) = stored_files(app)
    other = signed_in(app, people.other_lead)
    assert other.get(files_url(cycle.housing)).status_code == 404
    assert upload(other, cycle.housing, ("mine.pdf", PLAN)).status_code == 404
    assert other.post(f"{files_url(cycle.housing)}/{row.id}/remove").status_code == 404
    # their own return's URL with this file's id: not theirs, not found
    assert other.post(f"{files_url(cycle.planning)}/{row.id}/remove").status_code == 404
    assert len(stored_files(app)) == 1


def test_a_hostile_file_name_is_cleaned_and_shown_as_text(app, cycle, lead):
    upload(lead, cycle.housing, ('..\\..\\<img src=x onerror=alert(1)>.pdf', PLAN))
    (row,) = stored_files(app)
    assert "/" not in row.file_name and "\\" not in row.file_name and "<" not in row.file_name
    assert row.file_name.endswith(".pdf")
    page = lead.get(files_url(cycle.housing)).get_data(as_text=True)
    assert "<img src=x" not in page and "img src=x onerror=alert(1)_.pdf" in html.unescape(page)


def test_files_stay_when_the_return_is_resubmitted_and_the_reviewer_sees_the_new_one(app, people, cycle, lead):
    upload(lead, cycle.housing, ("plan.pdf", PLAN))
    submit(lead, cycle.housing)
    assert upload(lead, cycle.housing, ("late.pdf", PLAN + b"%late")).status_code == 200  # submitted: no change
    assert len(stored_files(app)) == 1
    cso = signed_in(app, people.cso)
    send_back(cso, cycle.housing)
    upload(lead, cycle.housing, ("minutes.docx", docx_with_text("Minutes")))
    resubmit(lead, cycle.housing)
    review = words(cso.get(f"/review/{cycle.housing}"))
    assert "plan.pdf" in review and "minutes.docx" in review
    assert "Files attached since submission 1: minutes.docx" in review
    assert "1 answer changed since submission 1" in review


def test_a_submitted_return_can_no_longer_lose_or_gain_files(app, people, cycle, lead):
    upload(lead, cycle.housing, ("plan.pdf", PLAN))
    submit(lead, cycle.housing)
    (row,) = stored_files(app)
    refused = lead.post(f"{files_url(cycle.housing)}/{row.id}/remove")
    assert refused.status_code == 409 and "its files stay as they are" in words(refused)
    assert len(stored_files(app)) == 1


def test_closing_the_cycle_freezes_its_files(app, people, cycle, lead):
    from app.cycles.services import close_cycle

    upload(lead, cycle.housing, ("plan.pdf", PLAN))
    with app.app_context():
        close_cycle(None, db.session.get(Cycle, cycle.cycle_id))
    (row,) = stored_files(app)
    assert row.frozen_at is not None


def test_a_section_page_saves_then_opens_the_files_page(app, cycle, lead):
    response = save(lead, f"/returns/{cycle.housing}/sections/planning", PLANNING_DONE, next_step=f"files:{DUTY}")
    assert response.status_code == 302 and response.headers["Location"].endswith(files_url(cycle.housing))
    with app.app_context():
        assert db.session.get(Assignment, cycle.housing).status == "in_progress"  # the answers were saved first
    bogus = save(lead, f"/returns/{cycle.housing}/sections/people", PEOPLE_DONE, next_step=f"files:{DUTY}")
    assert not bogus.headers["Location"].endswith(files_url(cycle.housing))  # not a question on that page


# --------------------------------------------------------------------------- files on an action's progress note


def progress(web, action_id: int, version: str, *files: tuple[str, bytes], note: str = "Minutes attached."):
    data = {"status": "in_progress", "note": note, "version": version,
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return web.post(f"/actions/{action_id}/progress", data, content_type="multipart/form-data")


def test_a_progress_note_carries_files_seen_only_by_those_who_may_read_the_action(app, people, cycle, lead):
    from tests.support import add_action

    action_id = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id)
    assert progress(lead, action_id, "1", ("briefing minutes.docx", docx_with_text("Briefing minutes"))
                    ).status_code == 302
    (row,) = stored_files(app)
    assert row.action_note_id is not None and row.assignment_id is None
    page = lead.get(f"/actions/{action_id}").get_data(as_text=True)
    assert f'href="/evidence/{row.id}"' in page and "briefing minutes.docx" in page
    assert signed_in(app, people.auditor).get(f"/evidence/{row.id}").status_code == 200
    assert signed_in(app, people.other_lead).get(f"/evidence/{row.id}").status_code == 404
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.uploaded"))
        assert (event.object_type, event.object_id) == ("action", str(action_id))


def test_a_refused_file_on_a_progress_note_keeps_no_note(app, people, cycle, lead):
    from app.models import ActionNote
    from tests.support import add_action

    action_id = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id)
    refused = progress(lead, action_id, "1", ("minutes.pdf", b"<html>not a pdf</html>"))
    assert refused.status_code == 200 and "minutes.pdf is called a PDF file but its content is not a PDF" in words(
        refused)
    with app.app_context():
        assert db.session.scalars(select(ActionNote)).all() == []
    assert stored_files(app) == [] and kept_bytes(app) == []


def test_a_stale_progress_form_with_a_file_keeps_neither(app, people, cycle, lead):
    from tests.support import add_action

    action_id = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id)
    progress(lead, action_id, "1", note="First.")
    late = progress(signed_in(app, people.cso), action_id, "1", ("late.pdf", PLAN), note="Late")
    assert "Someone else changed this action" in words(late)
    assert stored_files(app) == [] and kept_bytes(app) == []

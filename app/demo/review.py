"""What review leaves in the demo: each submission's answers kept, the reviewer's comments on the
returned returns, and a few evidence files (short documents of our own writing) on answers.

So that a new user of the demo finds the review page, the comments beside the officer's
questions and the evidence downloads already in use, not empty.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta

from sqlalchemy import select

from app.evidence.storage import evidence_store
from app.extensions import db
from app.models import Answer, AnswerComment, Assignment, EvidenceFile, Submission, User
from app.questionnaires.answers import AnswerValue
from app.respond.services import stored_answers
from app.review.changes import stored_form

# The reviewer's comments on a returned return: (question id, comment), for the departments returned.
COMMENTS = {
    "ENVH": [
        ("awareness-asb-environment", "The service plan section you name covers fly-tipping but not noise or "
                                      "licensing. Which page describes that work?"),
        ("training-managers-share", "How many of your managers have had the briefing? A number would help here."),
    ],
    "REV": [
        ("awareness-managers-duty", "You say yes: which briefing was it, and when? I could not find it."),
    ],
}

# Evidence documents, in the department's voice: (question id, file name, text).
FILES = {
    "HOUS": [("awareness-asb-environment", "Tenancy enforcement procedure.txt",
              "Tenancy enforcement procedure\n\nWhere a tenant or a member of their household causes anti-social "
              "behaviour, the housing officer visits within five working days, records the complaint and agrees "
              "an acceptable behaviour contract where that will stop it. Cases are reviewed each month with the "
              "police neighbourhood team.\n")],
    "PLAN": [("plan-mentions-duty", "Planning service plan, community safety section.txt",
              "Planning service plan: community safety\n\nEvery major application is checked against the "
              "designing-out-crime guidance, and the police designing-out-crime officer is consulted on schemes of "
              "ten homes or more. Lighting, sight lines and boundaries are conditions where crime is a risk.\n")],
    "ENVH": [("awareness-asb-environment", "Fly-tipping hot spots by ward.csv",
              "Ward,Reports this year,Reports last year\nCentral,41,55\nNorth,18,22\nRiverside,33,29\n")],
}


def _store_text_file(name: str, text: str, assignment: Assignment, question_id: str, lead: User | None,
                     when: datetime) -> None:
    content = text.encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()
    store = evidence_store()
    store.keep(store.receive(io.BytesIO(content), len(content)))
    media_type = "text/csv" if name.endswith(".csv") else "text/plain"
    db.session.add(EvidenceFile(sha256=digest, size_bytes=len(content), media_type=media_type, file_name=name,
                                assignment_id=assignment.id, question_id=question_id,
                                uploaded_by_id=lead.id if lead else None, uploaded_at=when, text=text,
                                text_state="done"))


def _check_evidence_with_files(assignment: Assignment, officer: User | None, reviewed: datetime) -> None:
    """An accepted return's reviewer opened the files it came with and marked those answers' evidence checked."""
    with_files = set(db.session.scalars(select(EvidenceFile.question_id)
                                        .where(EvidenceFile.assignment_id == assignment.id)))
    for answer in db.session.scalars(select(Answer).where(Answer.assignment_id == assignment.id,
                                                          Answer.question_id.in_(with_files))):
        answer.evidence_checked_at = reviewed - timedelta(minutes=30)
        answer.evidence_checked_by_id = officer.id if officer else None


def add_review_notes(assignment: Assignment, code: str, lead: User | None, officer: User | None,
                     submitted: datetime | None, reviewed: datetime | None) -> None:
    """Files while the return was written; the submission as sent; comments when it was returned."""
    answered = set(db.session.scalars(select(Answer.question_id).where(Answer.assignment_id == assignment.id)))
    for question_id, name, text in FILES.get(code, []):
        if question_id in answered:
            _store_text_file(name, text, assignment, question_id, lead,
                             (submitted or datetime.now().astimezone()) - timedelta(days=1))
    if submitted is None:
        return
    db.session.flush()
    kept = {qid: stored_form(answer) for qid, answer in stored_answers(assignment).items()}
    for row in db.session.scalars(select(EvidenceFile).where(EvidenceFile.assignment_id == assignment.id)):
        kept.setdefault(row.question_id, stored_form(AnswerValue())).setdefault("files", []).append(
            [row.id, row.file_name])
    db.session.add(Submission(assignment_id=assignment.id, number=1, submitted_at=submitted,
                              submitted_by_id=lead.id if lead else None, answers=kept))
    if assignment.status == "accepted" and reviewed is not None:
        _check_evidence_with_files(assignment, officer, reviewed)
    if assignment.status != "returned" or reviewed is None:
        return
    for question_id, body in COMMENTS.get(code, []):
        if question_id in answered:
            db.session.add(AnswerComment(assignment_id=assignment.id, question_id=question_id,
                                         author_id=officer.id if officer else None, author_role="reviewer",
                                         body=body, created_at=reviewed - timedelta(minutes=20), shared_at=reviewed))


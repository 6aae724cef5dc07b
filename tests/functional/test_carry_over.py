"""Last year's answers carried over (issue 17, part 4): pre-filled from the department's last accepted return,
marked, counted as unanswered until confirmed (saving the page, or one click per section), files with them."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Assignment, AuditEvent, Cycle, EvidenceFile
from app.models.types import utcnow
from tests.functional.test_respond import PLANNING_DONE, page_state, save
from tests.functional.test_results import HOUSING_ANSWERS, answer
from tests.support import open_cycle, signed_in


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def years(app, people):
    """Last year's cycle with Housing's return accepted (and a file on one answer), and this year's, open."""
    last = open_cycle(app, people, name="Audit 2025 to 2026")
    answer(app, last.housing, HOUSING_ANSWERS, "accepted")
    with app.app_context():
        cycle = db.session.get(Cycle, last.cycle_id)
        cycle.period_start -= timedelta(days=365)
        cycle.period_end -= timedelta(days=365)
        db.session.add(EvidenceFile(sha256="a" * 64, size_bytes=10, media_type="application/pdf",
                                    file_name="Service plan 2025.pdf", assignment_id=last.housing,
                                    question_id="plan-mentions-duty", uploaded_at=utcnow() - timedelta(days=300),
                                    text="wardens", text_state="done"))
        db.session.commit()
    this = open_cycle(app, people, name="Audit 2026 to 2027")
    return last, this


def carry(app, people, cycle_id: int):
    return signed_in(app, people.cso).post(f"/cycles/{cycle_id}/carry-over")


def rows(app, assignment_id: int) -> dict[str, Answer]:
    with app.app_context():
        found = {a.question_id: a for a in db.session.scalars(select(Answer).where(Answer.assignment_id ==
                                                                                   assignment_id))}
        for row in found.values():
            db.session.expunge(row)
        return found


def test_the_officer_pre_fills_returns_from_last_years_accepted_ones_with_their_files(app, people, years):
    last, this = years
    response = carry(app, people, this.cycle_id)
    assert response.status_code == 302
    copied = rows(app, this.housing)
    assert set(copied) == set(HOUSING_ANSWERS)
    assert all(row.carried_over and row.carried_from_id for row in copied.values())
    assert copied["plan-mentions-duty"].evidence == "Service plan, section 4"
    assert rows(app, this.planning) == {}  # Planning had no accepted return last year
    with app.app_context():
        (file,) = db.session.scalars(select(EvidenceFile).where(EvidenceFile.assignment_id == this.housing)).all()
        assert file.file_name == "Service plan 2025.pdf" and file.carried_from_id is not None
        assert file.first_uploaded_at is not None and file.first_uploaded_at < utcnow() - timedelta(days=200)
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cycle.carried_over")).after[
            "answers"] == len(HOUSING_ANSWERS)


def test_carried_answers_are_shown_but_count_as_unanswered_until_confirmed(app, people, years, lead):
    _, this = years
    carry(app, people, this.cycle_id)
    task_list = words(lead.get(f"/returns/{this.housing}"))
    assert "Answers carried over from last year" in task_list and "6 answers were filled in" in task_list
    assert "Confirm all 2 in Planning" in task_list and "Confirm all 4 in People and training" in task_list
    check = words(lead.get(f"/returns/{this.housing}/check"))
    assert "Confirm or change the answer carried over to ‘Does your service plan mention the duty?’" in check
    assert "Carried over: confirm or change" in check
    section = lead.get(f"/returns/{this.housing}/sections/planning").get_data(as_text=True)
    assert "filled in with last year&#39;s answer" in section or "filled in with last year's answer" in section
    with app.app_context():
        assert db.session.get(Assignment, this.housing).status == "not_started"


def test_saving_the_page_confirms_what_it_shows(app, people, years, lead):
    _, this = years
    carry(app, people, this.cycle_id)
    url = f"/returns/{this.housing}/sections/planning"
    state = page_state(lead, url)
    save(lead, url, {"q-plan-mentions-duty": "yes", "q-plan-mentions-duty-evidence": "Service plan, section 4",
                     "q-plan-targets": "aims", "q-plan-notes": ""}, state=state)
    copied = rows(app, this.housing)
    assert not copied["plan-mentions-duty"].carried_over and not copied["plan-targets"].carried_over
    assert copied["staff-trained"].carried_over  # on another page, not yet seen
    with app.app_context():
        confirmed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "answer.confirmed")).all()
        assert {e.after["question"] for e in confirmed} == {"plan-mentions-duty", "plan-targets"}


def test_one_click_confirms_a_whole_section(app, people, years, lead):
    _, this = years
    carry(app, people, this.cycle_id)
    response = lead.post(f"/returns/{this.housing}/sections/people/confirm-carried")
    assert response.status_code == 302
    copied = rows(app, this.housing)
    assert not any(copied[q].carried_over for q in ("staff-trained", "training-topics", "lead-named", "staff-count"))
    assert copied["plan-mentions-duty"].carried_over
    assert "Confirmed 4 answers carried over from last year." in words(lead.get(f"/returns/{this.housing}"))


def test_an_answer_that_no_longer_fits_its_question_is_left_behind(app, people, years):
    last, this = years
    with app.app_context():
        row = db.session.scalar(select(Answer).where(Answer.assignment_id == last.housing,
                                                     Answer.question_id == "lead-named"))
        row.value = "a-role-since-removed"
        db.session.commit()
    carry(app, people, this.cycle_id)
    assert "lead-named" not in rows(app, this.housing)


def test_a_return_already_started_is_not_touched_and_only_the_officer_may_carry_over(app, people, years, lead):
    _, this = years
    save(lead, f"/returns/{this.housing}/sections/planning", PLANNING_DONE)
    before = rows(app, this.housing)
    refused = carry(app, people, this.cycle_id)
    assert refused.status_code == 200 and "No return can be pre-filled from last year" in words(refused)
    assert rows(app, this.housing).keys() == before.keys()
    assert not any(row.carried_over for row in rows(app, this.housing).values())
    for account in (people.lead, people.auditor):
        assert signed_in(app, account).post(f"/cycles/{this.cycle_id}/carry-over").status_code == 403


def test_results_leave_carried_answers_out(app, people, years):
    from app.results.loading import cycle_returns_query, decode_answers

    _, this = years
    carry(app, people, this.cycle_id)
    with app.app_context():
        for row in db.session.execute(cycle_returns_query(this.cycle_id, dialect=db.engine.dialect.name)):
            if row[0] == this.housing:
                assert decode_answers(row[-1]) == {}

"""Object-level access to returns (security.md items 8 and 9)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Assignment

RESPOND_PAGES = ["/returns/{id}", "/returns/{id}/sections/planning", "/returns/{id}/check",
                 "/returns/{id}/confirmation"]


@pytest.mark.parametrize("page", RESPOND_PAGES)
def test_a_lead_officer_gets_not_found_for_another_departments_return(web, people, cycle, page):
    web.sign_in(people.other_lead)  # leads Planning, not Housing
    assert web.get(page.format(id=cycle.housing)).status_code == 404
    assert web.get(page.format(id=cycle.planning)).status_code in (200, 302)


def test_a_lead_officer_cannot_change_or_submit_another_departments_return(app, web, people, cycle):
    web.sign_in(people.other_lead)
    url = f"/returns/{cycle.housing}/sections/planning"
    assert web.post(url, {"version": 1, "questions": "plan-mentions-duty", "q-plan-mentions-duty": "no"}
                    ).status_code == 404
    assert web.post(f"/returns/{cycle.housing}/submit", {"version": 1, "declaration": "confirmed"}).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(Answer)).all() == []
        assert db.session.get(Assignment, cycle.housing).status == "not_started"


def test_a_lead_officer_cannot_read_returns_through_the_review_pages(web, people, cycle):
    web.sign_in(people.lead)
    assert web.get(f"/review/{cycle.housing}").status_code == 403  # not even their own: review is not theirs
    assert web.get(f"/cycles/{cycle.cycle_id}").status_code == 403


def test_the_community_safety_officer_answers_the_partnership_not_departments(web, people, cycle):
    web.sign_in(people.cso)
    assert web.get(f"/returns/{cycle.housing}").status_code == 404
    assert web.get(f"/returns/{cycle.partnership}").status_code == 200
    listing = web.get("/returns/").get_data(as_text=True)
    assert "Small partnership checklist" in listing and "Housing Services" not in listing


def test_auditors_read_returns_but_cannot_answer_or_review_them(app, web, people, cycle):
    web.sign_in(people.auditor)
    assert web.get(f"/review/{cycle.housing}").status_code == 200
    assert web.get(f"/returns/{cycle.housing}").status_code == 403
    assert web.post(f"/review/{cycle.housing}/accept", {"version": 1}).status_code == 403
    assert web.post(f"/review/{cycle.housing}/return", {"version": 1, "reason": "x"}).status_code == 403
    assert "Accept return" not in web.get(f"/review/{cycle.housing}").get_data(as_text=True)


def test_only_the_community_safety_officer_changes_review_status(app, web, people, cycle):
    with app.app_context():
        db.session.get(Assignment, cycle.housing).status = "submitted"
        db.session.commit()
    for person in (people.lead, people.admin, people.auditor):
        web.sign_in(person)
        assert web.post(f"/review/{cycle.housing}/accept", {"version": 1}).status_code == 403
        web.sign_out()
    with app.app_context():
        assert db.session.get(Assignment, cycle.housing).status == "submitted"


def test_peer_returns_are_read_but_not_reviewed(app, web, people, cycle):
    from app.models import PeerPartnership, QuestionnaireSnapshot

    with app.app_context():
        peer = PeerPartnership(name="Amber Valley", area="Derbyshire")
        snapshot = db.session.scalar(select(QuestionnaireSnapshot).limit(1))
        assignment = Assignment(cycle_id=cycle.cycle_id, snapshot_id=snapshot.id, respondent_type="peer",
                                peer_partnership=peer, status="submitted", due_date=snapshot.created_at.date())
        db.session.add(assignment)
        db.session.commit()
        assignment_id, version = assignment.id, assignment.version
    web.sign_in(people.cso)
    page = web.get(f"/review/{assignment_id}").get_data(as_text=True)
    assert "Amber Valley" in page and "Accept return" not in page
    refused = web.post(f"/review/{assignment_id}/accept", {"version": version}).get_data(as_text=True)
    assert "Peer partnerships&#39; answers are for comparison" in refused
    assert web.get(f"/returns/{assignment_id}").status_code == 404  # nobody answers a peer's return here

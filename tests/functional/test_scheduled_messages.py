"""Peer invitations e-mailed and reminded, actions due and overdue, and the CSO's daily digest.

Each through the real SMTP server; each pass of the schedule run twice to show that
nothing is sent twice; each message stopped when what it is about has changed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.reminders import send_due
from app.models import Action, Assignment, OutboxMessage, PeerInvitation, User
from app.models.types import utcnow
from tests.functional.test_peer_links import PEER_DEFINITIONS, add_peer
from tests.mail_sink import smtp_sink, text_part
from tests.support import add_action, open_cycle, page_text, run_queued_jobs, signed_in

PUBLIC = "https://s17.example"


@pytest.fixture
def sink():
    with smtp_sink() as server:
        yield server


@pytest.fixture
def mail_app(make_app, people, sink):
    return make_app(MAIL_URL=sink.url, MAIL_FROM="section17@council.example", PUBLIC_URL=PUBLIC)


def rows(app, template: str) -> list[OutboxMessage]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                        .order_by(OutboxMessage.id)))
        for row in found:
            db.session.expunge(row)
        return found


def invite(app, people, cycle_id: int, peer_id: int, *, how: str = "email", days: int = 20):
    officer = signed_in(app, people.cso)
    last_day = date.today() + timedelta(days=days)
    response = officer.post(f"/benchmarking/peers/{peer_id}/invite", {
        "cycle": str(cycle_id), "contact_name": "Jo Bloggs", "contact_email": "jo@peer.example",
        "expires_on": [str(last_day.day), str(last_day.month), str(last_day.year)], "send_by_email": how})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    return officer, officer.get(response.headers["Location"])


def test_the_service_e_mails_a_peer_link_and_reminds_before_it_expires(mail_app, people, sink):
    cycle = open_cycle(mail_app, people, definitions=PEER_DEFINITIONS)
    run_queued_jobs(mail_app)
    peer_id = add_peer(mail_app, "Amber Valley")
    officer, page = invite(mail_app, people, cycle.cycle_id, peer_id, days=20)
    assert "The link is being e-mailed to jo@peer.example" in page_text(page)
    shown = re.search(r'value="http://localhost/peer/([A-Za-z0-9_-]+)"', page.get_data(as_text=True)).group(1)
    run_queued_jobs(mail_app)
    invitation_mail = sink.to("jo@peer.example")[-1]
    assert "benchmarking questionnaire for Amber Valley" in str(invitation_mail["Subject"])
    assert f"{PUBLIC}/peer/{shown}" in text_part(invitation_mail)  # the same link the officer saw once
    stored = rows(mail_app, "peer_invitation")[0]
    assert shown not in stored.body_text and shown not in stored.body_html  # never kept readable
    with mail_app.app_context():
        invitation = db.session.scalar(select(PeerInvitation))
        assert invitation.sealed_token and shown not in invitation.sealed_token
        last_day = invitation.expires_at.date()
        invitation.created_at = utcnow() - timedelta(days=15)
        db.session.commit()
        assert send_due(last_day - timedelta(days=14)) == []  # before the 7-day point
        first = send_due(last_day - timedelta(days=7))
        assert [p.key for p in first] == [f"peer reminder 1 for invitation {invitation.id}"]
        assert send_due(last_day - timedelta(days=7)) == []  # a second pass queues nothing
    run_queued_jobs(mail_app)
    reminder = sink.to("jo@peer.example")[-1]
    assert "closes on" in str(reminder["Subject"]) and f"{PUBLIC}/peer/{shown}" in text_part(reminder)
    assert "works for 7 more days" in text_part(reminder)
    words = page_text(officer.get(f"/benchmarking/peers/invitations/{stored.peer_invitation_id}"))
    assert "E-mails to Jo Bloggs" in words and words.count("Sent") >= 2


def test_a_revoked_link_is_not_sent_and_its_sealed_token_is_forgotten(mail_app, people, sink):
    cycle = open_cycle(mail_app, people, definitions=PEER_DEFINITIONS)
    run_queued_jobs(mail_app)
    before = len(sink.received)
    peer_id = add_peer(mail_app, "Amber Valley")
    officer, _page = invite(mail_app, people, cycle.cycle_id, peer_id)
    invitation_id = rows(mail_app, "peer_invitation")[0].peer_invitation_id
    officer.post(f"/benchmarking/peers/invitations/{invitation_id}/revoke", {"reason": "Wrong person"})
    run_queued_jobs(mail_app)
    message = rows(mail_app, "peer_invitation")[0]
    assert message.state == "cancelled" and message.last_error == "Not sent: the link was revoked before it went."
    assert len(sink.received) == before
    with mail_app.app_context():
        assert db.session.get(PeerInvitation, invitation_id).sealed_token is None


def test_a_link_the_officer_sends_themselves_is_not_e_mailed_or_reminded(mail_app, people, sink):
    cycle = open_cycle(mail_app, people, definitions=PEER_DEFINITIONS)
    run_queued_jobs(mail_app)
    peer_id = add_peer(mail_app, "Amber Valley")
    _officer, page = invite(mail_app, people, cycle.cycle_id, peer_id, how="myself", days=5)
    assert "Copy the link now: it is shown only this once" in page_text(page)
    with mail_app.app_context():
        assert db.session.scalar(select(PeerInvitation)).sealed_token is None
        assert send_due(date.today() + timedelta(days=3)) == []
    assert rows(mail_app, "peer_invitation") == [] and not sink.to("jo@peer.example")


def test_an_action_owner_hears_a_week_before_and_when_it_is_overdue(mail_app, people, sink):
    cycle = open_cycle(mail_app, people)
    run_queued_jobs(mail_app)
    soon = add_action(mail_app, cycle.cycle_id, people.housing_id, people.lead.id, title="Brief the <team>",
                      due_in_days=5)
    late = add_action(mail_app, cycle.cycle_id, people.housing_id, people.lead.id, title="Map the CCTV",
                      due_in_days=-2)
    add_action(mail_app, cycle.cycle_id, people.housing_id, people.lead.id, title="Finished", status="done",
               due_in_days=-2)
    add_action(mail_app, cycle.cycle_id, people.housing_id, people.lead.id, title="Far off", due_in_days=40)
    with mail_app.app_context():
        for action in db.session.scalars(select(Action)):
            action.created_at = utcnow() - timedelta(days=30)
        db.session.commit()
        planned = send_due()
        assert sorted(p.key.rsplit(",", 1)[0] for p in planned) == sorted([f"action {late} overdue", f"action {soon} due soon"])
        assert [p for p in send_due() if p.key.startswith("action")] == []
    run_queued_jobs(mail_app)
    subjects = sorted(str(m["Subject"]) for m in sink.to(people.lead.email) if "Action" in str(m["Subject"]))
    assert subjects == ["Action due in 5 days: Brief the <team>", "Action overdue: Map the CCTV"]
    body = text_part(next(m for m in sink.to(people.lead.email) if "Map the CCTV" in str(m["Subject"])))
    assert f"{PUBLIC}/actions/{late}" in body and "2 days overdue" in body


def test_an_action_done_before_its_message_goes_is_not_chased(mail_app, people, sink):
    cycle = open_cycle(mail_app, people)
    run_queued_jobs(mail_app)
    late = add_action(mail_app, cycle.cycle_id, people.housing_id, people.lead.id, due_in_days=-1)
    with mail_app.app_context():
        db.session.get(Action, late).created_at = utcnow() - timedelta(days=10)
        db.session.commit()
        send_due()
        db.session.get(Action, late).status = "done"
        db.session.commit()
    run_queued_jobs(mail_app)
    message = rows(mail_app, "action_overdue")[0]
    assert message.state == "cancelled" and "marked done" in message.last_error


def test_a_cso_who_chose_the_digest_gets_one_message_a_day_listing_submitted_returns(mail_app, people, sink):
    cso = signed_in(mail_app, people.cso)
    assert "E-mail about returns to review" in page_text(cso.get("/account"))
    cso.post("/account/messages", {"submitted_mail": "digest"})
    with mail_app.app_context():
        assert db.session.get(User, people.cso.id).submitted_mail == "digest"
    assert signed_in(mail_app, people.lead).post("/account/messages", {"submitted_mail": "digest"}).status_code == 403
    cycle = open_cycle(mail_app, people)
    with mail_app.app_context():
        from app.mail.messages import tell_return_submitted

        assignment = db.session.get(Assignment, cycle.housing)
        assignment.status, assignment.submission_count = "submitted", 1
        assignment.submitted_at = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
        tell_return_submitted(assignment, None)
        db.session.commit()
        assert rows(mail_app, "return_submitted") == []  # not one by one
        early = [p for p in send_due(now=datetime(2026, 12, 3, 7, 30, tzinfo=UTC)) if "digest" in p.key]
        assert early == []  # before 8 in the morning
        planned = [p for p in send_due(now=datetime(2026, 12, 3, 9, 0, tzinfo=UTC)) if "digest" in p.key]
        assert [p.key for p in planned] == [f"submitted digest 2026-12-03 to user {people.cso.id}"]
        assert [p for p in send_due(now=datetime(2026, 12, 3, 10, 0, tzinfo=UTC)) if "digest" in p.key] == []
    run_queued_jobs(mail_app)
    digest = sink.to(people.cso.email)[-1]
    assert str(digest["Subject"]) == "1 Section 17 return submitted for review"
    assert "* Housing Services: Small departmental check (Audit 2026 to 2027)" in text_part(digest)

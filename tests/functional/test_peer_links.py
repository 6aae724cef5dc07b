"""Invitation links: a peer answers the benchmarking questionnaire without an account (security.md item 8).

The officer makes a link (shown once, stored only as a hash); the peer answers
through the same engine as lead officers, saving and coming back by the same link;
an expired or revoked link is refused; a link never opens another peer's form.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.benchmarking.invitations import TOKEN_BYTES, end_of_day
from app.extensions import db
from app.models import Answer, Assignment, AuditEvent, PeerInvitation, PeerPartnership
from tests.support import WebClient, open_cycle

PEER_DEFINITIONS = ("small-departmental", "small-partnership", "small-peer")
LINK = re.compile(r'value="(http://localhost/peer/([A-Za-z0-9_-]+))"')


def add_peer(app, name: str, *, own: bool = False) -> int:
    with app.app_context():
        peer = PeerPartnership(name=name, area="Somewhere", family_group="Group 7", is_own=own)
        db.session.add(peer)
        db.session.commit()
        return peer.id


@pytest.fixture
def cycle(app, people):
    return open_cycle(app, people, definitions=PEER_DEFINITIONS)


def signed_in(app, account) -> WebClient:
    web = WebClient(app.test_client())
    assert web.sign_in(account).status_code == 302
    return web


def make_link(app, people, cycle, peer_id: int, *, name: str = "Jo Bloggs", email: str = "jo@peer.example",
              last_day: date | None = None) -> str:
    """Invite through the officer's page; return the token the page shows once."""
    officer = signed_in(app, people.cso)
    last_day = last_day or date.today() + timedelta(days=20)
    response = officer.post(f"/benchmarking/peers/{peer_id}/invite", {
        "cycle": str(cycle.cycle_id), "contact_name": name, "contact_email": email,
        "expires_on": [str(last_day.day), str(last_day.month), str(last_day.year)], "send_by_email": "myself"})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    match = LINK.search(page)
    assert match, "the new link is shown on the invitation page"
    return match.group(2)


def peer_return(app, peer_id: int) -> Assignment:
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.peer_partnership_id == peer_id))
        db.session.expunge(assignment)
        return assignment


def answers_of(app, assignment_id: int) -> dict:
    with app.app_context():
        return {a.question_id: a.value for a in db.session.scalars(select(Answer).where(
            Answer.assignment_id == assignment_id))}


def fill_section(peer: WebClient, token: str, section: str, answers: dict) -> object:
    page = peer.get(f"/peer/{token}/sections/{section}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    questions = re.search(r'name="questions" value="([^"]*)"', page).group(1)
    return peer.post(f"/peer/{token}/sections/{section}", {"version": version, "questions": questions, **answers})


def test_the_link_is_shown_once_and_only_its_hash_is_kept(app, people, cycle):
    peer_id = add_peer(app, "Amber Valley")
    token = make_link(app, people, cycle, peer_id)
    assert len(token) >= 43 and TOKEN_BYTES * 8 >= 128  # 256 random bits, URL-safe
    with app.app_context():
        invitation = db.session.scalar(select(PeerInvitation))
        assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        logged = " ".join(f"{e.summary} {e.before} {e.after}" for e in db.session.scalars(select(AuditEvent)))
        assert token not in logged
        invitation_id = invitation.id
    page = signed_in(app, people.cso).get(f"/benchmarking/peers/invitations/{invitation_id}").get_data(as_text=True)
    assert token not in page and "Not opened yet" in page  # shown once only
    auditor_page = signed_in(app, people.auditor).get(f"/benchmarking/peers/invitations/{invitation_id}").get_data(as_text=True)
    assert token not in auditor_page and "Revoke the link" not in auditor_page


def test_the_invitation_message_is_ready_to_send(app, people, cycle):
    peer_id = add_peer(app, "Amber Valley")
    officer = signed_in(app, people.cso)
    last_day = date.today() + timedelta(days=20)
    response = officer.post(f"/benchmarking/peers/{peer_id}/invite", {
        "cycle": str(cycle.cycle_id), "contact_name": "Jo Bloggs", "contact_email": "jo@peer.example",
        "expires_on": [str(last_day.day), str(last_day.month), str(last_day.year)], "send_by_email": "myself"})
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    message = re.search(r'<textarea[^>]*id="invitation-text"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert message.startswith("Dear Jo Bloggs,")
    assert "answer our questionnaire for Amber Valley" in message
    assert LINK.search(page).group(1) in message
    assert f"It works until {last_day.day} {last_day:%B %Y}" in message


def test_a_peer_answers_comes_back_and_submits_through_the_link(app, people, cycle):
    peer_id = add_peer(app, "Amber Valley")
    token = make_link(app, people, cycle, peer_id)
    peer = WebClient(app.test_client())  # no account
    start = peer.get(f"/peer/{token}").get_data(as_text=True)
    assert "Small peer questionnaire" in start and "For Amber Valley" in start and "Start now" in start
    assert peer.get(f"/peer/{token}/questions").status_code == 200
    saved = fill_section(peer, token, "approaches", {"q-approach-link-officers": "in_place",
                                                     "q-approach-link-officers-evidence": "One in each department"})
    assert saved.status_code == 302 and saved.headers["Location"] == f"/peer/{token}/sections/figures"
    assignment = peer_return(app, peer_id)
    assert answers_of(app, assignment.id) == {"approach-link-officers": "in_place"}

    later = WebClient(app.test_client())  # days later, another browser, the same link
    page = later.get(f"/peer/{token}/sections/approaches").get_data(as_text=True)
    assert 'value="in_place" checked' in page and "One in each department" in page
    fill_section(later, token, "figures", {"q-population": "94600"})
    check = later.get(f"/peer/{token}/check")
    assert check.status_code == 200 and "Check your answers before you send them" in check.get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', check.get_data(as_text=True)).group(1)
    submitted = later.post(f"/peer/{token}/submit", {"version": version, "declaration": "confirmed"})
    assert submitted.headers["Location"] == f"/peer/{token}/confirmation"
    confirmation = later.get(f"/peer/{token}/confirmation").get_data(as_text=True)
    assert "Answers sent" in confirmation and "You sent them" in confirmation
    with app.app_context():
        stored = db.session.get(Assignment, assignment.id)
        assert stored.status == "submitted" and stored.submitted_by_id is None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.submitted"))
        assert event.actor_email == "Jo Bloggs <jo@peer.example> (Amber Valley, by invitation link)"
    # Submitted answers can be read through the link, not changed.
    after = later.get(f"/peer/{token}/sections/approaches")
    assert after.status_code == 302 and after.headers["Location"] == f"/peer/{token}/questions"


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown"])
def test_expired_revoked_and_unknown_links_are_refused_and_change_nothing(app, people, cycle, state):
    peer_id = add_peer(app, "Amber Valley")
    token = make_link(app, people, cycle, peer_id)
    peer = WebClient(app.test_client())
    page = peer.get(f"/peer/{token}/sections/approaches").get_data(as_text=True)  # opened while it worked
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    with app.app_context():
        invitation = db.session.scalar(select(PeerInvitation))
        if state == "expired":
            invitation.expires_at = end_of_day(date.today() - timedelta(days=1))
        elif state == "revoked":
            from app.benchmarking.invitations import revoke

            revoke(None, invitation, "Sent to the wrong person")
        db.session.commit()
    used = token if state != "unknown" else token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    expected = {"expired": (410, "This link has expired"), "revoked": (410, "This link no longer works"),
                "unknown": (404, "We do not recognise this link")}[state]
    for path in ("", "/questions", "/sections/approaches", "/check", "/confirmation"):
        response = peer.get(f"/peer/{used}{path}")
        assert (response.status_code, expected[1] in response.get_data(as_text=True)) == (expected[0], True), path
    posted = peer.post(f"/peer/{used}/sections/approaches", {"version": version, "questions": "approach-link-officers,"
                                                             "approach-induction", "q-approach-link-officers": "planned"})
    assert posted.status_code == expected[0]
    assert answers_of(app, peer_return(app, peer_id).id) == {}


def test_a_link_never_opens_another_peers_form(app, people, cycle):
    amber, boston = add_peer(app, "Amber Valley"), add_peer(app, "Boston")
    amber_token = make_link(app, people, cycle, amber, name="Jo Bloggs")
    boston_token = make_link(app, people, cycle, boston, name="Sam Moss", email="sam@boston.example")
    peer = WebClient(app.test_client())
    page = peer.get(f"/peer/{amber_token}").get_data(as_text=True)
    assert "For Amber Valley" in page and "Boston" not in page and "Sam Moss" not in page
    fill_section(peer, amber_token, "approaches", {"q-approach-link-officers": "not_done"})
    amber_return, boston_return = peer_return(app, amber), peer_return(app, boston)
    assert answers_of(app, amber_return.id) == {"approach-link-officers": "not_done"}
    assert answers_of(app, boston_return.id) == {}
    # Nothing in a peer's addresses names a return: the officers' pages are not reachable with a link.
    assert peer.get(f"/returns/{boston_return.id}").status_code == 302  # sent to sign in
    assert peer.get(f"/returns/{boston_return.id}/sections/approaches?token={amber_token}").status_code == 302
    assert "Boston" in peer.get(f"/peer/{boston_token}").get_data(as_text=True)


def test_answers_posted_after_the_session_ended_are_kept_and_shown_back(make_app, people):
    app = make_app(SESSION_IDLE_MINUTES=30)
    made = open_cycle(app, people, definitions=PEER_DEFINITIONS)
    peer_id = add_peer(app, "Amber Valley")
    token = make_link(app, people, made, peer_id)
    opened = WebClient(app.test_client())
    page = opened.get(f"/peer/{token}/sections/approaches").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    keep = re.search(r'name="keep" value="([^"]+)"', page).group(1)
    opened.client.delete_cookie("section17_session")  # the session ended while the page was open
    response = opened.client.post(f"/peer/{token}/sections/approaches", data={
        "csrf_token": csrf, "keep": keep, "version": version,
        "questions": "approach-link-officers,approach-induction",
        "q-approach-link-officers": "planned"})
    assert response.status_code == 302 and response.headers["Location"] == f"/peer/{token}/sections/approaches"
    assert answers_of(app, peer_return(app, peer_id).id) == {}  # kept, not saved
    shown = opened.get(f"/peer/{token}/sections/approaches").get_data(as_text=True)
    assert "Answers kept" in shown and "when your session ended" in shown
    assert 'value="planned" checked' in shown


def test_opening_a_link_is_recorded_once_and_the_officer_sees_the_status(app, people, cycle):
    peer_id = add_peer(app, "Amber Valley")
    token = make_link(app, people, cycle, peer_id)
    peer = WebClient(app.test_client())
    peer.get(f"/peer/{token}")
    peer.get(f"/peer/{token}")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "invitation.opened")) == 1
    register = signed_in(app, people.auditor).get("/benchmarking/peers/").get_data(as_text=True)
    assert "Opened" in register and "Jo Bloggs" in register
    fill_section(peer, token, "approaches", {"q-approach-link-officers": "planned"})
    assert "In progress" in signed_in(app, people.cso).get(f"/benchmarking/peers/{peer_id}").get_data(as_text=True)


def test_a_new_link_replaces_the_old_one_and_keeps_the_answers(app, people, cycle):
    peer_id = add_peer(app, "Amber Valley")
    old = make_link(app, people, cycle, peer_id)
    fill_section(WebClient(app.test_client()), old, "approaches", {"q-approach-link-officers": "planned"})
    officer = signed_in(app, people.cso)
    with app.app_context():
        invitation_id = db.session.scalar(select(PeerInvitation.id))
    last_day = date.today() + timedelta(days=40)
    response = officer.post(f"/benchmarking/peers/invitations/{invitation_id}/new-link", {
        "expires_on": [str(last_day.day), str(last_day.month), str(last_day.year)], "send_by_email": "myself"})
    new = LINK.search(officer.get(response.headers["Location"]).get_data(as_text=True)).group(2)
    assert new != old
    peer = WebClient(app.test_client())
    assert peer.get(f"/peer/{old}").status_code == 410
    page = peer.get(f"/peer/{new}/sections/approaches").get_data(as_text=True)
    assert 'value="planned" checked' in page  # the same return, answers kept
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)
                                 .where(Assignment.respondent_type == "peer")) == 1


@pytest.mark.parametrize("field, value, message", [
    ("contact_email", "not an address", "Enter an email address in the correct format"),
    ("contact_name", "", "Enter the name of the person you are inviting"),
    ("expires_on", "past", "The last day the link works must be today or later"),
    ("expires_on", "far", "A link can work for a year at most"),
    ("expires_on", "missing", "Enter the last day the link works"),  # boxes left out of the post: no 500
])
def test_a_bad_invitation_is_refused_with_a_clear_message(app, people, cycle, field, value, message):
    peer_id = add_peer(app, "Amber Valley")
    form = {"cycle": str(cycle.cycle_id), "contact_name": "Jo Bloggs", "contact_email": "jo@peer.example",
            "send_by_email": "myself"}
    day = date.today() + timedelta(days=10)
    if field == "expires_on":
        day = date.today() - timedelta(days=1) if value == "past" else date.today() + timedelta(days=400)
    else:
        form[field] = value
    if value != "missing":
        form["expires_on"] = [str(day.day), str(day.month), str(day.year)]
    response = signed_in(app, people.cso).post(f"/benchmarking/peers/{peer_id}/invite", form)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PeerInvitation)) == 0
        assert db.session.scalar(select(func.count()).select_from(Assignment)
                                 .where(Assignment.respondent_type == "peer")) == 0


def test_a_peer_is_asked_to_send_their_answers_and_never_shown_our_cycle(app, people, cycle):
    """Issue 15: the peer saw "Submit return" and the council's internal cycle name."""
    peer_id = add_peer(app, "Amber Valley")
    last_day = date.today() + timedelta(days=20)
    token = make_link(app, people, cycle, peer_id, last_day=last_day)
    peer = WebClient(app.test_client())
    cycle_name = "Audit 2026 to 2027"  # open_cycle's name for the cycle
    pages = {"start": peer.get(f"/peer/{token}"), "task list": peer.get(f"/peer/{token}/questions")}
    later = fill_section(peer, token, "approaches", {"q-approach-link-officers": "in_place", "next": "later"})
    pages["after saving"] = peer.get(later.headers["Location"])
    assert f"come back with the same link and finish at any time until {last_day.day} {last_day:%B %Y}" in \
        pages["after saving"].get_data(as_text=True)  # the link's last day, not our deadline
    pages["section"] = peer.get(f"/peer/{token}/sections/figures")
    pages["check"] = peer.get(f"/peer/{token}/check")
    check = pages["check"].get_data(as_text=True)
    assert "Send your answers</button>" in check and "Check your answers before you send them" in check
    assert "Check and send your answers" in pages["after saving"].get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', check).group(1)
    refused = peer.post(f"/peer/{token}/submit", {"version": version}).get_data(as_text=True)
    assert "Confirm the declaration to send your answers" in refused
    peer.post(f"/peer/{token}/submit", {"version": version, "declaration": "confirmed"})
    pages["confirmation"] = peer.get(f"/peer/{token}/confirmation")
    pages["answers"] = peer.get(f"/peer/{token}/questions")
    assert "Answers sent" in pages["confirmation"].get_data(as_text=True)
    assert "You sent your answers on" in pages["answers"].get_data(as_text=True)
    for name, response in pages.items():
        text = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert cycle_name not in text, name
        assert "Submit return" not in text and "Return submitted" not in text and "submit the return" not in text, name

"""app/text_input.py's rule through the pages and the command line.

Found by an attacker: a NUL byte gave a 500 on PostgreSQL (text cannot hold it) in
these fields, and other control characters were stored as they came. Now each is
refused with the field's name in an error summary, and nothing is stored; text is
stored as NFC; a name of only zero-width spaces is no name; an answer of only
zero-width characters is not an answer.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Action,
    Answer,
    Assignment,
    AuditEvent,
    Department,
    Organisation,
    PeerInvitation,
    PeerPartnership,
    User,
)
from tests.functional.test_results import HOUSING_ANSWERS, answer
from tests.support import WebClient, add_action, open_cycle


def signed_in(app, account) -> WebClient:
    web = WebClient(app.test_client())
    assert web.sign_in(account).status_code == 302
    return web


def rows(app, model, *columns) -> list[tuple]:
    with app.app_context():
        return sorted(tuple(getattr(row, c) for c in columns) for row in db.session.scalars(select(model)))


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


@dataclass
class Form:
    """One page's form: where it posts, who posts it, good values, and what it stores."""

    who: str
    url: str
    data: dict[str, Any]
    stored: Callable[[], Any]
    follow: bool = False  # the page redirects back with the problem (revoking a link)


def _peer(app) -> int:
    with app.app_context():
        peer = PeerPartnership(name="Amber Valley", area="Derbyshire", family_group="Group 7")
        db.session.add(peer)
        db.session.commit()
        return peer.id


def _submitted_return(app, people) -> int:
    made = open_cycle(app, people)
    answer(app, made.housing, HOUSING_ANSWERS, "submitted")
    return made.housing


def _version(app, assignment_id: int) -> int:
    with app.app_context():
        return db.session.get(Assignment, assignment_id).version


def _invitation(app, people) -> int:
    made = open_cycle(app, people, definitions=("small-departmental", "small-partnership", "small-peer"))
    peer_id = _peer(app)
    last_day = date.today() + timedelta(days=20)
    response = signed_in(app, people.cso).post(f"/benchmarking/peers/{peer_id}/invite", {
        "cycle": str(made.cycle_id), "contact_name": "Jo Bloggs", "contact_email": "jo@peer.example",
        "expires_on": [str(last_day.day), str(last_day.month), str(last_day.year)], "send_by_email": "myself"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalar(select(PeerInvitation.id))


def form_for(app, people, page: str) -> Form:
    if page == "department":
        return Form("cso", "/departments/new", {"name": "Revenue", "code": "REV", "description": "Fraud"},
                    lambda: rows(app, Department, "code", "name", "description"))
    if page == "user":
        return Form("admin", "/admin/users/new", {"name": "Ann Auditor", "email": "ann@council.example",
                                                  "role": "auditor"},
                    lambda: rows(app, User, "email", "name"))
    if page == "organisation":
        return Form("admin", "/admin/organisation", {"council_name": "Boston Borough Council",
                                                     "partnership_name": "Boston CSP"},
                    lambda: rows(app, Organisation, "council_name", "partnership_name"))
    if page == "peer":
        return Form("cso", "/benchmarking/peers/new", {"name": "Rother", "area": "East Sussex", "population": "",
                                                       "family_group": "Group 7"},
                    lambda: rows(app, PeerPartnership, "name", "area", "family_group"))
    if page == "return":
        assignment_id = _submitted_return(app, people)
        return Form("cso", f"/review/{assignment_id}/return",
                    {"reason": "Add the page number.", "version": _version(app, assignment_id)},
                    lambda: rows(app, Assignment, "id", "status", "version"))
    if page == "action":
        assignment_id = _submitted_return(app, people)
        with app.app_context():
            cycle_id = db.session.get(Assignment, assignment_id).cycle_id
        when = date.today() + timedelta(days=60)
        return Form("cso", f"/actions/new?cycle={cycle_id}&department={people.housing_id}&question=plan-targets",
                    {"title": "Set measurable targets", "done_looks_like": "Each aim has a measure.",
                     "owner": str(people.cso.id), "due_date": [str(when.day), str(when.month), str(when.year)]},
                    lambda: rows(app, Action, "id", "title"))
    if page == "revoke":
        invitation_id = _invitation(app, people)
        return Form("cso", f"/benchmarking/peers/invitations/{invitation_id}/revoke",
                    {"reason": "Sent to the wrong person"},
                    lambda: rows(app, PeerInvitation, "id", "revoked_at", "revoked_reason"), follow=True)
    raise AssertionError(page)


# The twelve fields the attacker found (page, field, the name the message gives it).
FIELDS = [
    ("department", "name", "Name"),
    ("department", "description", "Description"),
    ("user", "name", "Full name"),
    ("organisation", "council_name", "Council name"),
    ("organisation", "partnership_name", "Partnership name"),
    ("peer", "name", "Name"),
    ("peer", "area", "Area"),
    ("peer", "family_group", "Family group"),
    ("return", "reason", "Reason"),
    ("action", "title", "Title"),
    ("action", "done_looks_like", "What ‘done’ looks like"),
    ("revoke", "reason", "Reason"),
]


@pytest.mark.parametrize("page,field,name", FIELDS, ids=[f"{p}-{f}" for p, f, _ in FIELDS])
@pytest.mark.parametrize("bad", ["\x00", "\x07"], ids=["NUL", "BEL"])
def test_a_control_character_is_refused_by_the_fields_name_and_nothing_is_stored(app, people, page, field, name,
                                                                                bad):
    form = form_for(app, people, page)
    web = signed_in(app, getattr(people, form.who))
    before, events = form.stored(), audit_count(app)
    response = web.post(form.url, {**form.data, field: f"Hous{bad}ing"}, follow_redirects=form.follow)
    assert response.status_code == 200
    page_text = html.unescape(response.get_data(as_text=True))
    assert f"{name} must not contain control characters" in page_text
    if not form.follow:
        assert "govuk-error-summary" in page_text and f'href="#{field}"' in page_text
        assert f"Hous{bad}ing" not in page_text  # shown back without the control character
    assert form.stored() == before
    assert audit_count(app) == events


def _in_20_days() -> list[str]:
    when = date.today() + timedelta(days=20)
    return [str(when.day), str(when.month), str(when.year)]


def other_form_for(app, people, page: str) -> Form:
    if page == "cycle":
        return Form("cso", "/cycles/new", {"name": "Audit 2026", "period_start": ["1", "4", "2026"],
                                           "period_end": ["31", "3", "2027"], "deadline": _in_20_days(),
                                           "questionnaires": ["small-departmental"], "department_scope": "all"},
                    lambda: audit_count(app))
    if page == "invitation":
        made = open_cycle(app, people, definitions=("small-departmental", "small-partnership", "small-peer"))
        return Form("cso", f"/benchmarking/peers/{_peer(app)}/invite",
                    {"cycle": str(made.cycle_id), "contact_name": "Jo Bloggs", "contact_email": "jo@peer.example",
                     "expires_on": _in_20_days(), "send_by_email": "myself"},
                    lambda: rows(app, PeerInvitation, "id"))
    if page == "offence":
        return Form("cso", "/benchmarking/crime/offences/new", {"label": "Theft of a pedal cycle", "key": "cycle_theft"},
                    lambda: audit_count(app))
    if page == "progress":
        made = open_cycle(app, people)
        action_id = add_action(app, made.cycle_id, people.housing_id, people.cso.id)
        return Form("cso", f"/actions/{action_id}/progress", {"status": "in_progress", "note": "Two teams briefed.",
                                                              "dropped_reason": "", "version": "1"},
                    lambda: rows(app, Action, "id", "status", "version"))
    raise AssertionError(page)


OTHER_FIELDS = [
    ("cycle", "name", "Name"),
    ("invitation", "contact_name", "Name"),
    ("invitation", "contact_email", "Email address"),
    ("offence", "label", "Name"),
    ("offence", "key", "Key"),
    ("progress", "note", "Progress note"),
    ("progress", "dropped_reason", "Reason"),
]


@pytest.mark.parametrize("page,field,name", OTHER_FIELDS, ids=[f"{p}-{f}" for p, f, _ in OTHER_FIELDS])
def test_every_other_free_text_field_refuses_a_nul_the_same_way(app, people, page, field, name):
    form = other_form_for(app, people, page)
    web = signed_in(app, getattr(people, form.who))
    before, events = form.stored(), audit_count(app)
    response = web.post(form.url, {**form.data, field: "Hous\x00ing"})
    assert response.status_code == 200
    page_text = html.unescape(response.get_data(as_text=True))
    assert "govuk-error-summary" in page_text and f"{name} must not contain control characters" in page_text
    assert form.stored() == before and audit_count(app) == events


def test_signing_in_with_a_nul_in_the_email_address_is_a_form_error(app, people):
    response = WebClient(app.test_client()).post("/sign-in", {"email": f"{people.lead.email}\x00",
                                                             "password": people.lead.password})
    assert response.status_code == 200
    assert "Email address must not contain control characters" in html.unescape(response.get_data(as_text=True))


def test_digits_that_int_cannot_read_are_refused_not_a_500(app, people):
    web = signed_in(app, people.cso)
    made = open_cycle(app, people)
    assert web.post(f"/cycles/{made.cycle_id}/export", {"scope": "\u00b2", "kind": "csv"}).status_code == 400
    page = html.unescape(web.post("/benchmarking/peers/new", {"name": "Rother", "population": "\u00b2"}).get_data(
        as_text=True))
    assert "Population must be a whole number, like 94,600" in page


def test_names_are_stored_as_nfc(app, people):
    web = signed_in(app, people.cso)
    response = web.post("/departments/new", {"name": "Cafe\u0301 Culture", "code": "CAFE",
                                             "description": "Nin\u0303o\r\nnight-time economy"})
    assert response.status_code == 302
    assert ("CAFE", "Caf\u00e9 Culture", "Ni\u00f1o\nnight-time economy") in rows(app, Department, "code", "name",
                                                                                   "description")
    # ...so the precomposed spelling is the same department.
    page = html.unescape(web.post("/departments/new", {"name": "caf\u00e9 culture", "code": "CAF2"}).get_data(
        as_text=True))
    assert "A department called Caf\u00e9 Culture already exists" in page
    admin = signed_in(app, people.admin)
    admin.post("/admin/users/new", {"name": "Zoe\u0308 Brown", "email": "zoe@council.example", "role": "auditor"})
    assert ("zoe@council.example", "Zo\u00eb Brown") in rows(app, User, "email", "name")


@pytest.mark.parametrize("url,who,data,message", [
    ("/departments/new", "cso", {"name": "\u200b\u200b\u200d", "code": "REV"}, "Enter the department's name"),
    ("/admin/users/new", "admin", {"name": "\u200b \ufeff", "email": "ann@council.example", "role": "auditor"},
     "Enter the person's full name"),
    ("/admin/organisation", "admin", {"council_name": "\u2060", "partnership_name": "Boston CSP"},
     "Enter the council's name"),
    ("/benchmarking/peers/new", "cso", {"name": "\u200c\u00ad", "area": ""}, "Enter the partnership's name"),
], ids=["department", "user", "organisation", "peer"])
def test_a_name_of_only_zero_width_characters_is_no_name(app, people, url, who, data, message):
    web = signed_in(app, getattr(people, who))
    events = audit_count(app)
    response = web.post(url, data)
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "govuk-error-summary" in page and message in page
    assert audit_count(app) == events


def test_an_answer_of_only_zero_width_characters_is_not_counted_as_answered(app, people):
    made = open_cycle(app, people)
    web = signed_in(app, people.lead)
    url = f"/returns/{made.housing}/sections/planning"
    page = web.get(url).get_data(as_text=True)
    state = dict(re.findall(r'<input type="hidden" name="(version|questions|keep)" value="([^"]*)">', page))
    response = web.post(url, {**state, "q-plan-mentions-duty": "yes",
                              "q-plan-mentions-duty-evidence": "\u200b\u200c\u200d\u2060\ufeff",
                              "q-plan-targets": "smart", "q-plan-notes": "Cafe\u0301\x00 plan", "next": "later"})
    assert response.status_code == 302
    with app.app_context():
        stored = {a.question_id: a for a in db.session.scalars(select(Answer).where(
            Answer.assignment_id == made.housing))}
        assert stored["plan-mentions-duty"].evidence == ""
        assert stored["plan-notes"].value == "Caf\u00e9 plan"
    check = html.unescape(web.get(f"/returns/{made.housing}/check").get_data(as_text=True))
    assert "Give evidence for ‘Does your service plan mention the duty?’" in check


def test_a_peer_answering_by_link_gets_the_same_rule(app, people):
    invitation_id = _invitation(app, people)
    officer = signed_in(app, people.cso)
    with app.app_context():
        assignment_id = db.session.get(PeerInvitation, invitation_id).assignment_id
    response = officer.post(f"/benchmarking/peers/invitations/{invitation_id}/new-link",
                            {"expires_on": _in_20_days()})
    token = re.search(r'value="http://localhost/peer/([A-Za-z0-9_-]+)"',
                      officer.get(response.headers["Location"]).get_data(as_text=True)).group(1)
    peer = WebClient(app.test_client())
    page = peer.get(f"/peer/{token}/sections/approaches").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    questions = re.search(r'name="questions" value="([^"]*)"', page).group(1)
    response = peer.post(f"/peer/{token}/sections/approaches", {
        "version": version, "questions": questions, "q-approach-link-officers": "in_place",
        "q-approach-link-officers-evidence": "Cafe\u0301 forum\x00\r\nmonthly", "next": "continue"})
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalar(select(Answer).where(Answer.assignment_id == assignment_id))
        assert stored.evidence == "Caf\u00e9 forum\nmonthly"


def test_the_command_line_applies_the_same_rule(app, people):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["department", "add", "REV", "Rev\x00enue"])
    assert result.exit_code == 1 and "name: Name must not contain control characters" in result.output
    result = runner.invoke(args=["department", "add", "REV", "Revenue", "--description", "Fraud\x07"])
    assert result.exit_code == 1 and "description: Description must not contain control characters" in result.output
    result = runner.invoke(args=["department", "add", "REV", "\u200b\u200b"])
    assert result.exit_code == 1 and "name: Enter the department's name" in result.output
    result = runner.invoke(args=["user", "add", "--name", "Ann\x1b[31m Auditor", "--email", "ann@council.example",
                                 "--role", "auditor"])
    assert result.exit_code == 1 and "name: Full name must not contain control characters" in result.output
    result = runner.invoke(args=["user", "add", "--name", "Ann\x00", "--email", "ann@council.example",
                                 "--role", "lead_officer", "--department", "HO\x00US"])
    assert result.exit_code == 2 and "no department has the code" in result.output
    result = runner.invoke(args=["user", "disable", "ann\x00@council.example"])
    assert result.exit_code == 1 and "No user has the email address" in result.output
    assert rows(app, Department, "code") == [("HOUS",), ("PLAN",)]
    result = runner.invoke(args=["department", "add", "CAFE", "Cafe\u0301"])
    assert result.exit_code == 0, result.output
    assert ("CAFE", "Caf\u00e9") in rows(app, Department, "code", "name")

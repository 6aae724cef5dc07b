"""Deny by default (security.md items 7, 8, 10).

The expected access of every endpoint is written out here by hand, independently
of the decorators in the code, so that a wrong or missing decorator fails a test.
A new endpoint fails test_every_endpoint_has_an_expectation until it is added.
"peer_token" is a peer contact without an account who has opened their invitation
link: they reach the link's pages (with their token) and nothing else; everyone
else is given a token that does not exist for those pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.security.access import public
from tests.support import OpenCycle, WebClient, add_action, open_cycle

ANONYMOUS = "anonymous"
LEAD, CSO, AUDITOR, ADMIN = "lead_officer", "community_safety_officer", "auditor", "admin"
PEER = "peer_token"
ROLES = (ANONYMOUS, LEAD, CSO, AUDITOR, ADMIN, PEER)
BY_LINK = frozenset({PEER})
NO_SUCH_TOKEN = "no-such-invitation-link-token-0123456789abcdefghij"
EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset({LEAD, CSO, AUDITOR, ADMIN})
READERS = frozenset({CSO, AUDITOR, ADMIN})
MANAGERS = frozenset({CSO, ADMIN})
RESPONDERS = frozenset({LEAD, CSO})  # lead officers for their departments, the CSO for the partnership
RETURN_READERS = frozenset({CSO, AUDITOR})

EXPECTED: dict[str, frozenset[str]] = {
    "main.home": SIGNED_IN,
    "main.accessibility": EVERYONE,
    "main.privacy": EVERYONE,
    "main.healthz": EVERYONE,
    "auth.sign_in": EVERYONE,
    "auth.sign_out": EVERYONE,
    "auth.account": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.keep_alive": SIGNED_IN,
    "auth.forgotten_password": EVERYONE,
    "auth.reset_link_sent": EVERYONE,
    "auth.reset_password": EVERYONE,
    "auth.submitted_mail": frozenset({CSO}),
    "outbox.index": READERS,
    "outbox.message": READERS,
    "outbox.chase": frozenset({CSO}),
    "outbox.chase_send": frozenset({CSO}),
    "admin.users": READERS,
    "admin.user_detail": READERS,
    "admin.user_new": MANAGERS,
    "admin.user_edit": MANAGERS,
    "admin.user_disable": MANAGERS,
    "admin.user_enable": MANAGERS,
    "admin.user_reset_password": MANAGERS,
    "admin.user_temporary_password": MANAGERS,
    "admin.organisation": MANAGERS,
    "departments.index": READERS,
    "departments.detail": READERS,
    "departments.new": MANAGERS,
    "departments.edit": MANAGERS,
    "departments.retire": MANAGERS,
    "departments.reinstate": MANAGERS,
    "audit.index": READERS,
    "cycles.index": RETURN_READERS,
    "cycles.detail": RETURN_READERS,
    "cycles.new": frozenset({CSO}),
    "cycles.edit": frozenset({CSO}),
    "cycles.open_": frozenset({CSO}),
    "cycles.close": frozenset({CSO}),
    "respond.index": RESPONDERS,
    "respond.task_list": RESPONDERS,
    "respond.section": RESPONDERS,
    "respond.check": RESPONDERS,
    "respond.submit_return": RESPONDERS,
    "respond.confirmation": RESPONDERS,
    "review.detail": RETURN_READERS,
    "main.settings": READERS,
    "questionnaire_library.index": READERS,
    "questionnaire_library.detail": READERS,
    "questionnaire_library.import_checklist": MANAGERS,
    "questionnaire_library.save_import": MANAGERS,
    "review.accept_return": frozenset({CSO}),
    "review.return_return": frozenset({CSO}),
    "review.comment": frozenset({CSO}),
    "review.delete_comment": frozenset({CSO}),
    "review.resolve_comment": frozenset({CSO}),
    "review.evidence_checked": frozenset({CSO}),
    "respond.reply": RESPONDERS,
    "respond.confirm_carried": RESPONDERS,
    "cycles.carry_over_answers": frozenset({CSO}),
    # Lead officers: their own departments' files only (test_evidence_files.py checks the objects).
    "evidence.answer_files": RESPONDERS,
    "evidence.remove_answer_file": RESPONDERS,
    "evidence.download": frozenset({LEAD, CSO, AUDITOR}),
    "results.index": frozenset({LEAD, CSO, AUDITOR}),
    # Lead officers: their own departments' answers, files and actions only (test_search.py checks what is found).
    "search.index": frozenset({LEAD, CSO, AUDITOR}),
    "printing.return_print": frozenset({LEAD, CSO, AUDITOR}),
    "printing.return_pdf": frozenset({LEAD, CSO, AUDITOR}),
    "results.heatmap_page": RETURN_READERS,
    "results.themes": RETURN_READERS,
    "results.department": frozenset({LEAD, CSO, AUDITOR}),  # lead officers: their own departments only
    "results.gaps": RETURN_READERS,
    "results.hallmarks": RETURN_READERS,
    "results.approaches": RETURN_READERS,
    "results.compare": RETURN_READERS,
    "results.compare_department": RETURN_READERS,
    "actions.index": frozenset({LEAD, CSO, AUDITOR}),
    "actions.detail": frozenset({LEAD, CSO, AUDITOR}),
    "actions.new": RESPONDERS,
    "actions.edit": RESPONDERS,
    "actions.record_progress_view": RESPONDERS,
    "crime.index": RETURN_READERS,
    "crime.table": RETURN_READERS,
    "crime.offences": RETURN_READERS,
    "crime.new_offence": frozenset({CSO}),
    "crime.import_statistics": frozenset({CSO}),
    "crime.save_statistics": frozenset({CSO}),
    "benchmarking.index": RETURN_READERS,
    "benchmarking.detail": RETURN_READERS,
    "benchmarking.invitation": RETURN_READERS,
    "benchmarking.new": frozenset({CSO}),
    "benchmarking.edit": frozenset({CSO}),
    "benchmarking.import_register_page": frozenset({CSO}),
    "benchmarking.save_register_import": frozenset({CSO}),
    "benchmarking.invite_peer": frozenset({CSO}),
    "benchmarking.revoke_invitation": frozenset({CSO}),
    "benchmarking.new_link": frozenset({CSO}),
    "peer.start": BY_LINK,
    "peer.task_list": BY_LINK,
    "peer.section": BY_LINK,
    "peer.check": BY_LINK,
    "peer.submit_return": BY_LINK,
    "peer.confirmation": BY_LINK,
    # Lead officers: their own departments' exports only (test_exports_web.py checks the objects).
    "export_jobs.export": frozenset({LEAD, CSO, AUDITOR}),
    "export_jobs.job": frozenset({LEAD, CSO, AUDITOR}),
    "export_jobs.job_status": frozenset({LEAD, CSO, AUDITOR}),
    "export_jobs.download": frozenset({LEAD, CSO, AUDITOR}),
}


def _requests(app: Flask, people, role: str = ADMIN) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route, with real objects in the URLs.

    Each role gets a return it may answer where there is one: the lead officer their own
    department's, the community safety officer the partnership's. Other departments'
    returns are tested in test_object_access.py.
    """
    cycle = _cycle(app, people)
    link = _invitation(app, people, cycle)
    assignment = cycle.partnership if role == CSO else cycle.housing
    own_department = people.housing_id if role == LEAD else people.planning_id
    section = {CSO: "leadership", PEER: "approaches"}.get(role, "planning")
    samples = {"user_id": people.other_lead.id, "department_id": own_department, "cycle_id": cycle.cycle_id,
               "assignment_id": assignment, "section_id": section,
               "definition_id": "small-departmental", "action_id": cycle_action(app, people, cycle),
               "peer_id": link.peer_id, "invitation_id": link.invitation_id,
               "token": link.token if role == PEER else NO_SUCH_TOKEN,
               "export_token": _export_job(app, people, cycle), "message_id": _message(app),
               "reset_token": _reset_token(app, people),
               "question_id": "strategy-group" if role == CSO else "plan-mentions-duty",
               "comment_id": _comments(app, cycle)["partnership" if role == CSO else "housing"],
               "file_id": _files(app, people, cycle)["partnership" if role == CSO else "housing"]}
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            # Raising an action names its cycle and department in the query string.
            query = {"cycle": cycle.cycle_id, "department": people.housing_id} if rule.endpoint == "actions.new" else {}
            url = app.url_for(rule.endpoint, **{name: samples[name] for name in rule.arguments}, **query)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, url))
    # Signing out or changing a password ends the session: do those last.
    last = {"evidence.remove_answer_file": 0.5, "auth.change_password": 1, "auth.sign_out": 2}
    return sorted(found, key=lambda r: last.get(r[0], 0))


def _cycle(app: Flask, people) -> OpenCycle:
    """One open cycle per test database (created on first use), with a questionnaire for peers."""
    if not hasattr(app, "_test_cycle"):
        app._test_cycle = open_cycle(app, people, definitions=("small-departmental", "small-partnership", "small-peer"))
    return app._test_cycle


@dataclass(frozen=True)
class Link:
    peer_id: int
    invitation_id: int
    token: str


def _invitation(app: Flask, people, cycle: OpenCycle) -> Link:
    """One peer partnership, invited to answer by link (created on first use)."""
    if not hasattr(app, "_test_link"):
        from datetime import date, timedelta

        from app.benchmarking.invitations import InvitationDetails, invite
        from app.models import Cycle, PeerPartnership

        with app.app_context():
            peer = PeerPartnership(name="Amber Valley", family_group="Group 7")
            db.session.add(peer)
            db.session.commit()
            made = invite(None, db.session.get(Cycle, cycle.cycle_id), peer,
                          InvitationDetails("Jo Bloggs", "jo@peer.example", date.today() + timedelta(days=9)),
                          date.today())
            app._test_link = Link(peer.id, made.invitation.id, made.token)
    return app._test_link


def _export_job(app: Flask, people, cycle: OpenCycle) -> str:
    """A finished export of Housing's return, asked for by its lead officer, with its file (made on first use)."""
    if not hasattr(app, "_test_export"):
        from app.export_jobs.jobs import export_dir
        from app.models import ExportJob
        from app.models.types import utcnow

        with app.app_context():
            (export_dir() / "sample.csv").write_bytes(b"Respondent type\r\n")
            job = ExportJob(token="sample-export-job-token-0123456789", cycle_id=cycle.cycle_id,
                            department_id=people.housing_id, kind="csv", requested_by_id=people.lead.id,
                            status="done", returns_done=1, returns_total=1, file_name="housing.csv",
                            stored_path="sample.csv", size_bytes=17, finished_at=utcnow())
            db.session.add(job)
            db.session.commit()
            app._test_export = job.token
    return app._test_export


def _message(app: Flask) -> int:
    """One message in the outbox (opening the cycle told the lead officers)."""
    from app.models import OutboxMessage

    with app.app_context():
        return db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id).limit(1))


def _reset_token(app: Flask, people) -> str:
    """A working link to reset the other lead officer's password (nobody in these tests signs in as them)."""
    from app.auth.password_reset import make_token
    from app.models import User

    with app.app_context():
        return make_token(db.session.get(User, people.other_lead.id))


def _comments(app: Flask, cycle: OpenCycle) -> dict[str, int]:
    """A reviewer's comment, shared, on the partnership's return and on Housing's (made on first use)."""
    if not hasattr(app, "_test_comments"):
        from app.models import AnswerComment
        from app.models.types import utcnow

        with app.app_context():
            made = {}
            for key, assignment_id, question_id in (("partnership", cycle.partnership, "strategy-group"),
                                                    ("housing", cycle.housing, "plan-mentions-duty")):
                row = AnswerComment(assignment_id=assignment_id, question_id=question_id, author_role="reviewer",
                                    body="Which page?", shared_at=utcnow())
                db.session.add(row)
                db.session.flush()
                made[key] = row.id
            db.session.commit()
            app._test_comments = made
    return app._test_comments


def _files(app: Flask, people, cycle: OpenCycle) -> dict[str, int]:
    """An evidence file on the partnership's return and one on Housing's, with their bytes (made on first use)."""
    if not hasattr(app, "_test_files"):
        import hashlib

        from app.evidence.storage import evidence_store
        from app.models import EvidenceFile

        with app.app_context():
            made = {}
            for key, assignment_id, question_id in (("partnership", cycle.partnership, "strategy-group"),
                                                    ("housing", cycle.housing, "plan-mentions-duty")):
                content = f"Evidence for {key}\n".encode()
                digest = hashlib.sha256(content).hexdigest()
                path = evidence_store().path(digest)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
                row = EvidenceFile(sha256=digest, size_bytes=len(content), media_type="text/plain",
                                   file_name=f"{key}.txt", assignment_id=assignment_id, question_id=question_id,
                                   uploaded_by_id=people.lead.id, text_state="none")
                db.session.add(row)
                db.session.flush()
                made[key] = row.id
            db.session.commit()
            app._test_files = made
    return app._test_files


def cycle_action(app: Flask, people, cycle: OpenCycle) -> int:
    """One action for Housing (the lead officer's department), owned by its lead officer."""
    if not hasattr(app, "_test_action"):
        app._test_action = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id)
    return app._test_action


def _client_for(app: Flask, people, role: str) -> WebClient:
    web = WebClient(app.test_client())
    if role == PEER:  # no account: they have opened the link in their invitation
        assert web.get(f"/peer/{_invitation(app, people, _cycle(app, people)).token}").status_code == 200
    elif role != ANONYMOUS:
        assert web.sign_in(people.by_role(role)).status_code == 302
    return web


def test_every_endpoint_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(EXPECTED), "add new endpoints to EXPECTED with the roles that may use them"


def test_every_view_declares_an_access_rule(app):
    undeclared = [name for name, view in app.view_functions.items()
                  if name != "static" and getattr(view, "_access_rule", None) is None]
    assert undeclared == []


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_it_should(make_app, people, role):
    app = make_app(WTF_CSRF_ENABLED=False)
    web = _client_for(app, people, role)
    problems = []
    for endpoint, method, url in _requests(app, people, role):
        response = web.client.open(url, method=method, data={})
        location = response.headers.get("Location", "")
        sent_to_sign_in = (response.status_code == 302 and location.startswith("/sign-in")
                           and endpoint != "auth.sign_out")  # signing out always ends there
        allowed = role in EXPECTED[endpoint]
        if allowed and (response.status_code in (401, 403, 404, 410) or sent_to_sign_in):
            problems.append(f"{role} refused {method} {url} ({response.status_code} {location})")
        if not allowed:
            if EXPECTED[endpoint] == BY_LINK:  # a link that does not exist, whoever follows it
                expected_refusal = response.status_code == 404
            elif role in (ANONYMOUS, PEER):
                expected_refusal = sent_to_sign_in
            else:
                expected_refusal = response.status_code in (403, 404)
            if not expected_refusal:
                problems.append(f"{role} was not refused {method} {url} ({response.status_code} {location})")
    assert problems == []


def test_an_endpoint_without_a_declaration_is_refused_to_everyone(make_app, people):
    app = make_app()

    @app.route("/forgotten")
    def forgotten():  # no @public, @signed_in or @allow
        return "should never be shown"

    @app.route("/declared")
    @public
    def declared():
        return "fine"

    for role in ROLES:
        web = _client_for(app, people, role)
        assert web.get("/forgotten").status_code == 403
        assert web.get("/declared").status_code == 200


def _snapshot(app: Flask) -> dict[str, list]:
    """Every row of every table except the audit log (which records reads and refusals)."""
    with app.app_context():
        return {
            table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in db.metadata.sorted_tables if table.name != "audit_events"
        }


@pytest.mark.parametrize("role", ROLES)
def test_no_get_request_changes_anything(make_app, people, role):
    app = make_app()
    cycle_action(app, people, _cycle(app, people))
    _invitation(app, people, _cycle(app, people))
    _export_job(app, people, _cycle(app, people))
    _comments(app, _cycle(app, people))
    _files(app, people, _cycle(app, people))
    web = _client_for(app, people, role)
    before = _snapshot(app)
    for _endpoint, method, url in _requests(app, people, role):
        if method == "GET":
            web.get(url)
    assert _snapshot(app) == before


def _someone_allowed(endpoint: str) -> str:
    for role in (ADMIN, CSO, LEAD, AUDITOR, ANONYMOUS, PEER):
        if role in EXPECTED[endpoint]:
            return role
    raise AssertionError(endpoint)


def test_every_state_changing_request_needs_a_csrf_token(app, people):
    refused = []
    for endpoint, method, _ in _requests(app, people):
        if method == "GET":
            continue
        role = _someone_allowed(endpoint)
        url = dict(((e, m), u) for e, m, u in _requests(app, people, role))[(endpoint, method)]
        web = _client_for(app, people, role)
        before = _snapshot(app)
        response = web.client.open(url, method=method, data={"name": "Changed", "council_name": "Changed"})
        if response.status_code != 400 or _snapshot(app) != before:
            refused.append(f"{method} {url} answered {response.status_code} without a CSRF token")
        else:
            assert "This form has expired" in response.get_data(as_text=True)
    assert refused == []


def test_json_requests_need_the_csrf_header(web, people):
    web.sign_in(people.cso)
    assert web.client.post("/session/keep-alive", json={}).status_code == 400
    assert web.client.post("/session/keep-alive", headers={"X-CSRFToken": "forged"}).status_code == 400
    assert web.client.post("/session/keep-alive", headers={"X-CSRFToken": web.csrf_token()}).status_code == 200


def test_refusals_are_recorded_in_the_audit_log(app, web, people):
    from app.models import AuditEvent

    web.sign_in(people.lead)
    assert web.get("/admin/users").status_code == 403
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access.denied"))
        assert event.actor_email == people.lead.email
        assert event.summary == "Refused access: GET /admin/users"


def test_repeated_refusals_are_counted_in_one_record_per_window(app, web, people):
    from datetime import timedelta

    from sqlalchemy import func

    from app.models import AuditEvent

    web.sign_in(people.lead)
    pages = ["/admin/users", "/audit-log/", "/cycles/new"]
    for attempt in range(60):
        assert web.get(pages[attempt % 3]).status_code == 403
    with app.app_context():
        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
        assert event.after["times"] == 60 and len(event.after["pages"]) == 3
        assert sum(event.after["pages"].values()) == 60
        assert event.summary == "Refused access: GET /admin/users (60 refusals in all, 3 pages)"
        event.occurred_at = event.occurred_at - timedelta(minutes=16)
        db.session.commit()
    assert web.get("/admin/users").status_code == 403  # a new window: a new record
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "access.denied")) == 2

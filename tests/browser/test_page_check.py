"""The page check: every page, as every role, at 1280 and 375 px, against the rules in page_rules.py.

On the demo council (plus, in this test's own set-up, a cycle holding only the
hallmark checklist, a draft cycle and a finished export), each role signs in once in
a browser context of its own and visits:

- every page its navigation (header, footer, service navigation) leads to, and the
  pages those link to, two links deep, one page per route and set of query keys
  (sort, order and page do not make a new page);
- every GET route in the app's url_map, filled with real ids from the demo database
  (route_ids below). A GET route with arguments that has no ids there fails the test,
  so a new route cannot escape the check. A route the role may not open answers 403 or
  404; the first of each is checked, the rest only counted;
- every POST form on those pages that has something to fill in, submitted empty (its
  error state), once per form, after all the pages have been seen.

The peer contact does the same through their invitation link, and a signed-out visitor
sees the sign-in, privacy and accessibility pages.

Every page is checked at both widths by page_rules.check_page (axe with the WCAG 2.x
A/AA tags and the kept best-practice rules, fieldset legends, date fields and radio
groups, markup in visible text, page width, tables cut off, chart labels, one h1, the
title, console errors) and screenshotted, full page, into
tests/.artifacts/pages/<role>/<width>/<name>.png (git-ignored) for a person to look
through. A page exactly the same as one another role already had is not checked or
screenshotted again: same-as.txt there says which. Problems are collected across all
pages and the test fails once with the whole list, grouped by kind, which is also
written to tests/.artifacts/pages/problems.txt with the time the check took.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, current_app, url_for
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from app.extensions import db
from app.models import (
    Action,
    AnswerComment,
    Assignment,
    Cycle,
    Department,
    EvidenceFile,
    ExportJob,
    OutboxMessage,
    PeerInvitation,
    PeerPartnership,
    Role,
    User,
)
from app.questionnaires.registry import DEFAULT_SURVEYS_DIR
from tests.browser import page_rules
from tests.browser.conftest import _AXE, ARTIFACTS, serve
from tests.browser.page_rules import Problem
from tests.support import run_queued_jobs

PAGES = ARTIFACTS / "pages"
WIDTHS = (1280, 375)
HEIGHT = 900
STAFF = (Role.LEAD_OFFICER.value, Role.COMMUNITY_SAFETY_OFFICER.value, Role.AUDITOR.value, Role.ADMIN.value)
PEER = "peer"
SIGNED_OUT = "signed-out"
HALLMARKS_ONLY = "Partnership checklist only, 2026"
DRAFT = "Section 17 audit 2027 to 2028"
REFUSED = (403, 404)

# Routes the check does not visit, and why. Everything else with GET is visited.
SKIPPED = {
    "static": "files, not pages",
    "export_jobs.download": "a file download",
    "evidence.download": "a file download",
    "printing.return_pdf": "a file download (tests/functional/test_printing.py reads it)",
    "export_jobs.job_status": "JSON for the export page's own script",
    "main.healthz": "JSON for monitoring",
}
PUBLIC = ("auth.sign_in", "main.privacy", "main.accessibility")
SAME_PAGE_KEYS = frozenset({"sort", "order", "page"})  # links differing only in these show the same page


# --------------------------------------------------------------------------- the demo, and ids for every route


@dataclass
class Site:
    app: Flask
    base: str
    accounts: dict[str, Any]
    routes: dict[str, list[dict[str, Any]]]  # endpoint -> url_for arguments, one set per page to visit
    peer_token: str


def _first(statement: Any) -> Any:
    found = db.session.scalar(statement.limit(1))
    assert found is not None, f"the page check's set-up found nothing for {statement}"
    return found


def add_known_cases(officer: User, today: date) -> None:
    """What the demo lacks for the known defects to be reached: a cycle with only the hallmark
    checklist (answered and submitted), a draft cycle (its edit and open pages), and a finished export."""
    from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle, open_cycle
    from app.demo.answers import store_answers
    from app.demo.services import CYCLE_NAME
    from app.export_jobs.jobs import start_job
    from app.export_jobs.services import XLSX, ExportRequest
    from app.questionnaires.registry import definition_from_snapshot

    cycle = create_cycle(officer, CycleDetails(HALLMARKS_ONLY, date(2026, 1, 1), date(2026, 12, 31),
                                               today + timedelta(days=28),
                                               (QuestionnaireChoice("hallmarks-of-effective-partnership"),)))
    open_cycle(officer, cycle, today)
    assignment = _first(select(Assignment).where(Assignment.cycle_id == cycle.id))
    now = datetime.now(UTC)
    store_answers(assignment, checklist_answers(definition_from_snapshot(assignment.snapshot)), officer, now)
    assignment.status, assignment.started_at, assignment.submitted_at = "submitted", now, now
    assignment.submitted_by_id, assignment.submission_count = officer.id, 1
    some = list(db.session.scalars(select(Department.id).order_by(Department.id).limit(3)))
    create_cycle(officer, CycleDetails(DRAFT, date(2027, 4, 1), date(2028, 3, 31), date(2027, 6, 30), (
        QuestionnaireChoice("departmental-self-assessment", all_departments=False, department_ids=tuple(some)),
        QuestionnaireChoice("hallmarks-of-effective-partnership"))))
    db.session.commit()
    current = _first(select(Cycle).where(Cycle.name == CYCLE_NAME))
    job_id = start_job(officer, ExportRequest(current, None, XLSX)).id
    run_queued_jobs(current_app)  # the export, and the messages the demo's cycles queued
    db.session.expire_all()
    assert db.session.get(ExportJob, job_id).status == "done", "the set-up's export did not finish"


def checklist_answers(definition: Any) -> dict[str, Any]:
    """Every item answered, taking each rating in turn, with evidence where met and an action
    where not: the test's own answers, so the set-up does not lean on the demo's generator."""
    from app.questionnaires.answers import AnswerValue

    answers = {}
    for number, question in enumerate(definition.questions):
        value = question.options[number % len(question.options)].value if question.options else "yes"
        answers[question.id] = AnswerValue(value, evidence="Strategy group minutes, 12 March 2026, on the intranet",
                                           action="Agree it at the strategy group in June")
    return answers


def _sections(assignment: Assignment) -> list[str]:
    """Every section of a return; for a long one (the peer questionnaire's 40-odd sections, most
    of them the same form) the first three and the last."""
    from app.questionnaires.registry import definition_from_snapshot

    ids = [s.id for s in definition_from_snapshot(assignment.snapshot).sections]
    return ids if len(ids) <= 12 else [*ids[:3], ids[-1]]


def route_ids(lead: User, peer_token: str) -> dict[str, list[dict[str, Any]]]:
    """Real ids from the demo database for every route that takes arguments (and the query
    arguments a few pages need). One set of ids per page worth seeing, not every row."""
    from app.demo.history import PREVIOUS_CYCLE_NAME
    from app.demo.services import CYCLE_NAME
    from app.questionnaires import registry

    cycle = {name: _first(select(Cycle).where(Cycle.name == name))
             for name in (CYCLE_NAME, PREVIOUS_CYCLE_NAME, HALLMARKS_ONLY, DRAFT)}
    current, previous, hallmarks, draft = (cycle[n].id for n in (CYCLE_NAME, PREVIOUS_CYCLE_NAME, HALLMARKS_ONLY,
                                                                    DRAFT))
    results_cycles = [current, previous, hallmarks]
    own = sorted(lead.departments, key=lambda d: d.id)
    department = own[0].id
    in_cycle = select(Assignment).where(Assignment.cycle_id == current)
    lead_returns = [_first(in_cycle.where(Assignment.department_id == d.id)) for d in own]
    partnership = _first(in_cycle.where(Assignment.respondent_type == "partnership"))
    peer_return = _first(in_cycle.where(Assignment.respondent_type == "peer", Assignment.status == "submitted"))
    reviewable = [_first(in_cycle.where(Assignment.respondent_type == "department", Assignment.status == status))
                  for status in ("submitted", "accepted", "returned")]
    department_action = _first(select(Action).where(Action.cycle_id == current, Action.department_id.is_not(None),
                                                    Action.question_id.is_not(None)).order_by(Action.id))
    partnership_action = _first(select(Action).where(Action.cycle_id == current, Action.department_id.is_(None))
                                .order_by(Action.id))
    other_lead = _first(select(User).where(User.role == Role.LEAD_OFFICER.value, User.id != lead.id).order_by(User.id))
    ashford = _first(select(PeerPartnership).where(PeerPartnership.name == "Ashford"))
    own_partnership = _first(select(PeerPartnership).where(PeerPartnership.is_own.is_(True)))
    invitations = select(PeerInvitation).join(PeerInvitation.assignment).order_by(PeerInvitation.id)
    invitation_ids = sorted({
        _first(invitations.where(Assignment.status == "submitted")).id,
        _first(invitations.where(PeerInvitation.revoked_at.is_not(None))).id,
        _first(invitations.where(PeerInvitation.expires_at < datetime.now(UTC))).id,
        _first(invitations.where(Assignment.status == "not_started", PeerInvitation.revoked_at.is_(None))).id,
    })
    job = _first(select(ExportJob).order_by(ExportJob.id))
    token = {"token": peer_token}
    peer_assignment = _first(select(Assignment).join(PeerInvitation, PeerInvitation.assignment_id == Assignment.id)
                             .join(PeerPartnership).where(PeerPartnership.name == "Ashford",
                                                          PeerInvitation.revoked_at.is_(None)))
    returns = [*lead_returns, partnership]
    message = _first(select(OutboxMessage).order_by(OutboxMessage.id))
    from app.auth.password_reset import make_token

    own_ids = [a.id for a in lead_returns]
    comment = _first(select(AnswerComment).where(AnswerComment.assignment_id.in_(own_ids),
                                                 AnswerComment.shared_at.is_not(None)).order_by(AnswerComment.id))
    evidence = _first(select(EvidenceFile).where(EvidenceFile.assignment_id.in_(own_ids)).order_by(EvidenceFile.id))
    each = lambda name, values: [{name: v} for v in values]  # noqa: E731
    return {
        "actions.new": [
            {"cycle": current, "department": department_action.department_id, "question": department_action.question_id},
            {"cycle": current, "department": "partnership", "question": partnership_action.question_id},
            {"cycle": current, "department": department},
        ],
        "actions.detail": each("action_id", [department_action.id, partnership_action.id]),
        "actions.edit": each("action_id", [department_action.id]),
        "admin.user_detail": each("user_id", [other_lead.id]),
        "admin.user_edit": each("user_id", [other_lead.id]),
        "admin.user_disable": each("user_id", [other_lead.id]),
        "admin.user_reset_password": each("user_id", [other_lead.id]),
        "admin.user_temporary_password": each("user_id", [other_lead.id]),
        "benchmarking.detail": each("peer_id", [ashford.id, own_partnership.id]),
        "benchmarking.edit": each("peer_id", [ashford.id]),
        "benchmarking.invite_peer": each("peer_id", [ashford.id]),
        "benchmarking.invitation": each("invitation_id", invitation_ids),
        "cycles.detail": each("cycle_id", [current, previous, hallmarks, draft]),
        "cycles.close": each("cycle_id", [current]),
        "cycles.carry_over_answers": each("cycle_id", [current]),
        "cycles.edit": each("cycle_id", [draft, current]),
        "cycles.open_": each("cycle_id", [draft]),
        "export_jobs.export": each("cycle_id", [current]),
        "outbox.message": each("message_id", [message.id]),
        "outbox.chase": each("cycle_id", [current, previous]),
        "auth.reset_password": [{"reset_token": make_token(lead)}],
        "export_jobs.job": each("export_token", [job.token]),
        "results.gaps": each("cycle_id", results_cycles),
        "results.hallmarks": each("cycle_id", [current, hallmarks]),
        "results.approaches": each("cycle_id", [current, hallmarks]),
        "results.heatmap_page": each("cycle_id", results_cycles),
        "results.themes": each("cycle_id", [current, hallmarks]),
        "results.department": [{"cycle_id": current, "department_id": department}],
        "results.compare": [{"earlier": previous, "later": current}],
        "results.compare_department": [{"department_id": department, "earlier": previous, "later": current}],
        "departments.detail": each("department_id", [department]),
        "departments.edit": each("department_id", [department]),
        "departments.retire": each("department_id", [department]),
        "questionnaire_library.detail": each("definition_id", sorted(registry.available())),
        "respond.task_list": each("assignment_id", [a.id for a in returns]),
        "respond.check": each("assignment_id", [a.id for a in returns]),
        "respond.confirmation": each("assignment_id", [a.id for a in returns]),
        "respond.section": [{"assignment_id": a.id, "section_id": s}
                            for a in (lead_returns[0], partnership) for s in _sections(a)],
        "review.detail": each("assignment_id", [a.id for a in (*reviewable, partnership, peer_return)]),
        "printing.return_print": each("assignment_id", [lead_returns[0].id, reviewable[2].id]),
        "respond.reply": [{"assignment_id": comment.assignment_id, "question_id": comment.question_id}],
        "evidence.answer_files": [{"assignment_id": evidence.assignment_id, "question_id": evidence.question_id},
                                  {"assignment_id": comment.assignment_id, "question_id": comment.question_id}],
        "peer.start": [token],
        "peer.task_list": [token],
        "peer.section": [{**token, "section_id": s} for s in _sections(peer_assignment)],
        "peer.check": [token],
        "peer.confirmation": [token],
    }


@pytest.fixture
def site(make_app: Callable[..., Flask]) -> Iterator[Site]:
    app = make_app(SURVEYS_DIR=str(DEFAULT_SURVEYS_DIR))
    with app.app_context():
        from app.demo.peers import demo_peer_link
        from app.demo.services import demo_cycle, load_demo
        from app.users.services import find_user

        accounts: dict[str, Any] = {}
        for credential in load_demo():
            accounts.setdefault(credential.role.value, credential)
        officer = find_user(accounts[Role.COMMUNITY_SAFETY_OFFICER.value].email)
        add_known_cases(officer, date.today())
        link = demo_peer_link(demo_cycle())
        assert link is not None
        peer_token = urlsplit(link.url).path.rsplit("/", 1)[1]
        routes = route_ids(find_user(accounts[Role.LEAD_OFFICER.value].email), peer_token)
    for base in serve(app):
        yield Site(app, base, accounts, routes, peer_token)


# --------------------------------------------------------------------------- one person's browser


@dataclass
class Visitor:
    """One role's browser context: signed in once, visiting pages and checking each at both widths."""

    role: str
    page: Any
    base: str
    adapter: MapAdapter
    problems: list[Problem]
    seen: dict[str, str]  # every visitor's: a page's content fingerprint -> where it was checked first
    checked: set[str] = field(default_factory=set)
    refusals_checked: set[int] = field(default_factory=set)
    covered: set[tuple[str, frozenset[str]]] = field(default_factory=set)
    forms: list[tuple[str, str, int]] = field(default_factory=list)  # (path, endpoint, form index)
    console: list[str] = field(default_factory=list)
    visits: int = 0
    secret: str = ""  # the peer's token: shown as <token> in the report and screenshot names
    timings: dict[str, float] = field(default_factory=dict)
    page_times: list[tuple[float, str]] = field(default_factory=list)

    def timed(self, what: str, started: float) -> None:
        self.timings[what] = self.timings.get(what, 0.0) + time.monotonic() - started

    def __post_init__(self) -> None:
        self.width = WIDTHS[0]
        self.page.set_viewport_size({"width": self.width, "height": HEIGHT})
        self.cdp = self.page.context.new_cdp_session(self.page)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console.append(str(error)))

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        if message.text.startswith("Failed to load resource") and source == self.page.url:
            return  # the page's own status (a 400 error page, a refusal) is checked by status, not here
        self.console.append(f"{message.text} ({source})")

    # ------------------------------------------------------------------ where a URL goes

    def mask(self, text: str) -> str:
        return text.replace(self.secret, "token") if self.secret else text

    def endpoint(self, path: str) -> tuple[str | None, frozenset[str]]:
        parts = urlsplit(path)
        try:
            endpoint, _ = self.adapter.match(parts.path, method="GET")
        except HTTPException:
            return None, frozenset()
        keys = frozenset(k.split("=", 1)[0] for k in parts.query.split("&") if k) - SAME_PAGE_KEYS
        return endpoint, keys

    def relative(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    # ------------------------------------------------------------------ visiting

    def visit(self, path: str, may_refuse: bool, expected: tuple[int, ...] = (200,)) -> list[str]:
        """Open a page, check it at both widths, and return the same-site links on it."""
        self.console.clear()
        self.visits += 1
        started = time.monotonic()
        response = self.page.goto(self.base + path, wait_until="load")
        self.timed("goto", started)
        status = response.status if response else None
        where = self.relative(self.page.url)
        label = self.mask(f"{self.role} {path}" + (f" (went to {where})" if where != path else ""))
        if status in REFUSED and may_refuse:
            if status in self.refusals_checked:
                return []
            self.refusals_checked.add(status)
        elif problem := page_rules.status_problem(status, expected):
            self.problems.append(Problem(label, self.width, *problem))
        if where in self.checked:
            return []
        self.checked.add(where)
        self.covered.add(self.endpoint(where))
        self.check_both_widths(label, page_rules.page_name(self.mask(where)))
        if status == 200:
            endpoint, _ = self.endpoint(where)
            self.forms += [(where, endpoint or "", i) for i in self.page.evaluate(EMPTY_FORMS_SCRIPT)]
        return self.links()

    def submit_empty(self, path: str, index: int) -> None:
        """The error state: open the page, empty form `index` and submit it."""
        self.page.goto(self.base + path, wait_until="load")
        self.console.clear()
        if not self.page.evaluate(CLEAR_FORM_SCRIPT, index):
            return  # an earlier empty submission changed this page (a return emptied has nothing to submit)
        with self.page.expect_navigation(wait_until="load") as navigation:
            self.page.click("[data-page-check-submit]")
        response = navigation.value
        label = self.mask(f"{self.role} {path} (form {index + 1} submitted empty)")
        if problem := page_rules.status_problem(response.status if response else None, (200, 400)):
            self.problems.append(Problem(label, self.width, *problem))
        self.check_both_widths(label, page_rules.page_name(self.mask(path), f"--empty-form-{index + 1}"))

    def check_both_widths(self, label: str, name: str) -> None:
        """Check and screenshot the page at both widths, unless another role already had exactly this page."""
        console = list(self.console)
        fingerprint = hashlib.sha256(self.page.evaluate(FINGERPRINT_SCRIPT).encode()).hexdigest()
        here = f"{self.role}/<width>/{name}.png"
        if fingerprint in self.seen and not console:
            with (PAGES / "same-as.txt").open("a", encoding="utf-8") as index:
                index.write(f"{here} ({label}): the same page as {self.seen[fingerprint]}\n")
            return
        self.seen.setdefault(fingerprint, here)
        started = time.monotonic()
        order = (self.width, *[w for w in WIDTHS if w != self.width])
        for width in order:
            if width != self.width:
                self.page.set_viewport_size({"width": width, "height": HEIGHT})
                self.width = width
                self.page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
            for kind, problem in self.check(console if width == order[0] else []):
                self.problems.append(Problem(label, width, kind, problem))
            folder = PAGES / self.role / str(width)
            folder.mkdir(parents=True, exist_ok=True)
            started = time.monotonic()
            shot = time.monotonic()
            self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            self.timed("screenshot", shot)
        self.page_times.append((time.monotonic() - started, label))

    def check(self, console: list[str]) -> list[page_rules.Found]:
        started = time.monotonic()
        facts = self.page.evaluate(page_rules.FACTS_SCRIPT)
        self.timed("facts", started)
        started = time.monotonic()
        nodes = self.cdp.send("Accessibility.getFullAXTree")["nodes"]
        self.timed("accessibility tree", started)
        started = time.monotonic()
        self.page.evaluate(f"() => {{ if (typeof axe === 'undefined') {{ {_AXE.axe_script}\n }} }}")
        results = self.page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                                     "resultTypes: ['violations']})", page_rules.AXE_RUN_TAGS)
        self.timed("axe", started)
        return page_rules.check_page(facts, nodes, results["violations"], console)

    def links(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all("a[href]", "(links) => links.map((a) => a.href)")
        found = []
        for href in hrefs:
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != self.base:
                continue
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return list(dict.fromkeys(found))


# JavaScript: what makes a page the page it is (title and main content, without per-session tokens).
FINGERPRINT_SCRIPT = r"""
() => {
  const main = document.querySelector('main');
  if (!main) return document.title + document.body.innerHTML;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('input[name=csrf_token]').forEach((input) => input.removeAttribute('value'));
  copy.querySelectorAll('[nonce]').forEach((el) => el.removeAttribute('nonce'));
  return document.title + '\n' + copy.innerHTML;
}
"""

# JavaScript: indexes of the POST forms in <main> that have something to fill in that is not optional.
EMPTY_FORMS_SCRIPT = r"""
() => [...document.querySelectorAll('main form')].filter((f) => f.method === 'post').map((form, index) => {
  const controls = [...form.elements].filter((el) => !['hidden', 'submit', 'button', 'reset'].includes(el.type)
                                                     && el.tagName !== 'BUTTON' && el.tagName !== 'FIELDSET');
  const optional = (el) => {
    const group = el.closest('.govuk-form-group');
    return /optional/i.test(group ? group.innerText : (el.labels && el.labels[0] ? el.labels[0].innerText : ''));
  };
  return controls.length && !controls.every(optional) ? index : -1;
}).filter((index) => index >= 0)
"""

# JavaScript: empty a form (text, dates, choices, files) and mark its first submit button.
CLEAR_FORM_SCRIPT = r"""
(index) => {
  const form = [...document.querySelectorAll('main form')].filter((f) => f.method === 'post')[index];
  if (!form) return false;
  // A form folded away in a <details> ("Comment on this answer"): open it, as a person would
  for (let details = form.closest('details'); details; details = details.parentElement.closest('details')) {
    details.open = true;
  }
  for (const el of form.elements) {
    if (el.type === 'radio' || el.type === 'checkbox') el.checked = false;
    else if (el.tagName === 'SELECT') { if ([...el.options].some((o) => o.value === '')) el.value = ''; }
    else if (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && !['hidden', 'submit', 'button'].includes(el.type)))
      el.value = '';
  }
  // The first button a person sees: not a form's hidden default button (the one Enter in a box presses)
  const button = form.querySelector(
    'button[type=submit]:not([aria-hidden=true]), button:not([type]):not([aria-hidden=true]), input[type=submit]');
  if (!button) return false;
  button.setAttribute('data-page-check-submit', '');
  return true;
}
"""


# --------------------------------------------------------------------------- the check


def navigation_links(visitor: Visitor) -> list[str]:
    return visitor.page.eval_on_selector_all(
        "header a[href], footer a[href], .govuk-service-navigation a[href]",
        "(links) => links.map((a) => a.getAttribute('href'))")


def crawl(visitor: Visitor, start: list[str], depth: int = 2) -> None:
    """Pages reachable from the navigation: one page per route and set of query keys, `depth` links deep."""
    level = start
    for _ in range(depth + 1):
        following = []
        for path in level:
            key = visitor.endpoint(path)
            if key[0] is None or key[0] in SKIPPED or key[0].startswith("peer.") or key in visitor.covered:
                continue
            visitor.covered.add(key)
            following += guarded(visitor, path, visitor.visit, path, False) or []
        level = following


def urls_for(site: Site, endpoints: list[str]) -> list[str]:
    paths = []
    with site.app.test_request_context():
        for endpoint in endpoints:
            for arguments in site.routes.get(endpoint, [{}]):
                paths.append(url_for(endpoint, **arguments))
    return paths


def guarded(visitor: Visitor, path: str, step: Callable[..., Any], *args: Any) -> Any:
    """Run one visit; if the browser fails on it (a timeout, a page that never loads), that is a
    problem on that page, and the check carries on with the next."""
    try:
        return step(*args)
    except Exception as error:  # noqa: BLE001 - any failure is reported with the page it happened on
        visitor.problems.append(Problem(visitor.mask(f"{visitor.role} {path}"), visitor.width, "check could not finish",
                                        f"the check could not finish the page: {page_rules.shorten(str(error), 200)}"))
        return None


def test_every_page_as_every_role_at_both_widths(site: Site, browser: Any) -> None:
    started = time.monotonic()
    rules = [(r.endpoint, frozenset(r.methods or ()), frozenset(r.arguments)) for r in site.app.url_map.iter_rules()]
    missing = page_rules.unmapped_routes(rules, site.routes, SKIPPED)
    assert not missing, f"GET routes with no real ids in route_ids() of the page check (add them): {missing}"
    gone = sorted((set(site.routes) | set(SKIPPED)) - {endpoint for endpoint, _, _ in rules})
    assert not gone, f"the page check names routes the app no longer has (renamed? update route_ids): {gone}"
    get_endpoints = sorted({r.endpoint for r in site.app.url_map.iter_rules()
                            if "GET" in (r.methods or ()) and r.endpoint not in SKIPPED})
    staff_endpoints = [e for e in get_endpoints if not e.startswith("peer.") and e not in PUBLIC]
    peer_endpoints = [e for e in get_endpoints if e.startswith("peer.")]
    adapter = site.app.url_map.bind("127.0.0.1")

    shutil.rmtree(PAGES, ignore_errors=True)
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    contexts = []
    visitors: list[Visitor] = []

    def visitor(role: str) -> Visitor:
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        made = Visitor(role, page, site.base, adapter, problems, seen)
        visitors.append(made)
        return made

    try:
        anonymous = visitor(SIGNED_OUT)
        for path in urls_for(site, list(PUBLIC)):
            guarded(anonymous, path, anonymous.visit, path, False)

        for role in STAFF:
            person = visitor(role)
            account = site.accounts[role]
            person.page.goto(site.base + "/sign-in")
            person.page.fill("#email", account.email)
            person.page.fill("#password", account.password)
            with person.page.expect_navigation():
                person.page.click("main button:has-text('Sign in')")
            crawl(person, ["/", *navigation_links(person)])
            for path in urls_for(site, staff_endpoints):
                guarded(person, path, person.visit, path, True)

        peer = visitor(PEER)
        peer.secret = site.peer_token
        for path in urls_for(site, peer_endpoints):
            guarded(peer, path, peer.visit, path, False)

        submitted: set[tuple[str, int]] = set()  # the same form once, by the first role that can reach it
        for person in visitors:
            for path, endpoint, index in person.forms:
                if (endpoint, index) in submitted:
                    continue
                submitted.add((endpoint, index))
                guarded(person, path, person.submit_empty, path, index)
    finally:
        for context in contexts:
            context.close()

    seconds = time.monotonic() - started
    visits = sum(v.visits for v in visitors)
    summary = (f"page check: {visits} page visits, {sum(len(v.checked) for v in visitors)} pages checked "
               f"at {len(WIDTHS)} widths, {len(submitted)} forms submitted empty, {seconds:.0f} s")
    PAGES.mkdir(parents=True, exist_ok=True)
    (PAGES / "problems.txt").write_text(f"{summary}\n\n{page_rules.report(problems)}\n", encoding="utf-8")
    timings: dict[str, float] = {}
    for person in visitors:
        for what, spent in person.timings.items():
            timings[what] = timings.get(what, 0.0) + spent
    summary += " (" + ", ".join(f"{what} {spent:.0f} s" for what, spent in sorted(timings.items())) + ")"
    slowest = sorted((t for v in visitors for t in v.page_times), reverse=True)[:8]
    print(summary, "\nslowest pages:", "; ".join(f"{label} {spent:.1f} s" for spent, label in slowest))
    assert not problems, f"{len(problems)} problem(s); screenshots in {PAGES}\n{page_rules.report(problems)}"


# --------------------------------------------------------------------------- the rules on their own


def test_titles_name_the_page_then_the_service() -> None:
    assert page_rules.title_problem("Audit cycles - Section 17 Audit") is None
    assert page_rules.title_problem("Audit cycles - Section 17 Audit - South Derbyshire District Council") is None
    assert page_rules.title_problem("Section 17 Audit")[0] == "title"
    assert page_rules.title_problem(" - Section 17 Audit") is not None
    assert "twice" in page_rules.title_problem("Error: Error: Add a partnership - Section 17 Audit")[1]
    assert "Error: " in page_rules.title_problem("Add a partnership - Section 17 Audit", has_error_summary=True)[1]
    assert page_rules.title_problem("Error: Add a partnership - Section 17 Audit", has_error_summary=True) is None


def test_one_h1_with_words_in_it() -> None:
    assert page_rules.heading_problem(["Action plan"]) is None
    assert page_rules.heading_problem([])[1] == "no h1 on the page"
    assert page_rules.heading_problem(["A", "B"])[1].startswith("2 h1 headings")
    assert page_rules.heading_problem(["  "])[1] == "the h1 is empty"


def test_markup_printed_as_text_is_found() -> None:
    [(kind, found)] = page_rules.markup_problems("The gap <strong>The gap</strong><br>Does your department")
    assert kind == "markup in visible text"
    assert found.startswith("visible text shows markup ‘<strong’, ‘</’, ‘<br’: …The gap <strong>The gap")
    assert page_rules.markup_problems("Fish &amp;lt; chips")
    assert page_rules.markup_problems("Crime and disorder: 5 < 6 and 7 > 3, Tom & Jerry") == []


def test_a_page_wider_than_the_window() -> None:
    assert page_rules.overflow_problem(1280, 1280) is None
    assert "1639 > innerWidth 1280" in page_rules.overflow_problem(1639, 1280)[1]


def test_fieldsets_and_groups_need_legends() -> None:
    assert page_rules.fieldset_problems([{"legend": "Deadline", "context": ""}]) == []
    assert page_rules.fieldset_problems([{"legend": " ", "context": "For example, 1 4 2026"}])[0][0] \
        == "fieldset without a legend"
    radios = {"type": "radio", "name": "status", "count": 4, "labels": ["Not started", "Done"], "legend": ""}
    assert page_rules.group_problems([radios])[0][0] == "radio group without a legend"
    assert page_rules.group_problems([{**radios, "legend": "Status"}]) == []
    single = {"type": "checkbox", "name": "is_own", "count": 1, "labels": ["This is our own"], "legend": ""}
    assert page_rules.group_problems([single]) == []


def _ax(node_id: str, role: str, name: str = "", parent: str | None = None, ignored: bool = False) -> dict:
    return {"nodeId": node_id, "role": {"value": role}, "name": {"value": name}, "parentId": parent,
            "ignored": ignored}


def test_date_parts_need_a_group_that_names_the_date() -> None:
    bare = [_ax("1", "main"), _ax("2", "generic", parent="1"), _ax("3", "textbox", "Day", "2")]
    assert page_rules.accessibility_tree_problems(bare)[0][0] == "date field named only Day, Month or Year"
    grouped = [_ax("1", "group", "Deadline for returns"), _ax("2", "generic", parent="1", ignored=True),
               _ax("3", "textbox", "Day", "2"), _ax("4", "spinbutton", "Year", "2")]
    assert page_rules.accessibility_tree_problems(grouped) == []
    unnamed_group = [_ax("1", "group", ""), _ax("2", "textbox", "Month", "1"), _ax("3", "textbox", "Month", "1")]
    assert page_rules.accessibility_tree_problems(unnamed_group)[0][1].endswith("(x2)")
    assert page_rules.accessibility_tree_problems([_ax("1", "textbox", "Title")]) == []


def _table(scroll: int, client: int, columns: int) -> dict:
    return {"kind": "scroll", "tag": "table", "context": "Returns", "scroll": scroll, "client": client,
            "columns": columns, "hidden_columns": 1}


def test_tables_fit_on_a_desktop_and_small_tables_fit_on_a_phone() -> None:
    assert page_rules.clipped_problems([_table(1216, 960, 12)], 1280)[0][0] == "table columns hidden in a scroll area"
    assert page_rules.clipped_problems([_table(1216, 345, 12)], 375) == []  # a wide data table may scroll
    assert page_rules.clipped_problems([_table(576, 345, 3)], 375)[0][0] == "table cut off at the edge"
    assert page_rules.clipped_problems([_table(380, 345, 6)], 375)[0][0] == "table cut off at the edge"
    hidden = {"kind": "hidden", "tag": "div", "context": "", "scroll": 500, "client": 300}
    assert page_rules.clipped_problems([hidden], 1280)[0][0] == "content cut off"


def _label(text: str, x: float, w: float, size: float = 16.0, y: float = 0.0) -> dict:
    return {"chart": 0, "text": text, "size": size, "x": x, "y": y, "w": w, "h": 15.0}


def test_chart_labels_are_readable_and_apart() -> None:
    assert page_rules.chart_text_problems([_label("80%", 0, 29), _label("100%", 40, 37)]) == []
    collide = page_rules.chart_text_problems([_label("80%", 669, 29), _label("100%", 699, 37)])
    assert collide == [("chart labels collide", "chart labels run into each other: ‘80%’ and ‘100%’")]
    assert page_rules.chart_text_problems([_label("80%", 0, 29), _label("100%", 10, 37, y=40)]) == []
    small = page_rules.chart_text_problems([_label("38% Red", 0, 50, size=6.4)])
    assert small[0][0] == "chart text too small" and "6.4 px" in small[0][1]


def test_axe_keeps_wcag_rules_and_the_chosen_best_practice() -> None:
    violations = [
        {"id": "label", "tags": ["cat.forms", "wcag2a", "wcag412"], "impact": "critical", "help": "Label",
         "nodes": [{"target": ["#day"]}]},
        {"id": "region", "tags": ["cat.keyboard", "best-practice"], "nodes": []},
        {"id": "some-new-best-practice", "tags": ["best-practice"], "nodes": []},
        {"id": "target-size", "tags": ["wcag22aa"], "nodes": []},
        {"id": "color-contrast-enhanced", "tags": ["wcag2aaa"], "nodes": []},
    ]
    assert [v["id"] for v in page_rules.kept_violations(violations)] == ["label", "region", "target-size"]
    assert page_rules.axe_problems(violations[:1])[0][1].startswith("axe label (critical): Label - 1 element(s): #day")


def test_every_get_route_with_arguments_needs_ids() -> None:
    rules = [("cycles.detail", frozenset({"GET"}), frozenset({"cycle_id"})),
             ("cycles.index", frozenset({"GET"}), frozenset()),
             ("review.accept_return", frozenset({"POST"}), frozenset({"assignment_id"})),
             ("static", frozenset({"GET"}), frozenset({"filename"})),
             ("reports.new_thing", frozenset({"GET", "POST"}), frozenset({"thing_id"}))]
    assert page_rules.unmapped_routes(rules, {"cycles.detail": []}, {"static"}) == ["reports.new_thing"]


def test_the_report_groups_problems_by_kind() -> None:
    text = page_rules.report([Problem("lead_officer /actions/1", 375, "markup in visible text", "shows <span"),
                              Problem("lead_officer /actions/1", 1280, "markup in visible text", "shows <span"),
                              Problem("auditor /cycles/3/gaps", 1280, "server error", "server error 500")])
    assert text.splitlines() == [
        "== markup in visible text (2)",
        "  lead_officer /actions/1 at 1280px: shows <span",
        "  lead_officer /actions/1 at 375px: shows <span",
        "== server error (1)",
        "  auditor /cycles/3/gaps at 1280px: server error 500",
    ]


def test_screenshot_names() -> None:
    assert page_rules.page_name("/") == "home"
    assert page_rules.page_name("/cycles/3/results?sort=overall&order=desc") == "cycles-3-results--sort-overall-order-desc"
    assert page_rules.page_name("/actions/1", "--empty-form-1") == "actions-1--empty-form-1"

"""Answering a return: save, come back, conflicts, submit once, kept answers, review (security.md 9, 16-18, 20)."""

from __future__ import annotations

import html
import re
import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Assignment, AuditEvent, PendingSave
from tests.support import WebClient, open_cycle

HIDDEN = re.compile(r'<input type="hidden" name="(version|questions|keep)" value="([^"]*)">')


def page_state(web: WebClient, url: str) -> dict[str, str]:
    page = web.get(url).get_data(as_text=True)
    return dict(HIDDEN.findall(page))


def save(web: WebClient, url: str, answers: dict, *, next_step: str = "continue", state: dict | None = None):
    state = state or page_state(web, url)
    return web.post(url, {**state, **answers, "next": next_step})


def answers_of(app, assignment_id: int) -> dict[str, Answer]:
    with app.app_context():
        rows = db.session.scalars(select(Answer).where(Answer.assignment_id == assignment_id)).all()
        for row in rows:
            db.session.expunge(row)
        return {row.question_id: row for row in rows}


def assignment(app, assignment_id: int) -> Assignment:
    with app.app_context():
        row = db.session.get(Assignment, assignment_id)
        db.session.expunge(row)
        return row


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                       .order_by(AuditEvent.id)))


PLANNING_DONE = {"q-plan-mentions-duty": "yes", "q-plan-mentions-duty-evidence": "Service plan 2026, section 3",
                 "q-plan-targets": "smart", "q-plan-notes": ""}
PEOPLE_DONE = {"q-staff-trained": "60", "q-training-topics": ["crime", "substances", "violence"],
               "q-lead-named": "officer", "q-lead-named-evidence": "Jo Bloggs, tenancy manager",
               "q-lead-name": "Tenancy manager", "q-staff-count": "120",
               "q-last-review-day": "3", "q-last-review-month": "9", "q-last-review-year": "2026"}


def section_url(cycle, section="planning"):
    return f"/returns/{cycle.housing}/sections/{section}"


def test_a_lead_officer_sees_only_their_departments_returns(lead, cycle):
    page = lead.get("/returns/").get_data(as_text=True)
    assert "Housing Services" in page and "Planning Services" not in page
    home = lead.get("/").get_data(as_text=True)
    assert "Small departmental check" in home and "Not started" in home


def test_the_task_list_shows_each_section_and_what_is_left(lead, cycle):
    page = lead.get(f"/returns/{cycle.housing}").get_data(as_text=True)
    assert "You have completed 0 of 2 sections" in page
    assert "Planning" in page and "People and training" in page and "Cannot start yet" in page


def test_the_section_page_shows_every_kind_of_question(lead, cycle):
    page = lead.get(section_url(cycle, "people")).get_data(as_text=True)
    assert 'name="q-staff-trained"' in page and re.search(r'class="govuk-input__suffix"[^>]*>%</div>', page)
    assert 'type="checkbox"' in page and 'value="violence"' in page
    assert 'name="q-last-review-day"' in page and 'name="q-last-review-year"' in page
    assert 'name="q-staff-trained-na"' in page  # not applicable is allowed here
    assert "Their name and job title" in page and "Needed if you answer" in page
    conditional = lead.get(section_url(cycle)).get_data(as_text=True)
    assert 'data-show-if="{&#34;question&#34;: &#34;plan-mentions-duty&#34;, &#34;equals&#34;: &#34;yes&#34;}"' in conditional
    assert "Answer this only if you answered ‘Yes’ to ‘Does your service plan mention the duty?’" in conditional


def test_saving_stores_typed_answers_and_audits_each_change(app, lead, cycle, people):
    response = save(lead, section_url(cycle, "people"), PEOPLE_DONE)
    assert response.headers["Location"] == f"/returns/{cycle.housing}/check"
    stored = answers_of(app, cycle.housing)
    assert stored["staff-trained"].value == 60 and stored["staff-count"].value == 120
    assert stored["training-topics"].value == ["crime", "substances", "violence"]
    assert stored["last-review"].value == "2026-09-03"
    assert stored["lead-named"].evidence == "Jo Bloggs, tenancy manager"
    assert assignment(app, cycle.housing).status == "in_progress"
    changed = events(app, "answer.changed")
    assert len(changed) == 6 and changed[0].actor_email == people.lead.email
    assert changed[0].before is None and changed[0].after["question"] == "staff-trained"
    save(lead, section_url(cycle, "people"), {**PEOPLE_DONE, "q-staff-count": "130"})
    last = events(app, "answer.changed")[-1]
    assert (last.before["value"], last.after["value"]) == (120, 130)  # only the changed answer is recorded


def test_save_and_come_back_later(app, lead, cycle):
    response = save(lead, section_url(cycle), {"q-plan-mentions-duty": "no"}, next_step="later")
    assert response.headers["Location"] == f"/returns/{cycle.housing}"
    page = html.unescape(lead.get(response.headers["Location"]).get_data(as_text=True))
    assert "Your answers have been saved. You can come back and finish at any time before" in page
    again = lead.get(section_url(cycle)).get_data(as_text=True)
    assert re.search(r'value="no" checked', again)


def test_a_bad_value_is_explained_and_the_other_answers_are_still_saved(app, lead, cycle):
    response = save(lead, section_url(cycle, "people"), {**PEOPLE_DONE, "q-staff-count": "3,4"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("Enter the answer to ‘How many staff does the department employ?’ as a whole number, like 1,500, with "
            "commas only between thousands") in html.unescape(page)
    assert "Your other answers on this page have been saved" in page
    assert 'href="#q-staff-count"' in page and 'value="3,4"' in page  # shown back as typed
    stored = answers_of(app, cycle.housing)
    assert "staff-count" not in stored and stored["staff-trained"].value == 60


def test_a_form_with_unknown_questions_is_refused_and_changes_nothing(app, lead, cycle):
    state = page_state(lead, section_url(cycle))
    assert lead.post(section_url(cycle), {**state, "q-made-up": "x"}).status_code == 400
    assert lead.post(section_url(cycle), {**state, "questions": "plan-mentions-duty,staff-count",
                                          "q-plan-mentions-duty": "yes"}).status_code == 400
    assert lead.post(section_url(cycle), {"questions": state["questions"], "q-plan-mentions-duty": "yes"}
                     ).status_code == 400  # no version
    assert answers_of(app, cycle.housing) == {}


def test_unknown_sections_and_returns_are_not_found(lead, cycle):
    assert lead.get(f"/returns/{cycle.housing}/sections/nope").status_code == 404
    assert lead.get("/returns/999999").status_code == 404


def test_a_stale_save_shows_both_values_and_saves_nothing(app, lead, new_web, cycle, people):
    first_state = page_state(lead, section_url(cycle, "people"))
    colleague = new_web()
    colleague.sign_in(people.lead)
    save(colleague, section_url(cycle, "people"), {"q-staff-count": "200"})
    response = save(lead, section_url(cycle, "people"), {"q-staff-count": "150"}, state=first_state)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert "Someone else changed this answer" in page
    assert "200 people" in page and "150 people" in page and "Lena Lead" in page
    assert answers_of(app, cycle.housing)["staff-count"].value == 200  # nothing overwritten

    resolve = {name: value for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                                                         response.get_data(as_text=True)) if name != "csrf_token"}
    assert int(resolve["version"]) == assignment(app, cycle.housing).version  # the version the page showed
    lead.post(section_url(cycle, "people"), resolve)
    assert answers_of(app, cycle.housing)["staff-count"].value == 150  # chosen, not silent


def test_answers_nobody_else_touched_are_merged(app, lead, new_web, cycle, people):
    first_state = page_state(lead, section_url(cycle, "people"))
    colleague = new_web()
    colleague.sign_in(people.lead)
    save(colleague, section_url(cycle, "people"), {"q-staff-count": "200"})
    response = save(lead, section_url(cycle, "people"), {"q-staff-trained": "40", "q-staff-count": "200"},
                    state=first_state, next_step="later")
    assert response.status_code == 302
    stored = answers_of(app, cycle.housing)
    assert stored["staff-trained"].value == 40 and stored["staff-count"].value == 200


def test_check_answers_lists_what_is_missing_with_links(lead, cycle):
    save(lead, section_url(cycle), {"q-plan-mentions-duty": "yes"})
    page = html.unescape(lead.get(f"/returns/{cycle.housing}/check").get_data(as_text=True))
    assert "You cannot submit yet" in page
    assert (f'href="/returns/{cycle.housing}/sections/planning?return_to=check&question=plan-mentions-duty'
            f'#q-plan-mentions-duty-evidence"') in page
    assert "Give evidence for ‘Does your service plan mention the duty?’" in page
    assert "Submit return" not in page


def _complete(lead, cycle):
    save(lead, section_url(cycle), PLANNING_DONE)
    save(lead, section_url(cycle, "people"), PEOPLE_DONE)


def test_submitting_needs_the_declaration_then_the_return_is_read_only(app, lead, cycle, people):
    _complete(lead, cycle)
    version = assignment(app, cycle.housing).version
    page = lead.post(f"/returns/{cycle.housing}/submit", {"version": version}).get_data(as_text=True)
    assert "Confirm the declaration to submit your return" in page
    assert assignment(app, cycle.housing).status == "in_progress"
    response = lead.post(f"/returns/{cycle.housing}/submit", {"version": version, "declaration": "confirmed"})
    assert response.headers["Location"] == f"/returns/{cycle.housing}/confirmation"
    confirmation = lead.get(response.headers["Location"]).get_data(as_text=True)
    assert "Return submitted" in confirmation
    submitted = assignment(app, cycle.housing)
    assert submitted.status == "submitted" and submitted.submitted_by_id == people.lead.id
    # Read-only now: the page sends you back and a post changes nothing.
    assert lead.get(section_url(cycle)).status_code == 302
    lead.post(section_url(cycle), {"version": submitted.version, "questions": "plan-mentions-duty",
                                   "q-plan-mentions-duty": "no"})
    assert answers_of(app, cycle.housing)["plan-mentions-duty"].value == "yes"
    assert "Tenancy manager" in lead.get(f"/returns/{cycle.housing}").get_data(as_text=True)


def test_answers_to_questions_that_no_longer_apply_are_cleared_at_submit(app, lead, cycle):
    _complete(lead, cycle)
    save(lead, section_url(cycle), {**PLANNING_DONE, "q-plan-mentions-duty": "no"})
    assert answers_of(app, cycle.housing)["plan-targets"].value == "smart"  # kept while a draft
    lead.post(f"/returns/{cycle.housing}/submit", {"version": assignment(app, cycle.housing).version,
                                                   "declaration": "confirmed"})
    assert "plan-targets" not in answers_of(app, cycle.housing)
    (cleared,) = events(app, "answer.cleared")
    assert cleared.before["value"] == "smart"


def test_a_submit_after_answers_changed_is_sent_back_to_check(app, lead, cycle):
    _complete(lead, cycle)
    old_version = assignment(app, cycle.housing).version
    save(lead, section_url(cycle, "people"), {**PEOPLE_DONE, "q-staff-count": "121"})
    response = lead.post(f"/returns/{cycle.housing}/submit", {"version": old_version, "declaration": "confirmed"})
    assert response.headers["Location"] == f"/returns/{cycle.housing}/check"
    assert assignment(app, cycle.housing).status == "in_progress"


def test_submitting_twice_at_once_gives_exactly_one_submission(app, lead, cycle, people):
    _complete(lead, cycle)
    version = assignment(app, cycle.housing).version
    clients = [WebClient(app.test_client()) for _ in range(2)]
    for client in clients:
        client.sign_in(people.lead)
        client.csrf_token()
    barrier = threading.Barrier(2)
    statuses = []

    def press_submit(client):
        barrier.wait()
        response = client.post(f"/returns/{cycle.housing}/submit", {"version": version, "declaration": "confirmed"})
        statuses.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=press_submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [(302, f"/returns/{cycle.housing}/confirmation")] * 2  # both people see the confirmation
    assert len(events(app, "assignment.submitted")) == 1
    assert assignment(app, cycle.housing).submission_count == 1


def test_answers_posted_after_the_session_expired_are_kept_and_restored(app, lead, cycle, people):
    state = page_state(lead, section_url(cycle, "people"))
    lead.client.delete_cookie("section17_session")  # the session expired while the page was open
    response = lead.post(section_url(cycle, "people"), {**state, **PEOPLE_DONE, "next": "continue"}, csrf=False)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/sign-in?next={section_url(cycle, 'people')}")
    assert "timed_out=1" in response.headers["Location"] and "kept=1" in response.headers["Location"]
    assert answers_of(app, cycle.housing) == {}  # kept, not saved
    sign_in_page = html.unescape(lead.get(response.headers["Location"]).get_data(as_text=True))
    assert "We kept the answers you had typed on the page: sign in again to check and save them." in sign_in_page
    lead.forget_token()
    response = lead.post(response.headers["Location"], {"email": people.lead.email, "password": people.lead.password})
    assert response.headers["Location"] == section_url(cycle, "people")
    page = html.unescape(lead.get(response.headers["Location"]).get_data(as_text=True))
    assert "We kept the answers you entered when you were signed out" in page
    assert 'value="Tenancy manager"' in page and 'value="120"' in page
    save(lead, section_url(cycle, "people"), PEOPLE_DONE)
    assert answers_of(app, cycle.housing)["lead-name"].value == "Tenancy manager"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingSave)) == 0


def test_kept_answers_are_shown_only_in_the_browser_that_posted_them(app, lead, new_web, cycle, people):
    state = page_state(lead, section_url(cycle, "people"))
    lead.client.delete_cookie("section17_session")
    lead.post(section_url(cycle, "people"), {**state, **PEOPLE_DONE}, csrf=False)
    other_browser = new_web()
    other_browser.sign_in(people.lead)
    page = other_browser.get(section_url(cycle, "people")).get_data(as_text=True)
    assert "We kept the answers" not in page and "Tenancy manager" not in page


def test_returning_with_a_reason_then_resubmitting_then_accepting(app, lead, new_web, cycle, people):
    _complete(lead, cycle)
    lead.post(f"/returns/{cycle.housing}/submit", {"version": assignment(app, cycle.housing).version,
                                                   "declaration": "confirmed"})
    cso = new_web()
    cso.sign_in(people.cso)
    review_url = f"/review/{cycle.housing}"
    page = cso.post(f"{review_url}/return", {"reason": "", "version": assignment(app, cycle.housing).version}
                    ).get_data(as_text=True)
    assert "Say what needs to change" in page
    cso.post(f"{review_url}/return", {"reason": "Add the service plan page number.",
                                      "version": assignment(app, cycle.housing).version})
    assert assignment(app, cycle.housing).status == "returned"

    task_list = lead.get(f"/returns/{cycle.housing}").get_data(as_text=True)
    assert "Your return needs changes" in task_list and "Add the service plan page number." in task_list
    save(lead, section_url(cycle), {**PLANNING_DONE,
                                    "q-plan-mentions-duty-evidence": "Service plan 2026, section 3, page 12"})
    assert assignment(app, cycle.housing).status == "returned"  # still with the lead officer until resubmitted
    lead.post(f"/returns/{cycle.housing}/submit", {"version": assignment(app, cycle.housing).version,
                                                   "declaration": "confirmed"})
    resubmitted = assignment(app, cycle.housing)
    assert resubmitted.status == "submitted" and resubmitted.submission_count == 2

    cso.post(f"{review_url}/accept", {"version": resubmitted.version})
    assert assignment(app, cycle.housing).status == "accepted"
    history = html.unescape(cso.get(review_url).get_data(as_text=True))
    steps = ["Started the return", "Submitted the return for Housing Services", "Sent the return for Housing Services back for changes",
             "Reason: Add the service plan page number.", "Submitted the return for Housing Services (submission 2)",
             "Accepted the return"]
    positions = [history.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "page 12" in history


def test_only_submitted_returns_can_be_reviewed(app, lead, new_web, cycle, people):
    cso = new_web()
    cso.sign_in(people.cso)
    page = cso.post(f"/review/{cycle.housing}/accept", {"version": assignment(app, cycle.housing).version}
                    ).get_data(as_text=True)
    assert "You cannot accept a return that is not started" in page
    assert assignment(app, cycle.housing).status == "not_started"
    assert "Accept return" not in cso.get(f"/review/{cycle.housing}").get_data(as_text=True)


def test_a_review_based_on_an_old_version_is_refused(app, lead, new_web, cycle, people):
    _complete(lead, cycle)
    lead.post(f"/returns/{cycle.housing}/submit", {"version": assignment(app, cycle.housing).version,
                                                   "declaration": "confirmed"})
    cso = new_web()
    cso.sign_in(people.cso)
    page = cso.post(f"/review/{cycle.housing}/accept", {"version": 1}).get_data(as_text=True)
    assert "This return changed while you were looking at it" in page
    assert assignment(app, cycle.housing).status == "submitted"


def test_the_partnership_checklist_needs_evidence_for_met_and_an_action_for_not_met(app, new_web, cycle, people):
    cso = new_web()
    cso.sign_in(people.cso)
    url = f"/returns/{cycle.partnership}/sections/leadership"
    save(cso, url, {"q-strategy-group": "met", "q-member-training": "not_met"})
    page = html.unescape(cso.get(f"/returns/{cycle.partnership}/check").get_data(as_text=True))
    assert "Give what shows this is met for ‘Is there a strategy group of the responsible authorities?’" in page
    assert "Say what you plan to do, and by when for ‘Have members had training on the partnership's work?’" in page
    save(cso, url, {"q-strategy-group": "not_applicable", "q-member-training": "not_met",
                    "q-member-training-action": "Training for new members by March"})
    page = cso.get(f"/returns/{cycle.partnership}/check").get_data(as_text=True)
    assert "Submit return" in page and "Not applicable" in page


def test_kept_answers_are_limited_per_address(app, lead, cycle):
    state = page_state(lead, section_url(cycle, "people"))
    lead.client.delete_cookie("section17_session")
    url = section_url(cycle, "people")
    for _ in range(30):
        assert lead.post(url, {**state, "q-staff-count": "1"}, csrf=False).status_code == 302
    assert lead.post(url, {**state, "q-staff-count": "1"}, csrf=False).status_code == 429
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingSave)) == 30


def test_a_follow_up_to_an_earlier_page_is_only_sent_when_it_applies(make_app, people, tmp_path):
    import shutil

    from tests.support import SURVEYS

    surveys = tmp_path / "surveys"
    shutil.copytree(SURVEYS, surveys)
    path = surveys / "small-departmental.yaml"
    path.write_text(path.read_text().replace(
        "      - id: lead-name\n        type: text\n",
        "      - id: lead-name\n        type: text\n        show_if: {question: plan-mentions-duty, equals: \"yes\"}\n"))
    app = make_app(SURVEYS_DIR=str(surveys))
    cycle = open_cycle(app, people)
    lead = WebClient(app.test_client())
    lead.sign_in(people.lead)
    assert 'name="q-lead-name"' not in lead.get(section_url(cycle, "people")).get_data(as_text=True)
    save(lead, section_url(cycle), {"q-plan-mentions-duty": "yes"})
    page = lead.get(section_url(cycle, "people")).get_data(as_text=True)
    assert 'name="q-lead-name"' in page and "data-show-if" not in page.split('id="q-lead-name-block"')[1][:40]


def test_hostile_answers_and_definition_text_are_escaped_on_every_page(make_app, people, tmp_path):
    import shutil

    from tests.support import SURVEYS

    surveys = tmp_path / "surveys"
    shutil.copytree(SURVEYS, surveys)
    path = surveys / "small-departmental.yaml"
    path.write_text(path.read_text().replace("Look for a community safety section.",
                                             "'<img src=x onerror=alert(1)>'"))
    app = make_app(SURVEYS_DIR=str(surveys))
    cycle = open_cycle(app, people)
    lead = WebClient(app.test_client())
    lead.sign_in(people.lead)
    hostile = '"><script>alert(1)</script>'
    save(lead, section_url(cycle), {"q-plan-mentions-duty": "yes", "q-plan-mentions-duty-evidence": hostile,
                                    "q-plan-notes": hostile})
    for url in (section_url(cycle), f"/returns/{cycle.housing}/check"):
        page = lead.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

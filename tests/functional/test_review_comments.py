"""Review that supports judgement (issue 17, part 1): comments on single answers, what changed since the
last submission, the decision at the foot with the open comments, evidence checked, the next return.

The journeys go through the pages as the people would: the lead officer fills in and submits a return,
the community safety officer comments and decides, the officer answers the comments and resubmits.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, AnswerComment, Assignment, AuditEvent, Submission
from tests.functional.test_respond import PEOPLE_DONE, PLANNING_DONE, save
from tests.support import signed_in

DUTY = "plan-mentions-duty"
STAFF = "staff-trained"


def words(response) -> str:
    """The page's visible words, one space between them."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(text).split())


def version_on(page: str) -> str:
    match = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"|<input[^>]*value="(\d+)"[^>]*name="version"', page)
    assert match, "no version on the page"
    return match.group(1) or match.group(2)


def submit(web, assignment_id: int):
    url = f"/returns/{assignment_id}/sections/planning"
    save(web, url, PLANNING_DONE)
    save(web, f"/returns/{assignment_id}/sections/people", PEOPLE_DONE)
    page = web.get(f"/returns/{assignment_id}/check").get_data(as_text=True)
    response = web.post(f"/returns/{assignment_id}/submit", {"version": version_on(page), "declaration": "confirmed"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/confirmation"), response.status_code


def resubmit(web, assignment_id: int):
    page = web.get(f"/returns/{assignment_id}/check").get_data(as_text=True)
    response = web.post(f"/returns/{assignment_id}/submit", {"version": version_on(page), "declaration": "confirmed"})
    assert response.headers["Location"].endswith("/confirmation")


def comment(web, assignment_id: int, question_id: str, body: str):
    return web.post(f"/review/{assignment_id}/comments", {"question": question_id, "body": body})


def review_version(web, assignment_id: int) -> str:
    return version_on(web.get(f"/review/{assignment_id}").get_data(as_text=True))


def send_back(web, assignment_id: int, reason: str = "See the comments on two answers."):
    return web.post(f"/review/{assignment_id}/return", {"reason": reason, "version": review_version(web, assignment_id)})


def comments_of(app, assignment_id: int) -> list[AnswerComment]:
    with app.app_context():
        rows = list(db.session.scalars(select(AnswerComment).where(AnswerComment.assignment_id == assignment_id)
                                       .order_by(AnswerComment.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


@pytest.fixture
def submitted(app, people, cycle, lead):
    submit(lead, cycle.housing)
    return cycle


@pytest.fixture
def cso(app, people):
    return signed_in(app, people.cso)


def test_comments_are_drafts_until_the_decision_then_sit_beside_their_questions(app, people, submitted, lead, cso):
    housing = submitted.housing
    assert comment(cso, housing, DUTY, "The service plan you cite does not mention ASB.").status_code == 302
    assert comment(cso, housing, STAFF, "Which staff are counted as front line?").status_code == 302
    review = words(cso.get(f"/review/{housing}"))
    assert "Draft: shared when you decide" in review and "2 comments still open" in review
    assert "ASB" not in words(lead.get(f"/returns/{housing}"))  # a draft is the reviewer's until they decide

    assert send_back(cso, housing).status_code == 302
    task_list = words(lead.get(f"/returns/{housing}"))
    assert "Comments on your answers" in task_list and "The reviewer commented on 2 answers" in task_list
    section = lead.get(f"/returns/{housing}/sections/planning").get_data(as_text=True)
    thread, question = section.index("The service plan you cite does not mention ASB."), section.index('id="q-plan-mentions-duty-block"')
    assert thread < question  # beside (just above) the question it is about
    assert "Which staff are counted" not in section  # that one is on the people page
    assert "Which staff are counted as front line?" in lead.get(f"/returns/{housing}/sections/people").get_data(as_text=True)


def test_changing_an_answer_or_replying_resolves_its_comment_and_the_reviewer_sees_exactly_what_changed(
        app, people, submitted, lead, cso):
    housing = submitted.housing
    comment(cso, housing, DUTY, "The service plan you cite does not mention ASB.")
    comment(cso, housing, STAFF, "Which staff are counted as front line?")
    send_back(cso, housing)

    save(lead, f"/returns/{housing}/sections/planning",
         {**PLANNING_DONE, "q-plan-mentions-duty-evidence": "Service plan 2026, section 3, page 8 (ASB)"})
    reply_page = lead.get(f"/returns/{housing}/questions/{STAFF}/reply")
    assert reply_page.status_code == 200 and "Which staff are counted as front line?" in words(reply_page)
    assert lead.post(f"/returns/{housing}/questions/{STAFF}/reply",
                     {"body": "Housing officers and caretakers: 40 of 100."}).status_code == 302
    by_question = {c.question_id: c for c in comments_of(app, housing) if c.author_role == "reviewer"}
    assert by_question[DUTY].resolution == "changed" and by_question[STAFF].resolution == "replied"
    resubmit(lead, housing)

    review = words(cso.get(f"/review/{housing}"))
    assert "1 answer changed since submission 1" in review
    assert "Before, at submission 1: Yes Evidence: Service plan 2026, section 3" in review
    assert "Housing officers and caretakers: 40 of 100." in review
    assert "Resolved on" in review and "the lead officer replied" in review and "the answer was changed" in review
    only_changed = cso.get(f"/review/{housing}?show=changed").get_data(as_text=True)
    assert 'id="answer-plan-mentions-duty"' in only_changed and 'id="answer-staff-trained"' not in only_changed
    assert 'id="answer-staff-trained"' in cso.get(f"/review/{housing}").get_data(as_text=True)
    with app.app_context():
        numbers = db.session.scalars(select(Submission.number).where(Submission.assignment_id == housing)
                                     .order_by(Submission.number)).all()
        assert numbers == [1, 2]


def test_a_first_submission_shows_no_changes(app, submitted, cso):
    page = words(cso.get(f"/review/{submitted.housing}"))
    assert "changed since" not in page and "Changed" not in page


def test_accepting_with_open_comments_asks_first(app, people, submitted, cso):
    housing = submitted.housing
    comment(cso, housing, DUTY, "The service plan you cite does not mention ASB.")
    refused = cso.post(f"/review/{housing}/accept", {"version": review_version(cso, housing)})
    assert refused.status_code == 200
    assert "Confirm that you want to accept the return with 1 comment still open" in words(refused)
    with app.app_context():
        assert db.session.get(Assignment, housing).status == "submitted"
    accepted = cso.post(f"/review/{housing}/accept", {"version": review_version(cso, housing),
                                                      "open_comments_seen": "y"})
    assert accepted.status_code == 302
    with app.app_context():
        assert db.session.get(Assignment, housing).status == "accepted"
    assert comments_of(app, housing)[0].shared_at is not None  # the officers see it even on an accepted return


def test_after_a_decision_the_page_offers_the_next_return_waiting(app, people, submitted, cso, new_web):
    other = new_web()
    other.sign_in(people.other_lead)
    submit(other, submitted.planning)
    cso.post(f"/review/{submitted.housing}/accept", {"version": review_version(cso, submitted.housing)})
    page = cso.get(f"/review/{submitted.housing}").get_data(as_text=True)
    assert 'id="next-return"' in page and f'href="/review/{submitted.planning}">Planning Services</a>' in page
    assert "1 return in Audit 2026 to 2027 is waiting for a decision" in words(cso.get(f"/review/{submitted.housing}"))


def test_evidence_checked_is_shown_and_a_changed_answer_clears_it(app, people, submitted, lead, cso):
    housing = submitted.housing
    assert cso.post(f"/review/{housing}/evidence-checked/{DUTY}", {"checked": "yes"}).status_code == 302
    page = words(cso.get(f"/review/{housing}"))
    assert "Evidence checked by Chris Safety on" in page
    assert cso.post(f"/review/{housing}/evidence-checked/{DUTY}", {"checked": "yes"}).status_code == 302  # twice: once
    with app.app_context():
        assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.checked")).all()) == 1
    send_back(cso, housing)
    save(lead, f"/returns/{housing}/sections/planning", {**PLANNING_DONE, "q-plan-mentions-duty-evidence": "New plan"})
    with app.app_context():
        row = db.session.scalar(select(Answer).where(Answer.assignment_id == housing, Answer.question_id == DUTY))
        assert row.evidence_checked_at is None and row.evidence_checked_by_id is None


@pytest.mark.parametrize("role", ["lead", "auditor"])
def test_only_a_reviewer_may_comment_check_or_resolve(app, people, submitted, cso, role):
    housing = submitted.housing
    comment(cso, housing, DUTY, "A comment.")
    comment_id = comments_of(app, housing)[0].id
    web = signed_in(app, people.lead if role == "lead" else people.auditor)
    for url, data in ((f"/review/{housing}/comments", {"question": DUTY, "body": "Mine"}),
                      (f"/review/{housing}/evidence-checked/{DUTY}", {"checked": "yes"}),
                      (f"/review/{housing}/comments/{comment_id}/resolve", {}),
                      (f"/review/{housing}/comments/{comment_id}/delete", {})):
        assert web.post(url, data).status_code == 403, url
    assert [c.body for c in comments_of(app, housing)] == ["A comment."]


def test_another_departments_officer_finds_no_comment_to_reply_to(app, people, submitted, cso, new_web):
    comment(cso, submitted.housing, DUTY, "The plan does not mention ASB.")
    send_back(cso, submitted.housing)
    other = new_web()
    other.sign_in(people.other_lead)
    assert other.get(f"/returns/{submitted.housing}/questions/{DUTY}/reply").status_code == 404
    assert other.post(f"/returns/{submitted.housing}/questions/{DUTY}/reply", {"body": "Not mine"}).status_code == 404
    assert len(comments_of(app, submitted.housing)) == 1


def test_a_comment_id_from_another_return_is_not_found(app, people, submitted, cso, new_web):
    other = new_web()
    other.sign_in(people.other_lead)
    submit(other, submitted.planning)
    comment(cso, submitted.planning, DUTY, "On planning.")
    planning_comment = comments_of(app, submitted.planning)[0].id
    assert cso.post(f"/review/{submitted.housing}/comments/{planning_comment}/delete").status_code == 404
    assert len(comments_of(app, submitted.planning)) == 1


def test_a_shared_comment_stays_on_the_record_and_a_draft_is_its_authors(app, people, submitted, cso):
    housing = submitted.housing
    comment(cso, housing, DUTY, "Draft one.")
    draft = comments_of(app, housing)[0].id
    assert cso.post(f"/review/{housing}/comments/{draft}/delete").status_code == 302
    assert comments_of(app, housing) == []
    comment(cso, housing, DUTY, "Shared one.")
    send_back(cso, housing)
    shared = comments_of(app, housing)[0].id
    refused = cso.post(f"/review/{housing}/comments/{shared}/delete")
    assert refused.status_code == 409 and "stays on the record" in words(refused)
    assert len(comments_of(app, housing)) == 1


@pytest.mark.parametrize(("body", "message"), [
    ("", "Enter your comment"),
    ("x" * 2001, "Comment must be 2,000 characters or fewer"),
    ("bad\x00byte", "Comment must not contain control characters"),
])
def test_a_bad_comment_is_refused_beside_its_question_and_nothing_is_stored(app, submitted, cso, body, message):
    response = comment(cso, submitted.housing, DUTY, body)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in words(response) and 'href="#comment-plan-mentions-duty"' in page
    assert comments_of(app, submitted.housing) == []


def test_hostile_text_in_a_comment_is_shown_as_text(app, submitted, cso, lead):
    comment(cso, submitted.housing, DUTY, '<script>alert("x")</script><b>bold</b>')
    send_back(cso, submitted.housing)
    for page in (cso.get(f"/review/{submitted.housing}"), lead.get(f"/returns/{submitted.housing}/sections/planning")):
        raw = page.get_data(as_text=True)
        assert "<script>alert" not in raw and "&lt;script&gt;alert" in raw and "<b>bold</b>" not in raw


def test_no_comment_once_the_return_is_no_longer_waiting_for_a_decision(app, submitted, cso):
    send_back(cso, submitted.housing)
    response = comment(cso, submitted.housing, DUTY, "Too late.")
    assert response.status_code == 200
    assert "You can comment on answers while the return waits for your decision" in words(response)
    assert comments_of(app, submitted.housing) == []


def test_a_question_not_in_the_questionnaire_is_refused(app, submitted, cso):
    assert comment(cso, submitted.housing, "no-such-question", "Hello").status_code == 400
    assert cso.post(f"/review/{submitted.housing}/evidence-checked/no-such-question", {"checked": "yes"}).status_code == 404


def test_the_departments_results_say_how_many_gaps_and_met_answers_were_checked(app, people, submitted, cso):
    from tests.functional.test_results import text

    cso.post(f"/review/{submitted.housing}/evidence-checked/{DUTY}", {"checked": "yes"})
    page = text(cso.get(f"/cycles/{submitted.cycle_id}/results/departments/{people.housing_id}"))
    assert re.search(r"Evidence checked 0 of \d+ answered gaps?, 1 of [1-9]\d* met answers?: seen by the reviewer", page)

"""The review trail from audit events: each submission paired with the decision that followed it."""

from __future__ import annotations

from datetime import UTC, datetime

from app.exports.reviews import ReturnEvent, review_rows


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


NAMES = {7: ("Housing Services", "HOUS"), 8: ("Audit", "AUD")}


def test_each_submission_gets_the_decision_after_it_and_every_reason_is_kept():
    events = [
        ReturnEvent(7, "assignment.submitted", at(1), "Lena Lead", {"submission": 1}),
        ReturnEvent(8, "assignment.submitted", at(2), "Ali Audit", {"submission": 1}),
        ReturnEvent(7, "assignment.returned", at(3), "Casey CSO", {"status": "returned", "reason": "Which plan?"}),
        ReturnEvent(7, "assignment.submitted", at(4), "Lena Lead", {"submission": 2}),
        ReturnEvent(7, "assignment.returned", at(5), "Casey CSO", {"reason": "Still no page number"}),
        ReturnEvent(7, "assignment.submitted", at(6), "Lena Lead", {"submission": 3}),
        ReturnEvent(7, "assignment.accepted", at(7), "Casey CSO", {"status": "accepted"}),
    ]
    rows = review_rows(events, NAMES)
    assert [(r.respondent, r.submission, r.decision, r.reason) for r in rows] == [
        ("Audit", 1, "", ""),  # waiting for a decision
        ("Housing Services", 1, "Returned for changes", "Which plan?"),
        ("Housing Services", 2, "Returned for changes", "Still no page number"),
        ("Housing Services", 3, "Accepted", ""),
    ]
    assert rows[1].submitted_at == at(1) and rows[1].decided_at == at(3) and rows[1].decided_by == "Casey CSO"
    assert rows[1].department_code == "HOUS" and rows[1].submitted_by == "Lena Lead"


def test_a_decision_without_its_submission_is_still_listed_and_numbers_follow_on():
    events = [ReturnEvent(7, "assignment.accepted", at(3), "Casey CSO", None),
              ReturnEvent(7, "assignment.submitted", at(4), "Lena Lead", None)]  # no number recorded: the next one
    rows = review_rows(events, NAMES)
    assert [(r.submission, r.submitted_at, r.decision) for r in rows] == [(0, None, "Accepted"), (1, at(4), "")]

"""What changed between two submissions of a return: a pure comparison of stored answers."""

from __future__ import annotations

from app.questionnaires.answers import AnswerValue
from app.review.changes import AnswerChange, changed_answers, stored_form


def stored(**answers: AnswerValue) -> dict:
    return {qid.replace("_", "-"): stored_form(answer) for qid, answer in answers.items()}


def test_a_changed_value_evidence_or_action_each_count_and_an_unchanged_answer_does_not():
    before = stored(a=AnswerValue("yes", evidence="Plan p.3"), b=AnswerValue(40), c=AnswerValue("no", action="Brief"),
                    d=AnswerValue("same"))
    after = {"a": AnswerValue("yes", evidence="Plan p.8"), "b": AnswerValue(60),
             "c": AnswerValue("no", action="Brief by March"), "d": AnswerValue("same")}
    assert set(changed_answers(before, after)) == {"a", "b", "c"}
    assert changed_answers(before, after)["b"] == AnswerChange("b", AnswerValue(40), AnswerValue(60))


def test_answered_where_there_was_nothing_and_cleared_where_there_was_something_both_count():
    changes = changed_answers(stored(gone=AnswerValue("x")), {"new": AnswerValue("y")})
    assert changes == {"gone": AnswerChange("gone", AnswerValue("x"), None),
                       "new": AnswerChange("new", None, AnswerValue("y"))}


def test_an_empty_answer_is_the_same_as_none_and_not_applicable_differs_from_a_value():
    assert changed_answers(stored(a=AnswerValue("")), {}) == {}
    assert changed_answers({}, {"a": AnswerValue(None)}) == {}
    assert set(changed_answers(stored(a=AnswerValue(None, not_applicable=True)), {"a": AnswerValue(0)})) == {"a"}


def test_a_list_answer_compares_by_its_items_in_order_stored():
    before = stored(topics=AnswerValue(["crime", "violence"]))
    assert changed_answers(before, {"topics": AnswerValue(["crime", "violence"])}) == {}
    assert set(changed_answers(before, {"topics": AnswerValue(["crime"])})) == {"topics"}


def test_evidence_checked_counts_gaps_and_met_answers_apart_and_leaves_unanswered_out():
    from app.review.evidence_checks import evidence_check_summary

    outcomes = {"a": "gap", "b": "gap", "c": "met", "d": "met", "e": "met", "f": "unanswered", "g": "not_applicable"}
    gaps, met = evidence_check_summary(outcomes, {"a", "c", "d", "f"})
    assert (gaps.checked, gaps.total) == (1, 2)
    assert (met.checked, met.total) == (2, 3)

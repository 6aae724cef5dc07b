"""Conditions, progress, scoring inputs and the workflow: the engine's rules as pure functions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from app.questionnaires.answers import AnswerValue
from app.questionnaires.conditions import evaluate, hidden_answered, visible_question_ids
from app.questionnaires.definition import Condition
from app.questionnaires.progress import SectionStatus, is_complete, missing_answers, section_status
from app.questionnaires.scoring import Outcome, score_answer
from app.questionnaires.validation import load_file, load_text
from app.questionnaires.workflow import (
    Action,
    InvalidTransition,
    Status,
    display_status,
    is_editable,
    is_overdue,
    next_status,
)

DEFINITION = load_file(Path(__file__).resolve().parents[1] / "fixtures" / "surveys" / "small-departmental.yaml"
                       ).definition
Q = DEFINITION.question

# -------------------------------------------------------------------------------------------- conditions


@pytest.mark.parametrize("condition,answers,expected", [
    (Condition("a", "equals", "yes"), {"a": AnswerValue("yes")}, True),
    (Condition("a", "equals", "yes"), {"a": AnswerValue("no")}, False),
    (Condition("a", "equals", "yes"), {}, False),
    (Condition("a", "not_equals", "no"), {"a": AnswerValue("yes")}, True),
    (Condition("a", "not_equals", "no"), {}, False),  # unanswered: the follow-up waits
    (Condition("a", "in", ["x", "y"]), {"a": AnswerValue("y")}, True),
    (Condition("a", "includes", "crime"), {"a": AnswerValue(["crime", "violence"])}, True),
    (Condition("a", "includes", "crime"), {"a": AnswerValue(["violence"])}, False),
    (Condition("a", "answered", True), {"a": AnswerValue(None, not_applicable=True)}, True),
    (Condition("a", "answered", False), {}, True),
    (Condition("a", "equals", 5), {"a": AnswerValue(5.0)}, True),
    (Condition("a", "equals", "not_applicable"), {"a": AnswerValue(None, not_applicable=True)}, True),
    (Condition(all_of=(Condition("a", "equals", "yes"), Condition("b", "equals", "no"))),
     {"a": AnswerValue("yes"), "b": AnswerValue("no")}, True),
    (Condition(all_of=(Condition("a", "equals", "yes"), Condition("b", "equals", "no"))),
     {"a": AnswerValue("yes")}, False),
    (Condition(any_of=(Condition("a", "equals", "yes"), Condition("b", "equals", "no"))),
     {"b": AnswerValue("no")}, True),
])
def test_conditions(condition, answers, expected):
    assert evaluate(condition, answers) is expected


CHAIN = load_text(yaml.safe_dump({
    "id": "chain", "version": 1, "title": "Chain", "kind": "departmental", "sections": [
        {"id": "s", "title": "S", "questions": [
            {"id": "a", "type": "yes_no", "text": "A"},
            {"id": "b", "type": "yes_no", "text": "B", "show_if": {"question": "a", "equals": "yes"}},
            {"id": "c", "type": "text", "text": "C", "show_if": {"question": "b", "equals": "yes"}},
        ]}]}), "chain.yaml").definition


def test_hidden_answers_do_not_reveal_later_questions():
    answers = {"a": AnswerValue("no"), "b": AnswerValue("yes"), "c": AnswerValue("kept from before")}
    assert visible_question_ids(CHAIN, answers) == {"a"}
    assert sorted(hidden_answered(CHAIN, answers)) == ["b", "c"]
    answers["a"] = AnswerValue("yes")
    assert visible_question_ids(CHAIN, answers) == {"a", "b", "c"}


# -------------------------------------------------------------------------------------------- progress


def _complete_answers() -> dict[str, AnswerValue]:
    return {
        "plan-mentions-duty": AnswerValue("yes", evidence="Service plan, section 3"),
        "plan-targets": AnswerValue("smart"),
        "staff-trained": AnswerValue(60),
        "lead-named": AnswerValue("officer", evidence="Jo Bloggs, tenancy manager"),
        "staff-count": AnswerValue(120),
    }


def test_a_complete_return_has_nothing_missing():
    assert missing_answers(DEFINITION, _complete_answers()) == []
    assert is_complete(DEFINITION, _complete_answers())


def test_required_questions_and_required_evidence_are_reported_in_order():
    answers = _complete_answers()
    answers["plan-mentions-duty"] = AnswerValue("yes")  # evidence missing
    del answers["staff-count"]
    missing = [(m.question.id, m.field, m.message) for m in missing_answers(DEFINITION, answers)]
    assert missing == [
        ("plan-mentions-duty", "q-plan-mentions-duty-evidence",
         "Give evidence for ‘Does your service plan mention the duty?’"),
        ("staff-count", "q-staff-count", "Answer ‘How many staff does the department employ?’"),
    ]


def test_hidden_questions_are_not_required():
    answers = _complete_answers()
    answers["plan-mentions-duty"] = AnswerValue("no")
    del answers["plan-targets"]
    assert "plan-targets" not in {m.question.id for m in missing_answers(DEFINITION, answers)}


def test_evidence_required_only_for_some_answers():
    answers = _complete_answers()
    answers["lead-named"] = AnswerValue("nobody")
    assert is_complete(DEFINITION, answers)
    answers["lead-named"] = AnswerValue("head")
    assert [m.message for m in missing_answers(DEFINITION, answers)] == [
        "Give their name and job title for ‘Who leads on Section 17 in your department?’"]


def test_not_applicable_counts_as_an_answer():
    answers = _complete_answers()
    answers["staff-trained"] = AnswerValue(None, not_applicable=True)
    assert is_complete(DEFINITION, answers)


def test_section_status():
    planning = DEFINITION.section("planning")
    assert section_status(DEFINITION, planning, {}) == SectionStatus.NOT_STARTED
    assert section_status(DEFINITION, planning, {"plan-mentions-duty": AnswerValue("yes")}) == SectionStatus.IN_PROGRESS
    assert section_status(DEFINITION, planning, _complete_answers()) == SectionStatus.COMPLETED


# -------------------------------------------------------------------------------------------- scoring


@pytest.mark.parametrize("question_id,answer,outcome,score", [
    ("plan-mentions-duty", AnswerValue("yes"), Outcome.MET, 1.0),
    ("plan-mentions-duty", AnswerValue("no"), Outcome.GAP, 0.0),
    ("plan-mentions-duty", None, Outcome.UNANSWERED, None),
    ("plan-targets", AnswerValue("aims"), Outcome.GAP, 0.5),
    ("plan-targets", AnswerValue("smart"), Outcome.MET, 1.0),
    ("staff-trained", AnswerValue(50), Outcome.MET, 1.0),
    ("staff-trained", AnswerValue(49.5), Outcome.GAP, 0.0),
    ("staff-trained", AnswerValue(None, not_applicable=True), Outcome.NOT_APPLICABLE, None),
    ("training-topics", AnswerValue(["crime", "substances", "violence"]), Outcome.MET, 1.0),
    ("training-topics", AnswerValue(["crime"]), Outcome.GAP, 0.0),
    ("lead-named", AnswerValue("officer"), Outcome.MET, 1.0),
    ("lead-named", AnswerValue("head"), Outcome.GAP, 0.0),
    ("lead-name", AnswerValue("Manager"), Outcome.UNSCORED, None),
])
def test_scoring_against_targets(question_id, answer, outcome, score):
    result = score_answer(Q(question_id), answer)
    assert (result.outcome, result.score) == (outcome, score)
    assert result.is_gap is (outcome in {Outcome.GAP, Outcome.UNANSWERED})


def test_hidden_questions_are_not_scored():
    assert score_answer(Q("plan-targets"), AnswerValue("none"), visible=False).outcome == Outcome.HIDDEN


# -------------------------------------------------------------------------------------------- workflow


@pytest.mark.parametrize("status,action,expected", [
    (Status.NOT_STARTED, Action.SAVE, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Action.SUBMIT, Status.SUBMITTED),
    (Status.SUBMITTED, Action.RETURN, Status.RETURNED),
    (Status.RETURNED, Action.SAVE, Status.RETURNED),
    (Status.RETURNED, Action.SUBMIT, Status.SUBMITTED),
    (Status.SUBMITTED, Action.ACCEPT, Status.ACCEPTED),
])
def test_allowed_transitions(status, action, expected):
    assert next_status(status, action) == expected


@pytest.mark.parametrize("status,action", [
    (Status.SUBMITTED, Action.SAVE), (Status.SUBMITTED, Action.SUBMIT), (Status.ACCEPTED, Action.SAVE),
    (Status.ACCEPTED, Action.RETURN), (Status.IN_PROGRESS, Action.ACCEPT), (Status.RETURNED, Action.ACCEPT),
])
def test_refused_transitions(status, action):
    with pytest.raises(InvalidTransition):
        next_status(status, action)


def test_only_open_returns_are_editable_and_can_be_overdue():
    today = date(2026, 11, 23)
    assert is_editable(Status.RETURNED) and not is_editable(Status.SUBMITTED)
    assert is_overdue(Status.IN_PROGRESS, date(2026, 11, 22), today)
    assert not is_overdue(Status.IN_PROGRESS, date(2026, 11, 23), today)  # due today is not late
    assert not is_overdue(Status.SUBMITTED, date(2026, 1, 1), today)
    assert display_status(Status.NOT_STARTED, date(2026, 1, 1), today) == ("Overdue", "govuk-tag--red")
    assert display_status(Status.ACCEPTED, date(2026, 1, 1), today) == ("Accepted", "govuk-tag--green")

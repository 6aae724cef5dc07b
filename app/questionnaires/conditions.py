"""show_if: which questions are shown, given the answers so far.

A test on a question that is unanswered or itself hidden is false (except
`answered: false`), so a follow-up appears only once the answer that leads to it
has been given. Visibility is worked out in definition order, so chains of
conditions resolve in one pass. Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.questionnaires.answers import AnswerValue
from app.questionnaires.definition import Condition, Definition


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, (int, float)) and isinstance(right, (int, float)) and not isinstance(left, bool):
        return float(left) == float(right)
    return left == right


def evaluate(condition: Condition, answers: Mapping[str, AnswerValue]) -> bool:
    if condition.all_of:
        return all(evaluate(part, answers) for part in condition.all_of)
    if condition.any_of:
        return any(evaluate(part, answers) for part in condition.any_of)
    answer = answers.get(condition.question or "")
    answered = answer is not None and answer.answered
    if condition.test == "answered":
        return answered == bool(condition.operand)
    if not answered or answer is None:
        return False
    value = answer.comparable
    if condition.test == "equals":
        return _same(value, condition.operand)
    if condition.test == "not_equals":
        return not _same(value, condition.operand)
    if condition.test == "in":
        return any(_same(value, option) for option in condition.operand)
    if condition.test == "includes":
        return isinstance(value, list) and condition.operand in value
    raise ValueError(f"unknown condition test {condition.test!r}")


def visible_question_ids(definition: Definition, answers: Mapping[str, AnswerValue]) -> set[str]:
    """Ids of the questions shown for these answers; hidden answers do not count for later conditions."""
    visible: set[str] = set()
    effective: dict[str, AnswerValue] = {}
    for question in definition.questions:
        if question.show_if is None or evaluate(question.show_if, effective):
            visible.add(question.id)
            if question.id in answers:
                effective[question.id] = answers[question.id]
    return visible


def hidden_answered(definition: Definition, answers: Mapping[str, AnswerValue]) -> list[str]:
    """Answers that belong to hidden questions: not required, not scored, cleared at submit."""
    visible = visible_question_ids(definition, answers)
    return [qid for qid, answer in answers.items() if qid not in visible and answer.answered]

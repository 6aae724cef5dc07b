"""How one answer scores against its question's target: the input to gap analysis.

Each answer scores from 0 to 1. Options carry scores; yes/no questions and
checklists (multiple choice, numbers) score 1 when the target is met and 0 when
not. A question without a target is not scored. "Not applicable" and hidden
questions are left out. An unanswered question has no score but counts as a gap.
Pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.questionnaires.answers import AnswerValue
from app.questionnaires.definition import Question


class Outcome(StrEnum):
    MET = "met"
    GAP = "gap"  # answered, target missed
    UNANSWERED = "unanswered"  # counts as a gap, not in the mean
    NOT_APPLICABLE = "not_applicable"
    HIDDEN = "hidden"
    UNSCORED = "unscored"


@dataclass(frozen=True)
class Score:
    outcome: Outcome
    score: float | None = None

    @property
    def is_gap(self) -> bool:
        return self.outcome in {Outcome.GAP, Outcome.UNANSWERED}


def score_answer(question: Question, answer: AnswerValue | None, *, visible: bool = True) -> Score:
    if not visible:
        return Score(Outcome.HIDDEN)
    if question.target is None:
        return Score(Outcome.UNSCORED)
    if answer is None or not answer.answered:
        return Score(Outcome.UNANSWERED)
    if answer.not_applicable:
        return Score(Outcome.NOT_APPLICABLE)
    score, met = _judge(question, answer.value)
    return Score(Outcome.MET if met else Outcome.GAP, score)


def _judge(question: Question, value: object) -> tuple[float, bool]:
    target = question.target
    assert target is not None
    if target.kind == "value":
        met = value == target.operand
        option = question.option(value) if isinstance(value, str) else None
        if option is not None and option.score is not None:
            return float(option.score), met
        return (1.0 if met else 0.0), met
    if target.kind == "min_score":
        option = question.option(value) if isinstance(value, str) else None
        score = float(option.score) if option and option.score is not None else 0.0
        return score, score >= float(target.operand)
    if target.kind == "min":
        met = isinstance(value, (int, float)) and value >= target.operand
    elif target.kind == "max":
        met = isinstance(value, (int, float)) and value <= target.operand
    elif target.kind == "includes":
        met = isinstance(value, list) and all(item in value for item in target.operand)
    elif target.kind == "min_selected":
        met = isinstance(value, list) and len(value) >= int(target.operand)
    else:
        raise ValueError(f"unknown target kind {target.kind!r}")
    return (1.0 if met else 0.0), met

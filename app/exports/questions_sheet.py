"""The Questions sheet: every question of every questionnaire in the workbook, with what each answer scores
and the rule it is held to, so that any score on Responses or Summary can be worked out again by hand.

Everything here comes from the questionnaire definitions (pure functions, no database): the same
definitions whose SHA-256 About lists, so a row can be checked against the file it came from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from app.analysis.frame import MATTER_LABELS, question_catalogue
from app.exports.answer_rows import theme_names
from app.exports.model import DefinitionInfo
from app.exports.sheets import Column, Kind
from app.questionnaires.definition import Definition, Question
from app.questionnaires.rendering import describe_target

YES_NO = ("Yes", "No")
MATTERS = tuple(MATTER_LABELS)  # crime and disorder, substance misuse, re-offending, serious violence
TYPE_WORDS = {"yes_no": "Yes or no", "single_choice": "One option", "scale": "A scale", "multiple_choice":
              "Several options", "text": "Short text", "long_text": "Long text", "number": "A number",
              "percentage": "A percentage", "date": "A date"}
QUESTION_COLUMNS = (
    Column("Questionnaire", width=24), Column("Version", Kind.INTEGER, 8), Column("Position", Kind.INTEGER, 8),
    Column("Section", width=24), Column("Theme", width=22), Column("Question id", width=22),
    Column("Question", Kind.LONG_TEXT, 50), Column("Type", width=14),
    Column("Options (value: label = score)", Kind.LONG_TEXT, 40), Column("Target", Kind.LONG_TEXT, 28),
    Column("How an answer scores", Kind.LONG_TEXT, 44), Column("Target rule", width=12),
    Column("Target value", width=16), Column("Statutory", width=9, choices=YES_NO),
    *(Column(MATTER_LABELS[key], width=13, choices=YES_NO) for key in MATTERS),
    Column("Hint", Kind.LONG_TEXT, 36), Column("Definition SHA-256", width=66),
)


def _percent(score: float) -> str:
    return f"{round(score * 100):d}%" if float(score * 100).is_integer() else f"{score * 100:.1f}%"


def option_words(question: Question) -> str:
    """Each option as 'value: label = score', in the order offered ('' for questions without options)."""
    parts = []
    for option in question.choices:
        score = f" = {_percent(option.score)}" if option.score is not None else ""
        parts.append(f"{option.value}: {option.label}{score}")
    return "; ".join(parts)


def scoring_words(question: Question) -> str:
    """How an answer to this question scores, in words, following app/questionnaires/scoring.py exactly."""
    target = question.target
    if target is None:
        return "Not scored: the answer is recorded but not counted in any score."
    scored_options = any(o.score is not None for o in question.choices)
    if target.kind == "value":
        if scored_options:
            return (f"The chosen option's score (above). Met only when the answer is "
                    f"{describe_target(question)}.")
        return f"100% when the answer is {describe_target(question)}, otherwise 0%; met at 100%."
    if target.kind == "min_score":
        return (f"The chosen option's score (above); an option without a score scores 0%. Met at "
                f"{_percent(float(target.operand))} or more: {describe_target(question)}.")
    return f"100% when the answer is {describe_target(question)}, otherwise 0%; met at 100%."


def target_data(question: Question) -> tuple[str, str]:
    """The target as data: its rule and its value (JSON for lists), both '' for an unscored question."""
    target = question.target
    if target is None:
        return "", ""
    operand = target.operand
    value = json.dumps(operand, ensure_ascii=False) if isinstance(operand, (list, tuple, dict)) else str(operand)
    return target.kind, value


def question_rows(definitions: Iterable[Definition], fingerprints: Mapping[tuple[str, int], str]
                  ) -> Iterator[tuple[Any, ...]]:
    """One row per question, in QUESTION_COLUMNS order: each questionnaire once, in the order given."""
    seen: set[tuple[str, int]] = set()
    for definition in definitions:
        key = (definition.id, definition.version)
        if key in seen:
            continue
        seen.add(key)
        themes = theme_names(definition)
        by_id = {question.id: question for question in definition.questions}
        for entry in question_catalogue(definition):
            question = by_id[entry["question_id"]]
            rule, value = target_data(question)
            matters = set(entry["matter"])
            yield (definition.id, definition.version, entry["position"], entry["section"],
                   themes.get(entry["theme"], "") if entry["theme"] else "", question.id, question.text,
                   TYPE_WORDS.get(question.type, question.type), option_words(question), describe_target(question),
                   scoring_words(question), rule, value, "Yes" if entry["statutory"] else "No",
                   *("Yes" if key in matters else "No" for key in MATTERS), question.hint,
                   fingerprints.get(key, ""))


def fingerprints_of(infos: Iterable[DefinitionInfo]) -> dict[tuple[str, int], str]:
    return {(info.id, info.version): info.sha256 for info in infos}

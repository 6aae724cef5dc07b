"""The long scored frame: one row per return and question, with its outcome and score.

Input is what one query gives: the cycle's returns and their stored answers (long,
one row per answer). Every question of each return's definition gets a row, answered
or not, so that unanswered questions count as gaps and hidden ones are visibly left
out. Tags on the question (theme, matter, hallmark, statutory, source, approach)
become columns, which is what every later grouping works on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from app.questionnaires.answers import AnswerValue
from app.questionnaires.conditions import visible_question_ids
from app.questionnaires.definition import Definition, Question
from app.questionnaires.rendering import describe_target, format_answer
from app.questionnaires.scoring import Outcome, score_answer

RETURN_COLUMNS = ["assignment_id", "snapshot_id", "respondent_type", "department_id", "department",
                  "peer_partnership_id", "peer", "is_own", "status"]
ANSWER_COLUMNS = ["assignment_id", "question_id", "value", "not_applicable", "evidence", "action",
                  "updated_at", "updated_by"]
FRAME_COLUMNS = [
    *RETURN_COLUMNS, "definition_id", "kind", "position", "section_id", "section", "question_id", "question",
    "theme", "matter", "hallmark", "statutory", "source", "approach", "target", "value", "not_applicable",
    "evidence", "action", "updated_at", "updated_by", "answer", "outcome", "score", "is_gap",
]
# Outcomes that belong to a scored question that applies to the return.
IN_SCOPE = frozenset({Outcome.MET, Outcome.GAP, Outcome.UNANSWERED})

MATTER_LABELS = {
    "crime-and-disorder": "Crime and disorder, including anti-social behaviour",
    "substance-misuse": "Misuse of drugs, alcohol and other substances",
    "reoffending": "Re-offending",
    "serious-violence": "Serious violence",
}


def _as_tuple(tag: Any) -> tuple[str, ...]:
    if tag is None:
        return ()
    if isinstance(tag, (list, tuple)):
        return tuple(str(t) for t in tag)
    return (str(tag),)


def _question_columns(definition: Definition, question: Question, position: int, section_title: str
                      ) -> dict[str, Any]:
    tags = question.tags
    hallmark = tags.get("hallmark")
    return {
        "definition_id": definition.id, "kind": definition.kind, "position": position,
        "section_id": question.section_id, "section": section_title, "question_id": question.id,
        "question": question.text, "theme": str(tags["theme"]) if tags.get("theme") is not None else None,
        "matter": _as_tuple(tags.get("matter")),
        "hallmark": str(hallmark) if hallmark is not None else None,
        "statutory": bool(tags.get("statutory", False)), "source": str(tags.get("source") or ""),
        "approach": str(tags["approach"]) if tags.get("approach") else None,
        "target": describe_target(question),
    }


_NO_ANSWER: tuple[None, None, None] = (None, None, None)


def _freeze(answer: AnswerValue | None) -> Any:
    """What scoring and wording depend on, hashable (lists become tuples)."""
    if answer is None:
        return None
    value = tuple(answer.value) if isinstance(answer.value, list) else answer.value
    return (value, bool(answer.not_applicable))


def _catalogue_rows(definition: Definition) -> list[tuple[Any, ...]]:
    """question_catalogue as tuples in FRAME_COLUMNS order (memoised)."""
    cached = definition.__dict__.get("_analysis_catalogue_rows")
    if cached is None:
        cached = [tuple(columns.values()) for columns in question_catalogue(definition)]
        object.__setattr__(definition, "_analysis_catalogue_rows", cached)
    return cached


def question_catalogue(definition: Definition) -> list[dict[str, Any]]:
    """A definition's questions with their position and tag columns (memoised on the definition)."""
    cached = definition.__dict__.get("_analysis_catalogue")
    if cached is None:
        cached = []
        position = 0
        for section in definition.sections:
            for question in section.questions:
                position += 1
                cached.append(_question_columns(definition, question, position, section.title))
        object.__setattr__(definition, "_analysis_catalogue", cached)
    return cached


StoredAnswers = dict[int, dict[str, tuple[AnswerValue, Any, Any]]]


def _answers_by_return(answers: pd.DataFrame) -> StoredAnswers:
    grouped: StoredAnswers = {}
    for row in answers.itertuples(index=False):
        value = AnswerValue(row.value, bool(row.not_applicable), row.evidence or "", row.action or "")
        grouped.setdefault(int(row.assignment_id), {})[row.question_id] = (value, row.updated_at, row.updated_by)
    return grouped


def score_returns(returns: pd.DataFrame, answers: pd.DataFrame, definitions: Mapping[int, Definition], *,
                  all_labels: bool = False) -> pd.DataFrame:
    """Score every question of every return (frames in, frame out; see score_records)."""
    records = list(returns[RETURN_COLUMNS].itertuples(index=False, name=None))
    return score_records(records, _answers_by_return(answers), definitions, all_labels=all_labels)


def score_records(returns: Iterable[tuple[Any, ...]], stored_answers: StoredAnswers,
                  definitions: Mapping[int, Definition], *, all_labels: bool = False) -> pd.DataFrame:
    """Score every question of every return.

    `returns` are tuples in RETURN_COLUMNS order; `stored_answers` maps a return's id
    to its answers by question id. `definitions` maps a snapshot id to its Definition.
    The `answer` column (the answer in words) is filled for gaps only unless
    `all_labels`, since pages only show gaps and formatting every answer is most of
    the cost on a large council.
    """
    records: list[tuple[Any, ...]] = []
    # Scoring and wording depend only on the question and the value, and a council's
    # answers repeat a handful of values per question: judge each pair once.
    judged: dict[tuple[Any, ...], tuple[str, float, bool, str]] = {}
    for ret in returns:
        assignment_id, snapshot_id = int(ret[0]), int(ret[1])
        definition = definitions[snapshot_id]
        stored = stored_answers.get(assignment_id, {})
        values = {qid: item[0] for qid, item in stored.items()}
        visible = visible_question_ids(definition, values)
        for question, columns in zip(definition.questions, _catalogue_rows(definition), strict=True):
            value, updated_at, updated_by = stored.get(question.id, _NO_ANSWER)
            shown = question.id in visible
            key = (definition.id, definition.version, question.id, shown, _freeze(value))
            verdict = judged.get(key)
            if verdict is None:
                result = score_answer(question, value, visible=shown)
                label = format_answer(question, value) if (result.is_gap or all_labels) else ""
                verdict = (result.outcome.value, np.nan if result.score is None else result.score, result.is_gap,
                           label)
                judged[key] = verdict
            outcome, score, is_gap, label = verdict
            records.append((*ret, *columns,
                            value.value if value else None, bool(value.not_applicable) if value else False,
                            value.evidence if value else "", value.action if value else "",
                            updated_at, updated_by, label, outcome, score, is_gap))
    if not records:
        return empty_frame()
    frame = pd.DataFrame(records, columns=FRAME_COLUMNS)
    frame["score"] = frame["score"].astype(float)
    frame["is_gap"] = frame["is_gap"].astype(bool)
    return frame


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame(columns=FRAME_COLUMNS)


def ordered_unique(values: Iterable[Any]) -> list[Any]:
    """Values in first-seen order without repeats or missing values."""
    seen: dict[Any, None] = {}
    for value in values:
        if value is not None and not (isinstance(value, float) and np.isnan(value)):
            seen.setdefault(value, None)
    return list(seen)


def theme_labels(frame: pd.DataFrame) -> dict[str, str]:
    """Each theme with the title of the first section that carries it, in questionnaire order."""
    themed = frame.dropna(subset=["theme"]).sort_values("position", kind="stable")
    return dict(themed.drop_duplicates("theme")[["theme", "section"]].itertuples(index=False, name=None))

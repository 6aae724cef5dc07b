"""The long scored frame: one row per return and question, with its outcome and score.

Input is what one query gives: the cycle's returns and their stored answers (long,
one row per answer). Every question of each return's definition gets a row, answered
or not, so that unanswered questions count as gaps and hidden ones are visibly left
out. Tags on the question (theme, matter, hallmark, statutory, source, approach)
become columns, which is what every later grouping works on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from app.questionnaires.answers import AnswerValue
from app.questionnaires.conditions import visible_question_ids
from app.questionnaires.definition import CHOICE_TYPES, Definition, Question
from app.questionnaires.rendering import describe_target, format_answer
from app.questionnaires.scoring import Outcome, score_answer

RETURN_COLUMNS = ["assignment_id", "snapshot_id", "respondent_type", "department_id", "department",
                  "peer_partnership_id", "peer", "is_own", "status"]
ANSWER_COLUMNS = ["assignment_id", "question_id", "value", "not_applicable", "evidence", "action",
                  "updated_at", "updated_by"]
QUESTION_COLUMNS = ["definition_id", "kind", "position", "section_id", "section", "question_id", "question", "theme",
                    "matter", "hallmark", "statutory", "source", "approach", "target"]
_PER_ANSWER = ["value", "not_applicable", "evidence", "action", "updated_at", "updated_by", "answer", "outcome",
               "score", "is_gap"]
FRAME_COLUMNS = [*RETURN_COLUMNS, *QUESTION_COLUMNS, *_PER_ANSWER]
# Outcomes that belong to a scored question that applies to the return.
IN_SCOPE = frozenset({Outcome.MET, Outcome.GAP, Outcome.UNANSWERED})
# Question types whose answers come from a short list, so that each distinct answer recurs.
FINITE_TYPES = CHOICE_TYPES | {"multiple_choice"}

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


def _catalogue_rows(definition: Definition) -> list[tuple[Any, ...]]:
    """question_catalogue as tuples in QUESTION_COLUMNS order (memoised)."""
    cached = definition.__dict__.get("_analysis_catalogue_rows")
    if cached is None:
        cached = [tuple(columns[name] for name in QUESTION_COLUMNS) for columns in question_catalogue(definition)]
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


# A stored answer as the query gives it: [value, not_applicable], or with details
# [value, not_applicable, evidence, action, updated_at, updated_by].
RawAnswer = Sequence[Any]
StoredAnswers = dict[int, dict[str, RawAnswer]]  # return id -> question id -> answer


def _answers_by_return(answers: pd.DataFrame) -> StoredAnswers:
    grouped: StoredAnswers = {}
    for row in answers.itertuples(index=False):
        grouped.setdefault(int(row.assignment_id), {})[row.question_id] = [
            row.value, bool(row.not_applicable), row.evidence or "", row.action or "", row.updated_at,
            row.updated_by]
    return grouped


def score_returns(returns: pd.DataFrame, answers: pd.DataFrame, definitions: Mapping[int, Definition], *,
                  all_labels: bool = False) -> pd.DataFrame:
    """Score every question of every return (frames in, frame out; see score_records)."""
    records = list(returns[RETURN_COLUMNS].itertuples(index=False, name=None))
    return score_records(records, _answers_by_return(answers), definitions, all_labels=all_labels)


def _column(values: Sequence[Any]) -> np.ndarray:
    """An object array of exactly these values (np.array would turn tuples into a second dimension)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _conditional_inputs(definition: Definition) -> frozenset[str] | None:
    """Ids of the questions that some show_if looks at; None when nothing is ever hidden (memoised)."""
    if "_analysis_conditional_inputs" not in definition.__dict__:
        ids = {qid for q in definition.questions if q.show_if is not None for qid in q.show_if.question_ids()}
        has_conditions = any(q.show_if is not None for q in definition.questions)
        object.__setattr__(definition, "_analysis_conditional_inputs", frozenset(ids) if has_conditions else None)
    return definition.__dict__["_analysis_conditional_inputs"]


def _visible(definition: Definition, answers: Mapping[str, RawAnswer]) -> set[str] | None:
    """The questions shown for these answers, or None for "all of them"."""
    inputs = _conditional_inputs(definition)
    if inputs is None:
        return None
    values = {qid: AnswerValue(raw[0], bool(raw[1])) for qid in inputs if (raw := answers.get(qid)) is not None}
    return visible_question_ids(definition, values)


def _answer_value(raw: RawAnswer | None) -> AnswerValue | None:
    if raw is None:
        return None
    if len(raw) > 2:
        return AnswerValue(raw[0], bool(raw[1]), raw[2] or "", raw[3] or "")
    return AnswerValue(raw[0], bool(raw[1]))


def _detail(raws: Sequence[RawAnswer | None], index: int, missing: Any, *, present: bool = True) -> np.ndarray:
    """Item `index` of each answer; `missing` where there is no answer or it came without details."""
    if not present:
        return np.full(len(raws), missing, dtype=object)
    return _column([raw[index] if raw is not None and len(raw) > index else missing for raw in raws])


def _taken(names: Sequence[str], rows: Sequence[tuple[Any, ...]], picks: Sequence[int]) -> pd.DataFrame:
    """Columns of a small table (one row per return, question or verdict) repeated for each answer row.

    Types are inferred on the small table, which is cheaper than on the long frame and gives the same.
    """
    table = pd.DataFrame({name: _column(values) for name, values in zip(names, zip(*rows, strict=True),
                                                                        strict=True)}).infer_objects()
    return table.take(np.asarray(picks)).reset_index(drop=True)


Verdict = tuple[str, float, bool, str]  # outcome, score (NaN when there is none), is a gap, the answer in words


class Judge:
    """Scores and words answers, each distinct (question, shown, value) once.

    A council's answers repeat a handful of values per question, so judging each
    distinct one once, and wording it only when it will be shown, is most of what
    makes scoring a large cycle fast. `question_key` is anything hashable that is
    the same for one question and different for every other (an index, or id()).
    """

    def __init__(self, *, all_labels: bool) -> None:
        self.all_labels = all_labels
        self.verdicts: list[Verdict] = []
        self._known: dict[tuple[Any, ...], int] = {}

    def index_of(self, question_key: Any, question: Question, shown: bool, raw: RawAnswer | None) -> int:
        if raw is None:
            key: tuple[Any, ...] = (question_key, shown)
        else:
            value = raw[0]
            key = (question_key, shown, tuple(value) if isinstance(value, list) else value, bool(raw[1]))
        verdict = self._known.get(key)
        if verdict is None:
            answer = _answer_value(raw)
            result = score_answer(question, answer, visible=shown)
            label = format_answer(question, answer) if (result.is_gap or self.all_labels) else ""
            verdict = self._known[key] = len(self.verdicts)
            self.verdicts.append((result.outcome.value, np.nan if result.score is None else result.score,
                                  result.is_gap, label))
        return verdict

    def __call__(self, question_key: Any, question: Question, shown: bool, raw: RawAnswer | None) -> Verdict:
        """One answer's verdict, for callers that stream answers and keep nothing per answer (exports).

        Only answers drawn from a finite set (choices, and no answer at all) are
        remembered: free text, numbers and dates are mostly distinct, so remembering
        them would make memory grow with the cycle for no gain.
        """
        if raw is None or raw[0] is None or question.type in FINITE_TYPES:
            return self.verdicts[self.index_of(question_key, question, shown, raw)]
        answer = _answer_value(raw)
        result = score_answer(question, answer, visible=shown)
        label = format_answer(question, answer) if (result.is_gap or self.all_labels) else ""
        return result.outcome.value, np.nan if result.score is None else result.score, result.is_gap, label


def visible_in(definition: Definition, answers: Mapping[str, RawAnswer]) -> set[str] | None:
    """The questions shown for these stored answers, or None for "all of them"."""
    return _visible(definition, answers)


def _answer_key(raw: RawAnswer | None) -> tuple[Any, ...] | None:
    """What makes two stored answers to one question judge alike: the value (lists as tuples) and N/A."""
    if raw is None:
        return None
    value = raw[0]
    return (tuple(value) if isinstance(value, list) else value, bool(raw[1]))


# One kind of answer to one question: outcome, score, is a gap, the answer in words, value, not applicable.
Distinct = tuple[str, float, bool, str, Any, bool]


class _Kinds:
    """The distinct answers to each question, numbered across the frame, each judged once."""

    def __init__(self, judge: Judge) -> None:
        self.judge = judge
        self.rows: list[Distinct] = []

    def column(self, question_key: int, question: Question, raws: Sequence[RawAnswer | str | None],
               shown: Sequence[bool] | None, encoded: bool) -> list[int]:
        """The kind of each answer to one question (an index into `rows`).

        Encoded answers (JSON text, see app.results.loading.answers_json) are their own
        keys: identical answers are identical strings, so one comprehension of dict
        look-ups numbers them, and only the first of each kind is decoded and judged.
        Decoded answers are keyed by their value and not-applicable flag.
        """
        keys: list[Any] = list(raws) if encoded else [_answer_key(raw) for raw in raws]
        if shown is not None:
            keys = list(zip(keys, shown, strict=True))
        numbered: dict[Any, int] = {}
        local = [numbered.setdefault(key, len(numbered)) for key in keys]
        first_of: dict[int, int] = {}
        for position, code in enumerate(local):
            if code not in first_of:
                first_of[code] = position
                if len(first_of) == len(numbered):
                    break
        base = len(self.rows)
        for code in range(len(numbered)):
            position = first_of[code]
            raw = raws[position]
            if encoded and raw is not None:
                raw = json.loads(raw)
            visible = True if shown is None else shown[position]
            verdict = self.judge.verdicts[self.judge.index_of(question_key, question, visible, raw)]
            self.rows.append((*verdict, raw[0] if raw is not None else None,
                              bool(raw[1]) if raw is not None else False))
        return [base + code for code in local]


def score_records(returns: Iterable[tuple[Any, ...]], stored_answers: StoredAnswers,
                  definitions: Mapping[int, Definition], *, all_labels: bool = False) -> pd.DataFrame:
    """Score every question of every return.

    `returns` are tuples in RETURN_COLUMNS order; `stored_answers` maps a return's id
    to its answers by question id, each a list ([value, not applicable, ...details])
    or that list's JSON text. `definitions` maps a snapshot id to its Definition.
    The `answer` column (the answer in words) is filled for gaps only unless
    `all_labels`, since pages only show gaps and formatting every answer is most of
    the cost on a large council.

    Every row records only three indexes: its return, its question and the kind of
    its answer (see _Kinds). The returns of each definition are scored question by
    question, a whole column of answers at a time, and the frame's columns are then
    taken by index (row by row, a Python call per answer had been a third of the
    heatmap page at 1,000 departments; benchmarks/analysis.py).
    """
    return_rows = [tuple(ret) for ret in returns]
    if not return_rows:
        return empty_frame()
    question_rows: list[tuple[Any, ...]] = []
    kinds = _Kinds(Judge(all_labels=all_labels))
    # Returns grouped by definition, in their order: id(definition) -> (definition, positions).
    groups: dict[int, tuple[Definition, list[int]]] = {}
    for position, ret in enumerate(return_rows):
        definition = definitions[int(ret[1])]
        groups.setdefault(id(definition), (definition, []))[1].append(position)
    encoded = any(isinstance(raw, str) for answers in stored_answers.values() for raw in answers.values())
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, list[Any]]] = []
    for definition, positions in groups.values():
        base = len(question_rows)
        question_rows.extend(_catalogue_rows(definition))
        questions = definition.questions
        ids = [question.id for question in questions]
        answer_sets = [stored_answers.get(int(return_rows[p][0]), {}) for p in positions]
        raws = [answers.get(qid) for answers in answer_sets for qid in ids]  # return by return
        visibles = ([_visible(definition, _decoded(answers) if encoded else answers) for answers in answer_sets]
                    if _conditional_inputs(definition) is not None else None)
        width = len(ids)
        by_kind = np.empty((len(positions), width), dtype=np.int64)
        for column, question in enumerate(questions):
            shown = None if visibles is None else [v is None or question.id in v for v in visibles]
            by_kind[:, column] = kinds.column(base + column, question, raws[column::width], shown, encoded)
        parts.append((np.repeat(np.asarray(positions, dtype=np.int64), width),
                      np.tile(np.arange(base, base + width, dtype=np.int64), len(positions)),
                      by_kind.ravel(), raws))
    by_return = np.concatenate([part[0] for part in parts])
    by_question = np.concatenate([part[1] for part in parts])
    by_answer_kind = np.concatenate([part[2] for part in parts])
    raws = [raw for part in parts for raw in part[3]]
    if not raws:
        return empty_frame()
    if len(parts) > 1:  # back into the returns' order, each return's questions in questionnaire order
        order = np.argsort(by_return, kind="stable")
        by_return, by_question, by_answer_kind = by_return[order], by_question[order], by_answer_kind[order]
        raws = [raws[i] for i in order]
    # Every answer of one query has the same shape: encoded, or lists with details or without.
    detailed = not encoded and next((len(raw) > 2 for raw in raws if raw is not None), False)
    if encoded:  # the value and flag of each kind of answer, taken with its verdict
        answers = pd.DataFrame({name: np.full(len(raws), missing, dtype=object) for name, missing in
                                (("evidence", ""), ("action", ""), ("updated_at", None), ("updated_by", None))})
        kind_columns = ["outcome", "score", "is_gap", "answer", "value", "not_applicable"]
    else:
        answers = pd.DataFrame({
            "value": _detail(raws, 0, None),
            "not_applicable": np.array([bool(raw[1]) if raw is not None else False for raw in raws], dtype=bool),
            **{name: _detail(raws, index, missing, present=detailed)
               for name, index, missing in (("evidence", 2, ""), ("action", 3, ""), ("updated_at", 4, None),
                                            ("updated_by", 5, None))},
        }).infer_objects()
        kind_columns = ["outcome", "score", "is_gap", "answer"]
    kind_rows = [row[:len(kind_columns)] for row in kinds.rows]
    frame = pd.concat([_taken(RETURN_COLUMNS, return_rows, by_return),
                       _taken(QUESTION_COLUMNS, question_rows, by_question),
                       answers, _taken(kind_columns, kind_rows, by_answer_kind)], axis=1)[FRAME_COLUMNS]
    frame["score"] = frame["score"].astype(float)
    frame["is_gap"] = frame["is_gap"].astype(bool)
    frame["not_applicable"] = frame["not_applicable"].astype(bool)
    return frame


def _decoded(answers: Mapping[str, Any]) -> dict[str, Any]:
    """A return's encoded answers decoded, for deciding which questions its answers hide."""
    return {qid: json.loads(raw) if isinstance(raw, str) else raw for qid, raw in answers.items()}


# Columns of the frame that are not plain objects. An empty frame must carry them too: an empty
# object column used as a row mask (frame[frame["is_gap"]]) selects columns, not rows, and drops them all.
_TYPED_COLUMNS = {"not_applicable": bool, "is_gap": bool, "score": float, "is_own": bool}


def empty_frame() -> pd.DataFrame:
    """A frame with every column and no rows: a cycle with no returns of the kind asked for."""
    return pd.DataFrame({name: pd.Series(dtype=_TYPED_COLUMNS.get(name, object)) for name in FRAME_COLUMNS})


def ordered_unique(values: Iterable[Any]) -> list[Any]:
    """Values in first-seen order without repeats or missing values."""
    seen: dict[Any, None] = {}
    for value in values:
        if value is not None and not (isinstance(value, float) and np.isnan(value)):
            seen.setdefault(value, None)
    return list(seen)


def theme_labels(frame: pd.DataFrame) -> dict[str, str]:
    """Each theme with the title of the first section that carries it, in questionnaire order."""
    themed = frame[["theme", "section", "position"]].dropna(subset=["theme"]).drop_duplicates(["theme", "position"])
    themed = themed.sort_values("position", kind="stable").drop_duplicates("theme")
    return dict(themed[["theme", "section"]].itertuples(index=False, name=None))


SHORT_HEADING = 12  # characters: a heading this long still fits a heatmap column at 1280 pixels


def theme_headings(themes: Mapping[str, str]) -> dict[str, str]:
    """A short column heading for each theme, for tables with a column per theme.

    A section title ("Working with the partnership") is too long for one of a dozen
    columns; the theme's key, written as words ("Partnership"), is what the question
    author chose to name the theme, and is kept when it is shorter. Pages give the
    full title as well (to screen readers in the heading, and in a key).
    """
    headings = {}
    for key, label in themes.items():
        short = key.replace("-", " ").replace("_", " ").strip().capitalize()
        headings[key] = short if len(label) > SHORT_HEADING and short and len(short) < len(label) else label
    return headings

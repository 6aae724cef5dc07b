"""Comparing two cycles: what happened to each gap, and how scores moved.

Questions are matched by id (ids are never reused for a different question), and
departments by id. For each department and question that is a gap in either cycle:

- new: a gap in the later cycle that was not one in the earlier (met, or not asked);
- closed: a gap in the earlier cycle that is met in the later one;
- worse: a gap in both, scoring lower in the later cycle (unanswered counts as 0);
- persisting: a gap in both, scoring the same or better.

A gap whose question was not asked in the later cycle (a department that left, a
question that was dropped) is not counted as closed.
"""

from __future__ import annotations

import json
from enum import StrEnum

import numpy as np
import pandas as pd

from app.analysis.rules import RagBands
from app.analysis.scores import summarise


class Change(StrEnum):
    NEW = "new"
    CLOSED = "closed"
    PERSISTING = "persisting"
    WORSE = "worse"


CHANGE_LABELS = {Change.NEW: "New", Change.CLOSED: "Closed", Change.PERSISTING: "Persisting",
                 Change.WORSE: "Worse"}
KEY = ["department_id", "question_id"]
_KEEP = [*KEY, "department", "question", "theme", "section", "position", "is_gap", "score", "answer", "outcome"]


def _departmental(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame[(frame["respondent_type"] == "department") & frame["outcome"].isin(["met", "gap", "unanswered"])]
    return rows[_KEEP]


def gap_changes(earlier: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    """One row per department and question that is a gap in either cycle, with its change."""
    merged = _departmental(earlier).merge(_departmental(later), on=KEY, how="outer", suffixes=("_before", "_after"))
    before_gap = merged["is_gap_before"].astype("boolean").fillna(False).astype(bool)
    after_gap = merged["is_gap_after"].astype("boolean").fillna(False).astype(bool)
    asked_after = merged["outcome_after"].notna()
    merged = merged[(before_gap | after_gap) & (asked_after | ~before_gap)].copy()
    before_gap, after_gap = before_gap[merged.index], after_gap[merged.index]
    before_score = merged["score_before"].fillna(0.0)
    after_score = merged["score_after"].fillna(0.0)
    merged["change"] = np.select(
        [~before_gap & after_gap, before_gap & ~after_gap, after_score < before_score],
        [Change.NEW.value, Change.CLOSED.value, Change.WORSE.value],
        default=Change.PERSISTING.value,
    )
    for column in ("department", "question", "theme", "section", "position"):
        merged[column] = merged[f"{column}_after"].combine_first(merged[f"{column}_before"])
    columns = [*KEY, "department", "theme", "section", "position", "question", "change", "answer_before",
               "score_before", "answer_after", "score_after"]
    return merged[columns].sort_values(["department", "position"], kind="stable").reset_index(drop=True)


def change_counts(changes: pd.DataFrame) -> dict[str, int]:
    counts = changes["change"].value_counts()
    return {change.value: int(counts.get(change.value, 0)) for change in Change}


def score_changes(earlier: pd.DataFrame, later: pd.DataFrame, by: str, bands: RagBands) -> pd.DataFrame:
    """Score before, after and the change in percentage points, per department or per theme."""
    keys = ["department_id", "department"] if by == "department" else ["theme"]
    before = summarise(_departmental(earlier), keys, bands)
    after = summarise(_departmental(later), keys, bands)
    join = keys[:1]
    merged = before[[*keys, "score", "gaps"]].merge(
        after[[*keys, "score", "gaps"]], on=join, how="outer", suffixes=("_before", "_after"))
    if by == "department":
        merged["department"] = merged["department_after"].combine_first(merged["department_before"])
        merged = merged.drop(columns=["department_before", "department_after"])
    merged["points"] = (merged["score_after"] - merged["score_before"]) * 100
    return merged.sort_values(keys[-1], kind="stable").reset_index(drop=True)


def _answer_key(value: object, not_applicable: object) -> str:
    """One answer as comparable text: its stored value (lists and numbers included), or not applicable."""
    if bool(not_applicable):
        return "not applicable"
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return json.dumps(value, sort_keys=True, default=str)


def _compared_answers(earlier: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    """Each question a department was asked in the later cycle, for departments that answered the earlier one
    too, with both answers and whether it is the same, changed, or new to the department."""
    keep = [*KEY, "department", "question", "section", "position", "answer", "outcome", "value", "not_applicable"]
    before, after = (_departmental_answers(f, keep) for f in (earlier, later))
    if before.empty or after.empty:
        return pd.DataFrame(columns=[*KEY, "department", "question", "section", "position", "answer_before",
                                     "answer_after", "same", "changed", "new_questions"])
    merged = before.merge(after, on=KEY, how="right", suffixes=("_before", "_after"))
    merged = merged[merged["department_id"].isin(before["department_id"].unique())].copy()
    asked_before = merged["outcome_before"].notna()
    same = [_answer_key(v1, n1) == _answer_key(v2, n2) for v1, n1, v2, n2 in zip(
        merged["value_before"], merged["not_applicable_before"], merged["value_after"], merged["not_applicable_after"],
        strict=True)]
    merged["same"] = asked_before & pd.Series(same, index=merged.index, dtype=bool)
    merged["changed"] = asked_before & ~merged["same"]
    merged["new_questions"] = ~asked_before
    for column in ("department", "question", "section", "position"):
        merged[column] = merged[f"{column}_after"]
    return merged


def answer_changes(earlier: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    """Per department asked in both cycles: how many of the questions both asked it were answered the same,
    how many differently, and how many are new to it this cycle. Answers are compared by their stored value
    (or not applicable), so an answer saved again unchanged is the same; an answer in one cycle and none in
    the other is a change.
    """
    columns = ["department_id", "department", "same", "changed", "new_questions"]
    merged = _compared_answers(earlier, later)
    if merged.empty:
        return pd.DataFrame(columns=columns)
    grouped = merged.groupby(["department_id", "department"], sort=False)[["same", "changed", "new_questions"]]
    result = grouped.sum().reset_index()
    for column in ("same", "changed", "new_questions"):
        result[column] = result[column].astype(int)
    return result[columns].sort_values("department", kind="stable").reset_index(drop=True)


def department_answer_changes(earlier: pd.DataFrame, later: pd.DataFrame, department_id: int) -> pd.DataFrame:
    """One department's changed answers and new questions, in questionnaire order, each with both answers in words
    ("" where there was none); answers that stayed the same are left out."""
    columns = ["question_id", "section", "question", "answer_before", "answer_after", "new_questions"]
    merged = _compared_answers(earlier, later)
    if merged.empty:
        return pd.DataFrame(columns=columns)
    rows = merged[(merged["department_id"] == department_id) & ~merged["same"]].sort_values("position", kind="stable")
    rows = rows.assign(answer_before=rows["answer_before"].fillna(""), answer_after=rows["answer_after"].fillna(""))
    return rows[columns].reset_index(drop=True)


def _departmental_answers(frame: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    rows = frame[(frame["respondent_type"] == "department") & frame["outcome"].isin(["met", "gap", "unanswered"])]
    return rows[keep]

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

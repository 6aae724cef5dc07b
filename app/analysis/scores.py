"""Scores and gap counts per question, section, theme, matter, hallmark and department.

A group's score is the mean of the scores of its answered, scored questions;
"not applicable", hidden and unscored questions are left out, and unanswered
ones are counted as gaps but kept out of the mean (see rules.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.analysis.frame import IN_SCOPE, MATTER_LABELS, ordered_unique, theme_labels
from app.analysis.rules import Rag, RagBands
from app.questionnaires.scoring import Outcome

SUMMARY_COLUMNS = ["questions", "answered", "met", "gaps", "unanswered", "not_applicable", "score", "rag"]


def in_scope(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of scored questions that apply: met, gap or unanswered."""
    return frame[frame["outcome"].isin([o.value for o in IN_SCOPE])]


def explode_matters(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per question and matter (a question about all four matters counts for each)."""
    exploded = frame.explode("matter")
    return exploded[exploded["matter"].notna()]


def summarise(frame: pd.DataFrame, by: Sequence[str], bands: RagBands) -> pd.DataFrame:
    """Counts, mean score and RAG band per group of `by`; groups with no scored questions are left out."""
    outcome = frame["outcome"]
    work = frame.assign(
        _scope=outcome.isin([o.value for o in IN_SCOPE]),
        _answered=outcome.isin([Outcome.MET.value, Outcome.GAP.value]),
        _met=outcome == Outcome.MET.value,
        _unanswered=outcome == Outcome.UNANSWERED.value,
        _na=outcome == Outcome.NOT_APPLICABLE.value,
        _score=frame["score"].where(outcome.isin([Outcome.MET.value, Outcome.GAP.value])),
    )
    work = work[work["_scope"] | work["_na"]]
    if work.empty:
        return pd.DataFrame(columns=[*by, *SUMMARY_COLUMNS])
    grouped = work.groupby(list(by), sort=False, dropna=False)
    result = pd.DataFrame({
        "questions": grouped["_scope"].sum(),
        "answered": grouped["_answered"].sum(),
        "met": grouped["_met"].sum(),
        "gaps": grouped["is_gap"].sum(),
        "unanswered": grouped["_unanswered"].sum(),
        "not_applicable": grouped["_na"].sum(),
        "score": grouped["_score"].mean(),
    }).reset_index()
    for column in ("questions", "answered", "met", "gaps", "unanswered", "not_applicable"):
        result[column] = result[column].astype(int)
    result["rag"] = pd.Series([bands.band(s) for s in result["score"]], index=result.index, dtype=object)
    return result


def overall(frame: pd.DataFrame, bands: RagBands) -> dict[str, object]:
    """The same summary for the whole frame, as a dict."""
    summary = summarise(frame.assign(_all=1), ["_all"], bands)
    if summary.empty:
        return {"questions": 0, "answered": 0, "met": 0, "gaps": 0, "unanswered": 0, "not_applicable": 0,
                "score": np.nan, "rag": None}
    return summary.drop(columns="_all").iloc[0].to_dict()


@dataclass(frozen=True)
class Cell:
    score: float
    rag: Rag | None
    gaps: int
    questions: int


@dataclass(frozen=True)
class HeatmapRow:
    department_id: int
    department: str
    status: str
    overall: Cell
    cells: dict[str, Cell | None]


@dataclass(frozen=True)
class Heatmap:
    themes: dict[str, str]  # theme key -> label, in questionnaire order
    rows: list[HeatmapRow]


def _cell(row) -> Cell:
    """A Cell from a summary row (itertuples: iterrows builds a Series per row and is slow)."""
    return Cell(float(row.score), row.rag, int(row.gaps), int(row.questions))


def heatmap(frame: pd.DataFrame, bands: RagBands, *, sort: str = "department", descending: bool = False
            ) -> Heatmap:
    """Departments x themes. `sort` is "department", "overall" or a theme key; missing scores sort last."""
    departmental = frame[frame["respondent_type"] == "department"]
    themes = theme_labels(departmental)
    by_theme = summarise(departmental, ["department_id", "theme"], bands)
    by_department = summarise(departmental, ["department_id"], bands)
    names = departmental.drop_duplicates("department_id").set_index("department_id")
    cells: dict[tuple[int, str], Cell] = {(int(r.department_id), r.theme): _cell(r)
                                          for r in by_theme.itertuples(index=False) if r.theme is not None}
    rows = []
    for total in by_department.itertuples(index=False):
        department_id = int(total.department_id)
        rows.append(HeatmapRow(
            department_id, str(names.at[department_id, "department"]), str(names.at[department_id, "status"]),
            _cell(total), {theme: cells.get((department_id, theme)) for theme in themes},
        ))
    return Heatmap(themes, sort_rows(rows, sort, descending))


def _sort_score(cell: Cell | None) -> float:
    return np.nan if cell is None else cell.score


def sort_rows(rows: list[HeatmapRow], sort: str, descending: bool) -> list[HeatmapRow]:
    """Sort by name, or by a score with departments without one always at the end."""
    if sort == "department":
        return sorted(rows, key=lambda r: r.department.casefold(), reverse=descending)
    pick = (lambda r: r.overall) if sort == "overall" else (lambda r: r.cells.get(sort))
    scored = [r for r in rows if not np.isnan(_sort_score(pick(r)))]
    unscored = [r for r in rows if np.isnan(_sort_score(pick(r)))]
    scored.sort(key=lambda r: (_sort_score(pick(r)), r.department.casefold()), reverse=descending)
    return scored + sorted(unscored, key=lambda r: r.department.casefold())


def theme_profile(frame: pd.DataFrame, bands: RagBands) -> pd.DataFrame:
    """Score per theme across the council (or one department, given its rows), in questionnaire order."""
    labels = theme_labels(frame)
    summary = summarise(frame[frame["theme"].notna()], ["theme"], bands)
    order = {theme: i for i, theme in enumerate(labels)}
    summary["label"] = summary["theme"].map(labels)
    return summary.sort_values("theme", key=lambda s: s.map(order)).reset_index(drop=True)


def matter_profile(frame: pd.DataFrame, bands: RagBands) -> pd.DataFrame:
    summary = summarise(explode_matters(frame), ["matter"], bands)
    order = {m: i for i, m in enumerate(ordered_unique([*MATTER_LABELS, *summary["matter"]]))}
    summary["label"] = summary["matter"].map(lambda m: MATTER_LABELS.get(m, m))
    return summary.sort_values("matter", key=lambda s: s.map(order)).reset_index(drop=True)

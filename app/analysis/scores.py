"""Scores and gap counts per question, section, theme, matter, hallmark and department.

A group's score is the mean of the scores of its answered, scored questions;
"not applicable", hidden and unscored questions are left out, and unanswered
ones are counted as gaps but kept out of the mean (see rules.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from app.analysis.frame import IN_SCOPE, MATTER_LABELS, ordered_unique, theme_labels
from app.analysis.rules import RAG_LABELS, Rag, RagBands, percent
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
    # Plain object arrays: comparing them is several times faster than comparing a pandas string column.
    outcome = frame["outcome"].to_numpy(dtype=object)
    met = outcome == Outcome.MET.value
    scored = met | (outcome == Outcome.GAP.value)
    unanswered = outcome == Outcome.UNANSWERED.value
    # A narrow frame of just what is counted: copying the whole wide frame was most of the cost.
    work = pd.DataFrame({
        **{column: frame[column] for column in by},
        "questions": scored | unanswered,
        "answered": scored,
        "met": met,
        "gaps": frame["is_gap"].to_numpy(dtype=bool),
        "unanswered": unanswered,
        "not_applicable": outcome == Outcome.NOT_APPLICABLE.value,
        "score": np.where(scored, frame["score"].to_numpy(dtype=float), np.nan),
    }, index=frame.index)
    work = work[work["questions"] | work["not_applicable"]]
    if work.empty:
        return pd.DataFrame(columns=[*by, *SUMMARY_COLUMNS])
    grouped = work.groupby(list(by), sort=False, dropna=False)
    counts = ["questions", "answered", "met", "gaps", "unanswered", "not_applicable"]
    result = grouped[counts].sum().astype(int).join(grouped["score"].mean()).reset_index()
    result["rag"] = pd.Series(bands.bands_of(result["score"].to_numpy(dtype=float)), index=result.index, dtype=object)
    return result


def overall(frame: pd.DataFrame, bands: RagBands) -> dict[str, object]:
    """The same summary for the whole frame, as a dict."""
    summary = summarise(frame.assign(_all=1), ["_all"], bands)
    if summary.empty:
        return {"questions": 0, "answered": 0, "met": 0, "gaps": 0, "unanswered": 0, "not_applicable": 0,
                "score": np.nan, "rag": None}
    return summary.drop(columns="_all").iloc[0].to_dict()


class Cell(NamedTuple):
    """One department's score for a theme (or overall). A named tuple: a large heatmap has thousands."""

    score: float
    rag: Rag | None
    gaps: int
    questions: int

    @property
    def band_key(self) -> str:
        """The band as a key for styling: green, amber, red, or none."""
        return self.rag.value if self.rag is not None else "none"

    @property
    def words(self) -> str:
        """The score and its band in words, e.g. "75% Amber": colour is never the only carrier."""
        return f"{percent(self.score)} {RAG_LABELS[self.rag]}" if self.rag is not None else "No score"


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


def _cells(summary: pd.DataFrame) -> list[Cell]:
    """A Cell per summary row, built from the columns (row by row through pandas was most of the cost)."""
    return [Cell(float(score), rag, int(gaps), int(questions)) for score, rag, gaps, questions in
            zip(summary["score"].to_numpy(dtype=float), summary["rag"].to_numpy(dtype=object),
                summary["gaps"].to_numpy(), summary["questions"].to_numpy(), strict=True)]


def heatmap(frame: pd.DataFrame, bands: RagBands, *, sort: str = "department", descending: bool = False,
            themes: dict[str, str] | None = None) -> Heatmap:
    """Departments x themes. `sort` is "department", "overall" or a theme key; missing scores sort last.

    `themes` are the frame's theme_labels, when the caller already has them.
    """
    is_department = frame["respondent_type"] == "department"
    departmental = frame if is_department.all() else frame[is_department]
    if themes is None or not is_department.all():
        themes = theme_labels(departmental)
    by_theme = summarise(departmental, ["department_id", "theme"], bands)
    by_department = summarise(departmental, ["department_id"], bands)
    names = {int(r.department_id): (str(r.department), str(r.status)) for r in
             departmental[["department_id", "department", "status"]].drop_duplicates("department_id").itertuples()}
    cells: dict[tuple[int, str], Cell] = {
        (int(department_id), theme): cell for department_id, theme, cell in
        zip(by_theme["department_id"].to_numpy(), by_theme["theme"].to_numpy(dtype=object), _cells(by_theme),
            strict=True) if isinstance(theme, str)}
    rows = []
    for department_id, total in zip(by_department["department_id"].to_numpy(), _cells(by_department), strict=True):
        department_id = int(department_id)
        name, status = names[department_id]
        rows.append(HeatmapRow(department_id, name, status, total,
                               {theme: cells.get((department_id, theme)) for theme in themes}))
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

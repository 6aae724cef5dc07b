"""The gap register: every question whose answer misses its target, or is unanswered."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class GapFilter:
    """What the register is narrowed to; None means any."""

    theme: str | None = None
    matter: str | None = None
    department_id: int | None = None
    statutory: bool | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.theme, self.matter, self.department_id, self.statutory))


def gap_register(frame: pd.DataFrame, wanted: GapFilter = GapFilter()) -> pd.DataFrame:
    """Gap rows matching the filter, by department then questionnaire order."""
    rows = frame.loc[frame["is_gap"].astype(bool)]  # .loc: a mask always picks rows, even on an empty frame
    if wanted.theme is not None:
        rows = rows.loc[rows["theme"] == wanted.theme]
    if wanted.matter is not None:
        rows = rows.loc[rows["matter"].map(lambda matters: wanted.matter in matters).astype(bool)]
    if wanted.department_id is not None:
        rows = rows.loc[rows["department_id"] == wanted.department_id]
    if wanted.statutory is not None:
        rows = rows.loc[rows["statutory"] == wanted.statutory]
    return rows.sort_values(["department", "definition_id", "position"], kind="stable").reset_index(drop=True)


def gap_counts(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """How many gaps per value of `by` (for filter options that say how many each would show)."""
    rows = frame.loc[frame["is_gap"].astype(bool)]
    if by == "matter":
        rows = rows.explode("matter")
    return rows.groupby(by, dropna=True).size().rename("gaps").reset_index()

"""Compliance with the Hallmarks of Effective Partnership: "N of M met (x%)".

M counts the items that apply (everything except "not applicable"); an item not
yet answered stays in M and is not met, so an unfinished checklist cannot look
better than it is. "Partly met" is not met.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from app.questionnaires.scoring import Outcome


@dataclass(frozen=True)
class Compliance:
    label: str
    met: int
    applicable: int
    partly_met: int
    not_met: int
    unanswered: int
    not_applicable: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.applicable) if self.applicable else None

    @property
    def sentence(self) -> str:
        if not self.applicable:
            return "No items apply"
        return f"{self.met} of {self.applicable} met ({self.percent}%)"


@dataclass(frozen=True)
class HallmarkSummary:
    overall: Compliance
    by_hallmark: list[Compliance]
    statutory: Compliance
    suggested: Compliance
    not_met: pd.DataFrame  # items answered partly met or not met, with their planned action
    unanswered: pd.DataFrame


def hallmark_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The checklist's items: rows tagged with a hallmark that are scored and not hidden."""
    rows = frame[frame["hallmark"].notna()]
    return rows[~rows["outcome"].isin([Outcome.HIDDEN.value, Outcome.UNSCORED.value])]


def _compliance(label: str, rows: pd.DataFrame) -> Compliance:
    outcome = rows["outcome"]
    values = rows["value"]
    not_applicable = int((outcome == Outcome.NOT_APPLICABLE.value).sum())
    answered_gap = outcome == Outcome.GAP.value
    return Compliance(
        label=label,
        met=int((outcome == Outcome.MET.value).sum()),
        applicable=len(rows) - not_applicable,
        partly_met=int((answered_gap & (values == "partly_met")).sum()),
        not_met=int((answered_gap & (values != "partly_met")).sum()),
        unanswered=int((outcome == Outcome.UNANSWERED.value).sum()),
        not_applicable=not_applicable,
    )


def hallmark_compliance(frame: pd.DataFrame) -> HallmarkSummary:
    rows = hallmark_rows(frame).sort_values("position", kind="stable")
    by_hallmark = [_compliance(str(section), part) for section, part in rows.groupby("section", sort=False)]
    return HallmarkSummary(
        overall=_compliance("All items", rows),
        by_hallmark=by_hallmark,
        statutory=_compliance("Statutory requirements", rows[rows["statutory"]]),
        suggested=_compliance("Suggested practice", rows[~rows["statutory"]]),
        not_met=rows[rows["outcome"] == Outcome.GAP.value].reset_index(drop=True),
        unanswered=rows[rows["outcome"] == Outcome.UNANSWERED.value].reset_index(drop=True),
    )

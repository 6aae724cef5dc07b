"""Compliance with a partnership checklist: "N of M met (x%)", for any checklist the partnership answers.

A checklist is a partnership return's scored items (free-text questions and items
an earlier answer hid are left out). It may be the built-in Hallmarks of Effective
Partnership, a council's own imported list, or both in one cycle: each return is
its own checklist, and they are never added together, because one council's 115
recommendations and the 66 hallmark items measure different things.

M counts the items that apply (everything except "not applicable"); an item not
yet answered stays in M and is not met, so an unfinished checklist cannot look
better than it is. "Partly met" is not met.

Within a checklist the items are grouped by hallmark where they carry a hallmark
tag, and by their section where they do not, so a checklist without hallmarks
still shows where its gaps are. Statutory requirements and suggested practice are
counted separately, for the whole checklist and for each group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from app.analysis.hallmarks import hallmark_label
from app.questionnaires.scoring import Outcome

# How a checklist's groups are made, in the words the pages use after "Compliance by".
BY_HALLMARK, BY_SECTION, BY_BOTH = "hallmark", "section", "hallmark or section"


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
    def items(self) -> int:
        return self.applicable + self.not_applicable

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.applicable) if self.applicable else None

    @property
    def share(self) -> float | None:
        return self.met / self.applicable if self.applicable else None

    @property
    def sentence(self) -> str:
        if not self.items:
            return "No items"
        if not self.applicable:
            return "No items apply"
        return f"{self.met} of {self.applicable} met ({self.percent}%)"


@dataclass(frozen=True)
class GroupCompliance:
    """One hallmark, or one section of a checklist without hallmark tags."""

    label: str
    hallmark: int | None  # None for a section
    overall: Compliance
    statutory: Compliance
    suggested: Compliance


@dataclass(frozen=True)
class ChecklistCompliance:
    """One partnership return's checklist, counted."""

    assignment_id: int
    definition_id: str
    title: str
    status: str  # the return's status, e.g. "in_progress"
    grouped_by: str  # BY_HALLMARK, BY_SECTION or BY_BOTH
    overall: Compliance
    statutory: Compliance
    suggested: Compliance
    groups: list[GroupCompliance]
    items: pd.DataFrame  # every item, in questionnaire order, with the label of its group in "group"
    not_met: pd.DataFrame  # items answered partly met or not met, with their planned action
    unanswered: pd.DataFrame

    @property
    def by_hallmark(self) -> bool:
        """Every item carries a hallmark tag: the page may speak of hallmarks."""
        return self.grouped_by == BY_HALLMARK

    @property
    def mentions_hallmarks(self) -> bool:
        return self.grouped_by != BY_SECTION

    @property
    def by_group(self) -> list[Compliance]:
        return [group.overall for group in self.groups]

    @property
    def rows(self) -> list[Compliance]:
        """What a compliance table lists: all items, each group, then statutory and suggested practice."""
        return [self.overall, *self.by_group, self.statutory, self.suggested]


def checklist_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Every partnership checklist's items: partnership rows that are scored and not hidden."""
    if frame.empty:
        return frame
    rows = frame[frame["respondent_type"] == "partnership"]
    return rows[~rows["outcome"].isin([Outcome.HIDDEN.value, Outcome.UNSCORED.value])]


def count(label: str, rows: pd.DataFrame) -> Compliance:
    """N of M met for these rows (one row per item)."""
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


def _hallmark_number(value: object) -> int | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    try:
        return int(str(value))
    except ValueError:
        return None


def _statutory(rows: pd.DataFrame) -> pd.Series:
    """True for a statutory item; a missing flag is suggested practice."""
    return rows["statutory"].eq(True)


def _groups(rows: pd.DataFrame) -> tuple[list[GroupCompliance], str, list[str]]:
    """Groups in the order their first item comes: a hallmark where tagged, else the item's section.

    Also how the groups were made (BY_HALLMARK...) and each row's group label.
    """
    hallmarks = [_hallmark_number(value) for value in rows["hallmark"]]
    keys = [("hallmark", h) if h is not None else ("section", section)
            for h, section in zip(hallmarks, rows["section_id"], strict=True)]
    labels = {key: hallmark_label(key[1]) if key[0] == "hallmark" else str(title)
              for key, title in zip(keys, rows["section"], strict=True)}
    statutory = _statutory(rows)
    groups = []
    for key in dict.fromkeys(keys):
        part = pd.Series([k == key for k in keys], index=rows.index)
        label = labels[key]
        groups.append(GroupCompliance(
            label=label, hallmark=key[1] if key[0] == "hallmark" else None, overall=count(label, rows[part]),
            statutory=count(f"{label}: statutory requirements", rows[part & statutory]),
            suggested=count(f"{label}: suggested practice", rows[part & ~statutory])))
    tagged = sum(h is not None for h in hallmarks)
    grouped_by = BY_HALLMARK if tagged == len(hallmarks) else BY_SECTION if tagged == 0 else BY_BOTH
    return groups, grouped_by, [labels[key] for key in keys]


def one_checklist(rows: pd.DataFrame, *, title: str | None = None) -> ChecklistCompliance:
    """Compliance for one return's items (rows of checklist_rows for a single assignment)."""
    rows = rows.sort_values("position", kind="stable").reset_index(drop=True)
    statutory = _statutory(rows)
    groups, grouped_by, group_labels = _groups(rows)
    rows = rows.assign(group=group_labels)  # the hallmark or section each item is counted under
    first = rows.iloc[0]
    return ChecklistCompliance(
        assignment_id=int(first["assignment_id"]), definition_id=str(first["definition_id"]),
        title=title or str(first["definition_id"]), status=str(first["status"]), grouped_by=grouped_by,
        overall=count("All items", rows), statutory=count("Statutory requirements", rows[statutory]),
        suggested=count("Suggested practice", rows[~statutory]), groups=groups, items=rows,
        not_met=rows[rows["outcome"] == Outcome.GAP.value].reset_index(drop=True),
        unanswered=rows[rows["outcome"] == Outcome.UNANSWERED.value].reset_index(drop=True),
    )


def checklist_compliance(frame: pd.DataFrame, titles: Mapping[str, str] | None = None
                         ) -> list[ChecklistCompliance]:
    """One ChecklistCompliance per partnership return with scored items, in the order of the returns.

    `titles` maps a definition's id to its title; without one the id stands in.
    """
    rows = checklist_rows(frame)
    if rows.empty:
        return []
    titles = titles or {}
    return [one_checklist(part, title=titles.get(str(part["definition_id"].iloc[0])))
            for _, part in rows.groupby("assignment_id", sort=True)]

"""Action plan progress: "N actions, M done (x%)", overall and by department, and what is overdue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class ActionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


ACTION_STATUS_LABELS = {
    ActionStatus.NOT_STARTED: "Not started",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.DONE: "Done",
    ActionStatus.DROPPED: "Dropped",
}
OPEN_STATUSES = frozenset({ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS})
PARTNERSHIP = "The partnership"


@dataclass(frozen=True)
class ActionFacts:
    """What progress needs to know of one action."""

    status: str
    due_date: date
    department: str | None  # None: a partnership action (from the hallmark checklist, say)


def is_overdue(status: str, due_date: date, today: date) -> bool:
    """Past its due date and neither done nor dropped."""
    return status in OPEN_STATUSES and due_date < today


@dataclass(frozen=True)
class Progress:
    label: str
    total: int
    done: int
    dropped: int
    overdue: int

    @property
    def percent_done(self) -> int | None:
        """Done as a share of the actions still wanted (dropped ones are not counted)."""
        wanted = self.total - self.dropped
        return round(100 * self.done / wanted) if wanted else None

    @property
    def sentence(self) -> str:
        noun = "action" if self.total == 1 else "actions"
        if self.percent_done is None:
            return f"{self.total} {noun}, none still wanted"
        return f"{self.total} {noun}, {self.done} done ({self.percent_done}%)"


def _progress(label: str, actions: list[ActionFacts], today: date) -> Progress:
    return Progress(
        label=label, total=len(actions),
        done=sum(1 for a in actions if a.status == ActionStatus.DONE),
        dropped=sum(1 for a in actions if a.status == ActionStatus.DROPPED),
        overdue=sum(1 for a in actions if is_overdue(a.status, a.due_date, today)),
    )


def action_progress(actions: Iterable[ActionFacts], today: date) -> tuple[Progress, list[Progress]]:
    """Overall progress, and progress per department (partnership actions last)."""
    items = list(actions)
    groups: dict[str | None, list[ActionFacts]] = {}
    for action in items:
        groups.setdefault(action.department, []).append(action)
    departments = sorted((d for d in groups if d is not None), key=str.casefold)
    by_department = [_progress(d, groups[d], today) for d in departments]
    if None in groups:
        by_department.append(_progress(PARTNERSHIP, groups[None], today))
    return _progress("All actions", items, today), by_department

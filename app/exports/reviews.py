"""The review trail of each return, from its audit events: every submission and the decision that followed it.

Pure: the events come in as plain tuples (see review_rows), so the pairing is tested without a database.
The audit log is the record here rather than the return's current fields, which keep only the latest
decision: a return sent back twice has two reasons, and an auditor wants both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.exports.model import ReviewInfo

DECISIONS = {"assignment.accepted": "Accepted", "assignment.returned": "Returned for changes"}


@dataclass(frozen=True)
class ReturnEvent:
    assignment_id: int
    action: str  # assignment.submitted | assignment.accepted | assignment.returned
    at: datetime
    actor: str
    after: Mapping[str, Any] | None


def review_rows(events: Iterable[ReturnEvent], names: Mapping[int, tuple[str, str]]) -> list[ReviewInfo]:
    """One row per submission, oldest first within each return, with the decision that followed it.

    `events` in time order; `names` gives each return's (respondent, code). A decision with no
    submission before it (a history from before submissions were recorded) still gets a row, so
    no decision or reason is lost.
    """
    rows: list[ReviewInfo] = []
    open_rows: dict[int, int] = {}  # return id -> index in rows of its submission awaiting a decision
    counts: dict[int, int] = {}
    for event in events:
        respondent, code = names.get(event.assignment_id, ("", ""))
        after = event.after or {}
        if event.action == "assignment.submitted":
            counts[event.assignment_id] = int(after.get("submission") or counts.get(event.assignment_id, 0) + 1)
            open_rows[event.assignment_id] = len(rows)
            rows.append(ReviewInfo(event.assignment_id, respondent, code, counts[event.assignment_id], event.at,
                                   event.actor, "", None, "", ""))
        elif event.action in DECISIONS:
            decision, reason = DECISIONS[event.action], str(after.get("reason") or "")
            index = open_rows.pop(event.assignment_id, None)
            if index is None:
                rows.append(ReviewInfo(event.assignment_id, respondent, code, counts.get(event.assignment_id, 0),
                                       None, "", decision, event.at, event.actor, reason))
            else:
                kept = rows[index]
                rows[index] = ReviewInfo(kept.assignment_id, kept.respondent, kept.department_code, kept.submission,
                                         kept.submitted_at, kept.submitted_by, decision, event.at, event.actor,
                                         reason)
    return sorted(rows, key=lambda r: (r.respondent.casefold(), r.assignment_id, r.submission))

"""The life of a return: not started, in progress, submitted, returned, accepted.

    not started --save--> in progress --submit--> submitted --accept--> accepted
                                                  submitted --return--> returned
                          returned --save--> returned --submit--> submitted

Every transition is explicit here, so a view cannot invent one. "Overdue" is not
a state: it is an open return past its due date. Pure functions.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class Action(StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    RETURN = "return"
    ACCEPT = "accept"


STATUS_LABELS = {
    Status.NOT_STARTED: "Not started",
    Status.IN_PROGRESS: "In progress",
    Status.SUBMITTED: "Submitted",
    Status.RETURNED: "Returned for changes",
    Status.ACCEPTED: "Accepted",
}
OVERDUE_LABEL = "Overdue"

# GOV.UK tag colours; the label always says the status too, so colour is never the only cue.
STATUS_TAG_CLASSES = {
    Status.NOT_STARTED: "govuk-tag--grey",
    Status.IN_PROGRESS: "govuk-tag--light-blue",
    Status.SUBMITTED: "govuk-tag--blue",
    Status.RETURNED: "govuk-tag--orange",
    Status.ACCEPTED: "govuk-tag--green",
}
OVERDUE_TAG_CLASS = "govuk-tag--red"

EDITABLE = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED})

_TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.NOT_STARTED, Action.SAVE): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, Action.SAVE): Status.IN_PROGRESS,
    (Status.RETURNED, Action.SAVE): Status.RETURNED,
    (Status.NOT_STARTED, Action.SUBMIT): Status.SUBMITTED,
    (Status.IN_PROGRESS, Action.SUBMIT): Status.SUBMITTED,
    (Status.RETURNED, Action.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, Action.RETURN): Status.RETURNED,
    (Status.SUBMITTED, Action.ACCEPT): Status.ACCEPTED,
}


class InvalidTransition(Exception):
    def __init__(self, status: Status, action: Action) -> None:
        super().__init__(f"cannot {action.value} a return that is {STATUS_LABELS[status].lower()}")
        self.status = status
        self.action = action


def next_status(status: Status | str, action: Action) -> Status:
    current = Status(status)
    try:
        return _TRANSITIONS[(current, action)]
    except KeyError:
        raise InvalidTransition(current, action) from None


def is_editable(status: Status | str) -> bool:
    return Status(status) in EDITABLE


def is_overdue(status: Status | str, due: date | None, today: date) -> bool:
    return due is not None and due < today and Status(status) in EDITABLE


def display_status(status: Status | str, due: date | None, today: date) -> tuple[str, str]:
    """The label and tag class to show: overdue wins over not started / in progress / returned."""
    if is_overdue(status, due, today):
        return OVERDUE_LABEL, OVERDUE_TAG_CLASS
    current = Status(status)
    return STATUS_LABELS[current], STATUS_TAG_CLASSES[current]

"""Chasing returns by hand: the CSO picks returns not yet submitted and sends their lead officers a reminder.

The CSO sees the message before it goes (`preview_chase` composes exactly what
`send_chase` will record), may add a note of their own, and sends it. Each chase
has a batch token made when the preview was shown, and each message's key names
it ("chase 3f9a... for return 17 to user 4"), so sending the same preview twice (a
double click, the back button) sends nothing more, while a later chase is a new one.
Chases stop like reminders: not sent if the return is submitted first.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.extensions import db
from app.mail.compose import Composed, compose, possessive
from app.mail.links import public_url
from app.mail.outbox import Recipient, queue_message
from app.mail.reminders import NOT_SUBMITTED, council_today, lead_officers, return_context
from app.models import Assignment, Cycle, CycleStatus, Department, StopWhen, User

TEMPLATE = "chase"
MAX_NOTE = 1000


class ChaseProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ChaseLine:
    assignment: Assignment
    people: tuple[User, ...]  # its active lead officers: who will be e-mailed


@dataclass(frozen=True)
class ChasePreview:
    lines: tuple[ChaseLine, ...]
    sample: Composed | None  # the first message exactly as it will be sent
    sample_to: User | None

    @property
    def message_count(self) -> int:
        return sum(len(line.people) for line in self.lines)

    @property
    def nobody_to_tell(self) -> tuple[ChaseLine, ...]:
        return tuple(line for line in self.lines if not line.people)


def chaseable(cycle: Cycle) -> list[Assignment]:
    """The cycle's departments' returns not yet submitted (not started, in progress, or sent back), by name."""
    if cycle.status != CycleStatus.OPEN.value:
        return []
    found = db.session.scalars(
        select(Assignment).where(Assignment.cycle_id == cycle.id, Assignment.respondent_type == "department",
                                 Assignment.status.in_(NOT_SUBMITTED))
        .options(selectinload(Assignment.department).selectinload(Department.lead_officers),
                 selectinload(Assignment.snapshot)))
    return sorted(found, key=lambda a: (a.respondent_name.lower(), a.snapshot.title, a.id))


def chosen(cycle: Cycle, assignment_ids: list[int]) -> list[Assignment]:
    """The chosen returns, each checked to be this cycle's and still chaseable; a ChaseProblem if none is."""
    if cycle.status != CycleStatus.OPEN.value:
        raise ChaseProblem("This cycle is not open, so its returns cannot be chased")
    wanted = set(assignment_ids)
    picked = [a for a in chaseable(cycle) if a.id in wanted]
    if not picked:
        raise ChaseProblem("Select at least one return that has not been submitted")
    return picked


def _context(assignment: Assignment, person: User, sender: User, note: str) -> dict:
    return {**return_context(assignment, person, council_today()), "sender": sender.name, "note": note}


def preview_chase(cycle: Cycle, assignment_ids: list[int], sender: User, note: str) -> ChasePreview:
    picked = chosen(cycle, assignment_ids)
    lines = tuple(ChaseLine(a, tuple(lead_officers(a.department))) for a in picked)
    first = next((line for line in lines if line.people), None)
    sample = None
    if first is not None:
        sample = compose(TEMPLATE, _context(first.assignment, first.people[0], sender, note), public_url=public_url())
    return ChasePreview(lines, sample, first.people[0] if first else None)


def new_batch() -> str:
    return secrets.token_hex(8)


def send_chase(cycle: Cycle, assignment_ids: list[int], sender: User, note: str, batch: str) -> int:
    """Record one message per lead officer of each chosen return (commits); how many were new."""
    picked = chosen(cycle, assignment_ids)
    queued = 0
    for assignment in picked:
        for person in lead_officers(assignment.department):
            if queue_message(f"chase {batch} for return {assignment.id} to user {person.id}", TEMPLATE,
                             Recipient.of(person), _context(assignment, person, sender, note),
                             about=f"{possessive(assignment.respondent_name)} return chased, {cycle.name}",
                             cycle_id=cycle.id, assignment_id=assignment.id, stop_when=StopWhen.SUBMITTED,
                             created_by=sender) is not None:
                queued += 1
    if queued:
        record_event("mail.chased", object_type="cycle", object_id=cycle.id, actor=sender,
                     summary=f"Chased {len(picked)} return{'s' if len(picked) != 1 else ''} of {cycle.name}: "
                             f"{queued} message{'s' if queued != 1 else ''} queued",
                     after={"returns": [a.id for a in picked], "batch": batch, "note": note})
    db.session.commit()
    return queued

"""Which changes tell whom. Each function adds its messages to the caller's transaction.

Called by the services that make the change (opening a cycle, sending a return
back ...) before they commit, so the messages and the change are one: both happen
or neither. Keys name what the message is about, so doing the same thing twice
(a double click, a retried request) records one message.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.mail.compose import possessive
from app.mail.links import page_url
from app.mail.outbox import Recipient, queue_message
from app.mail.reminders import council_today, lead_officers, return_context
from app.models import Assignment, Cycle, Role, StopWhen, User


def tell_cycle_opened(cycle: Cycle) -> int:
    """Each lead officer: the returns their departments are asked for, what is asked, and the deadline."""
    by_person: dict[int, tuple[User, list[Assignment]]] = {}
    for assignment in cycle.assignments:
        if assignment.respondent_type != "department":
            continue
        for person in lead_officers(assignment.department):
            by_person.setdefault(person.id, (person, []))[1].append(assignment)
    today = council_today()
    for person, assignments in by_person.values():
        assignments.sort(key=lambda a: (a.respondent_name, a.snapshot.title))
        returns = [{"department": a.respondent_name, "questionnaire": a.snapshot.title, "due_date": a.due_date,
                    "link": page_url("respond.task_list", assignment_id=a.id)} for a in assignments]
        queue_message(f"cycle {cycle.id} opened to user {person.id}", "cycle_opened", Recipient.of(person),
                      {"name": person.name, "cycle": cycle.name, "deadline": cycle.deadline, "returns": returns,
                       "period_start": cycle.period_start, "period_end": cycle.period_end,
                       "link": page_url("respond.index"), "today": today},
                      about=f"{cycle.name} opened", cycle_id=cycle.id, stop_when=StopWhen.SUBMITTED)
    return len(by_person)


def tell_return_returned(assignment: Assignment, reviewer: User) -> int:
    """The lead officers: their return came back, with the reviewer's reason."""
    return _to_lead_officers(assignment, "return_returned", f"returned {assignment.submission_count}",
                             reviewer, f"{possessive(assignment.respondent_name)} return sent back")


def tell_return_accepted(assignment: Assignment, reviewer: User) -> int:
    return _to_lead_officers(assignment, "return_accepted", "accepted", reviewer,
                             f"{possessive(assignment.respondent_name)} return accepted")


def _to_lead_officers(assignment: Assignment, template: str, what: str, reviewer: User, about: str) -> int:
    if assignment.respondent_type != "department":
        return 0
    today = council_today()
    people = lead_officers(assignment.department)
    for person in people:
        queue_message(f"return {assignment.id} {what} to user {person.id}", template, Recipient.of(person),
                      {**return_context(assignment, person, today), "reviewer": reviewer.name},
                      about=f"{about}, {assignment.cycle.name}", cycle_id=assignment.cycle_id,
                      assignment_id=assignment.id, created_by=reviewer)
    return len(people)


def community_safety_officers() -> list[User]:
    """Active CSOs who want a message for each submitted return (the others get the daily digest)."""
    return list(db.session.scalars(select(User).where(User.role == Role.COMMUNITY_SAFETY_OFFICER.value,
                                                      User.active.is_(True), User.submitted_mail == "each")
                                   .order_by(User.name)))


def tell_return_submitted(assignment: Assignment, submitter: User | None) -> int:
    """Every community safety officer: a return is waiting for review, with a link to it."""
    if assignment.respondent_type != "department":
        return 0
    people = community_safety_officers()
    for person in people:
        queue_message(f"return {assignment.id} submitted {assignment.submission_count} to user {person.id}",
                      "return_submitted", Recipient.of(person),
                      {"name": person.name, "department": assignment.respondent_name, "cycle": assignment.cycle.name,
                       "questionnaire": assignment.snapshot.title,
                       "submitted_by": submitter.name if submitter else "someone",
                       "resubmitted": assignment.submission_count > 1,
                       "link": page_url("review.detail", assignment_id=assignment.id)},
                      about=f"{possessive(assignment.respondent_name)} return submitted, {assignment.cycle.name}",
                      cycle_id=assignment.cycle_id, assignment_id=assignment.id)
    return len(people)


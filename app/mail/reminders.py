"""The reminder schedule: when lead officers are reminded of a return they have not submitted.

The rule is a pure function of dates (`ReminderSchedule`), so it is tested on its
own: reminders fall a number of days before the deadline (REMINDER_DAYS_BEFORE,
default 14 and 3), then every REMINDER_OVERDUE_EVERY_DAYS days while the return is
overdue (default 7), at most REMINDER_MAX in all (default 5), and never on or before
the day the cycle opened (the "cycle opened" message has just told them).

Each point in the schedule is numbered, and its message's key is "reminder N for
return R to person P". A pass sends only the latest point that has come: a service
that was stopped for a week sends one reminder when it starts again, not three.
A pass runs each hour (claimed, so once however many workers run) and can be run by
hand: `section17 notify send-due [--dry-run]`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.mail.compose import possessive
from app.mail.links import page_url
from app.mail.outbox import Recipient, key_taken, queue_message
from app.models import Assignment, Cycle, CycleStatus, Department, Role, StopWhen, User
from app.models.types import utcnow
from app.questionnaires.workflow import STATUS_LABELS, Status
from app.tasks.periods import claim_period, finish_period, hour_period

SEND_DUE = "mail.send-due"
NOT_SUBMITTED = (Status.NOT_STARTED.value, Status.IN_PROGRESS.value, Status.RETURNED.value)


@dataclass(frozen=True)
class ReminderSchedule:
    days_before: tuple[int, ...] = (14, 3)
    overdue_every: int = 7  # 0: no reminders once overdue
    most: int = 5

    def points(self, deadline: date, opened_on: date, until: date) -> list[date]:
        """The reminder dates after `opened_on` up to `until`, in order, at most `most` of them."""
        before = sorted({deadline - timedelta(days=d) for d in self.days_before if d >= 0})
        found = [day for day in before if opened_on < day <= until]
        if self.overdue_every > 0:
            day = deadline + timedelta(days=self.overdue_every)
            while day <= until and len(found) < self.most:
                if day > opened_on:
                    found.append(day)
                day += timedelta(days=self.overdue_every)
        return found[: self.most]

    def due(self, deadline: date, opened_on: date, today: date) -> tuple[int, date] | None:
        """(number, date) of the latest reminder that has come by `today`, or None if none has."""
        points = self.points(deadline, opened_on, today)
        return (len(points), points[-1]) if points else None


def schedule_from_config(config: Any) -> ReminderSchedule:
    raw = config.get("REMINDER_DAYS_BEFORE", (14, 3))
    if isinstance(raw, str):
        raw = [part for part in raw.replace(" ", "").split(",") if part]
    days = tuple(int(d) for d in raw)
    return ReminderSchedule(days, int(config.get("REMINDER_OVERDUE_EVERY_DAYS", 7)),
                            int(config.get("REMINDER_MAX", 5)))


def council_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def council_date(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


@dataclass(frozen=True)
class Planned:
    """One message a pass queued, or would queue: for the command's output."""

    key: str
    recipient: Recipient
    about: str
    why: str

    def line(self) -> str:
        return f"{self.key}: {self.recipient.name} <{self.recipient.email}>, {self.about} ({self.why})"


def lead_officers(department: Department | None) -> list[User]:
    if department is None:
        return []
    return [u for u in department.lead_officers if u.active and u.role == Role.LEAD_OFFICER.value]


def when_words(due_date: date, today: date) -> str:
    days = (due_date - today).days
    if days > 1:
        return f"due in {days} days"
    if days == 1:
        return "due tomorrow"
    if days == 0:
        return "due today"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def return_context(assignment: Assignment, person: User, today: date) -> dict[str, Any]:
    """What every message about one return to its lead officer can say."""
    return {"name": person.name, "department": assignment.respondent_name, "cycle": assignment.cycle.name,
            "questionnaire": assignment.snapshot.title, "due_date": assignment.due_date,
            "when": when_words(assignment.due_date, today), "overdue": assignment.due_date < today,
            "status": STATUS_LABELS[Status(assignment.status)], "reason": assignment.return_reason or "",
            "link": page_url("respond.task_list", assignment_id=assignment.id)}


def unsubmitted_returns(cycles: Iterable[Cycle]) -> list[Assignment]:
    ids = [c.id for c in cycles]
    if not ids:
        return []
    return list(db.session.scalars(
        select(Assignment).where(Assignment.cycle_id.in_(ids), Assignment.respondent_type == "department",
                                 Assignment.status.in_(NOT_SUBMITTED))
        .options(selectinload(Assignment.department).selectinload(Department.lead_officers),
                 selectinload(Assignment.cycle), selectinload(Assignment.snapshot))
        .order_by(Assignment.cycle_id, Assignment.id)))


def due_return_reminders(today: date, *, dry_run: bool) -> list[Planned]:
    """Reminders to lead officers of returns not submitted, on the schedule (the caller commits)."""
    schedule = schedule_from_config(current_app.config)
    cycles = list(db.session.scalars(select(Cycle).where(Cycle.status == CycleStatus.OPEN.value)))
    planned: list[Planned] = []
    for assignment in unsubmitted_returns(cycles):
        opened = council_date(assignment.cycle.opened_at or assignment.cycle.created_at)
        due = schedule.due(assignment.due_date, opened, today)
        if due is None:
            continue
        number, day = due
        for person in lead_officers(assignment.department):
            key = f"reminder {number} for return {assignment.id} to user {person.id}"
            if key_taken(key):
                continue
            about = f"{possessive(assignment.respondent_name)} return, {assignment.cycle.name}"
            why = f"reminder {number}, {when_words(assignment.due_date, day)}"
            # a pass running at the same moment may record the key first: only what this pass recorded counts
            if dry_run or queue_message(key, "reminder", Recipient.of(person),
                                        {**return_context(assignment, person, today), "number": number},
                                        about=about, cycle_id=assignment.cycle_id, assignment_id=assignment.id,
                                        stop_when=StopWhen.SUBMITTED) is not None:
                planned.append(Planned(key, Recipient.of(person), about, why))
    return planned


def send_due(today: date | None = None, *, dry_run: bool = False, now: datetime | None = None) -> list[Planned]:
    """One pass of every schedule: queue each message that has come and is not yet recorded (commits).

    Returns' reminders, peer links' reminders before they expire, actions due soon or
    overdue, and the daily digest of submitted returns for CSOs who chose one.
    """
    from app.actions.reminders import due_action_reminders
    from app.benchmarking.invitation_mail import due_peer_reminders, forget_expired_tokens
    from app.mail.digest import due_digests

    today = today or council_today()
    planned = due_return_reminders(today, dry_run=dry_run)
    planned += due_peer_reminders(today, dry_run=dry_run)
    planned += due_action_reminders(today, dry_run=dry_run)
    planned += due_digests(now or utcnow(), dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        forget_expired_tokens()
        db.session.commit()
    return planned


def send_due_once_this_hour() -> None:
    """The hourly pass, run by the one worker that claims this hour."""
    period = hour_period(utcnow())
    if claim_period(SEND_DUE, period):
        planned = send_due()
        finish_period(SEND_DUE, period, f"{len(planned)} reminder(s) queued")

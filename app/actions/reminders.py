"""Telling an action's owner that it is due in a week, and that it is overdue.

One message each per due date ("action 12 due soon, 2027-03-31"): moving the due date
gives the owner fresh notice of the new one, and no pass sends either twice. Not
sent once the action is done or dropped, nor to an owner whose account is disabled.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.mail.links import page_url
from app.mail.outbox import Recipient, key_taken, queue_message
from app.mail.reminders import Planned, council_date, when_words
from app.models import Action, StopWhen

DUE_SOON_DAYS = 7
CLOSED = ("done", "dropped")


def due_action_reminders(today: date, *, dry_run: bool) -> list[Planned]:
    """Queue the due-soon and overdue messages that have come (the caller commits)."""
    actions = db.session.scalars(
        select(Action).where(Action.status.not_in(CLOSED), Action.due_date <= today + timedelta(days=DUE_SOON_DAYS))
        .options(selectinload(Action.owner), selectinload(Action.department), selectinload(Action.cycle))
        .order_by(Action.due_date, Action.id))
    planned: list[Planned] = []
    for action in actions:
        owner = action.owner
        if owner is None or not owner.active:
            continue
        overdue = action.due_date < today
        if not overdue and (action.due_date == today or council_date(action.created_at) >= today):
            continue  # due today is not "due in a week"; an action raised today has just been agreed
        what = "overdue" if overdue else "due soon"
        key = f"action {action.id} {what}, {action.due_date.isoformat()}"
        if key_taken(key):
            continue
        where = action.department.name if action.department else "the partnership"
        item = Planned(key, Recipient.of(owner), f"action \u201c{action.title}\u201d ({where})",
                       when_words(action.due_date, today))
        context = {"name": owner.name, "title": action.title, "done_looks_like": action.done_looks_like,
                   "due_date": action.due_date, "when": when_words(action.due_date, today), "where": where,
                   "cycle": action.cycle.name, "link": page_url("actions.detail", action_id=action.id)}
        if dry_run or queue_message(key, "action_overdue" if overdue else "action_due", Recipient.of(owner), context,
                                    about=f"Action \u201c{action.title[:200]}\u201d, {where}",
                                    cycle_id=action.cycle_id, action_id=action.id,
                                    stop_when=StopWhen.ACTION_CLOSED) is not None:
            planned.append(item)  # not when a pass running at the same moment recorded the key first
    return planned

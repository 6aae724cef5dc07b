"""The daily digest of returns submitted for review, for CSOs who chose one over a message for each.

Sent once a day, after DIGEST_HOUR (default 8, the council's time), listing the
returns submitted in the 24 hours before that hour; nothing is sent on a day with
none. Its key names the day, so no pass sends a day's digest twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.mail.links import page_url
from app.mail.outbox import Recipient, key_taken, queue_message
from app.mail.reminders import Planned
from app.models import Assignment, Role, User

TEMPLATE = "submitted_digest"


def digest_hour() -> int:
    return int(current_app.config.get("DIGEST_HOUR", 8))


def due_digests(now: datetime, *, dry_run: bool) -> list[Planned]:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    local = now.astimezone(zone)
    if local.hour < digest_hour():
        return []
    until = local.replace(hour=digest_hour(), minute=0, second=0, microsecond=0)
    since = until - timedelta(days=1)
    people = list(db.session.scalars(select(User).where(User.role == Role.COMMUNITY_SAFETY_OFFICER.value,
                                                        User.active.is_(True), User.submitted_mail == "digest")))
    if not people:
        return []
    submitted = list(db.session.scalars(
        select(Assignment).where(Assignment.respondent_type == "department", Assignment.submitted_at >= since,
                                 Assignment.submitted_at < until)
        .options(selectinload(Assignment.department), selectinload(Assignment.cycle),
                 selectinload(Assignment.snapshot))
        .order_by(Assignment.submitted_at)))
    if not submitted:
        return []
    returns = [{"department": a.respondent_name, "cycle": a.cycle.name, "questionnaire": a.snapshot.title,
                "submitted_at": a.submitted_at, "status": a.status,
                "link": page_url("review.detail", assignment_id=a.id)} for a in submitted]
    planned = []
    for person in people:
        key = f"submitted digest {until.date().isoformat()} to user {person.id}"
        if key_taken(key):
            continue
        item = Planned(key, Recipient.of(person), "returns submitted for review",
                       f"{len(returns)} return{'s' if len(returns) != 1 else ''}")
        if dry_run or queue_message(key, TEMPLATE, Recipient.of(person),
                                    {"name": person.name, "returns": returns, "since": since, "until": until},
                                    about=f"Returns submitted by {until:%d %B %Y}") is not None:
            planned.append(item)  # not when a pass running at the same moment recorded the key first
    return planned

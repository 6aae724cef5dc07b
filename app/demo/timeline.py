"""When things happened in the demo council's story, so that every date agrees with every other.

The services the demo calls (create a user, open a cycle, invite a peer...) stamp
their records and audit events with the moment they run. A demo loaded in four
seconds would then say that the cycle was opened after its returns were
submitted. The demo instead plays each step at a moment of its story and moves
the step's audit events there with `dated`:

- the council, its departments, people and peers were set up in April 2025;
- last year's cycle ran from May to August 2025, every return accepted;
- this year's cycle was set up three days before it opened, five weeks ago; its
  returns were started, submitted and reviewed since, and the actions raised from
  their gaps came after the returns they came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent

SET_UP_AT = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
PREVIOUS_CREATED_AT = datetime(2025, 4, 14, 10, 0, tzinfo=UTC)
PREVIOUS_OPENED_AT = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
PREVIOUS_CLOSED_AT = datetime(2025, 8, 1, 9, 0, tzinfo=UTC)
OPENED_DAYS_AGO = 35  # this year's cycle: long enough for returns, reviews and actions to follow each other
CREATED_BEFORE_OPENING = timedelta(days=3)


def current_opened_at(now: datetime) -> datetime:
    return now - timedelta(days=OPENED_DAYS_AGO)


def at_ten(day: date) -> datetime:
    """Office hours: 10 in the morning (UTC) of a day."""
    return datetime.combine(day, datetime.min.time()).replace(hour=10, tzinfo=UTC)


@contextmanager
def dated(when: datetime) -> Iterator[None]:
    """Every audit event recorded inside the block happened at `when`."""
    db.session.flush()
    last = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    yield
    db.session.flush()
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.id > last)):
        event.occurred_at = when

"""Running a periodic job once per period, however many workers queue it.

Every worker's scheduler queues each periodic job, so with three workers the
hourly reminder pass arrives three times. The first to insert the (job, period)
row runs it; the others see the row is there and stop. The row stays as a record
of what ran, when, and what it did.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import ScheduledRun
from app.models.types import utcnow


def hour_period(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H")


def minute_period(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def claim_period(name: str, period: str) -> bool:
    """Record that this period's run of `name` has started; False if another worker got there first."""
    dialect = db.engine.dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # RETURNING, not rowcount: psycopg reports -1 rows for an INSERT under SQLAlchemy 2.1, which made every
    # claim fail on PostgreSQL (and no periodic job run at all).
    statement = (insert(ScheduledRun).values(name=name, period=period, started_at=utcnow(), outcome="")
                 .on_conflict_do_nothing(index_elements=["name", "period"]).returning(ScheduledRun.name))
    with db.engine.begin() as connection:
        return connection.execute(statement).first() is not None


def finish_period(name: str, period: str, outcome: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(update(ScheduledRun).where(ScheduledRun.name == name, ScheduledRun.period == period)
                           .values(finished_at=utcnow(), outcome=outcome[:2000]))

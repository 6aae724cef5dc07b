"""A periodic job runs once per period however many workers queue it, on both databases.

The claim once read the INSERT's row count, which psycopg gives as -1 under SQLAlchemy 2.1:
every claim failed on PostgreSQL, so the hourly reminders and the sweep never ran there.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import ScheduledRun


def test_a_period_is_claimed_once_and_the_next_period_again(app):
    from app.tasks.periods import claim_period

    with app.app_context():
        assert claim_period("test.job", "2026-12-04T10") is True
        assert claim_period("test.job", "2026-12-04T10") is False  # a second worker: already claimed
        assert claim_period("test.job", "2026-12-04T11") is True
        assert claim_period("other.job", "2026-12-04T10") is True


def test_the_hourly_reminder_pass_runs_once_an_hour_and_records_what_it_did(app):
    from app.mail.reminders import SEND_DUE, send_due_once_this_hour

    with app.app_context():
        send_due_once_this_hour()
        send_due_once_this_hour()  # queued by a second worker in the same hour
        runs = db.session.scalars(select(ScheduledRun).where(ScheduledRun.name == SEND_DUE)).all()
    assert len(runs) == 1
    assert runs[0].finished_at is not None and runs[0].outcome == "0 reminder(s) queued"

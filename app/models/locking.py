"""Row locks for short read-compare-write transactions, on PostgreSQL and SQLite alike.

Optimistic locking (a version column) is right when two people rarely change the
same row at once. A return is not like that: one department's officers save
sections of the same return within seconds of each other, and each save must first
read the answers to compare them with the page. With only a version check, the
second of two simultaneous saves fails and has to retry, and under ten at once the
retries themselves fail. Taking the row's write lock first makes the saves queue
for the few milliseconds each takes, so every one of them succeeds and compares
with what the previous one stored.

PostgreSQL: `SELECT ... FOR UPDATE` locks the row until the transaction ends. Each
later statement in READ COMMITTED sees what was committed before the lock was
granted.

SQLite has no row locks: a transaction that writes holds the whole database's write
lock. Python's sqlite3 module (in its default mode) starts a transaction only at the
first INSERT, UPDATE or DELETE, so an UPDATE that changes nothing takes that lock at
once (waiting, up to the driver's busy timeout, for a writer ahead of it), and the
reads after it see everything committed before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select, text

from app.extensions import db


def lock_for_write(instance: Any) -> None:
    """Lock `instance`'s row for the rest of the transaction and read its columns afresh."""
    mapper = inspect(instance).mapper
    model = mapper.class_
    (key_column,) = mapper.primary_key
    key = getattr(instance, key_column.key)
    if db.session.get_bind().dialect.name == "sqlite":
        # Plain SQL: an ORM or Core UPDATE would also fire the columns' onupdate defaults.
        table, column = mapper.local_table.name, key_column.name
        db.session.execute(text(f'UPDATE "{table}" SET "{column}" = "{column}" WHERE "{column}" = :key'),
                           {"key": key})
    db.session.execute(select(model).where(key_column == key).with_for_update()
                       .execution_options(populate_existing=True)).scalar_one()  # fetched, so refreshed

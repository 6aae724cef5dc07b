"""Flask extension objects, created unbound and initialised in create_app()."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that Alembic can alter and drop them on SQLite (batch mode)
# and PostgreSQL alike, and so that migration diffs stay stable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def _sqlite_write_ahead_log(connection, _record) -> None:
    """SQLite in write-ahead-log mode: a long read (a large export) no longer blocks people saving answers.

    In SQLite's default mode a reader holds a lock that stops any writer committing,
    so a minute-long export would make every save in that minute fail with "database
    is locked". With WAL, readers keep their snapshot and writers go ahead. (Not for an
    in-memory database, which has no log.)
    """
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def register_extensions(app: Flask) -> None:
    """Bind the extensions to the app. Migrations live in the top-level migrations/ folder."""
    from app import models as _models  # noqa: F401  (register every model with the metadata)

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_write_ahead_log)
    migrate.init_app(
        app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    limiter.init_app(app)

"""The schema comes only from migrations: empty to head and back, and no drift from the models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from app.search.schema import include_object
from tests.conftest import fresh_database_url


@pytest.fixture
def empty_database(tmp_path_factory) -> Iterator[str]:
    yield from fresh_database_url(tmp_path_factory, "migrations")


def test_upgrade_to_head_and_downgrade_to_empty(empty_database, tmp_path):
    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": empty_database}, instance_path=str(tmp_path))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "departments", "user_departments", "organisation", "audit_events",
                "alembic_version"} <= tables
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}), db.metadata)
        assert diff == [], "the models and the migrations disagree: run `section17 db migrate`"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        upgrade()  # and back up again, as a deployment after a rollback would
        assert "users" in inspect(db.engine).get_table_names()
        db.engine.dispose()

"""Fixtures shared by every test.

The database is chosen per run: SQLite in a temporary folder by default, or a
brand-new PostgreSQL database when TEST_DATABASE_URL points at a server (the
database is created for the run and dropped afterwards). The schema always
comes from the migrations, never from create_all, so the tests also prove the
migrations. Each test gets a fresh app; tables are emptied after it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import normalise_database_url
from app.extensions import db
from app.models import Role
from tests.support import SURVEYS, People, WebClient, add_department, add_user

# --------------------------------------------------------------------------- run options


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--no-skips", action="store_true", help="Fail the run if any test is skipped.")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if session.config.getoption("--no-skips") and reporter and reporter.stats.get("skipped"):
        reporter.write_line(f"FAILED: {len(reporter.stats['skipped'])} test(s) were skipped and --no-skips is set",
                            red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --------------------------------------------------------------------------- database


def fresh_database_url(tmp_path_factory: pytest.TempPathFactory, label: str) -> Iterator[str]:
    """Yield the URL of an empty database that is removed afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp(label) / 'test.sqlite'}"
        return
    server = make_url(normalise_database_url(base))
    name = f"section17_{label}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from fresh_database_url(tmp_path_factory, "test")


@pytest.fixture(scope="session")
def migrated_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    from flask_migrate import upgrade

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": database_url, "SURVEYS_DIR": str(SURVEYS)},
                     instance_path=str(tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def empty_all_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def make_app(migrated_database: str, tmp_path: Any) -> Iterator[Any]:
    """Build apps with extra settings; everything they stored is removed after the test."""
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        settings = {"ENV": "test", "SQLALCHEMY_DATABASE_URI": migrated_database, "SURVEYS_DIR": str(SURVEYS),
                    **overrides}
        instance = tmp_path / f"instance{len(apps)}"
        instance.mkdir()
        app = create_app(settings, instance_path=str(instance))
        apps.append(app)
        return app

    yield build
    if apps:
        with apps[0].app_context():
            db.session.remove()
            empty_all_tables()
        for app in apps:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app()


# --------------------------------------------------------------------------- people and clients


@pytest.fixture
def people(app: Flask) -> People:
    """Two departments, a lead officer for each, and one person in every other role."""
    housing = add_department(app, "HOUS", "Housing Services", "Tenancy enforcement against anti-social behaviour")
    planning = add_department(app, "PLAN", "Planning Services", "Designing out crime in new developments")
    return People(
        lead=add_user(app, name="Lena Lead", email="lena.lead@council.example", role=Role.LEAD_OFFICER,
                      departments=["HOUS"]),
        other_lead=add_user(app, name="Omar Other", email="omar.other@council.example", role=Role.LEAD_OFFICER,
                            departments=["PLAN"]),
        cso=add_user(app, name="Chris Safety", email="chris.safety@council.example",
                     role=Role.COMMUNITY_SAFETY_OFFICER),
        auditor=add_user(app, name="Alex Auditor", email="alex.auditor@council.example", role=Role.AUDITOR),
        admin=add_user(app, name="Ada Admin", email="ada.admin@council.example", role=Role.ADMIN),
        housing_id=housing,
        planning_id=planning,
    )



@pytest.fixture
def web(app: Flask) -> WebClient:
    return WebClient(app.test_client())


@pytest.fixture
def new_web(app: Flask) -> Any:
    """Another browser, for tests with two people or two devices."""
    return lambda: WebClient(app.test_client())

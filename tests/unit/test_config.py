"""Configuration precedence and production safety (security.md item 6)."""

from datetime import timedelta

import pytest
from flask import Flask

from app.config import ConfigurationError, check_secret_key, configure, normalise_database_url

STRONG_KEY = "k3Jx9-vQ2mZ7_pLw4RtY8nB1cF6hD0sGa5eU"


def _configured(tmp_path, monkeypatch, env=None, instance_config=None, overrides=None) -> Flask:
    for name in ("SECTION17_ENV", "SECTION17_SECRET_KEY", "DATABASE_URL", "SECTION17_SESSION_IDLE_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    if instance_config:
        (tmp_path / "config.py").write_text(instance_config)
    app = Flask("configtest", instance_path=str(tmp_path), instance_relative_config=True)
    configure(app, overrides)
    return app


def test_development_defaults_to_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    app = _configured(tmp_path, monkeypatch)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'section17.sqlite'}"
    assert app.config["ENV"] == "development"


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path, monkeypatch):
    first = _configured(tmp_path, monkeypatch).config["SECRET_KEY"]
    second = _configured(tmp_path, monkeypatch).config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_override_instance_config(tmp_path, monkeypatch):
    app = _configured(
        tmp_path, monkeypatch,
        env={"SECTION17_SESSION_IDLE_MINUTES": "45"},
        instance_config="SESSION_IDLE_MINUTES = 20\nLOG_LEVEL = 'DEBUG'\n",
    )
    assert app.config["SESSION_IDLE_MINUTES"] == 45
    assert app.config["LOG_LEVEL"] == "DEBUG"  # from instance/config.py
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=45)


def test_database_url_is_honoured_and_given_the_psycopg_driver(tmp_path, monkeypatch):
    app = _configured(tmp_path, monkeypatch, env={"DATABASE_URL": "postgres://u:p@db.internal:5432/s17"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.internal:5432/s17"


@pytest.mark.parametrize("url,expected", [
    ("postgresql://h/db", "postgresql+psycopg://h/db"),
    ("postgresql+psycopg://h/db", "postgresql+psycopg://h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_url_normalisation(url, expected):
    assert normalise_database_url(url) == expected


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    with pytest.raises(ConfigurationError, match="Production needs a SECRET_KEY"):
        _configured(tmp_path, monkeypatch, env={"SECTION17_ENV": "production"})


@pytest.mark.parametrize("key", ["dev", "changeme", "short-key", "a" * 40, "abababababababababababababababab"])
def test_production_refuses_weak_secret_keys(key):
    with pytest.raises(ConfigurationError):
        check_secret_key(key)


def test_production_with_a_strong_key_is_secure(tmp_path, monkeypatch):
    app = _configured(tmp_path, monkeypatch,
                      env={"SECTION17_ENV": "production", "SECTION17_SECRET_KEY": STRONG_KEY,
                           "SECTION17_DEBUG": "true"})
    assert app.config["DEBUG"] is False and app.debug is False
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["HSTS_SECONDS"] >= 31536000
    assert not (tmp_path / "secret_key").exists()


def test_an_unknown_environment_name_is_refused(tmp_path, monkeypatch):
    with pytest.raises(ConfigurationError, match="SECTION17_ENV must be one of"):
        _configured(tmp_path, monkeypatch, env={"SECTION17_ENV": "staging"})

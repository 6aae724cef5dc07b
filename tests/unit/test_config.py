"""Configuration precedence and production safety (security.md item 6)."""

import base64
import os
import random
import secrets
import string
import time
from datetime import timedelta

import pytest
from flask import Flask

from app.config import ConfigurationError, check_secret_key, configure, normalise_database_url

STRONG_KEY = "k3Jx9-vQ2mZ7_pLw4RtY8nB1cF6hD0sGa5eU"


def _configured(tmp_path, monkeypatch, env=None, instance_config=None, overrides=None) -> Flask:
    for name in ("SECTION17_ENV", "SECTION17_SECRET_KEY", "DATABASE_URL", "SECTION17_SESSION_IDLE_MINUTES",
                 "SECTION17_RATELIMIT_STORAGE_URI"):
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


@pytest.mark.parametrize("key,reason", [
    ("your-secret-key-here-change-me-please", 'a placeholder from an example (it contains "changeme", from our list)'),
    (b"your-secret-key-here-change-me-please", 'a placeholder from an example (it contains "changeme", from our list)'),
    ("Your_Secret_Key_Here_0123456789abcdef", 'a placeholder from an example (it contains "yoursecret", from our list)'),
    ("REPLACE-ME-with-a-long-random-string!!", 'a placeholder from an example (it contains "replaceme", from our list)'),
    ("abcdefghijklmnopqrstuvwxyz123456", "not random enough: about 12 bits of randomness where 128 are needed "
                                         "(it has letters or numbers in order)"),
    ("zxcvbnmasdfghjklqwertyuiop0987654321", "not random enough"),  # keyboard walk
    ("qazwsxedcrfvtgbyhnujmikolp1234567890", "not random enough"),  # keyboard columns
    ("0123456789abcdef0123456789abcdef", "not random enough: part of it comes twice"),
    ("bananabananabananabananabananabanana", "not random enough: part of it comes twice"),
    ("k3Jx9-vQ2mZ7_pLw4RtY8nB1k3Jx9-vQ2mZ7_pLw4RtY8nB1", "not random enough: part of it comes twice"),
    ("the quick brown fox jumps over the lazy dog", "made of words"),
    ("ThisIsMyVerySecureProductionSecretKey2026!", "not random enough"),
    ("south-derbyshire-section17-production-2026", "not random enough"),
    ("Mary had a little lamb, its fleece was white as snow", "made of words"),
])
def test_production_refuses_keys_that_are_placeholders_or_not_random(key, reason):
    """The first two started production before: they are long and have many different characters."""
    with pytest.raises(ConfigurationError) as refused:
        check_secret_key(key)
    message = str(refused.value)
    assert f"The SECRET_KEY is {reason}" in message
    assert "SECTION17_SECRET_KEY" in message and "secrets.token_urlsafe(48)" in message
    assert "\n" not in message


@pytest.mark.parametrize("key,part", [
    ("abcdefghijklmnopqrstuvwxyz123456", "abcdef"),
    ("zxcvbnmasdfghjklqwertyuiop0987654321", "qwerty"),
    ("k3Jx9-vQ2mZ7_pLw4RtY8nB1k3Jx9-vQ2mZ7_pLw4RtY8nB1", "k3jx9"),
    ("Tr0ub4dor-Tr0ub4dor-Tr0ub4dor-Tr0ub4dor", "tr0ub4dor"),
])
def test_the_refusal_does_not_repeat_the_key(key, part):
    """The message goes to the logs: it says what is wrong without quoting the key."""
    with pytest.raises(ConfigurationError) as refused:
        check_secret_key(key)
    assert part not in str(refused.value).lower()


_RNG = random.Random(1998)


def _like(alphabet: str, length: int) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(length))


@pytest.mark.parametrize("key", [
    secrets.token_urlsafe(48), secrets.token_urlsafe(32), secrets.token_urlsafe(24), secrets.token_hex(32),
    secrets.token_hex(24), secrets.token_bytes(32), base64.b64encode(os.urandom(32)).decode(), STRONG_KEY,
    *[_like(string.ascii_letters + string.digits + "-_", 64) for _ in range(10)],  # like token_urlsafe(48)
    *[_like("0123456789abcdef", 64) for _ in range(10)],  # like token_hex(32)
    *[bytes(_RNG.randrange(256) for _ in range(32)) for _ in range(5)],  # like token_bytes(32)
    *[_like("abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)", 50) for _ in range(5)],  # Django's
    *[_like(string.printable[:94], 64) for _ in range(5)],  # a password manager's
])
def test_random_keys_are_accepted(key):
    check_secret_key(key)


def test_a_long_key_full_of_symbols_is_judged_quickly():
    """The estimate is bounded: zxcvbn alone takes over 20 s for 128 random printable characters."""
    key = _like(string.printable[:94], 200)
    started = time.perf_counter()
    check_secret_key(key)
    assert time.perf_counter() - started < 2


def test_production_with_a_strong_key_is_secure(tmp_path, monkeypatch):
    app = _configured(tmp_path, monkeypatch,
                      env={"SECTION17_ENV": "production", "SECTION17_SECRET_KEY": STRONG_KEY,
                           "SECTION17_DEBUG": "true", "SECTION17_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    assert app.config["DEBUG"] is False and app.debug is False
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["HSTS_SECONDS"] >= 31536000
    assert not (tmp_path / "secret_key").exists()


def test_an_unknown_environment_name_is_refused(tmp_path, monkeypatch):
    with pytest.raises(ConfigurationError, match="SECTION17_ENV must be one of"):
        _configured(tmp_path, monkeypatch, env={"SECTION17_ENV": "staging"})

"""Configuration: defaults, then instance/config.py, then SECTION17_* environment variables.

Every setting has a safe development default so that `section17 run` works on a
fresh clone. Production (SECTION17_ENV=production) is stricter: it refuses to
start without a strong SECRET_KEY, never runs in debug and marks cookies Secure.
The full list of settings, with production advice, is in the README.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

ENV_PREFIX = "SECTION17"
MIN_SECRET_KEY_LENGTH = 32
MIN_SECRET_KEY_DISTINCT_CHARACTERS = 12

# Values people paste from tutorials; never acceptable as a production key.
_KNOWN_WEAK_KEYS = {"dev", "development", "secret", "changeme", "change-me", "test", "password"}


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete; the app must not start."""


class Config:
    """Development defaults. Each can be overridden; see the README's table."""

    ENV = "development"
    DEBUG = False
    TESTING = False

    SECRET_KEY: str | None = None  # development: generated once into instance/secret_key
    SQLALCHEMY_DATABASE_URI: str | None = None  # default: SQLite in instance/section17.sqlite
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}

    # Sessions: signed cookie that also expires server-side after this much inactivity.
    SESSION_IDLE_MINUTES = 30
    SESSION_WARNING_MINUTES = 5
    SESSION_COOKIE_NAME = "section17_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # CSRF tokens live as long as the session; the idle timeout bounds them.
    WTF_CSRF_TIME_LIMIT = None
    # Checked by our access-control hook after authorisation, see app/security/access.py.
    WTF_CSRF_CHECK_DEFAULT = False

    # Sign-in throttling counters. memory:// is per process: development only (production refuses it).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins allowed: per account from one browser or address (the 11th gets 429); per client
    # address across accounts (higher: offices share one address); per account across every browser it
    # has not signed in from before (guessing from many addresses; ASVS: at most 100 an hour). A browser
    # the account has signed in from before is never stopped by other people's failures.
    LOGIN_RATE_LIMIT = "10 per 15 minutes"
    LOGIN_RATE_LIMIT_PER_ADDRESS = "50 per 15 minutes"
    LOGIN_RATE_LIMIT_PER_ACCOUNT = "100 per hour"

    # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXY_COUNT = 0
    PREFERRED_URL_SCHEME = "http"
    HSTS_SECONDS = 0

    # Questionnaire definitions (*.yaml). Default: the surveys/ folder of the project.
    SURVEYS_DIR: str | None = None

    # Score bands for red, amber and green (0 to 1): green at or above RAG_GREEN, amber at or above RAG_AMBER.
    RAG_GREEN = 0.8
    RAG_AMBER = 0.5

    # Exports. Fewer stored answers than EXPORT_BACKGROUND_ANSWERS: the file is the response to the
    # request; more: a background job writes it into EXPORT_DIR (default instance/exports), with
    # EXPORT_WORKERS threads per process, and its file is deleted after EXPORT_KEEP_HOURS.
    EXPORT_DIR: str | None = None
    EXPORT_BACKGROUND_ANSWERS = 20000
    EXPORT_WORKERS = 1
    EXPORT_KEEP_HOURS = 24

    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    LOG_LEVEL = "INFO"
    TIMEZONE = "Europe/London"


class TestConfig(Config):
    """Used by the test suite; the database URL is supplied by the fixtures."""

    ENV = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    """Production: secure cookies, HSTS, no debug. SECRET_KEY must be supplied."""

    ENV = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS_SECONDS = 31536000


_CONFIG_CLASSES: dict[str, type[Config]] = {
    "development": Config,
    "production": ProductionConfig,
    "test": TestConfig,
}


def configure(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Load settings in order of precedence and refuse an unsafe production setup."""
    env_name = (overrides or {}).get("ENV") or os.environ.get(f"{ENV_PREFIX}_ENV", "development")
    if env_name not in _CONFIG_CLASSES:
        raise ConfigurationError(
            f"{ENV_PREFIX}_ENV must be one of {', '.join(sorted(_CONFIG_CLASSES))}; got {env_name!r}."
        )
    app.config.from_object(_CONFIG_CLASSES[env_name])
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(ENV_PREFIX)
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if overrides:
        app.config.update(overrides)
    app.config["ENV"] = env_name

    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config.get("SQLALCHEMY_DATABASE_URI") or default_sqlite_url(app.instance_path)
    )
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=float(app.config["SESSION_IDLE_MINUTES"]))

    check_rag_bands(app.config.get("RAG_GREEN"), app.config.get("RAG_AMBER"))

    if env_name == "production":
        app.config["DEBUG"] = False
        app.debug = False
        check_secret_key(app.config.get("SECRET_KEY"))
        check_rate_limit_storage(app.config.get("RATELIMIT_STORAGE_URI"))
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = development_secret_key(app.instance_path)


def default_sqlite_url(instance_path: str) -> str:
    """SQLite database file in instance/, the embedded default."""
    return f"sqlite:///{Path(instance_path) / 'section17.sqlite'}"


def normalise_database_url(url: str) -> str:
    """Accept the URL forms hosting platforms hand out and select the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def check_rag_bands(green: Any, amber: Any) -> None:
    """Refuse bands that would colour scores wrongly, naming the settings to fix (the rule is RagBands')."""
    from app.analysis.rules import RagBands

    try:
        green, amber = float(green), float(amber)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{ENV_PREFIX}_RAG_GREEN and {ENV_PREFIX}_RAG_AMBER must be numbers from 0 to 1; "
                                 f"got {green!r} and {amber!r}.") from None
    try:
        RagBands(green=green, amber=amber)
    except ValueError:
        raise ConfigurationError(f"{ENV_PREFIX}_RAG_AMBER must be at most {ENV_PREFIX}_RAG_GREEN, both from 0 to 1; "
                                 f"got amber {amber} and green {green}.") from None


def check_rate_limit_storage(uri: Any) -> None:
    """Refuse per-process throttling counters in production.

    With memory:// each app process counts sign-in attempts on its own, so under
    `gunicorn --workers 4` an attacker gets four times the attempts (38 bad
    passwords were accepted before 429s were consistent). How many processes will
    serve the app cannot be known from inside one of them, so production needs a
    store they all share, whatever the number of workers.
    """
    if not uri or str(uri).startswith("memory://"):
        raise ConfigurationError(
            "Sign-in throttling needs a store every app process shares: set "
            f"{ENV_PREFIX}_RATELIMIT_STORAGE_URI=redis://host:6379/0 (memory:// counts each process separately)."
        )


def check_secret_key(key: Any) -> None:
    """Raise ConfigurationError unless the key is long, varied and not a known weak value."""
    advice = (
        f"Set {ENV_PREFIX}_SECRET_KEY (or SECRET_KEY in instance/config.py) to a random value of at "
        f"least {MIN_SECRET_KEY_LENGTH} characters, for example the output of "
        "`python -c \"import secrets; print(secrets.token_urlsafe(48))\"`."
    )
    if not key:
        raise ConfigurationError(f"Production needs a SECRET_KEY and none is set. {advice}")
    text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
    if text.lower() in _KNOWN_WEAK_KEYS or len(text) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(f"The SECRET_KEY is too short or well known. {advice}")
    if len(set(text)) < MIN_SECRET_KEY_DISTINCT_CHARACTERS:
        raise ConfigurationError(f"The SECRET_KEY is not random enough (too few distinct characters). {advice}")


def development_secret_key(instance_path: str) -> str:
    """A random key kept in instance/secret_key so that sessions survive a restart in development."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key

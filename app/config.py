"""Configuration: defaults, then instance/config.py, then SECTION17_* environment variables.

Every setting has a safe development default so that `section17 run` works on a
fresh clone. Production (SECTION17_ENV=production) is stricter: it refuses to
start without a strong SECRET_KEY, never runs in debug and marks cookies Secure.
The full list of settings, with production advice, is in the README.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import string
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask

ENV_PREFIX = "SECTION17"
MIN_SECRET_KEY_LENGTH = 32
MIN_SECRET_KEY_BITS = 128
MAX_SECRET_KEY_WORDS = 0.5  # share of the key's characters that are dictionary words

# Values people paste from tutorials; never acceptable as a production key.
_KNOWN_WEAK_KEYS = {"dev", "development", "secret", "changeme", "change-me", "test", "password"}
# Phrases from tutorials and example files, matched anywhere in the key once it is lower case with only its
# letters and digits: "Your_Secret_Key-Here!" contains "yoursecret". All 6 or more characters long, so a
# random key contains one by chance less than once in 10^6.
_PLACEHOLDERS = (
    "changeme", "changethis", "changeit", "pleasechange", "yoursecret", "yourkey", "secretkeyhere", "keyhere",
    "secrethere", "replaceme", "replacethis", "replacewith", "insertkey", "insertyour", "insertsecret", "putyour",
    "enteryour", "addyour", "supersecret", "topsecret", "verysecret", "mysecret", "notsecret", "notasecret",
    "secretsecret", "placeholder", "example", "sample", "default", "dummy", "fixme", "insecure", "devkey",
    "developmentkey", "testkey", "testsecret", "keepitsecret", "keepthissecret", "youwillneverguess",
    "hardtoguess", "thisisasecret", "generateone", "generatea", "randomstring", "somerandom", "secretkeyvalue",
)
_SECRET_KEY_ADVICE = (
    f"Set {ENV_PREFIX}_SECRET_KEY (or SECRET_KEY in instance/config.py) to a random value, for example the "
    "output of `python -c \"import secrets; print(secrets.token_urlsafe(48))\"`."
)


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

    # A link to reset a forgotten password works once, for this long; each client address may ask this often.
    PASSWORD_RESET_MINUTES = 30
    PASSWORD_RESET_RATE_LIMIT = "10 per hour"

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
    # request; more: a background job (run by `section17 worker`) writes it into EXPORT_DIR (default
    # instance/exports), and its file is deleted after EXPORT_KEEP_HOURS.
    EXPORT_DIR: str | None = None
    EXPORT_BACKGROUND_ANSWERS = 20000
    EXPORT_KEEP_HOURS = 24
    # A running export's worker marks it alive this often; one silent for EXPORT_STALE_SECONDS is run again.
    EXPORT_HEARTBEAT_SECONDS = 15
    EXPORT_STALE_SECONDS = 120

    # Background work (exports, e-mail, the reminder schedule) goes through this queue; `section17 worker`
    # runs it. Default: a SQLite file instance/queue.sqlite3 (one server). Production with several servers:
    # redis://host:6379/1.
    QUEUE_URL: str | None = None
    QUEUE_NAME = "section17"

    # E-mail. MAIL_URL: smtp://user:password@host:587?starttls=true (or smtps://...:465); no MAIL_URL and no
    # NOTIFY_API_KEY: every message is still recorded in the outbox, marked as not sent.
    MAIL_URL: str | None = None
    MAIL_FROM = ""
    MAIL_FROM_NAME = "Section 17 Audit"
    MAIL_MAX_ATTEMPTS = 5
    MAIL_TEMPLATES_DIR: str | None = None  # a council's own templates, default instance/mail_templates
    NOTIFY_API_KEY: str | None = None
    NOTIFY_TEMPLATE_ID = ""
    NOTIFY_TEMPLATE_IDS: dict[str, str] | None = None
    # Where people reach the service: links in messages start with it.
    PUBLIC_URL: str | None = None
    # Reminders of returns not submitted: days before the deadline, then every N days while overdue, at most M.
    REMINDER_DAYS_BEFORE = (14, 3)
    REMINDER_OVERDUE_EVERY_DAYS = 7
    REMINDER_MAX = 5

    # Evidence files attached to answers and progress notes: kept in EVIDENCE_DIR (default instance/evidence)
    # under their SHA-256. Each file at most EVIDENCE_MAX_FILE_MB, a return's files together at most
    # EVIDENCE_MAX_RETURN_MB, at most EVIDENCE_MAX_FILES_PER_UPLOAD chosen at once.
    EVIDENCE_DIR: str | None = None
    EVIDENCE_MAX_FILE_MB = 20
    EVIDENCE_MAX_RETURN_MB = 200
    EVIDENCE_MAX_FILES_PER_UPLOAD = 10
    # Bytes no file uses any more are deleted once they have not been stored again for this long: an upload
    # of the same document may have stored them a moment before saving its row.
    EVIDENCE_UNUSED_KEPT_SECONDS = 600
    # Or in an S3-compatible bucket (needs the production extra, boto3): its name, a prefix inside it, the
    # endpoint of a store that is not AWS (MinIO, Ceph...), its region and addressing style ("path" for most
    # self-hosted stores). Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID..., or a role).
    EVIDENCE_S3_BUCKET: str | None = None
    EVIDENCE_S3_PREFIX = ""
    EVIDENCE_S3_ENDPOINT_URL: str | None = None
    EVIDENCE_S3_REGION: str | None = None
    EVIDENCE_S3_ADDRESSING = "auto"
    EVIDENCE_S3_MAX_ATTEMPTS = 3

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
        check_mail_links(app.config)
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = development_secret_key(app.instance_path)
    check_mail_settings(app.config)


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


def check_mail_settings(config: Any) -> None:
    """Refuse mail settings that cannot work (a bad URL, no sender), at start-up rather than at the first message."""
    from app.mail.delivery import make_delivery

    make_delivery(config)
    from app.mail.reminders import schedule_from_config

    try:
        schedule_from_config(config)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{ENV_PREFIX}_REMINDER_DAYS_BEFORE must be whole numbers of days such as \"14,3\"; "
                                 f"{ENV_PREFIX}_REMINDER_OVERDUE_EVERY_DAYS and {ENV_PREFIX}_REMINDER_MAX whole "
                                 "numbers.") from None


def check_mail_links(config: Any) -> None:
    """Production mail needs PUBLIC_URL: without it every link in every message would point at this machine."""
    if (config.get("MAIL_URL") or config.get("NOTIFY_API_KEY")) and not config.get("PUBLIC_URL"):
        raise ConfigurationError(f"E-mail is set up, so {ENV_PREFIX}_PUBLIC_URL must say where people reach the "
                                 "service (e.g. https://section17.council.gov.uk): links in messages start with it.")


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
    """Raise ConfigurationError unless the key looks random: long, not a tutorial's placeholder,
    not made of words, and with at least MIN_SECRET_KEY_BITS of estimated randomness."""
    if not key:
        raise ConfigurationError(f"Production needs a SECRET_KEY and none is set. {_SECRET_KEY_ADVICE}")
    text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
    if text.lower() in _KNOWN_WEAK_KEYS or len(text) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(f"The SECRET_KEY is too short or well known. {_SECRET_KEY_ADVICE}")
    letters_and_digits = re.sub(r"[\W_]", "", text.lower())
    for phrase in _PLACEHOLDERS:
        if phrase in letters_and_digits:
            raise ConfigurationError(f"The SECRET_KEY is a placeholder from an example (it contains "
                                     f"\"{phrase}\", from our list). {_SECRET_KEY_ADVICE}")
    if _repeated_block(text):
        raise ConfigurationError(f"The SECRET_KEY is not random enough: part of it comes twice. {_SECRET_KEY_ADVICE}")
    bits, weakness = secret_key_bits(text)
    if bits < MIN_SECRET_KEY_BITS:
        found = f" ({weakness})" if weakness else ""
        raise ConfigurationError(f"The SECRET_KEY is not random enough: about {bits:.0f} bits of randomness where "
                                 f"{MIN_SECRET_KEY_BITS} are needed{found}. {_SECRET_KEY_ADVICE}")
    if secret_key_word_share(text) >= MAX_SECRET_KEY_WORDS:
        raise ConfigurationError(f"The SECRET_KEY is made of words, which are easy to guess. {_SECRET_KEY_ADVICE}")


def _repeated_block(text: str, size: int = 8) -> str:
    """A run of `size` characters that comes again later in the key, if there is one.

    Random keys do not repeat themselves: in a random 128-character hex key the chance of
    any 8 characters coming twice is under 2 in a million (more for fewer kinds of character).
    """
    seen: dict[str, int] = {}
    for start in range(len(text) - size + 1):
        block = text[start:start + size]
        if block in seen and start - seen[block] >= size:
            return block
        seen.setdefault(block, start)
    return ""


def _key_alphabet_size(text: str) -> int:
    """How many different characters the key's generator seems to choose from (no more than it does)."""
    chars = set(text)
    size = sum(len(group) for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits,
                                         string.punctuation, " ") if chars & set(group))
    if any(not " " <= c <= "~" for c in chars):
        size += 256 - 95  # bytes, or characters beyond printable ASCII
    if chars <= set(string.hexdigits.lower()) or chars <= set(string.hexdigits.upper()):
        size = min(size, 16)  # secrets.token_hex, openssl rand -hex
    elif chars <= set(string.ascii_letters + string.digits + "-_") or chars <= set(string.ascii_letters +
                                                                                   string.digits + "+/="):
        size = min(size, 64)  # secrets.token_urlsafe, base64
    return size


def secret_key_bits(text: str) -> tuple[float, str]:
    """Estimated bits of randomness in a key, and what makes it guessable (empty if nothing does;
    never any of the key itself, which would end up in logs).

    zxcvbn finds the guessable parts (sequences, keyboard walks, repeats, dates, words); the
    rest counts in full for the key's alphabet, as a random character does (zxcvbn itself
    counts only log2(10) bits for one, far too few for a machine-made key). Only the first
    100 characters are read.
    """
    from app.security.passwords import estimate_strength

    per_character = math.log2(_key_alphabet_size(text))
    bits, weakest = 0.0, None
    for match in estimate_strength(text).matches:
        if match["pattern"] == "bruteforce":
            bits += len(match["token"]) * per_character
            continue
        bits += math.log2(max(float(match["guesses"]), 1.0))
        if weakest is None or len(match["token"]) > len(weakest["token"]):
            weakest = match
    descriptions = {"sequence": "letters or numbers in order", "spatial": "keys next to each other on the keyboard",
                    "repeat": "repeated characters or words", "dictionary": "common words or passwords",
                    "date": "a date", "regex": "a year"}
    weakness = ""
    if weakest is not None and len(weakest["token"]) >= 4:
        weakness = f"it has {descriptions.get(weakest['pattern'], 'a pattern')}"
    return bits, weakness


@lru_cache(maxsize=1)
def _dictionary_words() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(w for words in FREQUENCY_LISTS.values() for w in words if len(w) >= 3 and w.isalpha())


def secret_key_word_share(text: str) -> float:
    """The share of the key's characters that are in dictionary words of 3 letters or more.

    Random keys of 32 or more characters stay below 0.5 (the most seen in 5,000 of each of
    token_urlsafe(24) and 32 random lower-case letters: 0.41 and 0.47); phrases are above.
    """
    lowered = text.lower()
    words = _dictionary_words()
    longest = 20
    covered = [False] * len(lowered)
    for start in range(len(lowered)):
        for end in range(start + 3, min(len(lowered), start + longest) + 1):
            if lowered[start:end] in words:
                covered[start:end] = [True] * (end - start)
    return sum(covered) / len(lowered) if lowered else 0.0


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

"""Password policy and hashing, following NCSC guidance and OWASP ASVS level 2.

Length is what makes a password strong: at least 12 characters, up to 128, any
characters, no composition rules and no forced expiry. We refuse passwords that
are on a list of common ones or that are built from the account's own details.
Hashes use scrypt (Werkzeug's default), which is memory-hard.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 128
HASH_METHOD = "scrypt"


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A real hash to check against for unknown emails, so timing does not reveal which accounts exist."""
    return generate_password_hash("timing-equaliser-not-a-real-password", method=HASH_METHOD)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    data = resources.files("app.security").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip() for line in gzip.decompress(data).decode("utf-8").splitlines() if line.strip())


def password_problems(password: str, *, personal: Iterable[str] = ()) -> list[str]:
    """Everything wrong with a proposed password, as messages for the user (empty if fine)."""
    if len(password) < MIN_LENGTH:
        return [f"Password must be {MIN_LENGTH} characters or more"]
    if len(password) > MAX_LENGTH:
        return [f"Password must be {MAX_LENGTH} characters or fewer"]
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        return ["This password is too common. Choose a password that is harder to guess"]
    if len(set(lowered)) < 4:
        return ["Password must not repeat the same few characters. Choose a password that is harder to guess"]
    for value in personal:
        part = value.strip().lower()
        if len(part) >= 4 and part in lowered:
            return ["Password must not contain your name or email address"]
    return []


def personal_words(name: str, email: str) -> list[str]:
    """Parts of a user's own details that must not appear in their password."""
    local_part = email.split("@", 1)[0]
    return [w for w in [local_part, *name.split()] if w]


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, still spend the time of a real check."""
    if not password_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)

"""Browsers an account has signed in from before, so that throttling cannot lock its owner out.

Sign-in is throttled per account (security.md item 2). If that were the only
rule, anyone who knows an officer's email address could keep them out of the
service at will, just by typing wrong passwords. NCSC's advice is to throttle
without letting an attacker lock out a named user. So after a successful sign-in
the browser is given a signed cookie that says "this browser has signed in to
these accounts before". Attempts from such a browser count against that browser
alone; a stranger's failures elsewhere never stop it.

The cookie names accounts only by a keyed digest of their email address, so
reading it does not tell anyone who uses the browser; it is signed, so it cannot
be made up for an account that has never signed in there.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadData, URLSafeTimedSerializer

KNOWN_DEVICE_COOKIE = "section17_known_device"
KNOWN_DEVICE_LIFETIME = timedelta(days=400)
MAX_ACCOUNTS_PER_DEVICE = 5  # a shared office computer: a handful of people
_SALT = "section17.known-device"


@dataclass(frozen=True)
class KnownDevice:
    device_id: str
    accounts: tuple[str, ...]  # digests of the email addresses that signed in here


def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def account_digest(secret_key: str | bytes, email: str) -> str:
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:24]


def read_known_device(secret_key: str | bytes, cookie: str | None) -> KnownDevice | None:
    if not cookie or len(cookie) > 2000:
        return None
    try:
        device_id, accounts = _serializer(secret_key).loads(
            cookie, max_age=int(KNOWN_DEVICE_LIFETIME.total_seconds()))
    except (BadData, TypeError, ValueError):
        return None
    if not isinstance(device_id, str) or not isinstance(accounts, list) or not all(isinstance(a, str) for a in accounts):
        return None
    return KnownDevice(device_id, tuple(accounts[:MAX_ACCOUNTS_PER_DEVICE]))


def device_known_for(secret_key: str | bytes, cookie: str | None, email: str) -> str | None:
    """This browser's device id, if the account with this email has signed in from it before."""
    device = read_known_device(secret_key, cookie)
    if device is None or account_digest(secret_key, email) not in device.accounts:
        return None
    return device.device_id


def remember_device(secret_key: str | bytes, cookie: str | None, email: str) -> str:
    """The cookie value after a successful sign-in to `email`: this account first, the oldest dropped."""
    device = read_known_device(secret_key, cookie)
    device_id = device.device_id if device else secrets.token_urlsafe(16)
    digest = account_digest(secret_key, email)
    accounts = [digest, *[a for a in (device.accounts if device else ()) if a != digest]]
    return _serializer(secret_key).dumps([device_id, accounts[:MAX_ACCOUNTS_PER_DEVICE]])

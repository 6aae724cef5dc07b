"""Resetting a forgotten password by e-mail: a single-use link that works for a short while.

The link carries a token signed with the app's secret key (itsdangerous) naming the
person and a fingerprint of their password hash and session token. Setting a new
password changes both, so a used link, or any link made before the password last
changed, no longer matches: single use without a table of tokens. The token also
expires PASSWORD_RESET_MINUTES (default 30) after it was made.

The link is made when the message is sent, never when it is recorded: the outbox,
which the CSO, auditors and admins read, keeps the message with the link left out
(app/mail/outbox.py, `link_made_when_sent`), so nobody who can read the outbox can
take over the account.

Asking for a reset gets the same answer whether or not an account uses the
address, and is throttled: each client address may ask PASSWORD_RESET_RATE_LIMIT
times (default 10 an hour), and each account gets at most one message in any 5
minutes (the message's key names the 5 minutes), whoever asks.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from limits import parse

from app.audit.services import record_event
from app.auth.services import PasswordChangeProblem, find_user_by_email, new_password_problems, set_password
from app.extensions import db, limiter
from app.mail.links import page_url
from app.mail.outbox import LINK_MADE_WHEN_SENT, Recipient, link_made_when_sent, queue_message
from app.models import OutboxMessage, User
from app.models.types import utcnow

SALT = "section17-password-reset"
TEMPLATE = "password_reset"
BUCKET_MINUTES = 5


class TooManyResetRequests(Exception):
    """This client has asked for too many resets: refuse, whoever the address belongs to."""


def reset_minutes() -> int:
    return int(current_app.config.get("PASSWORD_RESET_MINUTES", 30))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def fingerprint(user: User) -> str:
    """Changes whenever the password or the sessions change, which ends every link made before."""
    return hashlib.sha256(f"{user.id}:{user.password_hash}:{user.session_token}".encode()).hexdigest()[:32]


def make_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "print": fingerprint(user)})


def user_for_token(token: str) -> User | None:
    """The active person this unexpired, unused token is for; None for anything else."""
    if not token or len(token) > 500:
        return None
    try:
        claim = _serializer().loads(token, max_age=reset_minutes() * 60)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(claim, dict) or not isinstance(claim.get("user"), int):
        return None
    user = db.session.get(User, claim["user"])
    if user is None or not user.active or claim.get("print") != fingerprint(user):
        return None
    return user


@link_made_when_sent(TEMPLATE)
def _reset_link(message: OutboxMessage) -> str | None:
    """The link, made as the message goes; None if the person can no longer reset (disabled, or gone)."""
    user = message.recipient
    if user is None or not user.active:
        return None
    return page_url("auth.reset_password", reset_token=make_token(user))


def _bucket(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H}:{moment.minute // BUCKET_MINUTES * BUCKET_MINUTES:02d}"


def request_reset(email: str) -> None:
    """Queue a reset message if an active account uses this address; raises TooManyResetRequests (for anyone)."""
    prefix = str(current_app.config.get("RATELIMIT_KEY_PREFIX") or "section17")
    limit = parse(str(current_app.config.get("PASSWORD_RESET_RATE_LIMIT", "10 per hour")))
    if not limiter.limiter.hit(limit, prefix, "password-reset", get_remote_address() or "-"):
        raise TooManyResetRequests()
    user = find_user_by_email(email)
    if user is None or not user.active:
        record_event("auth.password_reset_refused", summary="Asked to reset the password of an address with no "
                     "active account (nothing was sent)", after={"email": email.strip().lower()[:254]}, commit=True)
        return
    key = f"password reset for user {user.id} in {_bucket(utcnow())}"
    queued = queue_message(key, TEMPLATE, Recipient.of(user),
                           {"name": user.name, "email": user.email, "link": LINK_MADE_WHEN_SENT,
                            "minutes": reset_minutes()}, about="Password reset")
    record_event("auth.password_reset_requested", object_type="user", object_id=user.id, actor=user,
                 summary="Asked for a link to reset their password" + ("" if queued else
                                                                        " (one was sent in the last few minutes)"))
    db.session.commit()


def reset_password(user: User, new_password: str) -> None:
    """Set the new password (ending every session and every other reset link); PasswordChangeProblem if weak."""
    problems = new_password_problems(new_password, name=user.name, email=user.email)
    if problems:
        raise PasswordChangeProblem("new_password", problems[0])
    set_password(user, new_password, must_change=False)
    record_event("auth.password_reset", object_type="user", object_id=user.id, actor=user,
                 summary="Reset their password with a link sent by e-mail")
    db.session.commit()

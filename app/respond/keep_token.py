"""The keep token: a section page's proof that it was opened in a live session for that return.

Every section page carries one in a hidden field. When the page is posted after the
session has ended (idle timeout, a page left open overnight), the session cookie no
longer proves anything, and neither does a CSRF token tied to it. The keep token
does: it is signed with the app's secret key and names who opened the page, the
return, the section and the version the answers were typed against. Only a post that
carries a valid token for the same return and section has its answers kept; any
other anonymous post is sent to sign in and nothing is written. So another site
cannot plant answers (it cannot read or forge the token), an anonymous caller learns
nothing about which returns exist, and kept answers are only ever shown back to the
person the token names.

For a signed-in person the token also carries a fingerprint of their server-side
session token, which changes when they sign out, change their password or are
disabled: a page from a session that was deliberately ended keeps nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadData, URLSafeTimedSerializer

# How long a page may stay open and still have its answers kept when it is posted.
# Long enough for a page left open over a long weekend; the kept answers themselves
# are deleted after the same time.
KEEP_TOKEN_MAX_AGE = timedelta(days=4)
_SALT = "section17.kept-answers"


@dataclass(frozen=True)
class KeepClaim:
    """What a valid keep token says."""

    respondent_key: str  # "u<user id>" for an account, "i<invitation id>" for a peer link
    fingerprint: str  # of the user's session token when the page was made ("" for a peer link)
    assignment_id: int
    section_id: str
    version: int  # the return's version the page was built from


def session_fingerprint(session_token: str) -> str:
    """A short one-way digest of a user's session token: it changes whenever the token is rotated."""
    return hashlib.sha256(session_token.encode()).hexdigest()[:24]


def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def issue_keep_token(secret_key: str | bytes, claim: KeepClaim) -> str:
    return _serializer(secret_key).dumps(
        [claim.respondent_key, claim.fingerprint, claim.assignment_id, claim.section_id, claim.version])


def read_keep_token(secret_key: str | bytes, token: str | None, *,
                    max_age: timedelta = KEEP_TOKEN_MAX_AGE) -> KeepClaim | None:
    """The claim of a genuine, unexpired token; None for anything else (missing, forged, old, malformed)."""
    if not token or len(token) > 1000:
        return None
    try:
        data = _serializer(secret_key).loads(token, max_age=int(max_age.total_seconds()))
        key, fingerprint, assignment_id, section_id, version = data
    except (BadData, TypeError, ValueError):
        return None
    if not (isinstance(key, str) and isinstance(fingerprint, str) and isinstance(section_id, str)
            and type(assignment_id) is int and type(version) is int):
        return None
    return KeepClaim(key, fingerprint, assignment_id, section_id, version)

"""Authentication and password changes. Views call these; these call the models."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.audit.services import record_event
from app.extensions import db
from app.models import Organisation, User
from app.models.organisation import DEFAULT_COUNCIL_NAME, DEFAULT_PARTNERSHIP_NAME
from app.models.types import utcnow
from app.models.user import normalise_email
from app.security.passwords import hash_password, password_problems, personal_words, verify_password

SIGN_IN_FAILED_MESSAGE = "Enter a correct email address and password"
# Shown only when the password was right: it tells the owner, and nobody else, why they cannot sign in.
ACCOUNT_DISABLED_MESSAGE = ("Your account has been disabled. Ask your community safety officer or the system "
                            "administrator if you still need to use the service")


class AccountDisabled(Exception):
    """The password was right but the account is disabled."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """Return the user if the credentials are right and the account is active.

    Always spends the time of a password check, and records why a sign-in failed
    in the audit log. The response is the same for an unknown email and a wrong
    password; a disabled account is named (AccountDisabled) only to someone who
    gave its right password.
    """
    user = find_user_by_email(email)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is not None and password_ok and user.active:
        user.last_sign_in_at = utcnow()
        record_event("auth.signed_in", object_type="user", object_id=user.id, actor=user, summary="Signed in")
        db.session.commit()
        return user
    if user is None:
        reason = "unknown email address"
    elif not password_ok:
        reason = "wrong password"
    else:
        reason = "account disabled"
    record_event(
        "auth.sign_in_failed",
        object_type="user",
        object_id=user.id if user else None,
        actor_email=normalise_email(email)[:254],
        summary=f"Sign-in failed: {reason}",
        commit=True,
    )
    if user is not None and password_ok:
        raise AccountDisabled()
    return None


@dataclass(frozen=True)
class PasswordChangeProblem(Exception):
    field: str
    message: str


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the user's own password; raises PasswordChangeProblem for the form to show.

    Every existing session of the user ends: the caller starts a fresh one.
    """
    if not verify_password(user.password_hash, current_password):
        raise PasswordChangeProblem("current_password", "Your current password is not right")
    if new_password == current_password:
        raise PasswordChangeProblem("new_password", "Your new password must be different from your current one")
    problems = new_password_problems(new_password, name=user.name, email=user.email)
    if problems:
        raise PasswordChangeProblem("new_password", problems[0])
    set_password(user, new_password, must_change=False)
    record_event("auth.password_changed", object_type="user", object_id=user.id, actor=user,
                 summary="Changed their own password")
    db.session.commit()


def new_password_problems(password: str, *, name: str, email: str) -> list[str]:
    """The password policy for this person: their own details and the organisation's names may not be used.

    The names are read from the database each time (not the pages' cached copy): a
    password is checked against the names as they are now.
    """
    row = db.session.scalar(select(Organisation).limit(1))
    council = row.council_name if row and row.council_name != DEFAULT_COUNCIL_NAME else ""
    partnership = row.partnership_name if row and row.partnership_name != DEFAULT_PARTNERSHIP_NAME else ""
    return password_problems(password, personal=personal_words(name, email), council=council,
                             partnership=partnership)


def set_password(user: User, password: str, *, must_change: bool) -> None:
    """Store a new password hash and end every existing session (no commit)."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
    user.rotate_session_token()

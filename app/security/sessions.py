"""Signed-in sessions: loading the user, rotating at sign-in, invalidating server-side.

The session cookie is signed and time-stamped by Flask; it is refused once older
than the idle timeout (PERMANENT_SESSION_LIFETIME), and refreshed on every request.
It carries "<user id>:<session token>". Signing out, changing a password or
disabling an account gives the user a new token, so every copy of an old cookie,
on any device, stops working at once (see docs/decisions/004-sessions.md).
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import login_user, logout_user
from sqlalchemy.orm import joinedload

from app.extensions import db, login_manager
from app.models import User


class ActivitySessionInterface(SecureCookieSessionInterface):
    """Refresh the session on requests a person makes, not on the page's own assets.

    The idle timeout counts from the last page, form or keep-alive. Stylesheets,
    scripts and images are fetched after the page has loaded; if they refreshed the
    cookie, the server's clock would restart after the browser's warning timer.
    """

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if request.endpoint == "static" and not session.modified:
            return False
        return super().should_set_cookie(app, session)


def load_user(user_id: str) -> User | None:
    try:
        id_part, token = user_id.split(":", 1)
        # Departments come with the user: every page checks what the user may see by them.
        user = db.session.get(User, int(id_part), options=[joinedload(User.departments)])
    except (ValueError, TypeError):
        return None
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


def start_session(user: User) -> None:
    """Sign in with a brand-new session: nothing from before sign-in is carried over."""
    session.clear()
    session.permanent = True
    session["sid"] = secrets.token_urlsafe(16)
    login_user(user, remember=False)


def end_session(user: User | None) -> None:
    """Sign out and make every existing session of this user invalid."""
    if user is not None:
        user.rotate_session_token()
        db.session.commit()
    logout_user()
    session.clear()


def register_sessions(app: Flask) -> None:
    app.session_interface = ActivitySessionInterface()
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

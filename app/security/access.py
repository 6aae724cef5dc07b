"""Deny-by-default access control.

Every view declares who may use it with `@public` or `@allow(Permission...)`.
A single before_request hook enforces the declaration; an endpoint that declares
nothing is refused for everyone, so a forgotten decorator fails closed. Object
level checks (is this *your* department?) live in the services, which return 404
for objects outside the user's reach.

CSRF is checked here too, after authorisation: an anonymous POST is sent to
sign in (nothing changes), and every state-changing request that gets through
must carry a valid token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.extensions import csrf, login_manager
from app.models.user import Role

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Permission(StrEnum):
    VIEW_OWN_DEPARTMENTS = "view_own_departments"
    VIEW_DIRECTORY = "view_directory"  # departments and people
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_USERS = "manage_users"
    MANAGE_ADMINS = "manage_admins"
    MANAGE_DEPARTMENTS = "manage_departments"
    MANAGE_ORGANISATION = "manage_organisation"
    RESPOND_FOR_DEPARTMENT = "respond_for_department"  # answer your own departments' returns
    RESPOND_FOR_PARTNERSHIP = "respond_for_partnership"  # answer the partnership's returns (hallmarks)
    VIEW_ALL_RETURNS = "view_all_returns"
    MANAGE_CYCLES = "manage_cycles"
    REVIEW_RETURNS = "review_returns"  # accept, or return with a reason
    MANAGE_QUESTIONNAIRES = "manage_questionnaires"  # import a council's own checklist
    PLAN_ACTIONS = "plan_actions"  # raise and update improvement actions (lead officers: their departments')


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.LEAD_OFFICER: frozenset(
        {Permission.VIEW_OWN_DEPARTMENTS, Permission.RESPOND_FOR_DEPARTMENT, Permission.PLAN_ACTIONS}
    ),
    Role.COMMUNITY_SAFETY_OFFICER: frozenset(
        {
            Permission.VIEW_DIRECTORY,
            Permission.VIEW_AUDIT_LOG,
            Permission.MANAGE_USERS,
            Permission.MANAGE_DEPARTMENTS,
            Permission.MANAGE_ORGANISATION,
            Permission.RESPOND_FOR_PARTNERSHIP,
            Permission.VIEW_ALL_RETURNS,
            Permission.MANAGE_CYCLES,
            Permission.REVIEW_RETURNS,
            Permission.MANAGE_QUESTIONNAIRES,
            Permission.PLAN_ACTIONS,
        }
    ),
    # Auditors read everything and change nothing: no MANAGE_*, RESPOND_* or REVIEW_* permission, ever.
    Role.AUDITOR: frozenset({Permission.VIEW_DIRECTORY, Permission.VIEW_AUDIT_LOG, Permission.VIEW_ALL_RETURNS}),
    Role.ADMIN: frozenset(
        {
            Permission.VIEW_DIRECTORY,
            Permission.VIEW_AUDIT_LOG,
            Permission.MANAGE_USERS,
            Permission.MANAGE_ADMINS,
            Permission.MANAGE_DEPARTMENTS,
            Permission.MANAGE_ORGANISATION,
            Permission.MANAGE_QUESTIONNAIRES,
        }
    ),
}

# Flask's own endpoint for app/static; everything in it is public by nature.
PUBLIC_BUILTIN_ENDPOINTS = frozenset({"static"})


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    any_of: frozenset[Permission] = frozenset()
    signed_in: bool = False  # any signed-in user, whatever the role
    by_link: bool = False  # whoever holds a valid invitation link; the view checks the link itself

    def allows(self, permissions: frozenset[Permission]) -> bool:
        return self.signed_in or bool(self.any_of & permissions)


def public(view: F) -> F:
    """Anyone may use this view, signed in or not."""
    view._access_rule = AccessRule(public=True)  # type: ignore[attr-defined]
    return view


def by_invitation_link(view: F) -> F:
    """Anyone holding a valid invitation link, signed in or not (peer contacts have no account).

    The link's token is in the URL; the view resolves it and refuses an unknown,
    expired or revoked one (app/benchmarking/peer). Nothing else about the person is known.
    """
    view._access_rule = AccessRule(public=True, by_link=True)  # type: ignore[attr-defined]
    return view


def signed_in(view: F) -> F:
    """Any signed-in user (their own account pages, home)."""
    view._access_rule = AccessRule(signed_in=True)  # type: ignore[attr-defined]
    return view


def allow(*permissions: Permission) -> Callable[[F], F]:
    """Signed-in users holding at least one of these permissions."""
    if not permissions:
        raise ValueError("allow() needs at least one permission")

    def decorate(view: F) -> F:
        view._access_rule = AccessRule(any_of=frozenset(permissions))  # type: ignore[attr-defined]
        return view

    return decorate


def permissions_for(user: Any) -> frozenset[Permission]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return ROLE_PERMISSIONS.get(Role(user.role), frozenset())


def can(user: Any, permission: Permission) -> bool:
    return permission in permissions_for(user)


def access_rule_for(app: Flask, endpoint: str) -> AccessRule | None:
    view = app.view_functions.get(endpoint)
    return getattr(view, "_access_rule", None)


def enforce_access() -> Any:
    """before_request hook: refuse anything not explicitly allowed, then check CSRF."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no route matched: Flask answers 404/405 itself
    if endpoint in PUBLIC_BUILTIN_ENDPOINTS:
        return None
    rule = access_rule_for(current_app, endpoint)
    if rule is None:
        log.error("Endpoint %s declares no access rule; refusing the request", endpoint)
        abort(403)
    if not rule.public:
        if not current_user.is_authenticated:
            keep = getattr(current_app.view_functions.get(endpoint), "_on_expired_post", None)
            if keep is not None and request.method == "POST":
                return keep()  # the session ended while answering: keep what was posted, then sign in
            return login_manager.unauthorized()
        if not rule.allows(permissions_for(current_user)):
            from app.audit.services import record_refusal

            record_refusal(current_user._get_current_object(), endpoint, request.method, request.path)
            abort(403)
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        keep = getattr(current_app.view_functions.get(endpoint), "_on_expired_post", None)
        if keep is not None and rule.by_link and current_app.config["WTF_CSRF_FIELD_NAME"] not in session:
            # The session this page was opened in has ended: keep what was posted (nothing is saved).
            kept = keep()
            if kept is not None:
                return kept
        try:
            csrf.protect()
        except CSRFError:
            # A page from an earlier session, posted after signing in again (in another tab, say):
            # its CSRF token is stale but its keep token may still prove who typed it.
            kept = keep() if keep is not None else None
            if kept is None:
                raise
            return kept
    return None


def register_access_control(app: Flask) -> None:
    app.before_request(enforce_access)
    app.jinja_env.globals["can"] = lambda permission: can(current_user, permission)
    app.jinja_env.globals["Permission"] = Permission

"""Managing accounts: adding users, roles, departments, disabling, password resets.

Used by the admin pages and the command line. `actor` is the signed-in user
making the change, or None for the command line (which runs with full rights on
the server). The rules that stop privilege escalation live here, not in views:
only administrators create or change administrators, nobody changes their own
role or disables themselves, and the last active administrator stays.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.auth.services import new_password_problems, set_password
from app.extensions import db
from app.models import Department, Role, User
from app.models.user import normalise_email
from app.security.access import Permission, can
from app.text_input import ControlCharacterError, clean_text

# No 0/O, 1/l/I: temporary passwords are read out or copied by hand.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class UserProblem(Exception):
    field: str
    message: str


def generate_temporary_password() -> str:
    """Four groups of four characters, about 79 bits of randomness, e.g. 'k7mq-2xpa-9rtd-hw4e'."""
    groups = ["".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


def list_users(*, role: str | None = None, active: bool | None = None) -> list[User]:
    query = select(User).options(selectinload(User.departments)).order_by(User.name)
    if role:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active.is_(active))
    return list(db.session.scalars(query))


def count_users_by_role(*, active_only: bool = True) -> dict[Role, int]:
    query = select(User.role, func.count()).group_by(User.role)
    if active_only:
        query = query.where(User.active.is_(True))
    counts = Counter({Role(role): n for role, n in db.session.execute(query)})
    return {role: counts.get(role, 0) for role in Role}


def get_user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def find_user(email: str) -> User | None:
    email = normalise_email(email)
    if "\x00" in email:
        return None  # no account has it; and PostgreSQL refuses a NUL even in a query
    return db.session.scalar(select(User).where(User.email == email))


def assignable_roles(actor: User | None) -> list[Role]:
    """Roles this actor may give: administrators only by administrators."""
    if actor is None or can(actor, Permission.MANAGE_ADMINS):
        return list(Role)
    return [role for role in Role if role != Role.ADMIN]


def may_manage(actor: User | None, user: User) -> bool:
    """Whether the actor may change this account at all."""
    if actor is None:
        return True
    if not can(actor, Permission.MANAGE_USERS):
        return False
    return user.role != Role.ADMIN or can(actor, Permission.MANAGE_ADMINS)


def who_may_change(user: User) -> list[User]:
    """The other active people who may change this account: whom to ask, named, rather than a role that may not fit."""
    return [other for other in list_users(active=True) if other.id != user.id and may_manage(other, user)]


def _resolve_departments(department_ids: list[int]) -> list[Department]:
    if not department_ids:
        return []
    found = list(db.session.scalars(select(Department).where(Department.id.in_(department_ids))))
    if len(found) != len(set(department_ids)):
        raise UserProblem("departments", "Choose departments from the list")
    return found


def _check_details(actor: User | None, name: str, email: str, role: str, departments: list[Department],
                   *, existing: User | None = None) -> tuple[str, str, Role]:
    try:
        name = clean_text(name)  # app/text_input.py's rule: the form has applied it, the command line has not
    except ControlCharacterError as error:
        raise UserProblem("name", error.message_for("Full name")) from None
    if not name:
        raise UserProblem("name", "Enter the person's full name")
    if len(name) > 120:
        raise UserProblem("name", "Name must be 120 characters or fewer")
    email = normalise_email(email)
    try:
        email = normalise_email(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise UserProblem("email", "Enter an email address in the correct format, like name@council.gov.uk") from None
    other = find_user(email)
    if other is not None and other is not existing:
        raise UserProblem("email", "An account with this email address already exists")
    try:
        role_enum = Role(role)
    except ValueError:
        raise UserProblem("role", "Choose a role") from None
    if role_enum not in assignable_roles(actor):
        raise UserProblem("role", "Only an administrator can give someone the administrator role")
    if role_enum == Role.LEAD_OFFICER and not departments:
        raise UserProblem("departments", "Choose at least one department for a lead officer")
    if role_enum != Role.LEAD_OFFICER and departments:
        raise UserProblem("departments", "Only lead officers answer for departments. Untick the departments, "
                                         "or choose the lead officer role")
    return name, email, role_enum


def create_user(actor: User | None, *, name: str, email: str, role: str, department_ids: list[int] | None = None,
                password: str | None = None) -> tuple[User, str | None]:
    """Add an account. Without a password, a temporary one is generated, returned once
    and must be changed at first sign-in."""
    departments = _resolve_departments(department_ids or [])
    name, email, role_enum = _check_details(actor, name, email, role, departments)
    temporary = None
    if password is None:
        temporary = generate_temporary_password()
    else:
        problems = new_password_problems(password, name=name, email=email)
        if problems:
            raise UserProblem("password", problems[0])
    user = User(name=name, email=email, role=role_enum.value, active=True,
                departments=departments if role_enum == Role.LEAD_OFFICER else [])
    set_password(user, temporary or password or "", must_change=temporary is not None)
    db.session.add(user)
    db.session.flush()
    record_event("user.created", object_type="user", object_id=user.id, actor=actor,
                 summary=f"Added {user.name} as {user.role_label.lower()}", after=user.as_audit_dict())
    db.session.commit()
    return user, temporary


def update_user(actor: User | None, user: User, *, name: str, email: str, role: str,
                department_ids: list[int]) -> User:
    if not may_manage(actor, user):
        raise UserProblem("role", "Only an administrator can change an administrator's account")
    departments = _resolve_departments(department_ids)
    name, email, role_enum = _check_details(actor, name, email, role, departments, existing=user)
    if actor is not None and actor.id == user.id and role_enum.value != user.role:
        raise UserProblem("role", "You cannot change your own role")
    if user.role == Role.ADMIN and role_enum != Role.ADMIN and user.active:
        _keep_an_admin(user)
    before = user.as_audit_dict()
    role_changed = role_enum.value != user.role
    user.name, user.email, user.role = name, email, role_enum.value
    user.departments = departments if role_enum == Role.LEAD_OFFICER else []
    if role_changed:
        user.rotate_session_token()  # new rights take effect at the next sign-in
    after = user.as_audit_dict()
    if after != before:
        action = "user.role_changed" if role_changed else "user.updated"
        record_event(action, object_type="user", object_id=user.id, actor=actor,
                     summary=f"Changed {user.name}'s account", before=before, after=after)
    db.session.commit()
    return user


def set_user_active(actor: User | None, user: User, active: bool) -> User:
    if not may_manage(actor, user):
        raise UserProblem("active", "Only an administrator can disable an administrator")
    if actor is not None and actor.id == user.id and not active:
        raise UserProblem("active", "You cannot disable your own account")
    if user.active == active:
        return user
    if not active and user.role == Role.ADMIN:
        _keep_an_admin(user)
    before = user.as_audit_dict()
    user.active = active
    user.rotate_session_token()  # a disabled user is signed out everywhere at once
    record_event("user.enabled" if active else "user.disabled", object_type="user", object_id=user.id,
                 actor=actor, summary=f"{'Re-enabled' if active else 'Disabled'} {user.name}",
                 before=before, after=user.as_audit_dict())
    db.session.commit()
    return user


def reset_password(actor: User | None, user: User, new_password: str | None = None) -> str | None:
    """Give the user a new password (a generated temporary one unless given) and sign them out everywhere."""
    if not may_manage(actor, user):
        raise UserProblem("password", "Only an administrator can reset an administrator's password")
    if new_password is not None:
        problems = new_password_problems(new_password, name=user.name, email=user.email)
        if problems:
            raise UserProblem("password", problems[0])
    temporary = None if new_password is not None else generate_temporary_password()
    set_password(user, new_password or temporary or "", must_change=temporary is not None)
    record_event("user.password_reset", object_type="user", object_id=user.id, actor=actor,
                 summary=f"Reset {user.name}'s password")
    db.session.commit()
    return temporary


def _keep_an_admin(user: User) -> None:
    others = db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active.is_(True),
                                                     User.id != user.id)
    )
    if not others:
        raise UserProblem("role", "There must always be at least one active administrator")

"""`section17 user ...`: manage accounts from the server's command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.departments.services import find_department_by_code
from app.models import Role
from app.users.services import (
    UserProblem,
    create_user,
    find_user,
    list_users,
    reset_password,
    set_user_active,
)

ROLE_CHOICE = click.Choice([role.value for role in Role])


def _problem(problem: UserProblem) -> click.ClickException:
    return click.ClickException(f"{problem.field}: {problem.message}")


def _user_or_fail(email: str):
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No user has the email address {email.strip().lower()}")
    return user


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("New password", hide_input=True, confirmation_prompt=True)


@click.group("user", cls=AppGroup)
def user_group() -> None:
    """Add, list and disable users, and set passwords."""


@user_group.command("add")
@click.option("--name", required=True, help="Full name.")
@click.option("--email", required=True, help="Email address: the sign-in name.")
@click.option("--role", required=True, type=ROLE_CHOICE, help="The user's role.")
@click.option("--department", "departments", multiple=True, metavar="CODE",
              help="Department code (lead officers; repeat for several).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of "
              "generating a temporary one.")
def add_user(name: str, email: str, role: str, departments: tuple[str, ...], password_stdin: bool) -> None:
    """Add a user. Prints a temporary password unless --password-stdin is given."""
    department_ids = []
    for code in departments:
        department = find_department_by_code(code)
        if department is None:
            raise click.BadParameter(f"no department has the code {code.strip().upper()}",
                                     param_hint="--department")
        department_ids.append(department.id)
    password = _read_password(True) if password_stdin else None
    try:
        user, temporary = create_user(None, name=name, email=email, role=role, department_ids=department_ids,
                                      password=password)
    except UserProblem as problem:
        raise _problem(problem) from None
    click.echo(f"Added {user.name} <{user.email}> as {user.role_label}.")
    if temporary:
        click.echo(f"Temporary password (must be changed at first sign-in): {temporary}")


@user_group.command("list")
@click.option("--role", type=ROLE_CHOICE, help="Only users with this role.")
def list_users_command(role: str | None) -> None:
    """List users: email, role, status, departments, name."""
    for user in list_users(role=role):
        departments = ",".join(d.code for d in user.departments) or "-"
        status = "active" if user.active else "disabled"
        click.echo(f"{user.email}\t{user.role}\t{status}\t{departments}\t{user.name}")


@user_group.command("disable")
@click.argument("email")
def disable_user(email: str) -> None:
    """Disable a user: they are signed out at once and cannot sign in."""
    user = _user_or_fail(email)
    try:
        set_user_active(None, user, False)
    except UserProblem as problem:
        raise _problem(problem) from None
    click.echo(f"Disabled {user.email}.")


@user_group.command("enable")
@click.argument("email")
def enable_user(email: str) -> None:
    """Re-enable a disabled user."""
    user = _user_or_fail(email)
    set_user_active(None, user, True)
    click.echo(f"Enabled {user.email}.")


@user_group.command("set-password")
@click.argument("email")
@click.option("--temporary", is_flag=True, help="Generate a temporary password that must be changed at sign-in.")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def set_password_command(email: str, temporary: bool, password_stdin: bool) -> None:
    """Set a user's password (asked for twice unless --temporary or --password-stdin)."""
    user = _user_or_fail(email)
    if temporary and password_stdin:
        raise click.UsageError("Use either --temporary or --password-stdin, not both.")
    new_password = None if temporary else _read_password(password_stdin)
    try:
        generated = reset_password(None, user, new_password=new_password)
    except UserProblem as problem:
        raise _problem(problem) from None
    click.echo(f"Password changed for {user.email}. They have been signed out everywhere.")
    if generated:
        click.echo(f"Temporary password (must be changed at next sign-in): {generated}")

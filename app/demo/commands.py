"""`section17 demo`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.demo.services import load_demo


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo council, its departments and one user per role (safe to run again).

    Prints one line per demo user: role, email and password, separated by spaces.
    Each run sets new passwords for the demo users.
    """
    if current_app.config["ENV"] == "production":
        raise click.ClickException("The demo loads made-up data and does not run in production.")
    for credential in load_demo():
        click.echo(f"{credential.role.value} {credential.email} {credential.password}")

"""The `section17` command: Flask's run/shell/routes, Flask-Migrate's db, and our own commands."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from app.config import ConfigurationError


def register_commands(app: Flask) -> None:
    from app.benchmarking.commands import peers_group
    from app.demo.commands import demo_command
    from app.departments.commands import department_group
    from app.export_jobs.commands import export_command
    from app.mail.commands import mail_group, notify_group
    from app.tasks.commands import worker_command
    from app.users.commands import user_group

    for command in (user_group, department_group, demo_command, peers_group, export_command, mail_group,
                    notify_group, worker_command):
        app.cli.add_command(command)


def _create_app_or_exit() -> Flask:
    """Create the app; on an unsafe configuration print why and exit non-zero."""
    from app import create_app

    try:
        return create_app()
    except ConfigurationError as error:
        click.echo(f"Section 17 Audit cannot start: {error}", err=True)
        sys.exit(2)


cli = FlaskGroup(
    create_app=_create_app_or_exit,
    load_dotenv=False,
    help="Section 17 Audit. Run `section17 COMMAND --help` for each command's options.",
)


def _register_standalone_commands() -> None:
    from app.questionnaires.commands import surveys_group

    cli.add_command(surveys_group)


_register_standalone_commands()


def main() -> None:
    cli.main(prog_name="section17")

"""`section17 demo`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.demo.peers import demo_peer_link
from app.demo.services import DemoProblem, demo_cycle, load_demo


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo council mid-way through an audit (safe to run again).

    Its 13 departments with their lead officers, one user in every other role, an open
    audit cycle with returns in every state, a partly complete hallmark checklist and
    the peer partnerships' answers. Prints one line per demo user: role, email and
    password, separated by spaces; then a line for a peer contact: peer_contact, email
    and the invitation link they answer by. Each run sets new passwords and a new link.
    """
    if current_app.config["ENV"] == "production":
        raise click.ClickException("The demo loads made-up data and does not run in production.")
    try:
        credentials = load_demo()
    except DemoProblem as problem:
        raise click.ClickException(str(problem)) from None
    for credential in credentials:
        click.echo(f"{credential.role.value} {credential.email} {credential.password}")
    link = demo_peer_link(demo_cycle())
    if link is not None:
        click.echo(f"peer_contact {link.email} {link.url}")

"""`section17 demo`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.demo.peers import demo_peer_link
from app.demo.services import DemoProblem, LeadSummary, demo_cycle, lead_officer_summary, load_demo


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo council mid-way through an audit (safe to run again).

    Its 13 departments with their lead officers, one user in every other role, an open
    audit cycle with returns in every state, a partly complete hallmark checklist and
    the peer partnerships' answers. Prints one line per demo user: role, email and
    password, separated by spaces; then a line for a peer contact: peer_contact, email
    and the invitation link they answer by. Each run sets new passwords and a new link.
    Last, after a blank line, each lead officer with their departments and the state of
    each department's return, to choose whom to sign in as.
    """
    if current_app.config["ENV"] == "production":
        raise click.ClickException("The demo loads made-up data and does not run in production.")
    try:
        credentials = load_demo()
    except DemoProblem as problem:
        raise click.ClickException(str(problem)) from None
    for credential in credentials:
        click.echo(f"{credential.role.value} {credential.email} {credential.password}")
    cycle = demo_cycle()
    link = demo_peer_link(cycle)
    if link is not None:
        click.echo(f"peer_contact {link.email} {link.url}")
    click.echo("")
    click.echo(f"Lead officers and their returns in {cycle.name}:" if cycle else "Lead officers:")
    for line in lead_officer_lines(lead_officer_summary(cycle)):
        click.echo(line)


def lead_officer_lines(summaries: list[LeadSummary]) -> list[str]:
    """One line per lead officer (name, job title, email), then one indented line per department they lead."""
    lines = []
    for lead in summaries:
        title = f", {lead.title}" if lead.title else ""
        lines.append(f"  {lead.name}{title} ({lead.email})")
        lines.extend(f"    {row.department}: {row.status}" for row in lead.returns)
    return lines

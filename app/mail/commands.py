"""`section17 mail test ADDRESS` and `section17 notify send-due [--dry-run]`."""

from __future__ import annotations

import sys
import uuid

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.mail.outbox import Recipient, deliver, delivery, queue_message
from app.mail.reminders import send_due
from app.models import MessageState, OutboxMessage
from app.models.types import utcnow


@click.group("mail")
def mail_group() -> None:
    """E-mail from the service."""


@mail_group.command("test")
@click.argument("address")
@with_appcontext
def mail_test(address: str) -> None:
    """Send one test message to ADDRESS now, and say what happened (it is in the outbox too)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        address = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="ADDRESS") from None
    sender = delivery()
    if sender is None:
        click.echo("E-mail is not set up: set SECTION17_MAIL_URL and SECTION17_MAIL_FROM (or "
                   "SECTION17_NOTIFY_API_KEY). Nothing was sent.", err=True)
        sys.exit(1)
    key = f"mail test {uuid.uuid4().hex}"
    message_id = queue_message(key, "mail_test", Recipient(address), {"sent_at": utcnow()},
                               about="A test message (section17 mail test)")
    db.session.info.pop("section17_outbox_new", None)  # sent here and now, not by a worker
    db.session.commit()
    click.echo(f"Sending a test message to {address} through {sender.describe()} ...")
    state = deliver(message_id)
    message = db.session.get(OutboxMessage, message_id)
    if state == MessageState.SENT.value:
        click.echo(f"Sent: the mail server accepted it ({message.provider_id}). Check that it arrives.")
        return
    if state == MessageState.QUEUED.value:
        click.echo(f"Not sent yet: {message.last_error}. A worker will try again in a few minutes.", err=True)
    else:
        click.echo(f"Not sent: {message.last_error}", err=True)
    sys.exit(1)


@click.group("notify")
def notify_group() -> None:
    """Messages on a schedule: reminders."""


@notify_group.command("send-due")
@click.option("--dry-run", is_flag=True, help="Say what would be queued; queue nothing.")
@with_appcontext
def send_due_command(dry_run: bool) -> None:
    """One pass of the reminder schedule now: one line per message queued (or that would be).

    Safe to run at any time: a message already queued is never queued again, so a second
    run at once queues nothing. Workers send what it queues.
    """
    planned = send_due(dry_run=dry_run)
    for item in planned:
        click.echo(("would queue " if dry_run else "queued ") + item.line())
    verb = "would be queued" if dry_run else "queued"
    click.echo(f"{len(planned)} message{'s' if len(planned) != 1 else ''} {verb}.")

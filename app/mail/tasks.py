"""The queue's jobs for e-mail: deliver one message, and the hourly reminder pass."""

from __future__ import annotations

from app.mail.outbox import DELIVER, DELIVER_MANY, deliver
from app.mail.reminders import SEND_DUE, send_due_once_this_hour
from app.tasks.queue import background_job, periodic_job


@background_job(DELIVER)
def deliver_message(message_id: int) -> None:
    deliver(message_id)


@background_job(DELIVER_MANY)
def deliver_messages(message_ids: list[int]) -> None:
    """A batch handed over together; each message is still claimed on its own, so a duplicate sends nothing."""
    for message_id in message_ids:
        deliver(message_id)


@periodic_job(SEND_DUE, minute="5")
def send_due_every_hour() -> None:
    send_due_once_this_hour()

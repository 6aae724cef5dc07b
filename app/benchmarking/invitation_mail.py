"""E-mailing peer invitations, and reminding peer contacts before their link expires.

The CSO still sees the link once, as before; if they choose, the service also
e-mails it to the contact. The token is then kept sealed on the invitation
(app/security/sealing.py) so that the link can be put into the message when it is
sent, and into reminders: the outbox itself keeps the message with the link left
out. Reminders fall PEER_REMINDER_DAYS_BEFORE days before the link's last day
(default 7 and 2), only while the peer's return is not submitted and the link
neither revoked nor expired.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.benchmarking.invitations import local_date
from app.extensions import db
from app.mail.compose import possessive
from app.mail.links import page_url
from app.mail.outbox import LINK_MADE_WHEN_SENT, Recipient, key_taken, link_made_when_sent, queue_message
from app.mail.reminders import NOT_SUBMITTED, Planned
from app.models import Assignment, OutboxMessage, PeerInvitation, StopWhen, User
from app.models.types import utcnow
from app.organisation.services import current_organisation
from app.security.sealing import seal, unseal

INVITATION = "peer_invitation"
REMINDER = "peer_reminder"


def _context(invitation: PeerInvitation, sender: str) -> dict[str, Any]:
    organisation = current_organisation()
    return {"name": invitation.contact_name, "peer": invitation.assignment.peer_partnership.name,
            "our_partnership": organisation.partnership_name or organisation.council_name,
            "last_day": local_date(invitation.expires_at), "link": LINK_MADE_WHEN_SENT, "sender": sender,
            "questionnaire": invitation.assignment.snapshot.title}


def email_invitation(invitation: PeerInvitation, token: str, sender: User | None) -> None:
    """Keep the token sealed and record the invitation message (the caller commits)."""
    invitation.sealed_token = seal(token)
    name = sender.name if sender else "The community safety team"
    queue_message(f"peer invitation {invitation.id}", INVITATION, Recipient(invitation.contact_email,
                                                                           invitation.contact_name),
                  _context(invitation, name), about=f"Invitation to {invitation.assignment.peer_partnership.name}",
                  cycle_id=invitation.assignment.cycle_id, assignment_id=invitation.assignment_id,
                  peer_invitation_id=invitation.id, stop_when=StopWhen.SUBMITTED, created_by=sender)


def why_link_not_usable(invitation: PeerInvitation) -> str:
    if invitation.revoked_at is not None:
        return "Not sent: the link was revoked before it went."
    if invitation.expires_at <= utcnow():
        return "Not sent: the link expired before it went."
    return ""


def _link(message: OutboxMessage) -> str | None:
    invitation = message.peer_invitation
    if invitation is None or why_link_not_usable(invitation):
        return None
    token = unseal(invitation.sealed_token)
    return page_url("peer.start", token=token) if token else None


link_made_when_sent(INVITATION)(_link)
link_made_when_sent(REMINDER)(_link)


def reminder_days() -> tuple[int, ...]:
    raw = current_app.config.get("PEER_REMINDER_DAYS_BEFORE", (7, 2))
    if isinstance(raw, str):
        raw = [part for part in raw.replace(" ", "").split(",") if part]
    return tuple(sorted({int(d) for d in raw}, reverse=True))


def due_peer_reminders(today: date, *, dry_run: bool) -> list[Planned]:
    """Queue the reminders due today for e-mailed links whose peer has not submitted (the caller commits)."""
    now = utcnow()
    invitations = db.session.scalars(
        select(PeerInvitation).join(Assignment, Assignment.id == PeerInvitation.assignment_id)
        .where(PeerInvitation.revoked_at.is_(None), PeerInvitation.sealed_token.is_not(None),
               PeerInvitation.expires_at > now, Assignment.status.in_(NOT_SUBMITTED))
        .options(selectinload(PeerInvitation.assignment)))
    planned: list[Planned] = []
    for invitation in invitations:
        last_day = local_date(invitation.expires_at)
        sent_on = local_date(invitation.created_at)
        points = [last_day - timedelta(days=d) for d in reminder_days()]
        passed = [p for p in points if sent_on < p <= today]
        if not passed:
            continue
        number = len(passed)
        key = f"peer reminder {number} for invitation {invitation.id}"
        if key_taken(key):
            continue
        days = (last_day - today).days
        why = f"reminder {number}, the link works for {days} more day{'s' if days != 1 else ''}"
        item = Planned(key, Recipient(invitation.contact_email, invitation.contact_name),
                       f"{possessive(invitation.assignment.peer_partnership.name)} questionnaire", why)
        if dry_run:
            planned.append(item)
        else:
            creator = invitation.created_by
            context = {**_context(invitation, creator.name if creator else "The community safety team"),
                       "days_left": days}
            if queue_message(key, REMINDER, Recipient(invitation.contact_email, invitation.contact_name), context,
                             about=f"Reminder to {invitation.assignment.peer_partnership.name}",
                             cycle_id=invitation.assignment.cycle_id, assignment_id=invitation.assignment_id,
                             peer_invitation_id=invitation.id, stop_when=StopWhen.SUBMITTED) is not None:
                planned.append(item)  # not when a pass running at the same moment recorded the key first
    return planned


def forget_expired_tokens() -> int:
    """Empty the sealed tokens of links that have expired or been revoked: nothing needs them now."""
    stale = list(db.session.scalars(select(PeerInvitation).where(
        PeerInvitation.sealed_token.is_not(None),
        (PeerInvitation.expires_at <= utcnow()) | PeerInvitation.revoked_at.is_not(None))))
    for invitation in stale:
        invitation.sealed_token = None
    return len(stale)

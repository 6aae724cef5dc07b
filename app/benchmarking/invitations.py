"""Invitation links: how a peer partnership answers the benchmarking questionnaire without an account.

A link carries a random token of 256 bits (`secrets.token_urlsafe(32)`); only its
SHA-256 is stored, so neither a copy of the database nor the audit log can be used
to answer as a peer. The token is shown once, to the officer who made the link.
A link opens exactly one return (one peer, one questionnaire, one cycle): nothing
in its pages' addresses can point anywhere else. It stops working when it expires
(at the end of its last day, in the service's time zone), when it is revoked, or
when the cycle closes (the answers can then still be read, not changed).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.audit.services import record_event
from app.extensions import db
from app.models import (
    Assignment,
    AuditEvent,
    Cycle,
    CycleQuestionnaire,
    CycleStatus,
    PeerInvitation,
    PeerPartnership,
    User,
)
from app.models.types import utcnow
from app.questionnaires.workflow import Status

TOKEN_BYTES = 32  # 256 bits; security.md asks for at least 128
LONGEST_INVITATION = timedelta(days=366)
DEFAULT_VALID_DAYS = 28


class InvitationProblem(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class LinkStatus(StrEnum):
    NOT_OPENED = "not_opened"
    OPENED = "opened"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    EXPIRED = "expired"
    REVOKED = "revoked"
    CLOSED = "closed"  # the cycle has closed


LINK_STATUS_LABELS = {
    LinkStatus.NOT_OPENED: ("Not opened yet", "govuk-tag--grey"),
    LinkStatus.OPENED: ("Opened", "govuk-tag--light-blue"),
    LinkStatus.IN_PROGRESS: ("In progress", "govuk-tag--blue"),
    LinkStatus.SUBMITTED: ("Answers submitted", "govuk-tag--green"),
    LinkStatus.EXPIRED: ("Expired", "govuk-tag--orange"),
    LinkStatus.REVOKED: ("Revoked", "govuk-tag--red"),
    LinkStatus.CLOSED: ("Cycle closed", "govuk-tag--grey"),
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or "Europe/London")


def end_of_day(day: date) -> datetime:
    """The last moment of `day` where the service is, as an aware UTC time."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=_zone()) - timedelta(microseconds=1)


def local_date(moment: datetime) -> date:
    return moment.astimezone(_zone()).date()


# --------------------------------------------------------------------------- what a link opens


def peer_questionnaire(cycle: Cycle) -> CycleQuestionnaire | None:
    """The cycle's questionnaire for peers, if it has one and the cycle has opened."""
    return next((choice for choice in cycle.questionnaires
                 if choice.snapshot is not None and choice.snapshot.kind == "peer"), None)


def cycles_for_invitations() -> list[Cycle]:
    """Open cycles with a questionnaire for peers, newest first."""
    cycles = db.session.scalars(select(Cycle).where(Cycle.status == CycleStatus.OPEN.value)
                                .order_by(Cycle.period_start.desc(), Cycle.id.desc()))
    return [cycle for cycle in cycles if peer_questionnaire(cycle) is not None]


def _peer_return(cycle: Cycle, peer: PeerPartnership, due: date) -> Assignment:
    """The peer's return in this cycle, made the first time the peer is invited."""
    choice = peer_questionnaire(cycle)
    assert choice is not None and choice.snapshot is not None
    assignment = db.session.scalar(select(Assignment).where(
        Assignment.cycle_id == cycle.id, Assignment.snapshot_id == choice.snapshot.id,
        Assignment.peer_partnership_id == peer.id))
    if assignment is None:
        assignment = Assignment(cycle=cycle, snapshot=choice.snapshot, respondent_type="peer", peer_partnership=peer,
                                status=Status.NOT_STARTED.value, due_date=due)
        db.session.add(assignment)
        db.session.flush()
    elif assignment.due_date < due:
        assignment.due_date = due
    return assignment


# --------------------------------------------------------------------------- making and withdrawing links


@dataclass(frozen=True)
class InvitationDetails:
    contact_name: str
    contact_email: str
    expires_on: date | None


@dataclass(frozen=True)
class NewLink:
    invitation: PeerInvitation
    token: str  # shown once; never stored


def _checked(details: InvitationDetails, today: date) -> tuple[str, str, date]:
    name = (details.contact_name or "").strip()
    if not name:
        raise InvitationProblem("contact_name", "Enter the name of the person you are inviting")
    if len(name) > 150:
        raise InvitationProblem("contact_name", "Name must be 150 characters or fewer")
    try:
        email = validate_email((details.contact_email or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvitationProblem("contact_email", "Enter an email address in the correct format, like "
                                                 "name@example.org") from None
    if details.expires_on is None:
        raise InvitationProblem("expires_on", "Enter the last day the link works")
    if details.expires_on < today:
        raise InvitationProblem("expires_on", "The last day the link works must be today or later")
    if details.expires_on > today + LONGEST_INVITATION:
        raise InvitationProblem("expires_on", "A link can work for a year at most: choose an earlier last day")
    return name, email, details.expires_on


def invite(actor: User | None, cycle: Cycle, peer: PeerPartnership, details: InvitationDetails,
           today: date, *, email_link: bool = False) -> NewLink:
    """A new link for one contact at one peer partnership, for the cycle's peer questionnaire."""
    if cycle.status != CycleStatus.OPEN.value:
        raise InvitationProblem("cycle", "Peers can only be invited while the cycle is open")
    if peer_questionnaire(cycle) is None:
        raise InvitationProblem("cycle", f"{cycle.name} has no questionnaire for peer partnerships")
    name, email, expires_on = _checked(details, today)
    token = new_token()
    invitation = PeerInvitation(assignment=_peer_return(cycle, peer, expires_on), contact_name=name,
                                contact_email=email, token_hash=token_hash(token), expires_at=end_of_day(expires_on),
                                created_by_id=actor.id if actor else None)
    db.session.add(invitation)
    db.session.flush()
    record_event("invitation.created", object_type="peer_invitation", object_id=invitation.id, actor=actor,
                 summary=f"Invited {name} of {peer.name} to answer {cycle.name}"
                         + (" (the link e-mailed to them)" if email_link else ""),
                 after={**invitation.as_audit_dict(), "emailed": email_link})
    if email_link:
        from app.benchmarking.invitation_mail import email_invitation

        email_invitation(invitation, token, actor)
    db.session.commit()
    return NewLink(invitation, token)


def revoke(actor: User | None, invitation: PeerInvitation, reason: str = "") -> None:
    if invitation.revoked_at is not None:
        raise InvitationProblem("reason", "This link has already been revoked")
    invitation.revoked_at = utcnow()
    invitation.revoked_by_id = actor.id if actor else None
    invitation.revoked_reason = reason.strip()[:500]
    invitation.sealed_token = None  # nothing is sent with a revoked link
    record_event("invitation.revoked", object_type="peer_invitation", object_id=invitation.id, actor=actor,
                 summary=f"Revoked the link of {invitation.contact_name} "
                         f"({invitation.assignment.peer_partnership.name})",
                 before={"revoked": False}, after={"revoked": True, "reason": invitation.revoked_reason})
    db.session.commit()


def replace_link(actor: User | None, invitation: PeerInvitation, expires_on: date | None, today: date) -> NewLink:
    """Revoke a link and give the same contact a new one (a lost or forwarded link)."""
    assignment = invitation.assignment
    details = InvitationDetails(invitation.contact_name, invitation.contact_email, expires_on)
    _checked(details, today)
    emailed = _was_emailed(invitation)  # a link the service e-mailed is replaced by one it e-mails
    if invitation.revoked_at is None:
        revoke(actor, invitation, "Replaced by a new link")
    return invite(actor, assignment.cycle, assignment.peer_partnership, details, today, email_link=emailed)


def _was_emailed(invitation: PeerInvitation) -> bool:
    """Whether the service e-mailed this invitation (its replacement is e-mailed too)."""
    from app.models import OutboxMessage

    return db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.peer_invitation_id == invitation.id)
                             .limit(1)) is not None


# --------------------------------------------------------------------------- using a link


class LinkRefused(Exception):
    def __init__(self, reason: LinkStatus | None, invitation: PeerInvitation | None = None) -> None:
        super().__init__(str(reason))
        self.reason = reason  # None: no such link
        self.invitation = invitation


def find_invitation(token: str) -> PeerInvitation | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(PeerInvitation).where(PeerInvitation.token_hash == token_hash(token))
        .options(joinedload(PeerInvitation.assignment).joinedload(Assignment.peer_partnership),
                 joinedload(PeerInvitation.assignment).joinedload(Assignment.cycle),
                 joinedload(PeerInvitation.created_by))
    )


def open_link(token: str, now: datetime | None = None) -> PeerInvitation:
    """The invitation behind a token, if the link still works; LinkRefused says why not."""
    invitation = find_invitation(token)
    if invitation is None:
        raise LinkRefused(None)
    if invitation.revoked_at is not None:
        raise LinkRefused(LinkStatus.REVOKED, invitation)
    if invitation.expires_at < (now or utcnow()):
        raise LinkRefused(LinkStatus.EXPIRED, invitation)
    return invitation


def respondent_label(invitation: PeerInvitation) -> str:
    """Who answered, for the audit log: the contact, their partnership, and how."""
    return (f"{invitation.contact_name} <{invitation.contact_email}> "
            f"({invitation.assignment.peer_partnership.name}, by invitation link)")


def record_first_opening(invitation: PeerInvitation) -> None:
    """The first time a link is opened goes in the audit log, which is where the 'Opened' status comes from."""
    seen = db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "invitation.opened", AuditEvent.object_type == "peer_invitation",
        AuditEvent.object_id == str(invitation.id)).limit(1))
    if seen is None:
        record_event("invitation.opened", object_type="peer_invitation", object_id=invitation.id,
                     actor_email=respondent_label(invitation),
                     summary=f"{invitation.contact_name} opened their invitation link", commit=True)


# --------------------------------------------------------------------------- what the officer sees


def first_openings(invitation_ids: list[int]) -> dict[int, datetime]:
    if not invitation_ids:
        return {}
    rows = db.session.execute(select(AuditEvent.object_id, AuditEvent.occurred_at).where(
        AuditEvent.action == "invitation.opened", AuditEvent.object_type == "peer_invitation",
        AuditEvent.object_id.in_([str(i) for i in invitation_ids])).order_by(AuditEvent.occurred_at.desc()))
    return {int(object_id): at for object_id, at in rows}


def link_status(invitation: PeerInvitation, opened_at: datetime | None, now: datetime) -> LinkStatus:
    """One word for where an invitation stands, most decisive first."""
    if invitation.revoked_at is not None:
        return LinkStatus.REVOKED
    assignment = invitation.assignment
    if assignment.status in (Status.SUBMITTED.value, Status.ACCEPTED.value):
        return LinkStatus.SUBMITTED
    if assignment.cycle.status != CycleStatus.OPEN.value:
        return LinkStatus.CLOSED
    if invitation.expires_at < now:
        return LinkStatus.EXPIRED
    if assignment.status == Status.IN_PROGRESS.value:
        return LinkStatus.IN_PROGRESS
    return LinkStatus.OPENED if opened_at is not None else LinkStatus.NOT_OPENED


@dataclass(frozen=True)
class InvitationRow:
    invitation: PeerInvitation
    status: LinkStatus
    opened_at: datetime | None

    @property
    def label(self) -> str:
        return LINK_STATUS_LABELS[self.status][0]

    @property
    def tag_class(self) -> str:
        return LINK_STATUS_LABELS[self.status][1]


def status_counts(rows: Iterable[InvitationRow]) -> list[tuple[str, str, int]]:
    """(label, tag class, how many) for each status that occurs, in LinkStatus order."""
    counts = Counter(row.status for row in rows)
    return [(*LINK_STATUS_LABELS[status], counts[status]) for status in LinkStatus if counts[status]]


def invitation_rows(*, cycle_id: int | None = None, peer_id: int | None = None) -> list[InvitationRow]:
    query = (select(PeerInvitation).join(Assignment)
             .options(joinedload(PeerInvitation.assignment).joinedload(Assignment.peer_partnership),
                      joinedload(PeerInvitation.assignment).joinedload(Assignment.cycle))
             .order_by(PeerInvitation.created_at.desc(), PeerInvitation.id.desc()))
    if cycle_id is not None:
        query = query.where(Assignment.cycle_id == cycle_id)
    if peer_id is not None:
        query = query.where(Assignment.peer_partnership_id == peer_id)
    invitations = list(db.session.scalars(query).unique())
    opened = first_openings([i.id for i in invitations])
    now = utcnow()
    return [InvitationRow(i, link_status(i, opened.get(i.id), now), opened.get(i.id)) for i in invitations]


def get_invitation(invitation_id: int) -> PeerInvitation | None:
    return db.session.get(PeerInvitation, invitation_id)


def invitation_text(invitation: PeerInvitation, link: str, *, partnership_name: str, sender: str) -> str:
    """A ready message for the officer to paste into an email. Plain text; the page escapes it."""
    peer = invitation.assignment.peer_partnership
    last_day = local_date(invitation.expires_at)
    return (
        f"Dear {invitation.contact_name},\n\n"
        f"{partnership_name} is comparing how partnerships in our family group make sure that every council "
        "department considers crime and disorder, substance misuse, re-offending and serious violence in its "
        "work (section 17 of the Crime and Disorder Act 1998).\n\n"
        f"Would you answer our questionnaire for {peer.name}? It takes about 20 minutes. You can save your "
        "answers and come back to them with the same link, and you do not need an account.\n\n"
        f"{link}\n\n"
        f"The link is for you only, so please do not forward it. It works until {last_day.day} "
        f"{last_day:%B %Y}.\n\n"
        "Thank you,\n"
        f"{sender}\n{partnership_name}"
    )

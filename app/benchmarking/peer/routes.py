"""The peer's pages: a start page, then the same return pages lead officers use (app/respond/pages.py).

Every address carries the link's token and nothing else that identifies a return,
so a link can only ever open its own peer's questionnaire. Each request checks the
link again: a revoked or expired link stops working at once, even mid-answer.
"""

from __future__ import annotations

from flask import render_template, request, session, url_for
from werkzeug.wrappers import Response

from app.benchmarking.invitations import LinkRefused, LinkStatus, open_link, record_first_opening, respondent_label
from app.benchmarking.peer import bp
from app.extensions import limiter
from app.models import PeerInvitation
from app.respond.pages import (
    ReturnContext,
    ReturnLinks,
    check_page,
    confirmation_page,
    kept_answers_redirect,
    section_page,
    submit_page,
    task_list_page,
)
from app.respond.services import Respondent, definition_of, is_read_only, keep_for_invitation
from app.security.access import by_invitation_link

UNKNOWN_LINKS_LIMIT = "30 per hour"  # per address: nobody mistypes a link thirty times
KEPT_ANSWERS_LIMIT = "30 per hour"


@bp.before_request
def _lasting_session() -> None:
    """Refresh the session on every page, so the idle timeout counts from the last page, as for officers."""
    session.permanent = True


@bp.errorhandler(LinkRefused)
def _refused(refusal: LinkRefused) -> tuple[str, int]:
    """404 for a link we do not know; 410 (gone) for one that has expired or been revoked."""
    return (render_template("peer/refused.html", refusal=refusal, reason=refusal.reason, LinkStatus=LinkStatus),
            404 if refusal.reason is None else 410)


def _context(token: str) -> ReturnContext:
    try:
        invitation = open_link(token)
    except LinkRefused as refusal:
        if refusal.reason is None:
            with limiter.limit(UNKNOWN_LINKS_LIMIT, scope="unknown-invitation-links"):
                pass  # counts this address's unknown links; past the limit, 429
        raise
    links = ReturnLinks("peer", {"token": token}, cookie_path=url_for("peer.start", token=token),
                        home_url=url_for("peer.start", token=token), home_label="About this questionnaire")
    return ReturnContext(invitation.assignment, Respondent(None, respondent_label(invitation), invitation.id), links,
                         audience="peer", extra={"invitation": invitation, "peer_home": links.home_url})


def keep_answers_when_session_ended(view):
    """A page posted after its session ended (over the idle timeout) is kept, not lost, and shown back.

    Only if the page carries a genuine keep token for this link's return: a post made
    by another site, or by anyone who merely knows the link, keeps nothing and is
    refused like any form without a valid CSRF token.
    """

    def keep() -> Response | None:
        args = request.view_args or {}
        token, section_id = str(args.get("token", "")), str(args.get("section_id", ""))
        ctx = _context(token)  # an unknown, expired or revoked link keeps nothing
        invitation: PeerInvitation = ctx.extra["invitation"]
        with limiter.limit(KEPT_ANSWERS_LIMIT, scope="kept-answers"):
            kept = keep_for_invitation(ctx.assignment, invitation.id, section_id, request.form)
        if kept is None:
            return None  # the usual refusal of a form without a valid CSRF token follows
        return kept_answers_redirect(ctx.links.section(section_id), kept, ctx.links.cookie_path)

    view._on_expired_post = keep
    return view


@bp.route("/<token>")
@by_invitation_link
def start(token: str) -> str:
    ctx = _context(token)
    invitation: PeerInvitation = ctx.extra["invitation"]
    record_first_opening(invitation)
    return ctx.render("peer/start.html", definition=definition_of(ctx.assignment),
                      read_only=is_read_only(ctx.assignment))


@bp.route("/<token>/questions")
@by_invitation_link
def task_list(token: str) -> str:
    return task_list_page(_context(token))


@bp.route("/<token>/sections/<section_id>", methods=["GET", "POST"])
@by_invitation_link
@keep_answers_when_session_ended
def section(token: str, section_id: str) -> Response:
    return section_page(_context(token), section_id)


@bp.route("/<token>/check")
@by_invitation_link
def check(token: str) -> Response:
    return check_page(_context(token))


@bp.route("/<token>/submit", methods=["POST"])
@by_invitation_link
def submit_return(token: str) -> Response:
    return submit_page(_context(token))


@bp.route("/<token>/confirmation")
@by_invitation_link
def confirmation(token: str) -> Response | str:
    return confirmation_page(_context(token))

"""Views for the peer register and invitation links. Rules live in register.py and invitations.py."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.analysis.crime import format_change, format_number, quartile_rule
from app.benchmarking import bp
from app.benchmarking.forms import (
    InvitationForm,
    NewLinkForm,
    PeerForm,
    RegisterImportForm,
    RevokeForm,
    SaveRegisterImportForm,
)
from app.benchmarking.invitations import (
    DEFAULT_VALID_DAYS,
    InvitationDetails,
    InvitationProblem,
    InvitationRow,
    cycles_for_invitations,
    get_invitation,
    invitation_rows,
    invite,
    local_date,
    replace_link,
    revoke,
    status_counts,
)
from app.benchmarking.register import (
    GROUP_PREFIX,
    NEW_GROUP,
    NO_GROUP,
    PeerDetails,
    PeerProblem,
    check_register_sheet,
    chosen_family_group,
    create_peer,
    family_groups,
    get_peer_or_404,
    import_register,
    list_peers,
    own_partnership,
    peer_usage,
    sheet_as_json,
    sheet_from_json,
    update_peer,
)
from app.benchmarking.register_import import SHEET_LIMITS as REGISTER_SHEET_LIMITS
from app.benchmarking.register_import import summary
from app.benchmarking.services import crime_figures_of, message_for_new_link, peer_returns
from app.extensions import db
from app.mail.outbox import mail_is_set_up
from app.models import PeerPartnership
from app.outbox.services import STATE_WORDS, invitation_messages
from app.questionnaires.importing import ImportFailed, read_sheet
from app.security.access import Permission, allow
from app.security.shown_once import keep_to_show_once, take_shown_once

READ = Permission.VIEW_ALL_RETURNS
MANAGE = Permission.MANAGE_CYCLES
NEW_LINK = "invitation-link"  # a new link's token waits server-side to be shown once on the next page
MAX_PROBLEMS_SHOWN = 100


def _user():
    return current_user._get_current_object()


def _show_link_once(made) -> None:
    """The new link is shown once, on the invitation's page; until then it waits server-side."""
    keep_to_show_once(NEW_LINK, made.invitation.id, made.token, viewer_id=_user().id)
    db.session.commit()


def _details(form: PeerForm, groups: list[str]) -> PeerDetails:
    group = chosen_family_group(form.family_group_choice.data, form.family_group.data or "", groups)
    return PeerDetails(form.name.data or "", form.area.data or "", form.population.data, group,
                       bool(form.is_own.data))


def _family_group_field(form: PeerForm, peer=None) -> list[str]:
    """Offer the register's family groups (ours first, and said so), a new one, or none; return the groups."""
    groups = family_groups()
    own = own_partnership()
    own_group = own.family_group if own is not None else ""
    form.family_group_choice.choices = [
        *(SelectChoice(GROUP_PREFIX + g, g + (" (our own partnership's group)" if g == own_group else ""))
          for g in groups),
        SelectChoice(NEW_GROUP, "A new family group"),
        SelectChoice(NO_GROUP, "None yet"),
    ]
    if request.method == "GET":
        current = peer.family_group if peer is not None else own_group
        form.family_group_choice.data = (GROUP_PREFIX + current if current in groups
                                         else NO_GROUP if peer is not None else None)
        form.family_group.data = ""
    return groups


def _save_peer(form: PeerForm, groups: list[str], save) -> PeerPartnership | None:
    """Save through `save(details)`, or put the problem on its field and return None."""
    try:
        return save(_details(form, groups))
    except PeerProblem as problem:
        if problem.field == "family_group" and not form.family_group_choice.data:
            form.family_group_choice.data = NEW_GROUP  # a typed name is a new group: show it where it was typed
        getattr(form, problem.field).errors = [problem.message]
        return None


@bp.route("/")
@allow(READ)
def index() -> str:
    peers = list_peers()
    cycles = cycles_for_invitations()
    rows = invitation_rows()
    latest: dict[int, InvitationRow] = {}
    for row in rows:  # newest first: the first seen per peer is its latest invitation
        latest.setdefault(row.invitation.assignment.peer_partnership_id, row)
    return render_template("benchmarking/index.html", peers=peers, latest=latest, cycles=cycles,
                           counts=status_counts(latest.values()))


@bp.route("/new", methods=["GET", "POST"])
@allow(MANAGE)
def new() -> Response | str:
    form = PeerForm()
    groups = _family_group_field(form)
    if form.validate_on_submit():
        peer = _save_peer(form, groups, lambda details: create_peer(_user(), details))
        if peer is not None:
            flash(f"{peer.name} has been added to the register.", "success")
            return redirect(url_for("benchmarking.detail", peer_id=peer.id))
    return render_template("benchmarking/form.html", form=form, peer=None)


@bp.route("/<int:peer_id>")
@allow(READ)
def detail(peer_id: int) -> str:
    peer = get_peer_or_404(peer_id)
    return render_template("benchmarking/detail.html", peer=peer, invitations=invitation_rows(peer_id=peer.id),
                           returns=peer_returns(peer), usage=peer_usage(peer), figures=crime_figures_of(peer),
                           can_invite=bool(cycles_for_invitations()), quartile_rule=quartile_rule(),
                           format_number=format_number, format_change=format_change)


@bp.route("/<int:peer_id>/edit", methods=["GET", "POST"])
@allow(MANAGE)
def edit(peer_id: int) -> Response | str:
    peer = get_peer_or_404(peer_id)
    form = PeerForm(obj=peer)
    groups = _family_group_field(form, peer)
    if form.validate_on_submit():
        if _save_peer(form, groups, lambda details: update_peer(_user(), peer, details)) is not None:
            flash(f"{peer.name} has been saved.", "success")
            return redirect(url_for("benchmarking.detail", peer_id=peer.id))
    return render_template("benchmarking/form.html", form=form, peer=peer)


# --------------------------------------------------------------------------- importing the register


def _import_page(form: RegisterImportForm, problems: list[str]) -> str:
    return render_template("benchmarking/import.html", form=form, problems=problems[:MAX_PROBLEMS_SHOWN],
                           more_problems=max(0, len(problems) - MAX_PROBLEMS_SHOWN))


@bp.route("/import", methods=["GET", "POST"])
@allow(MANAGE)
def import_register_page() -> str:
    form = RegisterImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.sheet.data
        try:
            sheet = read_sheet(upload.filename or "", upload.read(), REGISTER_SHEET_LIMITS)
            rows = check_register_sheet(sheet)
        except ImportFailed as failure:
            problems = [str(p) for p in failure.problems]
        else:
            return render_template("benchmarking/import_preview.html", rows=rows, counts=summary(rows),
                                   source=upload.filename, form=SaveRegisterImportForm(
                                       data={"checked_sheet": sheet_as_json(sheet), "source": upload.filename}))
    return _import_page(form, problems)


@bp.route("/import/save", methods=["POST"])
@allow(MANAGE)
def save_register_import() -> Response | str:
    form = SaveRegisterImportForm()
    if not form.validate_on_submit() or not form.checked_sheet.data:
        abort(400)
    try:
        counts = import_register(_user(), sheet_from_json(form.checked_sheet.data), form.source.data or "")
    except ImportFailed as failure:  # the register changed since the preview
        return _import_page(RegisterImportForm(), [str(p) for p in failure.problems])
    flash(f"The register has been imported: {counts['added']} partnerships added, {counts['updated']} updated.",
          "success")
    return redirect(url_for("benchmarking.index"))


# --------------------------------------------------------------------------- invitation links


@bp.route("/<int:peer_id>/invite", methods=["GET", "POST"])
@allow(MANAGE)
def invite_peer(peer_id: int) -> Response | str:
    peer = get_peer_or_404(peer_id)
    cycles = cycles_for_invitations()
    form = InvitationForm()
    form.cycle.choices = [(str(c.id), c.name) for c in cycles]
    if request.method == "GET" and cycles:
        last_day = min(cycles[0].deadline, date.today() + timedelta(days=366))
        form.expires_on.data = last_day if last_day >= date.today() else date.today() + timedelta(
            days=DEFAULT_VALID_DAYS)
    if cycles and form.validate_on_submit():
        cycle = next((c for c in cycles if str(c.id) == form.cycle.data), None)
        try:
            if cycle is None:
                raise InvitationProblem("cycle", "Choose an open audit cycle from the list")
            made = invite(_user(), cycle, peer, InvitationDetails(form.contact_name.data or "",
                                                                   form.contact_email.data or "",
                                                                   form.expires_on.data), date.today(),
                          email_link=form.send_by_email.data == "email")
        except InvitationProblem as problem:
            getattr(form, problem.field if problem.field in form else "cycle").errors = [problem.message]
        else:
            _show_link_once(made)
            return redirect(url_for("benchmarking.invitation", invitation_id=made.invitation.id))
    return render_template("benchmarking/invite.html", form=form, peer=peer, cycles=cycles)


@bp.route("/invitations/<int:invitation_id>")
@allow(READ)
def invitation(invitation_id: int) -> str:
    found = get_invitation(invitation_id)
    if found is None:
        abort(404)
    row = next(r for r in invitation_rows(peer_id=found.assignment.peer_partnership_id) if r.invitation.id == found.id)
    shown = take_shown_once(NEW_LINK, found.id, viewer_id=_user().id)
    token = shown[0] if shown else None
    link = url_for("peer.start", token=token, _external=True) if token else None
    text = message_for_new_link(found, link, _user().name) if link else None
    emailed = invitation_messages(found)
    today = date.today()
    default_last_day = max(local_date(found.expires_at), today + timedelta(days=DEFAULT_VALID_DAYS))
    return render_template("benchmarking/invitation.html", row=row, invitation=found, link=link, text=text,
                           emailed=emailed, state_words=STATE_WORDS, mail_set_up=mail_is_set_up(),
                           revoke_form=RevokeForm(), new_link_form=NewLinkForm(data={"expires_on": default_last_day}))


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@allow(MANAGE)
def revoke_invitation(invitation_id: int) -> Response:
    found = get_invitation(invitation_id)
    if found is None:
        abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            revoke(_user(), found, form.reason.data or "")
        except InvitationProblem as problem:
            flash(problem.message)
        else:
            flash(f"The link for {found.contact_name} has been revoked. It no longer opens the questionnaire.",
                  "success")
    else:
        flash(next(iter(form.errors.values()))[0] if form.errors else "The link could not be revoked.")
    return redirect(url_for("benchmarking.invitation", invitation_id=found.id))


@bp.route("/invitations/<int:invitation_id>/new-link", methods=["POST"])
@allow(MANAGE)
def new_link(invitation_id: int) -> Response:
    found = get_invitation(invitation_id)
    if found is None:
        abort(404)
    form = NewLinkForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0] if form.errors else "A new link could not be made.")
        return redirect(url_for("benchmarking.invitation", invitation_id=found.id))
    try:
        made = replace_link(_user(), found, form.expires_on.data, date.today())
    except InvitationProblem as problem:
        flash(problem.message)
        return redirect(url_for("benchmarking.invitation", invitation_id=found.id))
    _show_link_once(made)
    return redirect(url_for("benchmarking.invitation", invitation_id=made.invitation.id))

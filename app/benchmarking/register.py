"""The peer register: the partnerships in our family group, our own among them.

Our own partnership sits in the register with its peers so that it can be ranked
with them; at most one partnership is flagged as our own, so flagging one clears
the flag on any other. Every change is audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from app.audit.services import record_event
from app.benchmarking.register_import import RegisterRow, parse_register, spelling_clash, tidy_group
from app.extensions import db
from app.models import Assignment, CrimeStatistic, PeerPartnership, User
from app.questionnaires.importing import ImportFailed, RowProblem, Sheet


class PeerProblem(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PeerDetails:
    name: str
    area: str = ""
    population: int | None = None
    family_group: str = ""
    is_own: bool = False


def list_peers() -> list[PeerPartnership]:
    """Our own partnership first, then the others by name."""
    return list(db.session.scalars(select(PeerPartnership).order_by(PeerPartnership.is_own.desc(),
                                                                    func.lower(PeerPartnership.name))))


def get_peer_or_404(peer_id: int) -> PeerPartnership:
    return db.get_or_404(PeerPartnership, peer_id)


def own_partnership() -> PeerPartnership | None:
    return db.session.scalar(select(PeerPartnership).where(PeerPartnership.is_own.is_(True)).limit(1))


def _check(details: PeerDetails, existing: PeerPartnership | None) -> PeerDetails:
    name = details.name.strip()
    if not name:
        raise PeerProblem("name", "Enter the partnership's name")
    if len(name) > 150:
        raise PeerProblem("name", "Name must be 150 characters or fewer")
    same = db.session.scalar(select(PeerPartnership).where(func.lower(PeerPartnership.name) == name.lower()))
    if same is not None and same is not existing:
        raise PeerProblem("name", f"{same.name} is already in the register")
    if details.population is not None and not 0 < details.population <= 100_000_000:
        raise PeerProblem("population", "Population must be a whole number of people above 0")
    group = tidy_group(details.family_group)
    if len(group) > 100:
        raise PeerProblem("family_group", "Family group must be 100 characters or fewer")
    clash = spelling_clash(group, family_groups(excluding=existing))
    if clash is not None:
        raise PeerProblem("family_group", f"‘{group}’ is written differently from the family group ‘{clash}’ "
                                          f"already in the register. Choose ‘{clash}’ from the list, so that they "
                                          "are compared together")
    return PeerDetails(name, details.area.strip(), details.population, group, details.is_own)


# The family group radios' values: a group in the register, a new one (named in the text box) or none.
NEW_GROUP, NO_GROUP, GROUP_PREFIX = "new", "none", "group:"


def chosen_family_group(choice: str | None, typed: str, groups: list[str]) -> str:
    """The family group a form chose, among the register's `groups`, or new; PeerProblem if it chose none of them.

    A form that posts only a typed name (no choice) names a new group, checked like one.
    """
    if not choice:
        return tidy_group(typed)
    if choice == NO_GROUP:
        return ""
    if choice == NEW_GROUP:
        if not tidy_group(typed):
            raise PeerProblem("family_group", "Enter the name of the new family group")
        return tidy_group(typed)
    if choice.startswith(GROUP_PREFIX) and choice.removeprefix(GROUP_PREFIX) in groups:
        return choice.removeprefix(GROUP_PREFIX)
    raise PeerProblem("family_group_choice", "Choose a family group from the list, or a new one")


def family_groups(*, excluding: PeerPartnership | None = None) -> list[str]:
    """The family groups in the register, our own partnership's first: the ones a partnership can be put in.

    `excluding` leaves out a group only that partnership is in, so that its own spelling can be corrected.
    """
    query = select(PeerPartnership).where(PeerPartnership.family_group != "")
    peers = [p for p in db.session.scalars(query) if excluding is None or p.id != excluding.id]
    own = next((p.family_group for p in peers if p.is_own), None)
    groups = sorted({p.family_group for p in peers}, key=str.casefold)
    return ([own] if own else []) + [g for g in groups if g != own]


def _clear_other_own(keep: PeerPartnership) -> None:
    for other in db.session.scalars(select(PeerPartnership).where(PeerPartnership.is_own.is_(True))):
        if other is not keep:
            before = other.as_audit_dict()
            other.is_own = False
            record_event("peer.updated", object_type="peer_partnership", object_id=other.id,
                         summary=f"{other.name} is no longer marked as our own partnership", before=before,
                         after=other.as_audit_dict())


def _apply(peer: PeerPartnership, details: PeerDetails) -> None:
    peer.name, peer.area, peer.population = details.name, details.area, details.population
    peer.family_group, peer.is_own = details.family_group, details.is_own


def create_peer(actor: User | None, details: PeerDetails) -> PeerPartnership:
    checked = _check(details, None)
    peer = PeerPartnership()
    _apply(peer, checked)
    db.session.add(peer)
    db.session.flush()
    if peer.is_own:
        _clear_other_own(peer)
    record_event("peer.created", object_type="peer_partnership", object_id=peer.id, actor=actor,
                 summary=f"Added {peer.name} to the peer register", after=peer.as_audit_dict())
    db.session.commit()
    return peer


def update_peer(actor: User | None, peer: PeerPartnership, details: PeerDetails) -> PeerPartnership:
    checked = _check(details, peer)
    before = peer.as_audit_dict()
    _apply(peer, checked)
    if peer.is_own:
        _clear_other_own(peer)
    if peer.as_audit_dict() != before:
        record_event("peer.updated", object_type="peer_partnership", object_id=peer.id, actor=actor,
                     summary=f"Changed {peer.name} in the peer register", before=before, after=peer.as_audit_dict())
    db.session.commit()
    return peer


def peer_usage(peer: PeerPartnership) -> dict[str, int]:
    """What refers to a partnership: why it cannot simply be deleted."""
    returns = db.session.scalar(select(func.count()).select_from(Assignment)
                                .where(Assignment.peer_partnership_id == peer.id)) or 0
    figures = db.session.scalar(select(func.count()).select_from(CrimeStatistic)
                                .where(CrimeStatistic.peer_partnership_id == peer.id)) or 0
    return {"returns": returns, "figures": figures}


# --------------------------------------------------------------------------- importing the register


def _existing_names() -> dict[str, int]:
    return {name.casefold(): peer_id for peer_id, name in db.session.execute(select(PeerPartnership.id,
                                                                                    PeerPartnership.name))}


def _existing_groups() -> dict[str, str]:
    return {name.casefold(): group for name, group in db.session.execute(select(PeerPartnership.name,
                                                                              PeerPartnership.family_group))}


def check_register_sheet(sheet: Sheet) -> list[RegisterRow]:
    return parse_register(sheet, _existing_names(), _existing_groups())


def sheet_as_json(sheet: Sheet) -> str:
    """The sheet as the preview carries it to the save step (where it is checked again)."""
    return json.dumps({"header": sheet.header, "rows": sheet.rows})


def sheet_from_json(text: str) -> Sheet:
    try:
        data = json.loads(text)
        sheet = Sheet([str(c) for c in data["header"]],
                      [(int(number), [str(c) for c in cells]) for number, cells in data["rows"]])
    except (ValueError, KeyError, TypeError):
        raise ImportFailed([RowProblem(0, "", "The preview could not be read back: upload the file again")]) from None
    return sheet


def import_register(actor: User | None, sheet: Sheet, source: str) -> dict[str, int]:
    """Add or update every row of a checked sheet, all or nothing; audited as one import."""
    rows = check_register_sheet(sheet)
    added = updated = 0
    for row in rows:
        details = PeerDetails(row.name, row.area, row.population, row.family_group, row.is_own)
        peer = db.session.get(PeerPartnership, row.existing_id) if row.existing_id else None
        if peer is None:
            peer = PeerPartnership()
            db.session.add(peer)
            added += 1
        else:
            updated += 1
        _apply(peer, details)
        db.session.flush()
        if peer.is_own:
            _clear_other_own(peer)
    record_event("peer.imported", object_type="peer_partnership", actor=actor,
                 summary=f"Imported the peer register from {source or 'a spreadsheet'}: {added} added, "
                         f"{updated} updated", after={"source": source, "added": added, "updated": updated})
    db.session.commit()
    return {"added": added, "updated": updated}

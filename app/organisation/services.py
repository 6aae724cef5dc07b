"""Organisation settings: read on every page, changed by administrators."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from sqlalchemy import select

from app.audit.services import record_event
from app.extensions import db
from app.models import Organisation
from app.models.organisation import DEFAULT_COUNCIL_NAME, DEFAULT_PARTNERSHIP_NAME


@dataclass(frozen=True)
class OrganisationNames:
    council_name: str
    partnership_name: str


def current_organisation() -> OrganisationNames:
    """The names for this request (read once per request)."""
    if "organisation" not in g:
        row = db.session.scalar(select(Organisation).limit(1))
        g.organisation = (
            OrganisationNames(row.council_name, row.partnership_name)
            if row
            else OrganisationNames(DEFAULT_COUNCIL_NAME, DEFAULT_PARTNERSHIP_NAME)
        )
    return g.organisation


def update_organisation(council_name: str, partnership_name: str) -> Organisation:
    """Save the names, recording the change in the audit log."""
    row = db.session.scalar(select(Organisation).limit(1))
    before = row.as_audit_dict() if row else None
    if row is None:
        row = Organisation(council_name=council_name, partnership_name=partnership_name)
        db.session.add(row)
    else:
        row.council_name = council_name
        row.partnership_name = partnership_name
    after = {"council_name": council_name, "partnership_name": partnership_name}
    if before != after:
        record_event(
            "organisation.updated", object_type="organisation", object_id=1,
            summary="Organisation names changed", before=before, after=after,
        )
    db.session.commit()
    g.pop("organisation", None)
    return row

"""Organisation settings: read on every page, changed by administrators."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import select

from app.audit.services import record_event
from app.extensions import db
from app.models import Organisation
from app.models.organisation import DEFAULT_COUNCIL_NAME, DEFAULT_PARTNERSHIP_NAME


@dataclass(frozen=True)
class OrganisationNames:
    council_name: str
    partnership_name: str


# Every page shows the names, and they almost never change: each process keeps them for a short
# while. A change shows at once in the process that made it, and in the others within this time.
NAMES_CACHE_SECONDS = 30.0


def current_organisation() -> OrganisationNames:
    """The names for this request."""
    if "organisation" not in g:
        cache = current_app.extensions.setdefault("organisation_names", {})
        names, fetched = cache.get("names"), cache.get("at", 0.0)
        if names is None or time.monotonic() - fetched > NAMES_CACHE_SECONDS:
            row = db.session.scalar(select(Organisation).limit(1))
            names = (OrganisationNames(row.council_name, row.partnership_name) if row
                     else OrganisationNames(DEFAULT_COUNCIL_NAME, DEFAULT_PARTNERSHIP_NAME))
            cache.update(names=names, at=time.monotonic())
        g.organisation = names
    return g.organisation


def last_known_organisation() -> OrganisationNames:
    """The names last read from the database, however old, or the defaults: for pages drawn without it."""
    names = current_app.extensions.get("organisation_names", {}).get("names")
    return names or OrganisationNames(DEFAULT_COUNCIL_NAME, DEFAULT_PARTNERSHIP_NAME)


def forget_cached_names() -> None:
    current_app.extensions.get("organisation_names", {}).clear()
    g.pop("organisation", None)


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
    forget_cached_names()
    return row

"""Offence types: the product's reference list, and the ones a council adds.

The reference list is code, not data: it is the same in every installation, the
peer benchmarking questionnaire's crime questions use its keys (tags.offence), and
it cannot be deleted by accident. A community safety officer can add offence types
of their own (stored as OffenceType rows); a key, once figures use it, never changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record_event
from app.extensions import db
from app.models import OffenceType, User

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
MAX_LABEL = 150


@dataclass(frozen=True)
class Offence:
    key: str
    label: str
    built_in: bool


REFERENCE_OFFENCES: tuple[Offence, ...] = (
    Offence("violence_against_the_person", "Violence against the person", True),
    Offence("sexual_offences", "Sexual offences", True),
    Offence("robbery", "Robbery", True),
    Offence("burglary_dwelling", "Burglary of a home", True),
    Offence("theft_of_motor_vehicle", "Theft of a motor vehicle", True),
    Offence("theft_from_motor_vehicle", "Theft from a motor vehicle", True),
    Offence("criminal_damage", "Criminal damage", True),
    Offence("drug_offences", "Drug offences", True),
)
REFERENCE_KEYS = frozenset(o.key for o in REFERENCE_OFFENCES)


@dataclass(frozen=True)
class OffenceProblem:
    """Why a new offence type cannot be added, and which field is wrong."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class OffenceRefused(Exception):
    def __init__(self, problems: list[OffenceProblem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def all_offences() -> list[Offence]:
    """The reference list in its own order, then the council's own types by label."""
    added = db.session.scalars(select(OffenceType)).all()
    extra = sorted((Offence(row.key, row.label, False) for row in added if row.key not in REFERENCE_KEYS),
                   key=lambda o: (o.label.casefold(), o.key))
    return [*REFERENCE_OFFENCES, *extra]


def offence_labels() -> dict[str, str]:
    """key -> label for every offence type, in the order of all_offences()."""
    return {o.key: o.label for o in all_offences()}


def check_new_offence(key: str, label: str, existing: Iterable[Offence]) -> list[OffenceProblem]:
    """Every reason the key and label cannot be added beside the existing types (pure)."""
    problems = []
    existing = list(existing)
    if not key:
        problems.append(OffenceProblem("key", "Enter a key, for example cycle_theft"))
    elif not KEY_PATTERN.match(key):
        problems.append(OffenceProblem("key", "The key must start with a letter and use only lower-case letters, "
                                              "digits and underscores, 2 to 64 characters, for example cycle_theft"))
    elif any(o.key == key for o in existing):
        problems.append(OffenceProblem("key", f"There is already an offence type with the key {key}"))
    if not label:
        problems.append(OffenceProblem("label", "Enter a name, for example Theft of a pedal cycle"))
    elif len(label) > MAX_LABEL:
        problems.append(OffenceProblem("label", f"The name must be {MAX_LABEL} characters or fewer"))
    elif any(o.label.casefold() == label.casefold() for o in existing):
        problems.append(OffenceProblem("label", f"There is already an offence type called {label}"))
    return problems


def add_offence_type(actor: User | None, key: str, label: str) -> OffenceType:
    """Add a council's own offence type and audit it. Raises OffenceRefused, listing every problem."""
    key, label = key.strip().lower(), " ".join(label.split())
    problems = check_new_offence(key, label, all_offences())
    if problems:
        raise OffenceRefused(problems)
    offence = OffenceType(key=key, label=label, created_by_id=actor.id if actor else None)
    db.session.add(offence)
    try:
        db.session.flush()
    except IntegrityError:  # someone added the same key a moment ago
        db.session.rollback()
        raise OffenceRefused([OffenceProblem("key", f"There is already an offence type with the key {key}")]) from None
    record_event("crime.offence_type_added", object_type="offence_type", object_id=offence.id, actor=actor,
                 summary=f"Added the offence type {label} ({key})", after=offence.as_audit_dict())
    db.session.commit()
    return offence

"""Demo data: a district council with its 13 departments and one user per role.

Idempotent: running it again adds nothing twice. Each run gives the demo users
fresh passwords and returns them, so the command can print working credentials
without ever storing a password in a readable form.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select

from app.departments.services import create_department, find_department_by_code
from app.extensions import db
from app.models import Organisation, Role, User
from app.organisation.services import update_organisation
from app.users.services import create_user, find_user, generate_temporary_password, reset_password

COUNCIL_NAME = "South Derbyshire District Council"
PARTNERSHIP_NAME = "South Derbyshire Community Safety Partnership"
EMAIL_DOMAIN = "south-derbyshire.example"


@dataclass(frozen=True)
class DemoUser:
    name: str
    email: str
    role: Role
    departments: tuple[str, ...] = ()


DEMO_USERS: tuple[DemoUser, ...] = (
    # One person leading two departments is common in district councils.
    DemoUser("Priya Shah", f"priya.shah@{EMAIL_DOMAIN}", Role.LEAD_OFFICER, ("HOUS", "ENVH")),
    DemoUser("Gareth Evans", f"gareth.evans@{EMAIL_DOMAIN}", Role.COMMUNITY_SAFETY_OFFICER),
    DemoUser("Helen Okafor", f"helen.okafor@{EMAIL_DOMAIN}", Role.AUDITOR),
    DemoUser("Sam Whitfield", f"sam.whitfield@{EMAIL_DOMAIN}", Role.ADMIN),
)


@dataclass(frozen=True)
class DemoCredential:
    role: Role
    email: str
    password: str


def demo_departments() -> list[dict[str, str]]:
    text = resources.files("app.demo").joinpath("data/departments.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def load_demo() -> list[DemoCredential]:
    """Create whatever of the demo is missing; return working credentials for each demo user."""
    if db.session.scalar(select(Organisation).limit(1)) is None:
        update_organisation(COUNCIL_NAME, PARTNERSHIP_NAME)
    for row in demo_departments():
        if find_department_by_code(row["code"]) is None:
            create_department(row["code"], row["name"], row["example_links_to_crime_and_disorder"])

    credentials = []
    for spec in DEMO_USERS:
        password = generate_temporary_password()
        user: User | None = find_user(spec.email)
        if user is None:
            department_ids = [d.id for code in spec.departments if (d := find_department_by_code(code))]
            create_user(None, name=spec.name, email=spec.email, role=spec.role.value,
                        department_ids=department_ids, password=password)
        else:
            reset_password(None, user, new_password=password)
        credentials.append(DemoCredential(spec.role, spec.email, password))
    return credentials

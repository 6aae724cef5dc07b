"""Demo crime figures: the family group's recorded crime in 2001/02, for three offence types.

From data/family_group_crime_2001_02.csv (39 partnerships, including South
Derbyshire). The file goes through the same import service as any other, so the
demo proves the import too; it is imported only while no figures for its period are
held, which makes loading the demo again harmless. Like the rest of the council's
records, the figures were imported when the demo council was set up (timeline.py).
"""

from __future__ import annotations

import csv
from importlib import resources

from sqlalchemy import func, select

from app.benchmarking.crime.services import import_file
from app.demo.timeline import SET_UP_AT, dated
from app.extensions import db
from app.models import CrimeStatistic, PeerPartnership

CRIME_FILE = "family_group_crime_2001_02.csv"
PERIOD = "2001/02"


def _file_bytes() -> bytes:
    return resources.files("app.demo").joinpath(f"data/{CRIME_FILE}").read_bytes()


def load_demo_crime_statistics() -> None:
    """Put every partnership of the file in the family group, then import its figures once."""
    # Imported here so that app.demo.services can import this module at its top without a cycle.
    from app.demo.services import FAMILY_GROUP, OWN_PARTNERSHIP

    data = _file_bytes()
    names = list(dict.fromkeys(row["partnership"] for row in csv.DictReader(data.decode("utf-8").splitlines())))
    existing = {p.name: p for p in db.session.scalars(select(PeerPartnership))}
    for name in names:
        peer = existing.get(name)
        if peer is None:
            db.session.add(PeerPartnership(name=name, family_group=FAMILY_GROUP, is_own=name == OWN_PARTNERSHIP,
                                           created_at=SET_UP_AT))
        else:  # only what the benchmarking needs; the rest of a peer's record is left as it is
            peer.family_group = FAMILY_GROUP
            peer.is_own = name == OWN_PARTNERSHIP
    for peer in existing.values():
        if peer.is_own and peer.name != OWN_PARTNERSHIP:
            peer.is_own = False  # one partnership is ours
    db.session.commit()
    held = db.session.scalar(select(func.count()).select_from(CrimeStatistic).where(CrimeStatistic.period == PERIOD))
    if not held:
        with dated(SET_UP_AT):
            import_file(None, CRIME_FILE, data)
        for statistic in db.session.scalars(select(CrimeStatistic).where(CrimeStatistic.period == PERIOD)):
            statistic.imported_at = SET_UP_AT
        db.session.commit()

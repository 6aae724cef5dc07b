"""The demo's crime figures: the 39 partnerships of the 2001/02 family group, imported once."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, CrimeStatistic, PeerPartnership


def test_the_demo_loads_117_figures_and_ranks_south_derbyshire_once(app):
    from app.benchmarking.crime.services import offence_table, own_summary
    from app.demo.crime import load_demo_crime_statistics
    from app.demo.services import FAMILY_GROUP

    with app.app_context():
        # a peer already in the register keeps its own details; a stray "ours" is put right
        db.session.add(PeerPartnership(name="Amber Valley", area="Derbyshire", population=116_500,
                                       family_group="Old group"))
        db.session.add(PeerPartnership(name="Elsewhere", is_own=True))
        db.session.commit()
        load_demo_crime_statistics()
        load_demo_crime_statistics()  # again: nothing twice
        assert db.session.scalar(select(func.count()).select_from(CrimeStatistic)) == 117
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "crime.statistics_imported")) == 1
        group = list(db.session.scalars(select(PeerPartnership).where(PeerPartnership.family_group == FAMILY_GROUP)))
        assert len(group) == 39
        assert [p.name for p in db.session.scalars(select(PeerPartnership).where(PeerPartnership.is_own))] == \
            ["South Derbyshire"]
        amber = db.session.scalar(select(PeerPartnership).where(PeerPartnership.name == "Amber Valley"))
        assert (amber.area, amber.population, amber.family_group) == ("Derbyshire", 116_500, FAMILY_GROUP)
        source = db.session.scalars(select(CrimeStatistic.source).distinct()).all()
        assert source == ["family_group_crime_2001_02.csv"]

        robbery = offence_table("robbery", "2001/02")
        assert robbery.n == 39
        # 3 partnerships at 0.1 and 8 at 0.2 are below South Derbyshire's 0.3: rank 12, quartile ceil(48 / 39) = 2
        assert (robbery.own.partnership, robbery.own.rate, robbery.own.rank, robbery.own.quartile) == \
            ("South Derbyshire", 0.3, 12, 2)
        summary = {item.offence.key: item for item in own_summary("2001/02")}
        assert summary["sexual_offences"].own.rank == 1
        assert summary["burglary_dwelling"].table is None

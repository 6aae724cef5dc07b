"""Reading a cycle for analysis: the one query, on both databases, with and without details.

The council-wide pages read answers without evidence or who changed them when; the
scores they compute must be exactly those of the full read.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Assignment, Cycle, User
from app.results.loading import load_cycle
from tests.support import open_cycle

CHANGED_AT = datetime(2026, 11, 3, 9, 30, 15, 250000, tzinfo=UTC)


def _store(app, people, made) -> None:
    with app.app_context():
        lead = db.session.get(User, people.lead.id)
        rows = {"plan-mentions-duty": "yes", "plan-targets": "aims", "staff-trained": 40,
                "training-topics": ["crime", "reoffending"]}
        for question_id, value in rows.items():
            db.session.add(Answer(assignment_id=made.housing, question_id=question_id, value=value,
                                  evidence=f"Evidence for {question_id}", action="", changed_in_version=1,
                                  updated_by_id=lead.id, updated_at=CHANGED_AT))
        db.session.get(Assignment, made.housing).status = "submitted"
        db.session.commit()


def test_a_full_read_carries_evidence_and_who_changed_each_answer_when(app, people):
    made = open_cycle(app, people)
    _store(app, people, made)
    with app.app_context():
        frame = load_cycle(db.session.get(Cycle, made.cycle_id), respondent_types=["department"]).frame
    housing = frame[frame["assignment_id"] == made.housing].set_index("question_id")
    assert housing.at["plan-mentions-duty", "evidence"] == "Evidence for plan-mentions-duty"
    assert housing.at["plan-mentions-duty", "updated_by"] == "Lena Lead"
    assert housing.at["plan-mentions-duty", "updated_at"] == CHANGED_AT
    assert housing.at["training-topics", "value"] == ["crime", "reoffending"]
    assert housing.at["staff-trained", "value"] == 40
    # The return nobody has started is there too, every question unanswered.
    planning = frame[frame["assignment_id"] == made.planning]
    assert len(planning) == len(housing) and set(planning["outcome"]) <= {"unanswered", "unscored", "hidden"}


def test_a_read_without_details_scores_exactly_the_same(app, people):
    made = open_cycle(app, people)
    _store(app, people, made)
    with app.app_context():
        cycle = db.session.get(Cycle, made.cycle_id)
        full = load_cycle(cycle, respondent_types=["department"]).frame
        lean = load_cycle(cycle, respondent_types=["department"], details=False).frame
        assert db.session.scalar(select(Answer.evidence).where(Answer.question_id == "plan-targets"))
    assert set(lean["evidence"]) == {""} and lean["updated_at"].isna().all()
    kept = [c for c in full.columns if c not in ("evidence", "action", "updated_at", "updated_by")]
    pd.testing.assert_frame_equal(full[kept], lean[kept])
    assert full["is_gap"].sum() > 0

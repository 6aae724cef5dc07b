"""Property-based: whatever a browser posts, never a 500 and never an invalid stored answer (security.md 11)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Assignment
from app.questionnaires.answers import AnswerValue, is_valid_stored
from app.respond.services import definition_of
from tests.support import WebClient, open_cycle

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=600)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(["yes", "no", "not_applicable", "smart", "aims", "crime", "officer", "3,4", "1e400", "-0",
                     "NaN", "12.5%", "100.0001", "", " ", "31", "2", "2026", "0"]),
    st.integers(min_value=-10**15, max_value=10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
FIELDS = {
    "planning": ["q-plan-mentions-duty", "q-plan-mentions-duty-evidence", "q-plan-targets", "q-plan-notes"],
    "people": ["q-staff-trained", "q-staff-trained-na", "q-training-topics", "q-lead-named", "q-lead-named-evidence",
               "q-lead-name", "q-staff-count", "q-last-review-day", "q-last-review-month", "q-last-review-year"],
}


def test_random_posts_never_fail_and_never_store_an_invalid_answer(make_app, people):
    app = make_app()
    cycle = open_cycle(app, people)
    web = WebClient(app.test_client())
    web.sign_in(people.lead)
    page = web.get(f"/returns/{cycle.housing}/sections/planning").get_data(as_text=True)
    questions = {section: re.search(r'name="questions" value="([^"]*)"',
                                    web.get(f"/returns/{cycle.housing}/sections/{section}").get_data(as_text=True)
                                    ).group(1) for section in FIELDS}
    assert page

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(section=st.sampled_from(sorted(FIELDS)), data=st.data())
    def post_random(section, data):
        form = {"questions": questions[section], "next": "later"}
        for name in FIELDS[section]:
            values = data.draw(st.lists(VALUES, max_size=3), label=name)
            if values:
                form[name] = values
        with app.app_context():
            version = db.session.get(Assignment, cycle.housing).version
        form["version"] = str(version)
        response = web.post(f"/returns/{cycle.housing}/sections/{section}", form)
        assert response.status_code in (200, 302, 409), response.status_code

    post_random()
    with app.app_context():
        assignment = db.session.get(Assignment, cycle.housing)
        definition = definition_of(assignment)
        rows = db.session.scalars(select(Answer).where(Answer.assignment_id == cycle.housing)).all()
        assert len(rows) >= 5, "the random posts should have stored some valid answers too"
        for row in rows:
            answer = AnswerValue(row.value, row.not_applicable, row.evidence, row.action)
            assert is_valid_stored(definition.question(row.question_id), answer), (row.question_id, answer)
            assert len(row.evidence) <= 5000 and len(row.action) <= 5000

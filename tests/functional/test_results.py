"""The results pages: heatmap, themes, drill-down, gap register, hallmarks, peer approaches, comparison.

Figures are hand-computed from the answers below (small-departmental fixture):
Housing, submitted: plan 'yes' (met, 1), targets 'aims' (gap, 0.5), staff trained 40%
(gap, 0), three topics (met), a named officer (met): planning theme 75%, training 67%,
overall 70% amber, 2 gaps. Planning, still in progress: plan 'no' (gap), the rest unanswered.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Assignment
from tests.support import WebClient, add_action, open_cycle

HOUSING_ANSWERS = {
    "plan-mentions-duty": ("yes", "Service plan, section 4"),
    "plan-targets": ("aims", ""),
    "staff-trained": (40, ""),
    "training-topics": (["crime", "substances", "reoffending"], ""),
    "lead-named": ("officer", "Tenancy services manager"),
    "staff-count": (120, ""),
}


def answer(app, assignment_id: int, answers: dict, status: str) -> None:
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        for question_id, (value, evidence) in answers.items():
            db.session.add(Answer(assignment_id=assignment_id, question_id=question_id, value=value, evidence=evidence,
                                  action="Set up the group by March" if value == "not_met" else "",
                                  changed_in_version=1, updated_at=datetime.now(UTC)))
        assignment.status = status
        db.session.commit()


@pytest.fixture
def cycle(app, people):
    made = open_cycle(app, people)
    answer(app, made.housing, HOUSING_ANSWERS, "submitted")
    answer(app, made.planning, {"plan-mentions-duty": ("no", "")}, "in_progress")
    answer(app, made.partnership, {"strategy-group": ("not_met", ""), "member-training": ("met", "Minutes")},
           "in_progress")
    return made


def signed_in(app, account) -> WebClient:
    web = WebClient(app.test_client())
    assert web.sign_in(account).status_code == 302
    return web


def text(response) -> str:
    """The page's visible words, one space between them (tags dropped)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_heatmap_counts_submitted_returns_with_hand_computed_scores(app, people, cycle):
    page = signed_in(app, people.cso).get(f"/cycles/{cycle.cycle_id}/results")
    assert page.status_code == 200
    words = text(page)
    assert "based on the 1 of 2 departments' returns that have been submitted" in words
    assert "Housing Services 70% Amber" in words
    assert "75% Amber" in words and "67% Amber" in words  # planning and training themes
    assert "Planning Services" not in words.split("Heatmap", 1)[1].split("Score by department")[0]


def test_heatmap_can_include_returns_still_being_written(app, people, cycle):
    words = text(signed_in(app, people.cso).get(f"/cycles/{cycle.cycle_id}/results?include=1"))
    assert "include all 2 departments' returns as they stand" in words
    assert "Planning Services 0% Red" in words


def test_heatmap_sorts_by_a_theme_and_refuses_an_unknown_column(app, people, cycle):
    web = signed_in(app, people.cso)
    sorted_page = web.get(f"/cycles/{cycle.cycle_id}/results?sort=training&order=desc&include=1")
    assert "sorted by People and training, highest first" in text(sorted_page)
    bad = web.get(f"/cycles/{cycle.cycle_id}/results?sort=bogus")
    assert bad.status_code == 400
    assert "The heatmap cannot be sorted by ‘bogus’" in text(bad)


def test_charts_are_svg_with_a_text_alternative_and_no_inline_styles(app, people, cycle):
    html = signed_in(app, people.cso).get(f"/cycles/{cycle.cycle_id}/results/themes").get_data(as_text=True)
    svg = html[html.index('<svg role="img"'):html.index("</svg>")]
    assert '<title id="theme-scores-title">Score by theme across the council</title>' in svg
    assert "Planning: 75% Amber; People and training: 67% Amber." in svg  # the <desc>
    assert "style=" not in svg  # the content security policy would drop inline styles


def test_drill_down_shows_each_gap_with_answer_evidence_target_and_create_action(app, people, cycle):
    page = signed_in(app, people.lead).get(f"/cycles/{cycle.cycle_id}/results/departments/{people.housing_id}")
    words = text(page)
    assert page.status_code == 200
    assert "How measurable are the plan's commitments? Aims without measures" in words
    assert "What share of front-line staff have had training on the duty? 40%" in words
    assert "Create action for: How measurable are the plan's commitments?" in words
    assert "Does your service plan mention the duty?" not in words  # met: not a gap


def test_lead_officer_cannot_see_another_departments_gaps(app, people, cycle):
    web = signed_in(app, people.other_lead)  # Planning's lead officer
    assert web.get(f"/cycles/{cycle.cycle_id}/results/departments/{people.housing_id}").status_code == 404
    assert web.get(f"/cycles/{cycle.cycle_id}/gaps").status_code == 403
    assert web.get(f"/cycles/{cycle.cycle_id}/results").status_code == 403
    assert "Housing Services" not in text(web.get("/results"))


def test_auditor_reads_the_drill_down_without_create_action(app, people, cycle):
    words = text(signed_in(app, people.auditor).get(
        f"/cycles/{cycle.cycle_id}/results/departments/{people.housing_id}"))
    assert "Aims without measures" in words
    assert "Create action" not in words


def test_gap_register_filters_by_theme_and_refuses_unknown_values(app, people, cycle):
    web = signed_in(app, people.cso)
    words = text(web.get(f"/cycles/{cycle.cycle_id}/gaps?theme=training"))
    assert "1 gap" in words and "front-line staff" in words and "How measurable" not in words
    bad = web.get(f"/cycles/{cycle.cycle_id}/gaps?department=999")
    assert bad.status_code == 400
    assert "Department ‘999’ has no return in this cycle" in text(bad)


def test_gap_register_offers_no_statutory_filter_when_no_departmental_question_is_statutory(app, people, cycle):
    """The filter had always shown 0 gaps for departments: now it is left out, and the page says why."""
    web = signed_in(app, people.cso)
    page = web.get(f"/cycles/{cycle.cycle_id}/gaps")
    assert 'name="statutory"' not in page.get_data(as_text=True)
    assert "There is no statutory filter: no departmental question is marked as a separate statutory" in text(page)
    asked = web.get(f"/cycles/{cycle.cycle_id}/gaps?statutory=yes")
    assert asked.status_code == 400
    assert "No departmental question in this cycle is marked as a statutory requirement" in text(asked)


def test_gap_register_filters_by_matter_and_department(app, people, cycle):
    web = signed_in(app, people.cso)
    words = text(web.get(f"/cycles/{cycle.cycle_id}/gaps?include=1&matter=crime-and-disorder"))
    assert "1 gap" in words and "Planning Services" in words  # Planning's 'no' to the plan question
    words = text(web.get(f"/cycles/{cycle.cycle_id}/gaps?include=1&department={people.housing_id}"))
    assert "2 gaps" in words


def test_hallmarks_give_n_of_m_met_overall_and_by_statutory(app, people, cycle):
    words = text(signed_in(app, people.auditor).get(f"/cycles/{cycle.cycle_id}/hallmarks"))
    assert "All items: 1 of 2 met (50%)" in words
    assert "Statutory requirements: 0 of 1 met (0%)" in words
    assert "Suggested practice: 1 of 1 met (100%)" in words
    assert "Is there a strategy group of the responsible authorities?" in words
    assert "Set up the group by March" in words  # the planned action from the checklist


def test_hallmark_item_shows_the_partnership_action_raised_for_it(app, people, cycle):
    add_action(app, cycle.cycle_id, None, people.cso.id, title="Convene the strategy group",
               question_id="strategy-group")
    words = text(signed_in(app, people.cso).get(f"/cycles/{cycle.cycle_id}/hallmarks"))
    assert "Convene the strategy group (not started" in words


def test_peer_approaches_page_says_when_no_peer_has_answered(app, people, cycle):
    words = text(signed_in(app, people.cso).get(f"/cycles/{cycle.cycle_id}/peer-approaches"))
    assert "No peer partnership has submitted the benchmarking questionnaire" in words


def test_compare_marks_a_closed_gap_and_the_score_change(app, people, cycle):
    later = open_cycle(app, people, name="Audit 2027 to 2028")
    improved = {**HOUSING_ANSWERS, "staff-trained": (60, "")}
    answer(app, later.housing, improved, "accepted")
    web = signed_in(app, people.cso)
    page = web.get(f"/results/compare?earlier={cycle.cycle_id}&later={later.cycle_id}&change=closed")
    words = text(page)
    assert "Closed gaps: 1" in words
    assert "What share of front-line staff have had training on the duty? Closed 0%: 40% 100%" in words
    assert "Housing Services 70% Amber 90% Green up 20 points 2 1" in words
    assert "Answers changed since Audit 2026 to 2027" in words
    assert "Housing Services : answers changed 1 4 0" in words  # changed, same, new
    detail = web.get(f"/results/compare/departments/{people.housing_id}?earlier={cycle.cycle_id}"
                     f"&later={later.cycle_id}")
    words = text(detail)
    assert detail.status_code == 200 and "Answers that changed" in words
    assert "1 were answered differently" not in words and "1 was answered differently" in words
    assert "What share of front-line staff have had training on the duty? People and training 40% 60%" in words
    assert "Does your service plan mention the duty?" not in words  # answered the same: not listed


def test_one_departments_changed_answers_need_two_cycles_in_order_and_a_known_department(app, people, cycle):
    later = open_cycle(app, people, name="Audit 2027 to 2028")
    web = signed_in(app, people.cso)
    base = f"/results/compare/departments/{people.housing_id}"
    missing = web.get(f"{base}?earlier={cycle.cycle_id}")
    assert missing.status_code == 400 and "The address does not say which cycle is the later one" in text(missing)
    same = web.get(f"{base}?earlier={cycle.cycle_id}&later={cycle.cycle_id}")
    assert same.status_code == 400 and "Choose two different cycles to compare" in text(same)
    assert web.get(f"/results/compare/departments/99999?earlier={cycle.cycle_id}&later={later.cycle_id}"
                   ).status_code == 404
    nothing = web.get(f"{base}?earlier={cycle.cycle_id}&later={later.cycle_id}")  # nothing submitted in the later one
    assert nothing.status_code == 200
    assert "Housing Services has no submitted return in Audit 2027 to 2028, so there is nothing to compare" in text(
        nothing)
    lead = signed_in(app, people.lead)
    assert lead.get(f"{base}?earlier={cycle.cycle_id}&later={later.cycle_id}").status_code == 403


def test_compare_refuses_a_later_cycle_chosen_as_the_earlier(app, people, cycle):
    """It had quietly swapped them; now the earlier field says what is wrong, and nothing is compared."""
    later = open_cycle(app, people, name="Audit 2027 to 2028")
    from datetime import date

    from app.models import Cycle
    with app.app_context():
        db.session.get(Cycle, later.cycle_id).period_start = date(2027, 4, 1)
        db.session.get(Cycle, cycle.cycle_id).period_start = date(2026, 4, 1)
        db.session.commit()
    page = signed_in(app, people.cso).get(f"/results/compare?earlier={later.cycle_id}&later={cycle.cycle_id}")
    words = text(page)
    assert page.status_code == 400
    assert "There is a problem" in words
    message = ("The earlier cycle must start before the later one: Audit 2027 to 2028 starts on 1 April 2027, after "
               "Audit 2026 to 2027 (1 April 2026). Choose Audit 2026 to 2027 as the earlier cycle")
    assert words.count(message) == 2  # in the error summary and on the field
    assert 'href="#filter-earlier"' in page.get_data(as_text=True)
    assert "What happened to each gap" not in words


def test_compare_refuses_the_same_cycle_twice_and_unknown_cycles(app, people, cycle):
    web = signed_in(app, people.cso)
    same = web.get(f"/results/compare?earlier={cycle.cycle_id}&later={cycle.cycle_id}")
    assert same.status_code == 400 and "Choose two different cycles to compare" in text(same)
    unknown = web.get("/results/compare?earlier=9999&later=x")
    assert unknown.status_code == 400
    assert "There is no opened cycle ‘9999’ to use as the earlier cycle" in text(unknown)


def test_draft_cycle_has_no_results(app, people):
    from datetime import date, timedelta

    from app.cycles.services import CycleDetails, QuestionnaireChoice, create_cycle

    with app.app_context():
        draft = create_cycle(None, CycleDetails("Draft", date.today(), date.today() + timedelta(days=9),
                                                date.today() + timedelta(days=5),
                                                (QuestionnaireChoice("small-departmental"),))).id
    assert signed_in(app, people.cso).get(f"/cycles/{draft}/results").status_code == 404


@pytest.mark.parametrize("green, amber", [(0.9, 0.75)])
def test_rag_bands_come_from_settings(make_app, people, green, amber):
    app = make_app(RAG_GREEN=green, RAG_AMBER=amber)
    made = open_cycle(app, people)
    answer(app, made.housing, HOUSING_ANSWERS, "submitted")
    words = text(signed_in(app, people.cso).get(f"/cycles/{made.cycle_id}/results"))
    assert "Housing Services 70% Red" in words
    assert "Green is 90% or more, amber is 75% up to 90%" in words


def test_results_read_in_one_query_for_the_answers(app, people, cycle):
    """The frame comes from one query however many returns there are (see app/results/loading.py)."""
    from sqlalchemy import event

    from app.models import Cycle
    from app.results.loading import load_cycle

    with app.app_context():
        statements = []
        engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            data = load_cycle(db.session.get(Cycle, cycle.cycle_id))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        answer_reads = [s for s in statements if "answers" in s]
        assert len(answer_reads) == 1
        assert set(data.frame["department"].dropna()) == {"Housing Services", "Planning Services"}
        assert db.session.scalars(select(Assignment)).first() is not None


def test_compare_lists_the_changed_gaps_twenty_five_to_a_page(app, people, cycle):
    from tests.support import add_department

    for number in range(25):
        add_department(app, f"D{number:02d}", f"Department {number:02d}")
    later = open_cycle(app, people, name="Audit 2027 to 2028")
    with app.app_context():
        for assignment in db.session.scalars(select(Assignment).where(Assignment.cycle_id == later.cycle_id,
                                                                      Assignment.respondent_type == "department")):
            assignment.status = "submitted"  # nothing answered: every scored question is a gap
        db.session.commit()
    web = signed_in(app, people.cso)
    address = f"/results/compare?earlier={cycle.cycle_id}&later={later.cycle_id}&change=new"
    first = text(web.get(address))
    total = int(re.search(r"New gaps: (\d+), page 1 of (\d+)", first).group(1))
    pages = int(re.search(r"New gaps: \d+, page 1 of (\d+)", first).group(1))
    assert total > 100 and pages == -(-total // 25)
    assert f"Showing 1 to 25 of {total} gaps" in first
    last = web.get(f"{address}&page={pages}")
    rows = re.findall(r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">', last.get_data(as_text=True))
    assert len(rows) == total - 25 * (pages - 1)
    assert f"Showing {25 * (pages - 1) + 1} to {total} of {total} gaps" in text(last)
    assert f"page={pages - 1}" in last.get_data(as_text=True)  # the pagination links keep the filter
    assert "change=new" in last.get_data(as_text=True)
    beyond = web.get(f"{address}&page={pages + 1}")
    assert beyond.status_code == 400
    assert f"There are only {pages} pages of gaps; page {pages + 1} is beyond the end" in text(beyond)


def test_gap_register_pages_long_registers_and_keeps_the_filters_in_its_links(app, people):
    """79 gaps had been one page 13,000 pixels long: now 25 a page, with the count and GOV.UK pagination."""
    from tests.support import add_department

    for number in range(12):
        add_department(app, f"D{number:02d}", f"Department {number:02d}")
    made = open_cycle(app, people)
    with app.app_context():
        for assignment in db.session.scalars(select(Assignment).where(Assignment.cycle_id == made.cycle_id,
                                                                      Assignment.respondent_type == "department")):
            assignment.status = "submitted"  # nothing answered: every scored question is a gap
        db.session.commit()
    web = signed_in(app, people.cso)
    first = web.get(f"/cycles/{made.cycle_id}/gaps?theme=training")
    words = text(first)
    total = int(re.search(r"(\d+) gaps, page 1 of 2", words).group(1))
    assert 25 < total <= 50  # 14 departments, every training question a gap
    assert f"Showing 1 to 25 of {total} gaps" in words
    body = first.get_data(as_text=True)
    assert body.count('<tr class="govuk-table__row">') == 1 + 25  # the heading row and 25 gaps
    assert 'class="govuk-pagination"' in body
    assert re.search(r'href="[^"]*theme=training[^"]*page=2|href="[^"]*page=2[^"]*theme=training', body)
    second = text(web.get(f"/cycles/{made.cycle_id}/gaps?theme=training&page=2"))
    assert f"Showing 26 to {total} of {total} gaps" in second
    beyond = web.get(f"/cycles/{made.cycle_id}/gaps?theme=training&page=3")
    assert beyond.status_code == 400 and "There are only 2 pages of gaps; page 3 is beyond the end" in text(beyond)


def test_heatmap_uses_the_whole_window_with_short_theme_headings_and_full_names_for_screen_readers(app, people,
                                                                                                   cycle):
    """Five of eleven theme columns had been hidden at 1280 px: the page widens and the headings shorten."""
    body = signed_in(app, people.cso).get(f"/cycles/{cycle.cycle_id}/results").get_data(as_text=True)
    assert 'class="govuk-width-container app-width-container--wide"' in body
    heading = re.search(r'<th scope="col"[^>]*aria-sort="none"><a [^>]*sort=training[^>]*>(.*?)</a>', body).group(1)
    assert heading == ('<span aria-hidden="true">Training</span>'
                       '<span class="govuk-visually-hidden">People and training</span>')
    assert "<dt>Training</dt><dd>People and training</dd>" in body  # the key for sighted readers

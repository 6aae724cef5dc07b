"""Scores, RAG bands, heatmap and gap register against figures worked out by hand.

Alpha: q1 yes (1), q2 Sometimes (0.5, a gap), q4 yes (1); q5 hidden. Theme t1 = 0.75,
t2 = 1, overall 2.5 / 3. Beta: q1 no (0), q2 not applicable, q4 no (0), q5 shown and
unanswered (a gap, not in the mean). Cobalt: nothing answered, q5 hidden.
"""

from __future__ import annotations

import math

import pytest

from app.analysis.gaps import GapFilter, gap_counts, gap_register
from app.analysis.rules import Rag, RagBands, percent, scoring_rules
from app.analysis.scores import heatmap, matter_profile, overall, summarise, theme_profile
from tests.unit.analysis_fixtures import council

BANDS = RagBands()


def by_department(frame):
    return summarise(frame, ["department"], BANDS).set_index("department")


def test_one_row_per_return_and_question_with_outcomes():
    frame = council()
    assert len(frame) == 3 * 5
    outcome = frame.set_index(["department", "question_id"])["outcome"]
    assert outcome["Alpha", "q5"] == "hidden"
    assert outcome["Alpha", "q3"] == "unscored"
    assert outcome["Beta", "q2"] == "not_applicable"
    assert outcome["Beta", "q5"] == "unanswered"
    assert outcome["Cobalt", "q5"] == "hidden"
    assert outcome["Cobalt", "q1"] == "unanswered"


def test_department_scores_leave_out_not_applicable_hidden_and_unanswered():
    summary = by_department(council())
    assert summary.at["Alpha", "score"] == pytest.approx(2.5 / 3)
    assert summary.at["Alpha", "gaps"] == 1
    assert summary.at["Alpha", "rag"] == Rag.GREEN
    assert summary.at["Beta", "score"] == 0
    assert summary.at["Beta", "gaps"] == 3  # q1, q4 answered wrongly; q5 unanswered
    assert summary.at["Beta", "not_applicable"] == 1
    assert summary.at["Beta", "answered"] == 2
    assert math.isnan(summary.at["Cobalt", "score"])
    assert summary.at["Cobalt", "gaps"] == 3
    assert summary.at["Cobalt", "rag"] is None


def test_theme_and_matter_profiles():
    frame = council()
    themes = theme_profile(frame[frame["department"] == "Alpha"], BANDS).set_index("theme")
    assert list(themes.index) == ["t1", "t2"]
    assert themes.at["t1", "score"] == pytest.approx(0.75)
    assert themes.at["t1", "rag"] == Rag.AMBER
    assert themes.at["t1", "label"] == "Theme one"
    matters = matter_profile(frame[frame["department"] == "Alpha"], BANDS).set_index("matter")
    assert matters.at["crime-and-disorder", "score"] == pytest.approx(0.75)  # q1 and q2
    assert matters.at["substance-misuse", "score"] == pytest.approx(0.5)  # q2 only


def test_overall_council_score():
    result = overall(council(), BANDS)
    assert result["score"] == pytest.approx((1 + 0.5 + 1 + 0 + 0) / 5)
    assert result["gaps"] == 7
    assert result["rag"] == Rag.AMBER


@pytest.mark.parametrize(("score", "band"), [(0.8, Rag.GREEN), (0.7999, Rag.AMBER), (0.5, Rag.AMBER),
                                             (0.49, Rag.RED), (0.0, Rag.RED), (float("nan"), None), (None, None)])
def test_rag_band_edges(score, band):
    assert BANDS.band(score) == band


def test_rag_bands_are_configurable_and_checked():
    assert RagBands(green=0.9, amber=0.6).band(0.85) == Rag.AMBER
    with pytest.raises(ValueError, match="amber <= green"):
        RagBands(green=0.4, amber=0.6)
    assert "Green is 90% or more" in scoring_rules(RagBands(green=0.9, amber=0.6))[-1]


def test_percent():
    assert percent(2.5 / 3) == "83%"
    assert percent(None) == "–"


def test_heatmap_sorted_by_score_puts_unscored_last():
    result = heatmap(council(), BANDS, sort="overall", descending=True)
    assert [row.department for row in result.rows] == ["Alpha", "Beta", "Cobalt"]
    ascending = heatmap(council(), BANDS, sort="t1")
    assert [row.department for row in ascending.rows] == ["Beta", "Alpha", "Cobalt"]
    alpha = next(r for r in result.rows if r.department == "Alpha")
    assert alpha.cells["t1"].score == pytest.approx(0.75) and alpha.cells["t1"].gaps == 1
    assert alpha.cells["t2"].rag == Rag.GREEN
    assert result.themes == {"t1": "Theme one", "t2": "Theme two"}


def test_gap_register_filters():
    frame = council()
    everything = gap_register(frame)
    assert len(everything) == 7
    assert list(everything["department"].unique()) == ["Alpha", "Beta", "Cobalt"]
    assert set(gap_register(frame, GapFilter(theme="t2"))["question_id"]) == {"q4", "q5"}
    statutory = gap_register(frame, GapFilter(statutory=True))
    assert list(zip(statutory["department"], statutory["question_id"], strict=True)) == [("Alpha", "q2"), ("Cobalt", "q2")]
    substance = gap_register(frame, GapFilter(matter="substance-misuse"))
    assert list(substance["department"]) == ["Alpha", "Cobalt"]
    beta = gap_register(frame, GapFilter(department_id=2))
    assert list(beta["answer"]) == ["No", "No", "Not answered"]
    assert gap_register(frame, GapFilter(department_id=1)).iloc[0]["evidence"] == "Minutes of March"
    counts = gap_counts(frame, "matter").set_index("matter")["gaps"]
    assert counts["crime-and-disorder"] == 4 and counts["substance-misuse"] == 2

"""Every analysis works on a frame with no rows: a cycle with no returns of the kind a page asks for.

The gap register had raised KeyError: 'department' on the empty frame, because an empty
column of plain objects used as a row mask selects columns (none), not rows.
"""

import pytest

from app.analysis.approaches import approach_matrix
from app.analysis.comparison import change_counts, gap_changes, score_changes
from app.analysis.frame import FRAME_COLUMNS, empty_frame, theme_headings
from app.analysis.gaps import GapFilter, gap_counts, gap_register
from app.analysis.rules import RagBands
from app.analysis.scores import heatmap, matter_profile, overall, theme_profile

BANDS = RagBands()


def test_the_empty_frame_has_every_column_and_typed_masks():
    frame = empty_frame()
    assert list(frame.columns) == FRAME_COLUMNS
    assert frame["is_gap"].dtype == bool and frame["score"].dtype == float


@pytest.mark.parametrize("wanted", [GapFilter(), GapFilter(theme="planning"), GapFilter(matter="reoffending"),
                                    GapFilter(department_id=3), GapFilter(statutory=True)],
                         ids=["no filter", "theme", "matter", "department", "statutory"])
def test_the_gap_register_of_nothing_is_empty_with_its_columns(wanted):
    register = gap_register(empty_frame(), wanted)
    assert register.empty and {"department", "question", "theme"} <= set(register.columns)
    assert gap_counts(empty_frame(), "matter").empty


def test_scores_comparisons_and_approaches_of_nothing_are_empty():
    frame = empty_frame()
    assert heatmap(frame, BANDS).rows == []
    assert overall(frame, BANDS)["questions"] == 0
    assert theme_profile(frame, BANDS).empty and matter_profile(frame, BANDS).empty
    assert change_counts(gap_changes(frame, frame)) == {"new": 0, "closed": 0, "persisting": 0, "worse": 0}
    assert score_changes(frame, frame, "department", BANDS).empty
    assert approach_matrix(frame).rows == []


def test_theme_headings_shorten_long_titles_to_the_theme_key():
    headings = theme_headings({"awareness": "Awareness of the duty", "leadership": "Lead officer",
                               "good-practice": "Good practice and ideas", "x": "Short"})
    assert headings == {"awareness": "Awareness", "leadership": "Lead officer", "good-practice": "Good practice",
                        "x": "Short"}

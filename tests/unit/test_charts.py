"""The server-rendered charts: text alternatives, no colour-only meaning, safe with hostile labels."""

import re

from app.results.charts import Bar, bar_chart

BARS = (Bar("Housing", 0.9, "green"), Bar("Planning", 0.6, "amber"), Bar("Revenue", 0.2, "red"),
        Bar("Legal", None, None))


def test_chart_has_a_title_a_description_of_every_value_and_words_on_each_bar():
    svg = str(bar_chart("scores", "Score by department", BARS, 0.55, "Council score"))
    assert svg.startswith('<svg role="img" aria-labelledby="scores-title scores-desc"')
    assert '<title id="scores-title">Score by department</title>' in svg
    assert ("Housing: 90% Green; Planning: 60% Amber; Revenue: 20% Red; Legal: No score. Council score: 55%."
            in svg)
    for words in ("90% Green", "60% Amber", "20% Red", "No score"):
        assert f">{words}<" in svg  # printed beside the bar, not left to colour


def test_chart_has_no_inline_styles_and_ids_carry_the_chart_prefix():
    svg = str(bar_chart("scores", "Score by department", BARS))
    assert "style=" not in svg and "<style" not in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("scores-") for i in ids)


def test_same_data_gives_the_same_chart():
    assert str(bar_chart.__wrapped__("a", "T", BARS)) == str(bar_chart.__wrapped__("a", "T", BARS))


def test_hostile_labels_are_escaped():
    hostile = (Bar('<script>alert("x")</script>', 0.5, "amber"),)
    svg = str(bar_chart("h", '<img src=x onerror="alert(1)">', hostile))
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;script&gt;" in svg


def test_dollar_signs_in_names_are_shown_as_typed_not_as_mathematics():
    bars = (Bar("Budget $5m and $6m review", 0.5, "amber"), Bar(r"Cost $\frac{$ centre", 0.4, "red"))
    svg = str(bar_chart("money", "Scores", bars))
    assert ">Budget $5m and $6m review<" in svg
    assert r">Cost $\frac{$ centre<" in svg


# --------------------------------------------------------------------------- layout: words as large as the page's

import itertools  # noqa: E402

import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from app.results.charts import (  # noqa: E402
    NARROW,
    VARIANTS,
    WIDE,
    BarStyle,
    ValueBar,
    chart_figure,
    nice_ticks,
    score_drawing,
    value_drawing,
)

HALLMARKS = (Bar("All items", 0.8, "green"), Bar("Hallmark 1: Empowered and effective leadership", 1.0, "green"),
             Bar("Hallmark 2: Visible and constructive accountability", 0.8, "green"),
             Bar("Statutory requirements", 0.0, "red"), Bar("Suggested practice", None, None))
STYLES = (BarStyle("below", "#00703c", "", "Below the group band"), BarStyle("above", "#d4351c", "xx", "Above"))


def _boxes(figure):
    """Every piece of text the figure draws (its background box included), in pixels, after a real draw."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = [t for t in figure.findobj(Text) if t.get_text() and t.get_visible()]
    return [(t, (t.get_bbox_patch() or t).get_window_extent(renderer)) for t in texts]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
@pytest.mark.parametrize("drawing", [score_drawing(HALLMARKS), score_drawing(BARS, 0.55, "Council score"),
                                     value_drawing((ValueBar("Kerrier", 0.1, "below", "0.10, below"),
                                                    ValueBar("Ours", 1.2, "above", "1.20, above", emphasis=True)),
                                                   STYLES, "Offences per 1,000 people", 0.4, "Group mean"),
                                     value_drawing((ValueBar("Vale Royal", 4.6, "below", "4.60, below the band"),
                                                    ValueBar("East Northamptonshire", 6.5, "above",
                                                             "6.50, above the band")),
                                                   STYLES, "Offences per 1,000 people", 9.24, "Group mean")],
                         ids=["hallmarks", "scores with a reference", "values", "long values after the name"])
def test_no_two_pieces_of_text_overlap_and_all_fit_the_width(drawing, variant):
    """"80%" and "100%" had run into each other: every label, value, tick and legend entry has its own space."""
    figure = chart_figure(drawing, variant)
    boxes = _boxes(figure)
    assert len(boxes) >= len(drawing.rows) * 2 + len(drawing.ticks)
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), f"{a.get_text()!r} overlaps {b.get_text()!r}"
    width = figure.get_size_inches()[0] * 72
    assert width == variant.width
    for text, box in boxes:
        assert 0 <= box.x0 and box.x1 <= width, f"{text.get_text()!r} runs off the chart"


@pytest.mark.parametrize("variant, body_text", [(WIDE, 19), (NARROW, 16)], ids=["1280 px", "375 px"])
def test_chart_text_is_as_large_as_the_body_text_where_it_is_shown(variant, body_text):
    """Text had been about 10 px at 1280 and 5 px at 375: each drawing is shown at its own size, unscaled."""
    figure = chart_figure(score_drawing(HALLMARKS), variant)
    assert all(text.get_fontsize() >= body_text for text, _ in _boxes(figure))
    svg = str(bar_chart("h", "Hallmarks", HALLMARKS))
    # GOV.UK body text: 19 px from tablet width, 16 px on phones; the drawing is exactly as wide as it is shown.
    assert re.search(rf'class="app-chart__svg app-chart__svg--{variant.name}" width="{variant.width}" ', svg)
    fonts = {float(size) for size in re.findall(r'font-size="([\d.]+)px"', svg)}
    assert fonts and min(fonts) >= NARROW.font_size


def test_both_drawings_are_labelled_and_their_ids_do_not_clash():
    svg = str(bar_chart("scores", "Score by department", BARS))
    assert svg.count('<svg role="img"') == 2
    assert 'aria-labelledby="scores-narrow-title scores-narrow-desc"' in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert len(ids) == len(set(ids))


def test_a_long_name_wraps_onto_lines_that_fit():
    figure = chart_figure(score_drawing((Bar("Community and Leisure Development Services", 0.5, "amber"),)),
                          NARROW)
    lines = [t.get_text() for t, _ in _boxes(figure) if t.get_text() in "Community and Leisure Development Services"]
    assert len(lines) >= 2 and " ".join(lines) == "Community and Leisure Development Services"


@pytest.mark.parametrize("largest, ticks", [(0, [0, 0.5, 1]), (1.2, [0, 1, 2]), (4.6, [0, 2.5, 5]),
                                            (38, [0, 25, 50]), (100, [0, 50, 100])])
def test_the_numeric_axis_has_three_round_ticks_at_or_above_the_largest_value(largest, ticks):
    assert nice_ticks(largest) == ticks

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
    assert str(bar_chart("a", "T", BARS)) == str(bar_chart("a", "T", BARS))


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

from app.results.charts import (  # noqa: E402
    NARROW,
    VARIANTS,
    WIDE,
    BarStyle,
    ValueBar,
    chart_layout,
    nice_ticks,
    score_drawing,
    text_width,
    value_drawing,
)

HALLMARKS = (Bar("All items", 0.8, "green"), Bar("Hallmark 1: Empowered and effective leadership", 1.0, "green"),
             Bar("Hallmark 2: Visible and constructive accountability", 0.8, "green"),
             Bar("Statutory requirements", 0.0, "red"), Bar("Suggested practice", None, None))
STYLES = (BarStyle("below", "#00703c", "", "Below the group band"), BarStyle("above", "#d4351c", "xx", "Above"))


def _boxes(layout):
    """Every piece of text the layout draws, with the box it covers (its white box included), in pixels."""
    return [(words, words.box) for words in layout.words if words.text]


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
    layout = chart_layout(drawing, variant)
    boxes = _boxes(layout)
    assert len(boxes) >= len(drawing.rows) * 2 + len(drawing.ticks)
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), f"{a.text!r} overlaps {b.text!r}"
    assert layout.width == variant.width
    for words, box in boxes:
        assert 0 <= box.x0 and box.x1 <= layout.width, f"{words.text!r} runs off the chart"
        assert 0 <= box.y0 and box.y1 <= layout.height, f"{words.text!r} runs off the chart"


@pytest.mark.parametrize("variant, body_text", [(WIDE, 19), (NARROW, 16)], ids=["1280 px", "375 px"])
def test_chart_text_is_as_large_as_the_body_text_where_it_is_shown(variant, body_text):
    """Text had been about 10 px at 1280 and 5 px at 375: each drawing is shown at its own size, unscaled."""
    layout = chart_layout(score_drawing(HALLMARKS), variant)
    assert all(words.size >= body_text for words, _ in _boxes(layout))
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
    layout = chart_layout(score_drawing((Bar("Community and Leisure Development Services", 0.5, "amber"),)),
                          NARROW)
    lines = [w.text for w, _ in _boxes(layout) if w.text in "Community and Leisure Development Services"]
    assert len(lines) >= 2 and " ".join(lines) == "Community and Leisure Development Services"


@pytest.mark.parametrize("largest, ticks", [(0, [0, 0.5, 1]), (1.2, [0, 1, 2]), (4.6, [0, 2.5, 5]),
                                            (38, [0, 25, 50]), (100, [0, 50, 100])])
def test_the_numeric_axis_has_three_round_ticks_at_or_above_the_largest_value(largest, ticks):
    assert nice_ticks(largest) == ticks


def test_words_are_measured_as_the_font_draws_them():
    """Wrapping and spacing rest on the measure: wider words measure wider, bold wider than regular."""
    assert text_width("", 19) == 0
    assert text_width("Housing", 19) < text_width("Housing and Planning", 19)
    assert text_width("Housing", 16) < text_width("Housing", 19)
    assert text_width("Housing", 19) < text_width("Housing", 19, bold=True)
    assert 50 < text_width("Housing", 19) < 100  # about 4.5 px a letter at 19 px, as DejaVu Sans draws it


def test_a_character_the_font_lacks_still_takes_room():
    assert text_width("\U0001f600", 19) > 0

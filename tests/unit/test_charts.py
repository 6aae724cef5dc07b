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

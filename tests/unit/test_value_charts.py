"""Charts on a plain numeric axis (crime rates): the same accessibility and safety as the score charts."""

import re

from app.results.charts import BarStyle, ValueBar, value_chart

STYLES = (BarStyle("below", "#00703c", "", "Below the group band"),
          BarStyle("in line", "#1d70b8", "//", "In line with the group"),
          BarStyle("above", "#d4351c", "xx", "Above the group band"))
BARS = (ValueBar("Kerrier", 0.1, "below", "0.10, below", spoken="0.10 per 1,000, below the group band"),
        ValueBar("South Derbyshire (ours)", 0.3, "in line", "0.30, in line", emphasis=True),
        ValueBar("East Staffordshire", 1.2, "above", "1.20, above"))


def chart(bars=BARS, **kwargs):
    return str(value_chart("rates", "Robbery per 1,000 people", bars, styles=STYLES,
                           axis_label="Offences per 1,000 people", **kwargs))


def test_the_chart_has_a_title_a_description_of_every_value_and_words_beside_each_bar():
    svg = chart(reference=0.38, reference_label="Group mean", reference_text="0.38 per 1,000")
    assert svg.startswith('<svg role="img" aria-labelledby="rates-title rates-desc"')
    assert '<title id="rates-title">Robbery per 1,000 people</title>' in svg
    assert ("Kerrier: 0.10 per 1,000, below the group band; South Derbyshire (ours): 0.30, in line; "
            "East Staffordshire: 1.20, above. Group mean: 0.38 per 1,000.") in svg
    for words in ("0.10, below", "0.30, in line", "1.20, above", "Below the group band", "Above the group band",
                  "In line with the group", "Group mean", "Offences per 1,000 people"):
        assert f">{words}<" in svg


def test_the_axis_is_numeric_not_percent():
    svg = chart()
    assert ">0<" in svg and "%" not in re.sub(r"<desc.*?</desc>", "", svg)


def test_no_inline_styles_and_ids_carry_the_chart_prefix():
    svg = chart(reference=0.5, reference_label="Group mean")
    assert "style=" not in svg and "<style" not in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("rates-") for i in ids)


def test_our_own_label_is_bold():
    svg = chart()
    assert re.search(r'font-weight="(bold|700)"[^>]*>South Derbyshire \(ours\)<', svg)


def test_same_data_gives_the_same_chart():
    assert str(value_chart("a", "T", BARS, styles=STYLES, axis_label="x")) == \
        str(value_chart("a", "T", BARS, styles=STYLES, axis_label="x"))


def test_hostile_names_and_dollar_signs_are_shown_as_typed_and_escaped():
    bars = (ValueBar('<script>alert("x")</script>', 1.0, "above", "1.00, above"),
            ValueBar("Cost $5m and $6m", 0.5, "in line", "$0.50 $x$"))
    svg = chart(bars)
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert ">Cost $5m and $6m<" in svg and ">$0.50 $x$<" in svg


def test_a_bar_without_a_figure_and_an_all_zero_chart_still_draw():
    svg = chart((ValueBar("Nothing", None, None, "No figure"), ValueBar("Zero", 0.0, "in line", "0.00, in line")))
    assert ">No figure<" in svg and ">0.00, in line<" in svg

"""Server-rendered SVG bar charts (matplotlib), readable without colour and by screen readers.

Each bar is labelled with its percentage and band in words, and each band has its
own hatching as well as its colour, so no meaning rests on colour alone. The SVG
carries role="img" and a title and description; the page puts the data table beside
it. Output is deterministic (fixed hash salt, no date) so the same data gives the
same chart, which lets us cache it.

Words in a chart must be as large as the page's body text. An SVG scaled to its
column shrinks its words with it, so each chart is drawn twice at the exact size it
is shown at, one pixel to one unit: a wide drawing with 19 px text from desktop
width, a narrow one with 16 px text on phones (the CSS shows the one that fits). The
layout is done here in pixels, not left to matplotlib's axes: each bar's name sits
on its own line(s) above the bar, wrapped to the width, its value in words beside
the bar's end, and the axis has three ticks, so no two pieces of text can meet
(tests/unit/test_charts.py measures them).

`bar_chart` draws scores from 0% to 100% in the RAG bands; `value_chart` draws any
numbers from 0 (crime rates, say) on a plain axis, with the caller's own styles and
the words to print beside each bar, under the same rules.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape

import matplotlib

matplotlib.use("Agg")  # no display on a server; must come before any pyplot import anywhere

from markupsafe import Markup  # noqa: E402
from matplotlib.backends.backend_agg import RendererAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

# GOV.UK colours with the text colour that passes contrast on white.
BAND_STYLES = {
    "green": ("#00703c", ""),
    "amber": ("#f47738", "//"),
    "red": ("#d4351c", "xx"),
    None: ("#b1b4b6", ".."),
}
BAND_WORDS = {"green": "Green", "amber": "Amber", "red": "Red", None: "No score"}
MAX_LABEL = 60


@dataclass(frozen=True)
class Bar:
    label: str
    score: float | None  # 0..1, None when there is nothing to score
    band: str | None


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _value_text(bar: Bar) -> str:
    if bar.score is None:
        return "No score"
    return f"{round(bar.score * 100)}% {BAND_WORDS[bar.band]}"


FONT_FAMILY = "arial, helvetica, sans-serif"  # the page's own font stack


def _style_to_attributes(match: re.Match[str]) -> str:
    """style="a: b; c: d" as presentation attributes a="b" c="d".

    The content security policy forbids inline styles (style-src 'self'), which would
    leave every bar black; presentation attributes are not styles, so they still apply.
    """
    attributes = []
    for declaration in match.group(1).split(";"):
        if ":" not in declaration:
            continue
        name, value = (part.strip() for part in declaration.split(":", 1))
        if name == "font-family":
            value = FONT_FAMILY
        attributes.append(f'{name}="{escape(value, quote=True)}"')
    return " ".join(attributes)


def _clean_svg(svg: str, chart_id: str, title: str, description: str, *, width: float, height: float,
               variant: str) -> str:
    """Make matplotlib's SVG fit to go inline in our pages.

    Drops the XML prologue and the <style> element; gives the size in pixels (one unit
    of the drawing is one pixel, so its words show at the size they were drawn);
    turns inline styles into attributes; gives every id the chart's prefix so two
    charts on one page never share one; adds the title and description.
    """
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'\s(width|height)="[^"]*pt"', "", svg, count=2)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'style="([^"]*)"', _style_to_attributes, svg)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{chart_id}-{m.group(1)})", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{chart_id}-{m.group(1)}"', svg)
    accessible = (f'<svg role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
                  f'class="app-chart__svg app-chart__svg--{variant}" width="{width:g}" height="{height:g}" '
                  f'focusable="false" stroke-linejoin="round" stroke-linecap="butt"')
    svg = svg.replace("<svg", accessible, 1)
    head_end = svg.index(">") + 1
    text = (f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>')
    return svg[:head_end] + text + svg[head_end:]


def describe(bars: tuple[Bar, ...]) -> str:
    """The chart's values in one sentence: what a screen reader announces."""
    parts = [f"{bar.label}: {_value_text(bar)}" for bar in bars]
    return "; ".join(parts) + "."


# --------------------------------------------------------------------------- layout in pixels


@dataclass(frozen=True)
class Variant:
    """One drawing of a chart: its width in pixels and the size of its words (the body text where it shows)."""

    name: str
    width: int
    font_size: int


# The wide drawing fits a two-thirds column from desktop width (769 px) up; the narrow one a 320 px phone.
WIDE = Variant("wide", 440, 19)
NARROW = Variant("narrow", 300, 16)
VARIANTS = (WIDE, NARROW)
INK = "#0b0c0c"
MARGIN = 2.0  # px around the drawing, so that edges and focus outlines are never cut


@dataclass(frozen=True)
class Row:
    """One bar as the drawing needs it: its length as a share of the axis (0 to 1) and its words."""

    label: str
    fraction: float
    colour: str
    hatch: str
    text: str
    bold: bool = False


@dataclass(frozen=True)
class LegendItem:
    words: str
    colour: str
    hatch: str = ""
    line: bool = False  # a dashed line (the reference), not a swatch


@dataclass(frozen=True)
class Drawing:
    """What a chart shows, whatever its size: bars, ticks (share of the axis, words), legend, reference."""

    rows: tuple[Row, ...]
    ticks: tuple[tuple[float, str], ...]
    legend: tuple[LegendItem, ...]
    reference: float | None = None
    axis_label: str = ""


_MEASURE = RendererAgg(1, 1, 72)  # at 72 dpi one point is one pixel


def text_width(words: str, size: float, *, bold: bool = False) -> float:
    """The width of `words` in pixels, as matplotlib's own font draws them.

    That font (DejaVu Sans) is wider than Arial, which browsers use where they have it,
    so a layout that fits by this measure fits on the page too.
    """
    font = FontProperties(size=size, weight="bold" if bold else "normal")
    return _MEASURE.get_text_width_height_descent(words, font, ismath=False)[0]


def wrap(words: str, size: float, width: float, *, bold: bool = False) -> list[str]:
    """Words in lines no wider than `width`; a single word wider than that keeps a line of its own."""
    lines: list[str] = []
    for word in words.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold=bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _legend(axes, items: tuple[LegendItem, ...], size: float, width: float, top: float) -> float:
    """Legend items left to right, wrapping onto more lines; returns the y below them."""
    line = size * 1.35
    x, y = MARGIN, top
    swatch = size
    for item in items:
        item_width = swatch + size * 0.4 + text_width(item.words, size)
        if x > MARGIN and x + item_width > width - MARGIN:
            x, y = MARGIN, y + line
        middle = y + line / 2
        if item.line:
            axes.add_line(Line2D([x, x + swatch], [middle, middle], color=INK, linestyle="--", linewidth=1.5))
        else:
            axes.add_patch(Rectangle((x, middle - size * 0.4), swatch, size * 0.8, facecolor=item.colour,
                                     hatch=item.hatch, edgecolor=INK, linewidth=0.6))
        axes.text(x + swatch + size * 0.4, middle, item.words, fontsize=size, va="center", ha="left", color=INK,
                  parse_math=False)
        x += item_width + size
    return y + line


def chart_figure(drawing: Drawing, variant: Variant) -> Figure:
    """The chart drawn at `variant`'s width, one unit to the pixel, its height whatever the bars need."""
    size, width = variant.font_size, variant.width
    line = size * 1.3
    bar_height = size * 0.9
    white = {"facecolor": "#ffffff", "edgecolor": "none", "pad": 1}
    # The first tick's words are centred on the axis's start, so the axis starts half their width in.
    first_tick = text_width(drawing.ticks[0][1], size) / 2 if drawing.ticks else 0.0
    left = MARGIN + first_tick
    value_room = max([text_width(row.text, size) for row in drawing.rows] + [0.0]) + size * 0.5
    last_tick = text_width(drawing.ticks[-1][1], size) / 2 if drawing.ticks else 0.0
    # Long values ("4.60, below the band") would leave the bars a sliver: they go after the name instead.
    values_beside = value_room <= (width - left) * 0.4
    span = width - left - MARGIN - max(value_room if values_beside else 0.0, last_tick)

    figure = Figure(figsize=(width / 72, 1), dpi=72)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    y = _legend(axes, drawing.legend, size, width, MARGIN) + size * 0.5
    bars_top = y
    for row in drawing.rows:
        label = row.label if values_beside else f"{row.label}: {row.text}"
        for text_line in wrap(label, size, width - left - MARGIN, bold=row.bold):
            axes.text(left, y + line / 2, text_line, fontsize=size, va="center", ha="left", color=INK,
                      fontweight="bold" if row.bold else "normal", parse_math=False, bbox=white)
            y += line
        y += size * 0.15
        length = max(0.0, min(row.fraction, 1.0)) * span
        axes.add_patch(Rectangle((left, y), length, bar_height, facecolor=row.colour, hatch=row.hatch,
                                 edgecolor=INK, linewidth=0.6))
        if values_beside:
            axes.text(left + length + size * 0.35, y + bar_height / 2, row.text, fontsize=size, va="center",
                      ha="left", color=INK, parse_math=False, bbox=white)
        y += bar_height + size * 0.75
    bars_bottom = y - size * 0.35
    axes.add_line(Line2D([left, left + span], [bars_bottom, bars_bottom], color=INK, linewidth=1))
    for fraction, words in drawing.ticks:
        x = left + fraction * span
        axes.add_line(Line2D([x, x], [bars_bottom, bars_bottom + size * 0.3], color=INK, linewidth=1))
        axes.text(x, bars_bottom + size * 0.35, words, fontsize=size, va="top", ha="center", color=INK,
                  parse_math=False)
    y = bars_bottom + size * 0.35 + line
    if drawing.axis_label:
        axes.text(left, y + size * 0.2, drawing.axis_label, fontsize=size, va="top", ha="left", color=INK,
                  parse_math=False)
        y += size * 0.2 + line
    if drawing.reference is not None:
        x = left + max(0.0, min(drawing.reference, 1.0)) * span
        # Drawn under the words (which sit on white), so it never runs through them.
        axes.add_line(Line2D([x, x], [bars_top, bars_bottom], color=INK, linestyle="--", linewidth=1.5, zorder=0.5))
    height = math.ceil(y + MARGIN)
    figure.set_size_inches(width / 72, height / 72)
    axes.set_xlim(0, width)
    axes.set_ylim(height, 0)
    return figure


def _svg(chart_id: str, title: str, description: str, drawing: Drawing) -> Markup:
    """Both drawings of the chart, each a complete accessible SVG; the page's CSS shows one."""
    parts = []
    for variant in VARIANTS:
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "section17",
                                    "font.family": "sans-serif", "hatch.linewidth": 0.8, "hatch.color": "#ffffff"}):
            figure = chart_figure(drawing, variant)
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        width, height = (float(v) * 72 for v in figure.get_size_inches())
        prefix = chart_id if variant is VARIANTS[0] else f"{chart_id}-{variant.name}"
        parts.append(_clean_svg(buffer.getvalue(), prefix, title, description, width=round(width),
                                height=round(height), variant=variant.name))
    return Markup("".join(parts))


# --------------------------------------------------------------------------- scores from 0% to 100%


def score_drawing(bars: tuple[Bar, ...], reference: float | None = None, reference_label: str = "") -> Drawing:
    """Scores as a drawing: bars in their band's colour and hatching, ticks at 0%, 50% and 100%."""
    has_reference = reference is not None and not math.isnan(reference)
    rows = tuple(Row(_short(bar.label), bar.score or 0.0, *BAND_STYLES[bar.band], _value_text(bar)) for bar in bars)
    legend = [LegendItem(BAND_WORDS[band], *BAND_STYLES[band]) for band in ("green", "amber", "red")]
    if has_reference:
        legend.append(LegendItem(reference_label, INK, line=True))
    return Drawing(rows, ((0.0, "0%"), (0.5, "50%"), (1.0, "100%")), tuple(legend),
                   reference if has_reference else None)


@lru_cache(maxsize=256)
def bar_chart(chart_id: str, title: str, bars: tuple[Bar, ...], reference: float | None = None,
              reference_label: str = "") -> Markup:
    """A horizontal bar chart of scores from 0% to 100%, one bar per item, top to bottom."""
    description = describe(bars)
    if reference is not None and not math.isnan(reference):
        description += f" {reference_label}: {round(reference * 100)}%."
    return _svg(chart_id, title, description, score_drawing(bars, reference, reference_label))


# --------------------------------------------------------------------------- a plain numeric axis


@dataclass(frozen=True)
class BarStyle:
    """How one kind of bar looks, and the words the legend gives it (colour is never the only sign)."""

    key: str
    colour: str
    hatch: str
    words: str


NO_VALUE_STYLE = BarStyle("", "#b1b4b6", "..", "No figure")


@dataclass(frozen=True)
class ValueBar:
    label: str
    value: float | None  # 0 or more; None when there is no figure
    style: str | None  # a BarStyle key; None when there is no figure
    text: str  # printed beside the bar, e.g. "4.60, in line"
    emphasis: bool = False  # the reader's own row: its label is bold
    spoken: str = ""  # what the description says, if more than `text`: "4.60 per 1,000, in line with the group"


def describe_values(bars: tuple[ValueBar, ...]) -> str:
    return "; ".join(f"{bar.label}: {bar.spoken or bar.text}" for bar in bars) + "."


def nice_ticks(largest: float) -> list[float]:
    """0, a round middle and a round top at or above `largest`: three ticks, whose words never meet."""
    if largest <= 0:
        return [0.0, 0.5, 1.0]
    magnitude = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= largest:
            return [0.0, top / 2, top]
    return [0.0, largest / 2, largest]


def value_drawing(bars: tuple[ValueBar, ...], styles: tuple[BarStyle, ...], axis_label: str,
                  reference: float | None = None, reference_label: str = "") -> Drawing:
    """Numbers as a drawing: a round axis from 0, the caller's styles, the reader's own label in bold."""
    by_key = {style.key: style for style in styles}
    has_reference = reference is not None and not math.isnan(reference)
    largest = max([bar.value for bar in bars if bar.value is not None] + [reference if has_reference else 0.0, 0.0])
    ticks = nice_ticks(largest)
    top = ticks[-1]
    rows = []
    for bar in bars:
        style = by_key.get(bar.style or "", NO_VALUE_STYLE) if bar.value is not None else NO_VALUE_STYLE
        rows.append(Row(_short(bar.label), (bar.value or 0.0) / top, style.colour, style.hatch, bar.text,
                        bold=bar.emphasis))
    legend = [LegendItem(style.words, style.colour, style.hatch) for style in styles]
    if has_reference:
        legend.append(LegendItem(reference_label, INK, line=True))
    return Drawing(tuple(rows), tuple((tick / top, f"{tick:g}") for tick in ticks), tuple(legend),
                   reference / top if has_reference else None, axis_label)


@lru_cache(maxsize=256)
def value_chart(chart_id: str, title: str, bars: tuple[ValueBar, ...], *, styles: tuple[BarStyle, ...],
                axis_label: str, reference: float | None = None, reference_label: str = "",
                reference_text: str = "") -> Markup:
    """A horizontal bar chart of numbers from 0, one bar per item, top to bottom, with an optional reference line.

    `reference_text` is how the reference value is read out (e.g. "5.10 per 1,000").
    """
    description = describe_values(bars)
    if reference is not None and not math.isnan(reference):
        description += f" {reference_label}: {reference_text or f'{reference:g}'}."
    return _svg(chart_id, title, description, value_drawing(bars, styles, axis_label, reference, reference_label))

"""Server-rendered SVG bar charts (matplotlib), readable without colour and by screen readers.

Each bar is labelled with its percentage and band in words, and each band has its
own hatching as well as its colour, so no meaning rests on colour alone. The SVG
carries role="img" and a title and description; the page puts the data table beside
it. Output is deterministic: the same data gives the same chart.

Words in a chart must be as large as the page's body text. An SVG scaled to its
column shrinks its words with it, so each chart is drawn twice at the exact size it
is shown at, one pixel to one unit: a wide drawing with 19 px text from desktop
width, a narrow one with 16 px text on phones (the CSS shows the one that fits). The
layout is done here in pixels: each bar's name sits on its own line(s) above the bar,
wrapped to the width, its value in words beside the bar's end, and the axis has three
ticks, so no two pieces of text can meet (tests/unit/test_charts.py measures them).

The SVG is written directly from that layout: a handful of rectangles, lines and
words. Words are measured with the advance widths of matplotlib's own font (DejaVu
Sans, wider than the Arial browsers use, so what fits here fits on the page). Drawing
the same charts through matplotlib's figures had cost 100-300 ms a page, more than
reading and scoring a 1,000-department cycle (benchmarks/analysis.py); writing them
costs about a millisecond, so nothing needs caching.

`bar_chart` draws scores from 0% to 100% in the RAG bands; `value_chart` draws any
numbers from 0 (crime rates, say) on a plain axis, with the caller's own styles and
the words to print beside each bar, under the same rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from markupsafe import Markup
from matplotlib.font_manager import FontProperties, findfont, get_font

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


_ADVANCE_SIZE = 100.0  # glyph advances are read at this size and scaled


@lru_cache(maxsize=2)
def _font(bold: bool):
    """matplotlib's default sans-serif font file (DejaVu Sans), regular or bold, set to _ADVANCE_SIZE at 72 dpi."""
    font = get_font(findfont(FontProperties(family="sans-serif", weight="bold" if bold else "normal")))
    font.set_size(_ADVANCE_SIZE, 72)
    return font


@lru_cache(maxsize=4096)
def _advance(character: str, bold: bool) -> float:
    """One character's advance width in pixels at _ADVANCE_SIZE (a character the font lacks counts as an "M")."""
    font = _font(bold)
    if font.get_char_index(ord(character)) == 0:
        character = "M"
    return font.load_char(ord(character)).linearHoriAdvance / 65536


def text_width(words: str, size: float, *, bold: bool = False) -> float:
    """The width of `words` in pixels: the sum of the characters' advances in matplotlib's own font.

    That font (DejaVu Sans) is wider than Arial, which browsers use where they have it,
    so a layout that fits by this measure fits on the page too.
    """
    return sum(_advance(character, bold) for character in words) * size / _ADVANCE_SIZE


def wrap(words: str, size: float, width: float, *, bold: bool = False) -> list[str]:
    """Words in lines no wider than `width`; a single word wider than that keeps a line of its own."""
    lines: list[str] = []
    for word in words.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold=bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


# --------------------------------------------------------------------------- the shapes of a drawing

ASCENT = 0.9  # of the font size: how far capitals and tall letters rise above the baseline
DESCENT = 0.2  # how far letters such as "g" fall below it


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels, y downwards."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


@dataclass(frozen=True)
class Words:
    """A line of text. `y` is its middle (`valign` "center") or its top ("top"); `x` its start or its middle."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    centred: bool = False
    valign: str = "center"
    on_white: bool = False  # drawn on a white box, so a line behind never runs through it

    @property
    def box(self) -> Box:
        """What the words cover (their white box included, one pixel round)."""
        width = text_width(self.text, self.size, bold=self.bold)
        x0 = self.x - width / 2 if self.centred else self.x
        height = (ASCENT + DESCENT) * self.size
        y0 = self.y - height / 2 if self.valign == "center" else self.y
        pad = 1.0 if self.on_white else 0.0
        return Box(x0 - pad, y0 - pad, x0 + width + pad, y0 + height + pad)

    @property
    def baseline(self) -> float:
        top = self.y - (ASCENT + DESCENT) * self.size / 2 if self.valign == "center" else self.y
        return top + ASCENT * self.size


@dataclass(frozen=True)
class Swatch:
    """A filled rectangle (a bar, or a legend's key) with its band's colour and hatching."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    hatch: str


@dataclass(frozen=True)
class Rule:
    """A straight line; dashed for the reference."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 1.0
    dashed: bool = False


Shape = Words | Swatch | Rule


@dataclass(frozen=True)
class Layout:
    """A drawing laid out at one variant's size: its height and its shapes, drawn in order."""

    width: int
    height: int
    shapes: tuple[Shape, ...]

    @property
    def words(self) -> list[Words]:
        return [shape for shape in self.shapes if isinstance(shape, Words)]


def _legend(shapes: list[Shape], items: tuple[LegendItem, ...], size: float, width: float, top: float) -> float:
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
            shapes.append(Rule(x, middle, x + swatch, middle, 1.5, dashed=True))
        else:
            shapes.append(Swatch(x, middle - size * 0.4, swatch, size * 0.8, item.colour, item.hatch))
        shapes.append(Words(x + swatch + size * 0.4, middle, item.words, size))
        x += item_width + size
    return y + line


def chart_layout(drawing: Drawing, variant: Variant) -> Layout:
    """The chart laid out at `variant`'s width, one unit to the pixel, its height whatever the bars need."""
    size, width = variant.font_size, variant.width
    line = size * 1.3
    bar_height = size * 0.9
    # The first tick's words are centred on the axis's start, so the axis starts half their width in.
    first_tick = text_width(drawing.ticks[0][1], size) / 2 if drawing.ticks else 0.0
    left = MARGIN + first_tick
    value_room = max([text_width(row.text, size) for row in drawing.rows] + [0.0]) + size * 0.5
    last_tick = text_width(drawing.ticks[-1][1], size) / 2 if drawing.ticks else 0.0
    # Long values ("4.60, below the band") would leave the bars a sliver: they go after the name instead.
    values_beside = value_room <= (width - left) * 0.4
    span = width - left - MARGIN - max(value_room if values_beside else 0.0, last_tick)

    shapes: list[Shape] = []
    behind: list[Shape] = []  # the reference line, drawn first so that the words on white cover it
    y = _legend(shapes, drawing.legend, size, width, MARGIN) + size * 0.5
    bars_top = y
    for row in drawing.rows:
        label = row.label if values_beside else f"{row.label}: {row.text}"
        for text_line in wrap(label, size, width - left - MARGIN, bold=row.bold):
            shapes.append(Words(left, y + line / 2, text_line, size, bold=row.bold, on_white=True))
            y += line
        y += size * 0.15
        length = max(0.0, min(row.fraction, 1.0)) * span
        shapes.append(Swatch(left, y, length, bar_height, row.colour, row.hatch))
        if values_beside:
            shapes.append(Words(left + length + size * 0.35, y + bar_height / 2, row.text, size, on_white=True))
        y += bar_height + size * 0.75
    bars_bottom = y - size * 0.35
    shapes.append(Rule(left, bars_bottom, left + span, bars_bottom))
    for fraction, words in drawing.ticks:
        x = left + fraction * span
        shapes.append(Rule(x, bars_bottom, x, bars_bottom + size * 0.3))
        shapes.append(Words(x, bars_bottom + size * 0.35, words, size, centred=True, valign="top"))
    y = bars_bottom + size * 0.35 + line
    if drawing.axis_label:
        shapes.append(Words(left, y + size * 0.2, drawing.axis_label, size, valign="top"))
        y += size * 0.2 + line
    if drawing.reference is not None:
        x = left + max(0.0, min(drawing.reference, 1.0)) * span
        behind.append(Rule(x, bars_top, x, bars_bottom, 1.5, dashed=True))
    return Layout(width, math.ceil(y + MARGIN), tuple(behind + shapes))


# --------------------------------------------------------------------------- writing the SVG

HATCH_SIZE = 8  # px: one tile of a hatching pattern
_HATCH_PATHS = {
    "//": "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4",
    "xx": "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4 M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4",
}


def _n(value: float) -> str:
    """A coordinate to two decimal places, without trailing zeros: the SVG stays small and deterministic."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _pattern(pattern_id: str, colour: str, hatch: str) -> str:
    """A tile of the band's colour with its hatching in white (dots for "..", lines for "//" and "xx")."""
    tile = f'<rect width="{HATCH_SIZE}" height="{HATCH_SIZE}" fill="{escape(colour)}"/>'
    if hatch == "..":
        marks = '<circle cx="2" cy="2" r="1.1" fill="#ffffff"/><circle cx="6" cy="6" r="1.1" fill="#ffffff"/>'
    else:
        marks = f'<path d="{_HATCH_PATHS.get(hatch, _HATCH_PATHS["//"])}" stroke="#ffffff" stroke-width="1"/>'
    return (f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="{HATCH_SIZE}" '
            f'height="{HATCH_SIZE}">{tile}{marks}</pattern>')


def _words(shape: Words) -> str:
    parts = []
    if shape.on_white:
        box = shape.box
        parts.append(f'<rect x="{_n(box.x0)}" y="{_n(box.y0)}" width="{_n(box.x1 - box.x0)}" '
                     f'height="{_n(box.y1 - box.y0)}" fill="#ffffff"/>')
    anchor = ' text-anchor="middle"' if shape.centred else ""
    weight = ' font-weight="bold"' if shape.bold else ""
    parts.append(f'<text x="{_n(shape.x)}" y="{_n(shape.baseline)}" font-size="{_n(shape.size)}px"{anchor}{weight}>'
                 f'{escape(shape.text, quote=False)}</text>')
    return "".join(parts)


def svg_markup(layout: Layout, chart_id: str, title: str, description: str, variant: str) -> str:
    """One drawing as an inline, accessible SVG: role="img", a title and a description, ids prefixed.

    No style attributes or elements (the content security policy forbids inline
    styles): colours and fonts are presentation attributes.
    """
    patterns: dict[tuple[str, str], str] = {}
    body = []
    for shape in layout.shapes:
        if isinstance(shape, Words):
            body.append(_words(shape))
        elif isinstance(shape, Swatch):
            fill = escape(shape.colour)
            if shape.hatch:
                key = (shape.colour, shape.hatch)
                if key not in patterns:
                    patterns[key] = f"{chart_id}-hatch-{len(patterns) + 1}"
                fill = f"url(#{patterns[key]})"
            body.append(f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.width)}" '
                        f'height="{_n(shape.height)}" fill="{fill}" stroke="{INK}" stroke-width="0.6"/>')
        else:
            dash = ' stroke-dasharray="5.55,2.4"' if shape.dashed else ""
            body.append(f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" y2="{_n(shape.y2)}" '
                        f'stroke="{INK}" stroke-width="{_n(shape.width)}"{dash}/>')
    defs = "".join(_pattern(pattern_id, colour, hatch) for (colour, hatch), pattern_id in patterns.items())
    return (f'<svg role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'class="app-chart__svg app-chart__svg--{variant}" width="{layout.width}" height="{layout.height}" '
            f'viewBox="0 0 {layout.width} {layout.height}" focusable="false" xmlns="http://www.w3.org/2000/svg" '
            f'font-family="{FONT_FAMILY}" fill="{INK}">'
            f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
            + (f"<defs>{defs}</defs>" if defs else "") + "".join(body) + "</svg>")


def _svg(chart_id: str, title: str, description: str, drawing: Drawing) -> Markup:
    """Both drawings of the chart, each a complete accessible SVG; the page's CSS shows one."""
    parts = []
    for variant in VARIANTS:
        prefix = chart_id if variant is VARIANTS[0] else f"{chart_id}-{variant.name}"
        parts.append(svg_markup(chart_layout(drawing, variant), prefix, title, description, variant.name))
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

"""Server-rendered SVG bar charts (matplotlib), readable without colour and by screen readers.

Each bar is labelled with its percentage and band in words, and each band has its
own hatching as well as its colour, so no meaning rests on colour alone. The SVG
carries role="img" and a title and description; the page puts the data table beside
it. Output is deterministic (fixed hash salt, no date) so the same data gives the
same chart, which lets us cache it.

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
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

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


def _clean_svg(svg: str, chart_id: str, title: str, description: str) -> str:
    """Make matplotlib's SVG fit to go inline in our pages.

    Drops the XML prologue, the fixed size (the page scales it) and the <style>
    element; turns inline styles into attributes; gives every id the chart's prefix so
    two charts on one page never share one; adds the title and description.
    """
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'\s(width|height)="[^"]*pt"', "", svg, count=2)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'style="([^"]*)"', _style_to_attributes, svg)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{chart_id}-{m.group(1)})", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{chart_id}-{m.group(1)}"', svg)
    accessible = (f'<svg role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="app-chart__svg" '
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


@lru_cache(maxsize=256)
def bar_chart(chart_id: str, title: str, bars: tuple[Bar, ...], reference: float | None = None,
              reference_label: str = "") -> Markup:
    """A horizontal bar chart of scores from 0% to 100%, one bar per item, top to bottom."""
    height = 0.9 + 0.34 * max(len(bars), 1)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "section17", "font.family": "sans-serif",
                                "font.size": 10, "hatch.linewidth": 0.8, "hatch.color": "#ffffff"}):
        figure = Figure(figsize=(6.5, height), dpi=72)
        axes = figure.add_subplot()
        positions = list(range(len(bars)))
        for position, bar in zip(positions, bars, strict=True):
            colour, hatch = BAND_STYLES[bar.band]
            width = 0 if bar.score is None else bar.score * 100
            axes.barh(position, width, color=colour, hatch=hatch, edgecolor="#0b0c0c", linewidth=0.6, height=0.7)
            axes.text(min(width, 100) + 1.5, position, _value_text(bar), va="center", fontsize=9, color="#0b0c0c")
        # Labels are names people typed: never read "$...$" in them as mathematics.
        axes.set_yticks(positions, [_short(bar.label) for bar in bars], parse_math=False)
        axes.invert_yaxis()
        axes.set_xlim(0, 125)
        axes.set_xticks([0, 20, 40, 60, 80, 100], ["0%", "20%", "40%", "60%", "80%", "100%"])
        axes.set_xlabel("Score")
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        if reference is not None and not math.isnan(reference):
            axes.axvline(reference * 100, color="#0b0c0c", linestyle="--", linewidth=1)
        legend = [Patch(facecolor=BAND_STYLES[band][0], hatch=BAND_STYLES[band][1], edgecolor="#0b0c0c",
                        label=BAND_WORDS[band]) for band in ("green", "amber", "red")]
        if reference is not None and not math.isnan(reference):
            from matplotlib.lines import Line2D

            legend.append(Line2D([0], [0], color="#0b0c0c", linestyle="--", label=reference_label))
        axes.legend(handles=legend, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(legend),
                    frameon=False, fontsize=9)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    description = describe(bars)
    if reference is not None and not math.isnan(reference):
        description += f" {reference_label}: {round(reference * 100)}%."
    return Markup(_clean_svg(buffer.getvalue(), chart_id, title, description))


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


def _axis_limit(largest: float) -> float:
    """Room for the words printed beside the longest bar."""
    return largest * 1.45 if largest > 0 else 1.0


@lru_cache(maxsize=256)
def value_chart(chart_id: str, title: str, bars: tuple[ValueBar, ...], *, styles: tuple[BarStyle, ...],
                axis_label: str, reference: float | None = None, reference_label: str = "",
                reference_text: str = "") -> Markup:
    """A horizontal bar chart of numbers from 0, one bar per item, top to bottom, with an optional reference line.

    `reference_text` is how the reference value is read out (e.g. "5.10 per 1,000").
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    by_key = {style.key: style for style in styles}
    height = 1.0 + 0.34 * max(len(bars), 1)
    largest = max([bar.value for bar in bars if bar.value is not None] + [reference or 0.0, 0.0])
    has_reference = reference is not None and not math.isnan(reference)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "section17", "font.family": "sans-serif",
                                "font.size": 10, "hatch.linewidth": 0.8, "hatch.color": "#ffffff"}):
        figure = Figure(figsize=(6.5, height), dpi=72)
        axes = figure.add_subplot()
        limit = _axis_limit(largest)
        positions = list(range(len(bars)))
        for position, bar in zip(positions, bars, strict=True):
            style = by_key.get(bar.style or "", NO_VALUE_STYLE) if bar.value is not None else NO_VALUE_STYLE
            width = bar.value or 0.0
            axes.barh(position, width, color=style.colour, hatch=style.hatch, edgecolor="#0b0c0c", linewidth=0.6,
                      height=0.7)
            # On a white ground, so that the reference line never runs through the words.
            axes.text(width + limit * 0.015, position, bar.text, va="center", fontsize=9, color="#0b0c0c",
                      parse_math=False, bbox={"facecolor": "#ffffff", "edgecolor": "none", "pad": 1})
        axes.set_yticks(positions, [_short(bar.label) for bar in bars], parse_math=False)
        for tick, bar in zip(axes.get_yticklabels(), bars, strict=True):
            if bar.emphasis:
                tick.set_fontweight("bold")
        axes.set_ylim(len(bars) - 0.4, -0.6)  # top to bottom, without the default margins
        axes.set_xlim(0, limit)
        axes.xaxis.set_major_locator(MaxNLocator(nbins=6, min_n_ticks=3))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _position: f"{value:g}"))
        axes.set_xlabel(axis_label, parse_math=False)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        legend: list = [Patch(facecolor=style.colour, hatch=style.hatch, edgecolor="#0b0c0c", label=style.words)
                        for style in styles]
        if has_reference:
            axes.axvline(reference, color="#0b0c0c", linestyle="--", linewidth=1.2)
            legend.append(Line2D([0], [0], color="#0b0c0c", linestyle="--", label=reference_label))
        axes.legend(handles=legend, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False,
                    fontsize=9)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    description = describe_values(bars)
    if has_reference:
        description += f" {reference_label}: {reference_text or f'{reference:g}'}."
    return Markup(_clean_svg(buffer.getvalue(), chart_id, title, description))

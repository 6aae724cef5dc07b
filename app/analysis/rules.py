"""The scoring rules: RAG bands and the words that explain them wherever scores appear."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


RAG_LABELS = {Rag.GREEN: "Green", Rag.AMBER: "Amber", Rag.RED: "Red"}


@dataclass(frozen=True)
class RagBands:
    """Score thresholds: green at or above `green`, amber at or above `amber`, red below.

    Configurable (SECTION17_RAG_GREEN, SECTION17_RAG_AMBER) because partnerships set
    their own bar; the defaults are the ones most councils use.
    """

    green: float = 0.8
    amber: float = 0.5

    def __post_init__(self) -> None:
        if not 0 <= self.amber <= self.green <= 1:
            raise ValueError(f"RAG bands must satisfy 0 <= amber <= green <= 1 (amber {self.amber}, "
                             f"green {self.green})")

    def band(self, score: float | None) -> Rag | None:
        """The band of a score; None when there is no score (nothing answered)."""
        if score is None or (isinstance(score, float) and math.isnan(score)):
            return None
        if score >= self.green:
            return Rag.GREEN
        if score >= self.amber:
            return Rag.AMBER
        return Rag.RED

    def bands_of(self, scores: np.ndarray) -> np.ndarray:
        """band() of every score at once, as an object array (None where there is no score).

        A heatmap of 3,000 departments has 21,000 scores: one Python call each was a
        sixth of its grouping time.
        """
        scores = np.asarray(scores, dtype=float)
        out = np.full(scores.shape, None, dtype=object)
        out[scores < self.amber] = Rag.RED
        out[scores >= self.amber] = Rag.AMBER
        out[scores >= self.green] = Rag.GREEN
        return out  # NaN compares false every time, so it stays None


def percent(score: float | None) -> str:
    """A 0..1 score as a whole percentage, or an en dash when there is none."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return "–"
    return f"{round(score * 100)}%"


def scoring_rules(bands: RagBands) -> list[str]:
    """The rules in plain words, for the pages that show scores and for the README."""
    return [
        "Each scored question has a target: the answer that shows the duty is being met.",
        "An answer scores from 0% to 100% against its target. Options carry their own scores; a yes or no "
        "question, a number or a list of choices scores 100% when the target is met and 0% when not.",
        "A score for a section, theme, matter, hallmark or department is the average of its answered "
        "questions.",
        "‘Not applicable’ answers and questions hidden by an earlier answer are left out.",
        "A question with no answer is not in the average, but it counts as a gap.",
        "A gap is a question whose answer misses its target, or that has not been answered.",
        f"Green is {percent(bands.green)} or more, amber is {percent(bands.amber)} up to {percent(bands.green)}, "
        f"red is below {percent(bands.amber)}. The band is always written next to its colour.",
    ]

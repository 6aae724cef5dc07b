"""Crime benchmarking against a family group of peer partnerships: ranks, quartiles, bands.

Pure functions (no Flask, no database), so that the pages, the command line and the
tests work out every figure the same way. The services gather one `Member` per
partnership in the group; `group_table` does the rest.

The rules, in the words shown on every page (`benchmark_rules`):

- lower is better for crime, so rank 1 is the lowest rate per 1,000, or the largest fall;
- tied values share the best rank of their tie (1, 2, 2, 4), the "competition" ranking;
- partnerships without a value are left out of n and are not ranked;
- quartile = ceil(4 x rank / n), so quartile 1 is the top quartile, and with fewer than
  four partnerships some quartiles are skipped (n = 2 gives quartiles 2 and 4);
- the group band is the mean rate plus or minus one *population* standard deviation
  (the family group is the whole set we compare with, not a sample of it); a rate on
  the edge of the band is in line; with one partnership everything is in line.
- the change on the previous period is worked out from the previous period's rate when
  we hold it, otherwise the change the source gave is used, and the page says which.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

# Values closer than this are the same value: 4.6 typed in one file and 4.6000000001 worked
# out from a count and a population must tie, not rank one above the other.
RANK_DECIMALS = 9
EDGE_TOLERANCE = 1e-9  # a rate exactly on the band's edge is in line, whatever the floating point does

_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_CALENDAR_YEAR = re.compile(r"^(\d{4})$")
FIRST_YEAR = 1900
LAST_YEAR = 2100

PERIOD_FORMS = "a financial year such as 2001/02 (the second year follows the first) or a calendar year such as 2001"


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A financial year (2001/02, from April 2001 to March 2002) or a calendar year (2001)."""

    text: str
    start_year: int
    financial: bool


def parse_period(text: str) -> Period | None:
    """The period a text names, or None when it is neither form."""
    text = text.strip()
    if match := _FINANCIAL_YEAR.match(text):
        start = int(match.group(1))
        if (start + 1) % 100 != int(match.group(2)):
            return None
        return Period(text, start, True) if FIRST_YEAR <= start < LAST_YEAR else None
    if match := _CALENDAR_YEAR.match(text):
        year = int(match.group(1))
        return Period(text, year, False) if FIRST_YEAR <= year <= LAST_YEAR else None
    return None


def previous_period(text: str) -> str | None:
    """The period immediately before: 2000/01 before 2001/02, 2000 before 2001."""
    period = parse_period(text)
    if period is None:
        return None
    before = period.start_year - 1
    if before < FIRST_YEAR:
        return None
    return f"{before}/{(before + 1) % 100:02d}" if period.financial else str(before)


def period_sort_key(text: str) -> tuple[int, int, str]:
    """Oldest first; a calendar year before the financial year that starts in it."""
    period = parse_period(text)
    if period is None:
        return (LAST_YEAR + 1, 0, text)
    return (period.start_year, int(period.financial), text)


# --------------------------------------------------------------------------- ranks and quartiles


def competition_ranks(values: Sequence[float | None]) -> list[int | None]:
    """Rank 1 for the lowest value; ties share the best rank of their tie (1, 2, 2, 4); None is not ranked."""
    series = pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")
    ranks = series.round(RANK_DECIMALS).rank(method="min", ascending=True, na_option="keep")
    return [None if math.isnan(r) else int(r) for r in ranks]


def quartile(rank: int, n: int) -> int:
    """ceil(4 x rank / n): quartile 1 is the top (best) quarter of the group."""
    if not 1 <= rank <= n:
        raise ValueError(f"rank {rank} is not between 1 and n = {n}")
    return math.ceil(4 * rank / n)


def quartile_rule() -> str:
    """The quartile rule in words, for every page and export that shows quartiles, and the CLI help."""
    return ("Rank 1 is the lowest rate (for the change, the largest fall), which is best. Tied values share the "
            "best rank of their tie (1, 2, 2, 4). Partnerships without a figure are not ranked and are not "
            "counted in n. Quartile = ceil(4 x rank / n), where n is the number of partnerships ranked; quartile 1 "
            "is the top quartile. With fewer than four partnerships some quartiles are skipped.")


def benchmark_rules() -> list[str]:
    """Every rule behind the benchmarking figures, in plain words (the pages list them)."""
    return [
        "Rates are recorded offences per 1,000 people: as the file gave them, or the count divided by the "
        "population, times 1,000.",
        quartile_rule(),
        "The group band is the group's mean rate plus or minus one standard deviation (worked out over the "
        "whole group, not as a sample). A rate above the band is higher than most of the group; a rate on the "
        "edge of the band counts as in line. With only one partnership, it is in line.",
        "The change on the previous period is worked out from the previous period's rate when we hold it; "
        "otherwise it is the change the source gave. Each change says which.",
        "Distance from the mean is our rate's difference from the group mean, as a percentage of the mean.",
    ]


# --------------------------------------------------------------------------- the change on the previous period


class ChangeSource(StrEnum):
    COMPUTED = "computed"
    GIVEN = "as given"


def change_on_previous(rate: float | None, previous_rate: float | None,
                       given: float | None) -> tuple[float | None, ChangeSource | None]:
    """The % change on the previous period and where it came from.

    Worked out from the previous rate when we hold one (it is then consistent with the
    rates shown); otherwise the source's own figure. A previous rate of 0 cannot give
    a percentage, so the source's figure (if any) is used then too.
    """
    if rate is None:
        return None, None
    if previous_rate is not None and previous_rate > 0:
        return (rate - previous_rate) / previous_rate * 100, ChangeSource.COMPUTED
    if given is not None:
        return given, ChangeSource.GIVEN
    return None, None


# --------------------------------------------------------------------------- the group table


class Band(StrEnum):
    ABOVE = "above"
    IN_LINE = "in line"
    BELOW = "below"


BAND_LABELS = {Band.ABOVE: "Above the group band", Band.IN_LINE: "In line with the group",
               Band.BELOW: "Below the group band"}
BAND_SHORT = {Band.ABOVE: "Above", Band.IN_LINE: "In line", Band.BELOW: "Below"}


def band_of(rate: float, low: float, high: float) -> Band:
    if rate > high + EDGE_TOLERANCE:
        return Band.ABOVE
    if rate < low - EDGE_TOLERANCE:
        return Band.BELOW
    return Band.IN_LINE


@dataclass(frozen=True)
class Member:
    """One partnership of the group, with what we hold for it."""

    partnership: str
    own: bool
    rate: float | None  # per 1,000 in the period; None when we hold no figure
    previous_rate: float | None = None  # in the period immediately before
    given_change: float | None = None  # the % change the source gave, if it gave one


@dataclass(frozen=True)
class TableRow:
    partnership: str
    own: bool
    rate: float | None
    change: float | None
    change_source: ChangeSource | None
    rank: int | None
    quartile: int | None
    change_rank: int | None
    change_quartile: int | None
    band: Band | None

    @property
    def top_quartile(self) -> bool:
        return self.quartile == 1


@dataclass(frozen=True)
class GroupTable:
    rows: list[TableRow]  # by rank of the rate; partnerships without a figure last, by name
    n: int  # partnerships with a rate
    change_n: int  # partnerships with a change
    mean: float | None
    median: float | None
    sd: float | None  # population standard deviation of the rates
    band_low: float | None
    band_high: float | None

    @property
    def own(self) -> TableRow | None:
        return next((row for row in self.rows if row.own), None)

    @property
    def own_distance_pct(self) -> float | None:
        """Our rate's distance from the group mean, as a % of the mean (positive: above it)."""
        own = self.own
        if own is None or own.rate is None or not self.mean:
            return None
        return (own.rate - self.mean) / self.mean * 100


def group_table(members: Sequence[Member]) -> GroupTable:
    """Rank, quartile and band every member on the rate, and rank and quartile them on the change."""
    changes = [change_on_previous(m.rate, m.previous_rate, m.given_change) for m in members]
    rate_ranks = competition_ranks([m.rate for m in members])
    change_ranks = competition_ranks([value for value, _ in changes])
    n = sum(rank is not None for rank in rate_ranks)
    change_n = sum(rank is not None for rank in change_ranks)
    rates = pd.Series([m.rate for m in members if m.rate is not None], dtype="float64")
    mean = float(rates.mean()) if n else None
    median = float(rates.median()) if n else None
    sd = float(rates.std(ddof=0)) if n else None
    low = high = None
    if mean is not None and sd is not None:
        low, high = mean - sd, mean + sd
    rows = []
    for member, (change, source), rank, change_rank in zip(members, changes, rate_ranks, change_ranks, strict=True):
        band = None
        if member.rate is not None and low is not None and high is not None:
            band = Band.IN_LINE if n == 1 else band_of(member.rate, low, high)
        rows.append(TableRow(
            partnership=member.partnership, own=member.own, rate=member.rate, change=change, change_source=source,
            rank=rank, quartile=quartile(rank, n) if rank is not None else None,
            change_rank=change_rank, change_quartile=quartile(change_rank, change_n) if change_rank is not None else None,
            band=band,
        ))
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.partnership.casefold()))
    return GroupTable(rows, n, change_n, mean, median, sd, low, high)


# --------------------------------------------------------------------------- numbers in words


def format_number(value: float | None, places: int = 2, *, fixed: bool = True) -> str:
    """A figure for people: fixed decimal places (or trailing zeros dropped); "" when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:.{places}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]  # -0.001 shown to two places is 0.00, not -0.00
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_change(value: float | None) -> str:
    """+10.8 or -19.3 (a percentage, under a "%" heading): a change always says which way it went."""
    if value is None:
        return ""
    text = format_number(value, 1)
    return text if text.startswith("-") or float(text) == 0 else f"+{text}"

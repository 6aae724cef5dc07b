"""What every benchmark shares: the machine's load, interleaved timing, medians with their spread, verdicts.

A benchmark here compares the product with a floor on a 2-core machine whose
speed drifts by more than some differences being measured, so every script:

- prints the load average before and after (a busy machine explains odd figures),
- takes turns between the things it compares (round 1: A, B, C; round 2: A, B, C ...),
  so that a slow spell falls on all of them alike,
- reports medians with their spread (lowest and highest, and the interquartile range),
- ends with one line per goal: met or NOT met, with the figure and its ratio.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, with the number of cores to read them against."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def print_load(when: str) -> None:
    print(f"[{when}] {load_average()}", flush=True)


@dataclass(frozen=True)
class Spread:
    """A sample of measurements (ms, req/s, MB...) as its median and spread."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    @property
    def iqr(self) -> float:
        """Interquartile range; 0 for fewer than 4 values (too few to have quartiles)."""
        if len(self.values) < 4:
            return 0.0
        q1, _, q3 = statistics.quantiles(self.values, n=4)
        return q3 - q1

    def text(self, unit: str = "ms", digits: int = 1) -> str:
        """e.g. "12.3 ms (11.9-13.0, IQR 0.4, n=9)"."""
        f = f"{{:.{digits}f}}"
        return (f"{f.format(self.median)} {unit} ({f.format(self.low)}-{f.format(self.high)}, "
                f"IQR {f.format(self.iqr)}, n={len(self.values)})")


def interleaved(calls: Mapping[str, Callable[[], object]], rounds: int, *, warm_up: int = 0
                ) -> tuple[dict[str, Spread], dict[str, float]]:
    """Time each call once per round, taking turns. Returns (spreads in ms, first timed call in ms).

    `warm_up` untimed rounds run first; the first call of each (its cold time) is
    returned apart when warm_up is 0, and is not part of the spread.
    """
    times: dict[str, list[float]] = {name: [] for name in calls}
    first: dict[str, float] = {}
    for _ in range(warm_up):
        for call in calls.values():
            call()
    for index in range(rounds + (1 if not warm_up else 0)):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            elapsed = (time.perf_counter() - started) * 1000
            if index == 0 and not warm_up:
                first[name] = elapsed
            else:
                times[name].append(elapsed)
    return {name: Spread(tuple(values)) for name, values in times.items()}, first


def verdict(label: str, met: bool, detail: str) -> str:
    """One closing line: 'GOAL met: ...' or 'GOAL NOT met: ...'."""
    return f"{label}: {'met' if met else 'NOT met'} ({detail})"


def print_goals(lines: list[str]) -> None:
    """The closing lines, one per goal, under a heading (nothing when there are none, e.g. a --profile run)."""
    if lines:
        print("\nGoals:")
        for line in lines:
            print(f"  {line}")

"""Reading the results pages' query strings: a value we do not know is named back to the reader.

A link edited by hand, or kept from an older cycle, must not quietly show the whole
register as if it were filtered; it gets a message that says which value is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.analysis.gaps import GapFilter
from app.ids import parse_id

PAGE_SIZE = 25  # rows a page: a register of 79 gaps had been one page 13,000 pixels long
STATUTORY_CHOICES = {"yes": True, "no": False}


@dataclass(frozen=True)
class FilterProblem:
    field: str
    message: str


def _pick(args: Mapping[str, str], name: str) -> str:
    return (args.get(name) or "").strip()


def parse_gap_filter(args: Mapping[str, str], *, themes: Mapping[str, str], matters: Mapping[str, str],
                     departments: Mapping[int, str], statutory_allowed: bool = True
                     ) -> tuple[GapFilter, list[FilterProblem]]:
    """The register's filters from the query string.

    `statutory_allowed` is False when no question counted is marked statutory: the
    page then offers no statutory filter, and a link that asks for one is told why.
    """
    problems: list[FilterProblem] = []
    theme = _pick(args, "theme") or None
    if theme is not None and theme not in themes:
        problems.append(FilterProblem("theme", f"There is no theme ‘{theme}’ in this cycle: choose one from the list"))
        theme = None
    matter = _pick(args, "matter") or None
    if matter is not None and matter not in matters:
        problems.append(FilterProblem("matter", f"There is no matter ‘{matter}’: choose one from the list"))
        matter = None
    department_id: int | None = None
    raw_department = _pick(args, "department")
    if raw_department:
        if parse_id(raw_department) in departments:
            department_id = parse_id(raw_department)
        else:
            problems.append(FilterProblem("department", f"Department ‘{raw_department}’ has no return in this "
                                                        "cycle: choose one from the list"))
    statutory: bool | None = None
    raw_statutory = _pick(args, "statutory").lower()
    if raw_statutory and not statutory_allowed:
        problems.append(FilterProblem("statutory", "No departmental question in this cycle is marked as a "
                                                   "statutory requirement, so the register cannot be filtered by it: "
                                                   "leave ‘statutory’ out of the address"))
    elif raw_statutory:
        if raw_statutory in STATUTORY_CHOICES:
            statutory = STATUTORY_CHOICES[raw_statutory]
        else:
            problems.append(FilterProblem("statutory", "Statutory must be ‘yes’, ‘no’ or left empty"))
    return GapFilter(theme, matter, department_id, statutory), problems


def parse_page(args: Mapping[str, str]) -> tuple[int, list[FilterProblem]]:
    raw = _pick(args, "page")
    if not raw:
        return 1, []
    if (page := parse_id(raw)) is not None:
        return page, []
    return 1, [FilterProblem("page", f"Page must be a whole number from 1; ‘{raw}’ is not")]


def parse_sort(args: Mapping[str, str], themes: Mapping[str, str]) -> tuple[str, bool, list[FilterProblem]]:
    """The heatmap's sort column ("department", "overall" or a theme) and direction."""
    sort = _pick(args, "sort") or "department"
    order = _pick(args, "order") or "asc"
    problems = []
    if sort not in ("department", "overall", *themes):
        problems.append(FilterProblem("sort", f"The heatmap cannot be sorted by ‘{sort}’: choose a column heading"))
        sort = "department"
    if order not in ("asc", "desc"):
        problems.append(FilterProblem("order", f"Order must be ‘asc’ or ‘desc’; ‘{order}’ is not"))
        order = "asc"
    return sort, order == "desc", problems


def parse_flag(args: Mapping[str, str], name: str) -> tuple[bool, list[FilterProblem]]:
    raw = _pick(args, name)
    if raw in ("", "0"):
        return False, []
    if raw == "1":
        return True, []
    return False, [FilterProblem(name, f"‘{name}’ must be 1 or left out; ‘{raw}’ is not")]


def page_numbers(page: int, pages: int) -> list[int | None]:
    """Page links to show: the first, the last and two either side of this one; None marks a gap."""
    shown: list[int | None] = []
    for number in range(1, pages + 1):
        if number in (1, pages) or abs(number - page) <= 2:
            shown.append(number)
        elif shown and shown[-1] is not None:
            shown.append(None)
    return shown


@dataclass(frozen=True)
class PageWindow:
    """One page of a long list: its number, how many pages, and which rows (counting from 1) it shows."""

    page: int
    pages: int
    first: int
    last: int
    total: int

    @property
    def sentence(self) -> str:
        """What the page says above the list, e.g. "Showing 1 to 25 of 79 gaps"."""
        return f"Showing {self.first} to {self.last} of {self.total}"


def page_window(page: int, total: int, size: int = PAGE_SIZE) -> PageWindow | None:
    """Where page `page` of `total` rows falls, `size` a page; None when the page is beyond the end.

    An empty list has one (empty) page, so that page 1 of nothing is not an error.
    """
    pages = max(1, math.ceil(total / size))
    if not 1 <= page <= pages:
        return None
    first = (page - 1) * size + 1
    return PageWindow(page, pages, min(first, total) if total else 0, min(page * size, total), total)


def compare_order_problems(earlier: Any, later: Any) -> list[FilterProblem]:
    """Problems with the two cycles chosen for a comparison: the same one twice, or the later one first.

    A comparison read the wrong way round calls every closed gap new, so it is refused
    with the dates that show why, rather than quietly swapped.
    """
    if earlier.id == later.id:
        return [FilterProblem("later", "Choose two different cycles to compare")]
    if (earlier.period_start, earlier.id) > (later.period_start, later.id):
        return [FilterProblem("earlier", f"The earlier cycle must start before the later one: {earlier.name} "
                                         f"starts on {_day(earlier.period_start)}, after {later.name} "
                                         f"({_day(later.period_start)}). Choose {later.name} as the earlier cycle")]
    return []


def _day(value: Any) -> str:
    """A date as the pages write it: 1 April 2026."""
    return f"{value.day} {value:%B %Y}"

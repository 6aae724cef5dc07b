"""The six Hallmarks of Effective Partnership: their names, and reading one from a person's words.

The built-in checklist tags each item with its hallmark's number (1 to 6). A
council's own checklist may say which hallmark an item belongs to in a column of
its own ("3", "Engaged communities", "Hallmark 5"), or only through its section
names; both are read here, so that the importer and the compliance figures agree
on what a hallmark is called. Pure data and functions: no pandas, no Flask.

Compliance itself is worked out in app.analysis.compliance, for any partnership
checklist, with or without hallmarks.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the names kept for older callers, below

    pass

HALLMARKS: dict[int, str] = {
    1: "Empowered and effective leadership",
    2: "Visible and constructive accountability",
    3: "Intelligence-led business processes",
    4: "Effective and responsive delivery structures",
    5: "Engaged communities",
    6: "Appropriate skills and knowledge",
}

_NUMBERED = re.compile(r"^hallmark\s*(\d+)\s*(.*)$")


def hallmark_label(number: int | str) -> str:
    """'Hallmark 3: Intelligence-led business processes', as the pages and the workbook name it."""
    try:
        key = int(number)
    except (TypeError, ValueError):
        return f"Hallmark {number}"
    name = HALLMARKS.get(key)
    return f"Hallmark {key}: {name}" if name else f"Hallmark {key}"


def _words(text: str) -> str:
    """Lower case, every run of punctuation and spaces made one space: 'Intelligence-led' == 'intelligence led'."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.casefold()).split())


_BY_NAME = {_words(name): number for number, name in HALLMARKS.items()}


def find_hallmark(text: str) -> int | None:
    """The hallmark `text` names, or None when it names none (or names two that disagree).

    Accepted, whatever the case and punctuation: a number from 1 to 6 ("3", "3.0"),
    a hallmark's name ("Engaged communities"), "Hallmark 5", or the label as this
    service prints it ("Hallmark 5: Engaged communities"). "Hallmark 2: Engaged
    communities" names two different hallmarks, so it names none.
    """
    words = _words(text)
    if not words:
        return None
    if re.fullmatch(r"\d+( 0+)?", words):  # "3", or "3.0" from a spreadsheet's number
        number = int(words.split()[0])
        return number if number in HALLMARKS else None
    if words in _BY_NAME:
        return _BY_NAME[words]
    numbered = _NUMBERED.match(words)
    if numbered:
        number, rest = int(numbered.group(1)), numbered.group(2).strip()
        if number not in HALLMARKS:
            return None
        if not rest or _BY_NAME.get(rest) == number:
            return number
    return None

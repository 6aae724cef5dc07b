"""A question block's HTML with holes where the answers go, worked out from the GOV.UK macros themselves.

Rendering a block with GOV.UK Frontend's macros costs about a millisecond (some
35 macro calls), so a 60-question page whose answers are not in the HTML cache
cost 50-70 ms. Yet for a given definition, question and place on the page, the
answers change only a few things in the block's parameters: which options are
ticked (`checked` flags) and the text of its fields (`value`s). Everything else
(labels, hints, ids, conditions) depends only on the definition.

So, once per question and place, we render the block's parameters with the
macros several times: with nothing answered, then with each answer-dependent
parameter set on its own (a flag to True, a text to a probe string holding
every character HTML escapes, line breaks and tabs). Each render differs from the
empty one by one insertion, found by comparing the two strings from both ends;
that insertion is the hole's text. A final render with every parameter set must
equal the empty HTML with every hole filled, or no form is kept. The markup
therefore still comes from the library, never from a copy of it here.

Filling a form for an actual view checks that the view has the same shape as the
empty one and differs only where there are holes; anything else (an error
message, a value a hole was not made for) returns None and the caller renders the
block with the macros as before. A text is inserted escaped as the macros escape
it (markupsafe); one with line breaks only where the probe showed that no filter
re-indents it (the date inputs sit in an indented fieldset).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from app.questionnaires.rendering import QuestionView

Path = tuple[Any, ...]  # where a parameter is: ("params", "items", 2, "checked")

# The probe texts: every character HTML escapes, spaces at both ends, and (for the first) line breaks of
# each kind Jinja's indent filter splits on. Private-use characters mark the ends and never occur in a page.
PROBE = ' \ue000<&>"\'\r\n\u2028\t\ue001 '
LINE_PROBE = ' \ue000<&>"\'\t\ue001 '
PARAMETER_FIELDS = ("params", "not_applicable", "evidence", "action")  # the QuestionView fields answers change


def leaves(view: QuestionView) -> dict[Path, Any]:
    """Every scalar of the view's macro parameters, by its path."""
    found: dict[Path, Any] = {}
    for name in PARAMETER_FIELDS:
        _walk(getattr(view, name), (name,), found)
    return found


def _walk(value: Any, path: Path, found: dict[Path, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(item, (*path, key), found)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _walk(item, (*path, index), found)
        if not value:
            found[path] = type(value)()
    else:
        found[path] = value


def flatten(view: QuestionView) -> tuple[list[Any], list[Any]]:
    """The view's parameters as (shape, scalars), in the order `leaves` lists them: a cheaper walk, for every
    request. Two views of one shape have equal shapes; then scalars[i] is at the i-th path of `leaves`."""
    shape: list[Any] = []
    scalars: list[Any] = []
    for name in PARAMETER_FIELDS:
        _flatten(getattr(view, name), shape, scalars)
    return shape, scalars


def _flatten(value: Any, shape: list[Any], scalars: list[Any]) -> None:
    kind = type(value)
    if kind is dict:
        shape.append(tuple(value))
        for item in value.values():
            _flatten(item, shape, scalars)
    elif kind is list or kind is tuple:
        shape.append(len(value))
        for item in value:
            _flatten(item, shape, scalars)
        if not value:
            scalars.append(kind())
    else:
        shape.append(None)
        scalars.append(value)


def with_leaf(view: QuestionView, path: Path, value: Any) -> QuestionView:
    """A copy of the view with one parameter changed."""
    top = copy.deepcopy(getattr(view, path[0]))
    target = top
    for key in path[1:-1]:
        target = target[key]
    target[path[-1]] = value
    return dataclasses.replace(view, **{path[0]: top})


@dataclass(frozen=True)
class Hole:
    path: Path
    at: int  # where in the empty block's HTML its text goes
    before: str  # a flag: the whole text inserted when it is True; a text: what comes before the escaped value
    after: str = ""
    flag: bool = True
    any_text: bool = True  # a text value may hold line breaks (no filter re-indents it)
    index: int = -1  # its place among the view's scalars (`flatten`)


@dataclass(frozen=True)
class BlockForm:
    empty_html: str
    holes: tuple[Hole, ...]  # in the order of `at`
    shape: list[Any]  # the empty view's shape and scalars (`flatten`)
    scalars: list[Any]

    def fill(self, view: QuestionView) -> str | None:
        """The block's HTML for this view, or None if the view is not of this form (render it with the macros)."""
        shape, scalars = flatten(view)
        if shape != self.shape:
            return None
        values = [scalars[hole.index] for hole in self.holes]
        for hole in self.holes:  # everything but the holes must be as in the empty view
            scalars[hole.index] = self.scalars[hole.index]
        if scalars != self.scalars:
            return None
        parts: list[str] = []
        position = 0
        html = self.empty_html
        for hole, value in zip(self.holes, values, strict=True):
            if hole.flag:
                if value is False or value is None:
                    continue
                if value is not True:
                    return None
                text = hole.before
            else:
                if type(value) is not str:
                    return None
                if not value:
                    continue
                if not hole.any_text and value.splitlines() != [value]:
                    return None
                text = f"{hole.before}{escape(value)}{hole.after}"
            parts += (html[position:hole.at], text)
            position = hole.at
        parts.append(html[position:])
        return "".join(parts)


def _insertion(empty: str, changed: str) -> tuple[int, str] | None:
    """(position, text) if `changed` is `empty` with one text inserted, else None."""
    extra = len(changed) - len(empty)
    if extra <= 0:
        return None
    start = 0
    limit = len(empty)
    while start < limit and empty[start] == changed[start]:
        start += 1
    end = 0
    while end < limit - start and empty[-1 - end] == changed[-1 - end]:
        end += 1
    if start + end != limit:
        return None
    return start, changed[start:start + extra]


def _hole(render: Callable[[QuestionView], str], empty_view: QuestionView, empty_html: str, path: Path,
          flag: bool) -> Hole | None:
    if flag:
        found = _insertion(empty_html, render(with_leaf(empty_view, path, True)))
        return Hole(path, found[0], found[1]) if found else None
    for probe, any_text in ((PROBE, True), (LINE_PROBE, False)):
        found = _insertion(empty_html, render(with_leaf(empty_view, path, probe)))
        if found is None:
            continue
        at, text = found
        escaped = str(escape(probe))
        if text.count(escaped) == 1:
            before, after = text.split(escaped)
            return Hole(path, at, before, after, flag=False, any_text=any_text)
    return None


def build(render: Callable[[QuestionView], str], empty_view: QuestionView,
          probe_view: QuestionView) -> BlockForm | None:
    """The form of the blocks `empty_view` stands for, or None if they cannot be filled in safely.

    `probe_view` is the same question with every answer-dependent parameter set: its
    differences from `empty_view` say where the holes are.
    """
    base, probed = leaves(empty_view), leaves(probe_view)
    if base.keys() != probed.keys():
        return None
    empty_html = render(empty_view)
    holes: list[Hole] = []
    for path, value in base.items():
        if probed[path] == value:
            continue
        if value is False and probed[path] is True:
            hole = _hole(render, empty_view, empty_html, path, flag=True)
        elif value == "" and isinstance(probed[path], str):
            hole = _hole(render, empty_view, empty_html, path, flag=False)
        else:
            return None
        if hole is None:
            return None
        holes.append(hole)
    index = {path: number for number, path in enumerate(base)}
    holes = sorted((dataclasses.replace(hole, index=index[hole.path]) for hole in holes), key=lambda h: h.at)
    shape, scalars = flatten(empty_view)
    if len(scalars) != len(base):
        return None
    form = BlockForm(empty_html, tuple(holes), shape, scalars)
    everything = empty_view
    for hole in holes:
        everything = with_leaf(everything, hole.path, True if hole.flag else PROBE if hole.any_text else LINE_PROBE)
    if form.fill(everything) != render(everything):
        return None
    return form

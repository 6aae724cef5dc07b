"""Reading a definition's YAML safely: duplicate keys refused, and limits on size, nesting and values
(aliases expanded) checked while the file is parsed, so a hostile file is refused before it costs anything.
Pure functions: no Flask."""

from __future__ import annotations

import reprlib
from collections.abc import Hashable
from typing import Any

import yaml

MAX_DEFINITION_BYTES = 8 * 1024 * 1024
"""The largest definition file read. The shipped ones are under 30 kB; the largest checklist the importer
can write (2,000 items with 1,000-character text and hints) is about 5.3 MB. Anything bigger is refused
before it is parsed, because PyYAML's pure-Python parser needs seconds per megabyte."""

MAX_VALUES = 250_000
"""The most values (scalars, lists and mappings) a definition may hold once its aliases are expanded.
The importer's largest checklist holds about 115,000; the hallmark checklist about 3,600. Anchors and
aliases are allowed (the hallmark checklist shares its rating options with them), but every later step
(the schema check, the cross-checks, the JSON snapshot of a cycle) walks the document as a tree, so an
alias repeats its whole block: nine aliases of nine aliases of nine... (a "billion laughs") is a few
hundred bytes of YAML and billions of values."""

MAX_DEPTH = 50
"""The deepest nesting of lists and mappings allowed. The shipped definitions nest 7 deep. PyYAML builds
nodes recursively, so 20,000 nested brackets would otherwise end in a RecursionError."""


class _Refused(yaml.MarkedYAMLError):
    """YAML that parses but is refused (too deep, too big once expanded, unreadable values); the message is
    reported as it is, without "not valid YAML"."""


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses duplicate keys (PyYAML would silently keep the last one), nesting deeper than
    MAX_DEPTH and documents that hold more than MAX_VALUES values once aliases are expanded.

    The limits are checked while the node graph is composed, one event at a time (and [ { nesting as it is
    scanned): an alias costs the size of the block its anchor names, measured when that block was composed,
    so a bomb is refused after reading a few hundred bytes, before anything is expanded, and nesting is
    refused long before Python's recursion limit.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._values = 0
        self._through_aliases = 0
        self._depth = 0
        self._sizes: dict[str, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._count_alias(event)
            return super().compose_node(parent, index)
        self._enter(event)
        before = self._values
        node = super().compose_node(parent, index)
        self._depth -= 1
        if event.anchor is not None:
            self._sizes[event.anchor] = self._values - before
        return node

    def fetch_flow_collection_start(self, TokenClass: type) -> None:  # noqa: N803 - PyYAML's name
        """Refuse deep [ and { nesting as the scanner meets it: to see whether `[` starts a key, PyYAML reads
        up to 1,024 characters ahead, which on a line of brackets takes seconds before a node is composed."""
        if self.flow_level >= MAX_DEPTH:
            raise _Refused(problem=self._too_deep(), problem_mark=self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    @staticmethod
    def _too_deep() -> str:
        return f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; a definition needs fewer than 10"

    def _enter(self, event: yaml.Event) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(problem=self._too_deep(), problem_mark=event.start_mark)
        self._spend(1, event)

    def _count_alias(self, event: yaml.AliasEvent) -> None:
        if event.anchor not in self.anchors:
            return  # PyYAML reports the undefined alias
        size = self._sizes.get(event.anchor)
        if size is None:
            raise _Refused(problem=f"the alias *{event.anchor} is inside the block its anchor "
                                   f"&{event.anchor} names, so the block would contain itself without end",
                           problem_mark=event.start_mark)
        self._through_aliases += size
        self._spend(size, event)

    def _spend(self, count: int, event: yaml.Event) -> None:
        self._values += count
        if self._values <= MAX_VALUES:
            return
        if self._through_aliases:
            problem = (f"aliases (*name) here would make the file more than {MAX_VALUES:,} values once each "
                       "repeats its anchored block; use an anchor and aliases to share a block, not to "
                       "multiply it")
        else:
            problem = f"the file holds more than {MAX_VALUES:,} values; a definition needs far fewer"
        raise _Refused(problem=problem, problem_mark=event.start_mark)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Report a value Python cannot read (an integer of more than 4,300 digits, the 31st of February)
        at its line, instead of failing with a ValueError."""
        try:
            return super().construct_object(node, deep=deep)
        except ValueError as error:
            value = shown(node.value) if isinstance(node, yaml.ScalarNode) else "this value"
            reason = str(error).split(";")[0]  # drop Python's advice on set_int_max_str_digits
            raise _Refused(problem=f"{value} cannot be read: {reason}", problem_mark=node.start_mark) from None


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):
            raise _Refused(problem="a key must be a name, not a list or mapping", problem_mark=key_node.start_mark)
        if key in seen:
            raise yaml.MarkedYAMLError(
                problem=f"the key {key!r} appears twice in the same block (first on line {seen[key] + 1})",
                problem_mark=key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def parse_yaml(text: str, source: str) -> tuple[Any, list[str]]:
    """The document, or one `file: where: problem` line. The size is checked first, the other limits while
    parsing (see _StrictLoader)."""
    size = len(text.encode("utf-8"))
    if size > MAX_DEFINITION_BYTES:
        return None, [too_big(source, size)]
    try:
        return yaml.load(text, Loader=_StrictLoader), []  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        kind = "" if isinstance(error, _Refused) else "not valid YAML: "
        return None, [f"{source}: {where}: {kind}{error.problem}"]
    except yaml.YAMLError as error:
        return None, [f"{source}: not valid YAML: {error}"]


def shown(value: Any) -> str:
    """A value as it goes into a message: its repr, cut short (a problem line must stay one readable line
    even when the value is a list of thousands)."""
    return _SHORT_REPR.repr(value)


def _short_repr() -> reprlib.Repr:
    short = reprlib.Repr()  # keyword arguments need Python 3.12
    short.maxlevel, short.maxlist, short.maxdict = 3, 6, 6
    short.maxstring, short.maxother, short.maxlong = 60, 60, 40
    return short


_SHORT_REPR = _short_repr()


def too_big(source: str, size: int) -> str:
    return (f"{source}: (whole file): is {size / 1024 / 1024:.1f} MB; a definition may be at most "
            f"{MAX_DEFINITION_BYTES // 1024 // 1024} MB")

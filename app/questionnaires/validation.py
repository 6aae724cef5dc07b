"""Loading and checking questionnaire definitions.

A definition is checked in two passes: the JSON Schema in
surveys/questionnaire.schema.json (shape and types), then cross-checks the
schema cannot express (unique ids, show_if refers to an earlier question and to
values that question can take, targets among the options, types and options
agree). Every problem is reported at once, one per line, as

    file: path.to.field: what is wrong

where the path names sections and questions by their id (or by position, #1
being the first, when the id itself is the problem). Pure functions: no Flask.

The passes live in yaml_reading (safe parsing with limits), schema_check and cross_checks; this module
puts them together and is what the rest of the code imports.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.questionnaires import yaml_reading
from app.questionnaires.cross_checks import cross_check_problems
from app.questionnaires.definition import Definition, build_definition
from app.questionnaires.schema_check import schema_problems
from app.questionnaires.yaml_reading import parse_yaml, too_big


class DefinitionError(Exception):
    """One or more problems with definition files; str() gives one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadedDefinition:
    definition: Definition
    document: dict[str, Any]
    sha256: str
    source: str


def check_document(document: Any, source: str) -> list[str]:
    if document is None:
        return [f"{source}: the file is empty"]
    return schema_problems(document, source) + cross_check_problems(document, source)


def load_text(text: str, source: str) -> LoadedDefinition:
    """Parse and check a definition; raise DefinitionError with every problem found."""
    document, problems = parse_yaml(text, source)
    if not problems:
        problems = check_document(document, source)
    if problems:
        raise DefinitionError(problems)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedDefinition(build_definition(document), document, digest, source)


def load_file(path: Path) -> LoadedDefinition:
    """Read and check one file. At most MAX_DEFINITION_BYTES characters are read (a character is at least a
    byte), so a huge file, or an endless one such as /dev/zero, is refused without being read whole."""
    try:
        with path.open(encoding="utf-8") as file:
            text = file.read(yaml_reading.MAX_DEFINITION_BYTES + 1)
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError([f"{path.name}: cannot be read: {error}"]) from None
    if len(text) > yaml_reading.MAX_DEFINITION_BYTES:
        raise DefinitionError([too_big(path.name, _size_of(path))])
    return load_text(text, path.name)


def _size_of(path: Path) -> int:
    """The file's size for the message; more than the limit when it has none (a device, a pipe)."""
    try:
        return max(path.stat().st_size, yaml_reading.MAX_DEFINITION_BYTES + 1)
    except OSError:
        return yaml_reading.MAX_DEFINITION_BYTES + 1


def load_directory(directory: Path) -> dict[str, LoadedDefinition]:
    """Every *.yaml in the folder, checked; problems from all files are raised together."""
    loaded: dict[str, LoadedDefinition] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            item = load_file(path)
        except DefinitionError as error:
            problems.extend(error.problems)
            continue
        if item.definition.id in loaded:
            problems.append(f"{path.name}: id: {item.definition.id!r} is also the id of "
                            f"{loaded[item.definition.id].source}")
            continue
        loaded[item.definition.id] = item
    if problems:
        raise DefinitionError(problems)
    return loaded


def check_files(paths: Iterable[Path]) -> list[str]:
    problems: list[str] = []
    for path in paths:
        try:
            load_file(path)
        except DefinitionError as error:
            problems.extend(error.problems)
    return problems

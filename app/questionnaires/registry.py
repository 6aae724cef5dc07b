"""The questionnaire definitions available to this installation (surveys/*.yaml).

They are loaded and checked when the app starts: a broken definition stops the
app with the full list of problems, rather than failing later in front of a lead
officer. When a cycle opens, the file is read again and snapshotted, so later
edits never touch that cycle.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from app.config import ConfigurationError
from app.questionnaires.definition import Definition, build_definition
from app.questionnaires.validation import DefinitionError, LoadedDefinition, load_directory, load_file

log = logging.getLogger(__name__)

DEFAULT_SURVEYS_DIR = Path(__file__).resolve().parents[2] / "surveys"


def surveys_dir(app: Flask | None = None) -> Path:
    config = (app or current_app).config
    return Path(config.get("SURVEYS_DIR") or DEFAULT_SURVEYS_DIR)


def _signature(directory: Path) -> tuple:
    """What the folder holds: file names, sizes and modification times."""
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in directory.glob("*.yaml")))


def register_questionnaires(app: Flask) -> None:
    directory = surveys_dir(app)
    try:
        definitions = load_directory(directory)
    except DefinitionError as error:
        raise ConfigurationError(
            f"the questionnaire definitions in {directory} have problems. Fix them, or check one file with "
            f"`section17 surveys check FILE`:\n{error}"
        ) from None
    app.extensions["questionnaires"] = {"definitions": definitions, "signature": _signature(directory)}


def available() -> dict[str, LoadedDefinition]:
    """Definitions by id. Files added or changed since start-up (an imported checklist, say) are picked
    up here; if the folder now has a problem, the last good set is kept and the problem logged."""
    state = current_app.extensions["questionnaires"]
    directory = surveys_dir()
    signature = _signature(directory)
    if signature != state["signature"]:
        try:
            state["definitions"] = load_directory(directory)
        except DefinitionError as error:
            log.error("Questionnaire definitions in %s have problems; still using the last good set:\n%s",
                      directory, error)
        state["signature"] = signature
    return state["definitions"]


def read_current(definition_id: str) -> LoadedDefinition:
    """Read a definition's file again now (used when a cycle opens), checking it afresh."""
    loaded = available().get(definition_id)
    if loaded is None:
        raise DefinitionError([f"{definition_id}: no questionnaire with this id in {surveys_dir()}"])
    return load_file(surveys_dir() / loaded.source)


def definition_from_snapshot(snapshot: Any) -> Definition:
    """The Definition of a stored snapshot (cached: snapshots never change)."""
    cache_key = (snapshot.id, snapshot.sha256)
    cached = _snapshot_cache.get(cache_key)
    if cached is None:
        cached = build_definition(snapshot.content)
        _snapshot_cache[cache_key] = cached
    return cached


_snapshot_cache: dict[tuple[int, str], Definition] = {}

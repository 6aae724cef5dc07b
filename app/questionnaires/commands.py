"""`section17 surveys ...`: check and list questionnaire definitions.

Registered on the top-level command group, not the app, so that `surveys check`
works even when a broken definition stops the app from starting.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from app.questionnaires.registry import DEFAULT_SURVEYS_DIR
from app.questionnaires.validation import DefinitionError, check_files, load_directory


def _surveys_dir() -> Path:
    return Path(os.environ.get("SECTION17_SURVEYS_DIR") or DEFAULT_SURVEYS_DIR)


@click.group("surveys")
def surveys_group() -> None:
    """Check and list the questionnaire definitions in surveys/."""


@surveys_group.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def check_command(files: tuple[Path, ...]) -> None:
    """Check definition FILES (default: every surveys/*.yaml). Prints every problem; exits 1 if any."""
    paths = list(files) or sorted(_surveys_dir().glob("*.yaml"))
    if not paths:
        raise click.ClickException(f"No definition files to check in {_surveys_dir()}")
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise click.ClickException(f"No such file: {missing[0]}")
    problems = check_files(paths)
    if not files:
        try:
            load_directory(_surveys_dir())
        except DefinitionError as error:  # also catches two files with the same id
            problems = list(dict.fromkeys([*problems, *error.problems]))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"{len(paths)} definition file{'s' if len(paths) != 1 else ''} checked: no problems.")


@surveys_group.command("list")
def list_command() -> None:
    """List the definitions: id, version, kind, number of questions, title."""
    try:
        definitions = load_directory(_surveys_dir())
    except DefinitionError as error:
        raise click.ClickException(f"surveys/ has problems; run `section17 surveys check`.\n{error}") from None
    for loaded in definitions.values():
        d = loaded.definition
        click.echo(f"{d.id}\t{d.version}\t{d.kind}\t{len(d.questions)}\t{d.title}")

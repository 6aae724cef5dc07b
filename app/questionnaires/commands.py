"""`section17 surveys ...`: check and list questionnaire definitions.

Registered on the top-level command group, not the app, so that `surveys check`
works even when a broken definition stops the app from starting.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app, has_app_context

from app.config import Config
from app.imports.sheets import read_file_within
from app.questionnaires.importing import SHEET_LIMITS, ImportFailed, checklist_definition, definition_yaml, read_sheet
from app.questionnaires.registry import DEFAULT_SURVEYS_DIR
from app.questionnaires.validation import DefinitionError, check_files, load_directory, load_file
from app.text_input import ControlCharacterError, clean_text


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


@surveys_group.command("import-checklist")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "definition_id", required=True, help="Id for the new questionnaire, e.g. our-recommendations.")
@click.option("--title", required=True, help="Its title, as people will see it.")
@click.option("--kind", type=click.Choice(["partnership", "departmental"]), default="partnership", show_default=True,
              help="Who answers it: the partnership, or each department.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the definition (default: surveys/ID.yaml).")
@click.option("--replace", is_flag=True, help="Overwrite a file that already exists.")
def import_checklist_command(file: Path, definition_id: str, title: str, kind: str, out: Path | None,
                             replace: bool) -> None:
    """Turn a sheet of checklist items (CSV or XLSX) into a questionnaire definition.

    Columns, named in the first row: section, id and text, which every row
    needs; and, if wanted, statutory (yes or no; blank is no), hint and hallmark.

    \b
    hallmark: the Hallmark of Effective Partnership an item belongs to, as a number
    from 1 to 6 or its name (for example 5, "Engaged communities" or "Hallmark 5"),
    in any case. When it is blank, an item in a section named after a hallmark
    belongs to that hallmark. Compliance is shown by hallmark for items that have
    one, and by section for the rest.

    Every bad row is listed and nothing is written unless the whole sheet is good.
    """
    try:
        title = clean_text(title)  # app/text_input.py's rule, as for the title typed on the import page
    except ControlCharacterError as error:
        raise click.ClickException(f"title: {error.message_for('Title')}") from None
    target = out or _surveys_dir() / f"{definition_id}.yaml"
    if target.exists() and not replace:
        raise click.ClickException(f"{target} already exists; use --replace to overwrite it")
    existing = _definition_ids_elsewhere(target)
    if definition_id in existing:
        raise click.ClickException(f"{existing[definition_id]} already has the id {definition_id}; choose another --id")
    limit = int(current_app.config["MAX_CONTENT_LENGTH"]) if has_app_context() else Config.MAX_CONTENT_LENGTH
    try:
        document, summary = checklist_definition(read_sheet(file.name, read_file_within(file, limit), SHEET_LIMITS),
                                                 definition_id=definition_id, title=title, kind=kind)
    except ImportFailed as failure:
        for problem in failure.problems:
            click.echo(f"{file.name}: {problem}", err=True)
        raise SystemExit(1) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(definition_yaml(document, file.name), encoding="utf-8")
    click.echo(f"Imported {summary.items} items in {summary.sections} sections ({summary.statutory} statutory) "
               f"into {target}.")
    click.echo(_hallmark_note(summary.with_hallmark, summary.items))


def _hallmark_note(with_hallmark: int, items: int) -> str:
    """Say how compliance will be grouped, so a missing hallmark column is noticed now, not at the results."""
    if with_hallmark == items:
        return "Every item belongs to a hallmark: compliance will be shown by hallmark."
    if not with_hallmark:
        return "No item belongs to a hallmark: compliance will be shown by section."
    return (f"{with_hallmark} of {items} items belong to a hallmark: compliance will be shown by hallmark for "
            "those and by section for the rest.")


def _definition_ids_elsewhere(target: Path) -> dict[str, str]:
    """Ids of the definitions already in surveys/, except the file being replaced."""
    ids = {}
    for path in sorted(_surveys_dir().glob("*.yaml")):
        if path.resolve() == target.resolve():
            continue
        try:
            ids[load_file(path).definition.id] = path.name
        except DefinitionError:
            continue
    return ids

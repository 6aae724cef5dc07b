"""`section17 peers ...`: offence types, importing crime figures, and the family group's table.

The commands use the same services as the pages: a file is checked by the same rules,
nothing is written unless all of it is good, and every import is in the audit log (as
"command line").
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.analysis.crime import PERIOD_FORMS, GroupTable, format_change, format_number, parse_period, quartile_rule
from app.benchmarking.crime.offences import all_offences, offence_labels
from app.benchmarking.crime.services import benchmark_group, import_file, offence_table, periods_with_figures
from app.exports.sheets import csv_text
from app.imports.sheets import read_file_within
from app.questionnaires.importing import ImportFailed

CSV_COLUMNS = ("partnership", "rate_per_1000", "change_pct", "rank", "quartile", "own")


@click.group("peers", cls=AppGroup)
def peers_group() -> None:
    """Offence types, crime figures and the family group's tables for peer benchmarking."""


@peers_group.command("offences")
def offences_command() -> None:
    """List the offence types: key, label, and whether it is built in or added (tab-separated)."""
    for offence in all_offences():
        click.echo(f"{offence.key}\t{offence.label}\t{'built in' if offence.built_in else 'added'}")


@peers_group.command("import-stats")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_stats_command(file: Path) -> None:
    """Check a CSV or XLSX file of crime figures and import it if every row is good.

    Columns, named in the first row: partnership, offence, period, and either count and
    population or rate_per_1000; optionally change_pct. Figures already held for the
    same partnership, offence and period are replaced. Every problem is printed as
    "row N, column C: why" and nothing is written if there is any.
    """
    try:
        data = read_file_within(file, int(current_app.config["MAX_CONTENT_LENGTH"]))
    except ImportFailed as failure:
        click.echo(f"{failure} Nothing was imported.", err=True)
        raise SystemExit(1) from None
    try:
        result = import_file(None, file.name, data)
    except ImportFailed as failure:
        for problem in failure.problems:
            click.echo(str(problem), err=True)
        count = len(failure.problems)
        click.echo(f"Nothing was imported: {file.name} has {count:,} problem{'s' if count != 1 else ''}.", err=True)
        raise SystemExit(1) from None
    total = result.added + result.replaced
    click.echo(f"Imported {total:,} figure{'s' if total != 1 else ''} from {file.name}: {result.added:,} added, "
               f"{result.replaced:,} replaced.")


@peers_group.command("table", help=(
    "Print one offence type's table for a period across our family group, sorted by rank. "
    "The csv format has the columns partnership, rate_per_1000, change_pct, rank, quartile and own (yes or no); "
    f"cells without a value are empty. {quartile_rule()}"))
@click.option("--offence", required=True, help="The offence type's key (see `section17 peers offences`).")
@click.option("--period", help="A period with figures, e.g. 2001/02 (default: the latest).")
@click.option("--format", "output", type=click.Choice(["text", "csv"]), default="text", show_default=True,
              help="A table to read, or CSV.")
def table_command(offence: str, period: str | None, output: str) -> None:
    labels = offence_labels()
    key = offence.strip().lower()
    if key not in labels:
        raise click.BadParameter(f"there is no offence type '{offence}'; `section17 peers offences` lists them",
                                 param_hint="--offence")
    periods = periods_with_figures()
    if period is None:
        if not periods:
            raise click.UsageError("No crime figures have been imported yet: use `section17 peers import-stats`")
        period = periods[0]
    elif period.strip() not in periods:
        if parse_period(period) is None:
            message = f"'{period}' is not a period: use {PERIOD_FORMS}"
        else:
            held = ", ".join(periods) or "none"
            message = f"there are no figures for {period.strip()}; periods with figures: {held}"
        raise click.BadParameter(message, param_hint="--period")
    period = period.strip()
    group = benchmark_group()
    figures = offence_table(key, period, group)
    if output == "csv":
        click.echo(_csv(figures), nl=False)
    else:
        click.echo(_text(figures, labels[key], period, group.label))


def _cells(figures: GroupTable) -> list[list[str]]:
    return [[row.partnership, format_number(row.rate, 4, fixed=False), format_number(row.change, 2, fixed=False),
             "" if row.rank is None else str(row.rank), "" if row.quartile is None else str(row.quartile),
             "yes" if row.own else "no"] for row in figures.rows]


def _csv(figures: GroupTable) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for cells in _cells(figures):
        writer.writerow([csv_text(cells[0]), *cells[1:]])
    return buffer.getvalue()


def _text(figures: GroupTable, label: str, period: str, group: str) -> str:
    headings = ["Partnership", "Rate per 1,000", "Change %", "Rank", "Quartile", "Ours"]
    rows = [[row.partnership, format_number(row.rate), format_change(row.change),
             "" if row.rank is None else f"{row.rank} of {figures.n}",
             "" if row.quartile is None else str(row.quartile), "ours" if row.own else ""] for row in figures.rows]
    widths = [max(len(r[i]) for r in [headings, *rows]) for i in range(len(headings))]
    right = {1, 2, 3, 4}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                                  strict=True))).rstrip()

    lines = [f"{label}, {period}: {group}", "", line(headings), line(["-" * w for w in widths]), *map(line, rows), ""]
    if figures.n:
        lines.append(f"Group mean {format_number(figures.mean)} per 1,000, median {format_number(figures.median)}; "
                     f"band {format_number(figures.band_low)} to {format_number(figures.band_high)} "
                     "(mean plus or minus one standard deviation).")
        if figures.own_distance_pct is not None:
            lines.append(f"Our distance from the mean: {format_change(figures.own_distance_pct)}%.")
    else:
        lines.append("No partnership in the group has a figure for this offence type in this period.")
    lines.append(quartile_rule())
    return "\n".join(lines)

"""`section17 export`: a cycle's workbook (or one department's, or the Responses CSV) on the server."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.departments.services import find_department_by_code
from app.export_jobs.services import CSV, XLSX, ExportRequest, find_cycle, write_export
from app.extensions import db
from app.models import Cycle, CycleStatus


@click.command("export")
@click.option("--cycle", "cycle_name", metavar="CYCLE", help="The cycle's id or name (see --list-cycles).")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Where to write it: a .xlsx file, or a .csv file for the Responses sheet alone.")
@click.option("--department", "department_code", metavar="CODE", help="Only this department (its short code).")
@click.option("--list-cycles", is_flag=True, help="List the cycles that can be exported, and stop.")
@with_appcontext
def export_command(cycle_name: str | None, out: Path | None, department_code: str | None, list_cycles: bool) -> None:
    """Export a cycle as an Excel workbook, with a progress bar on standard error.

    The workbook is the one auditors download: About, Summary, Responses, Matrix, Gaps,
    Hallmarks, Peer approaches, Crime benchmarking, Actions and Audit log. The export
    is recorded in the audit log as made on the command line.
    """
    if list_cycles:
        for cycle in db.session.scalars(select(Cycle).where(Cycle.status != CycleStatus.DRAFT.value)
                                        .order_by(Cycle.period_start.desc(), Cycle.id.desc())):
            click.echo(f"{cycle.id}\t{cycle.name}\t{cycle.status_label}")
        return
    if not cycle_name or out is None:
        raise click.UsageError("Give --cycle and --out (or --list-cycles to see the cycles)")
    cycle = find_cycle(cycle_name)
    if cycle is None or cycle.status == CycleStatus.DRAFT.value:
        raise click.BadParameter(f"there is no opened cycle with the id or name ‘{cycle_name}’; "
                                 "`section17 export --list-cycles` lists them", param_hint="--cycle")
    department = None
    if department_code:
        department = find_department_by_code(department_code)
        if department is None:
            raise click.BadParameter(f"there is no department with the code ‘{department_code}’",
                                     param_hint="--department")
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise click.BadParameter("the file name must end in .xlsx (the workbook) or .csv (the Responses sheet)",
                                 param_hint="--out")
    request = ExportRequest(cycle, department, XLSX if suffix == ".xlsx" else CSV)
    with click.progressbar(length=1, label="Returns", file=sys.stderr, show_pos=True) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        write_export(request, str(out), actor=None, generated_by="command line", how="command line",
                     progress=progress)
    click.echo(f"Wrote {out} ({out.stat().st_size:,} bytes): {request.scope} of {cycle.name}.")

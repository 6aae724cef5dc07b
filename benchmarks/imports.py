"""Benchmark: reading spreadsheets to import, good and hostile, with our streaming reader and the alternatives.

    python benchmarks/imports.py [--repeat 3] [--readers streaming openpyxl calamine] [--files NAME ...]
                                 [--no-import] [--timeout 60] [--memory-cap-gb 4]

Files (tests/hostile_sheets.py builds them, not timed):

- realistic: 5,000 and 20,000 rows of crime figures (xlsx as Excel saves them, and CSV), and
  20,000 rows in a sheet whose first 30 columns are formatted (every cell written, most empty);
- worst allowed: the most our limits let through (every row out to column AX, 200,000 cells of
  distinct 4-byte text), and 20,000 rows of crime figures of which every cell is wrong (the
  most problems an import can report);
- hostile: rows that each have a value in column XFD; the same with only an empty styled cell
  there; two cells at A1 and XFD1048576; a million tiny rows (4.9 MB); a million rows written
  compactly (under the 32 MB part limit); a zip bomb (300 MB of sheet from 1.8 MB); one row of
  3,000,000 empty cells; one 30,000-character shared string in each of 200,000 cells; a CSV of a
  million rows; a CSV of one 8 MB line.

Readers, each run `--repeat` times, taking turns, each time in a fresh Python process (cold: the
reader's modules imported, then one read of the file) under a cap on its address space
(`--memory-cap-gb`) and a time limit (`--timeout`), so that the alternatives' failures are
measured rather than suffered:

1. streaming (ours, chosen): app.imports.sheets.read_sheet with the crime import's limits;
2. openpyxl: load_workbook(read_only=True, data_only=True) and iter_rows(max_col=50,
   max_row=20,002, values_only=True), stopping at the same row limit: openpyxl used as carefully
   as it can be;
3. calamine (python-calamine, if installed): get_sheet_by_index(0) and iter_rows(), stopping
   at the same row limit and keeping 50 columns;
4. previous (only if asked for, as it takes minutes on the hostile files): the reader before
   app.imports, openpyxl read-only with no limits, and for CSV the whole file decoded and
   every row listed.

openpyxl and calamine read only xlsx; for a CSV file the streaming reader is compared with
the previous one alone.

Peak memory is the process's peak resident set (VmHWM) above what it held just before reading
(idle: modules imported, file bytes read). Time is wall-clock (and CPU) for the read alone.
Medians are printed, with each alternative's ratio to the streaming reader (time and memory;
">" when it hit the cap or the time limit). Unless --no-import, the whole crime import
(app.benchmarking.crime.services.check_file, then pack_preview for the confirm form, in an app on a
SQLite database whose peer register holds the partnerships of the realistic files) is measured
the same way, its memory above the idle app. Goal: every import under 100 MB above idle.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import print_load, verdict  # noqa: E402
from tests import hostile_sheets as hostile  # noqa: E402

MAX_ROWS = 20_000
MAX_COLUMNS = 50
MEMORY_GOAL_MB = 100
READERS = ("streaming", "openpyxl", "calamine", "previous")
DEFAULT_READERS = ("streaming", "openpyxl", "calamine")
XLSX_ONLY = ("openpyxl", "calamine")
FILES: dict[str, Callable[[], bytes]] = {
    "realistic-5000.xlsx": lambda: hostile.realistic_crime_xlsx(5_000),
    "realistic-5000.csv": lambda: hostile.realistic_crime_csv(5_000),
    "realistic-20000.xlsx": lambda: hostile.realistic_crime_xlsx(20_000),
    "formatted-20000x30.xlsx": lambda: hostile.formatted_crime_xlsx(20_000, 30),
    "worst-allowed.xlsx": hostile.worst_allowed_xlsx,
    "every-cell-wrong.csv": hostile.every_cell_wrong_csv,
    "xfd-values.xlsx": lambda: hostile.xfd_rows_xlsx(10_000),
    "xfd-styled.xlsx": lambda: hostile.xfd_rows_xlsx(10_000, value_in_xfd=False),
    "far-corner.xlsx": hostile.far_corner_xlsx,
    "million-rows.xlsx": hostile.million_rows_xlsx,
    "compact-million.xlsx": hostile.numbered_million_rows_xlsx,
    "bomb-300mb.xlsx": lambda: hostile.bomb_xlsx(300),
    "one-huge-row.xlsx": hostile.one_huge_row_xlsx,
    "repeated-string.xlsx": lambda: hostile.repeated_string_xlsx(20_000),
    "million-rows.csv": hostile.million_rows_csv,
    "one-line.csv": lambda: hostile.huge_line_csv(8),
}


# --------------------------------------------------------------------------- in the child process


def _peak_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _prepare(reader: str, database: str | None) -> Callable[[str, bytes], str]:
    """Import what the reader needs and return a function reading one file to a one-line outcome."""
    if reader == "streaming":
        from app.imports.problems import ImportFailed
        from app.imports.sheet import SheetLimits
        from app.imports.sheets import read_sheet

        limits = SheetLimits(max_rows=MAX_ROWS)

        def streaming(name: str, data: bytes) -> str:
            try:
                return f"{len(read_sheet(name, data, limits).rows):,} rows"
            except ImportFailed as failure:
                return f"refused: {failure}"
        return streaming
    if reader == "openpyxl":
        import io

        from openpyxl import load_workbook

        def careful_openpyxl(name: str, data: bytes) -> str:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = [[_text(v) for v in values] for values in
                    workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, max_row=MAX_ROWS + 2, values_only=True)]
            workbook.close()
            return f"{len(rows):,} rows" if len(rows) <= MAX_ROWS + 1 else "refused at the row limit"
        return careful_openpyxl
    if reader == "calamine":
        import io

        from python_calamine import CalamineWorkbook

        def calamine(name: str, data: bytes) -> str:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            rows = []
            for values in sheet.iter_rows():
                if len(rows) > MAX_ROWS:
                    return "refused at the row limit"
                rows.append([_text(v) for v in values[:MAX_COLUMNS]])
            return f"{len(rows):,} rows"
        return calamine
    if reader == "previous":
        import csv
        import io

        from openpyxl import load_workbook

        def previous(name: str, data: bytes) -> str:
            if name.endswith(".csv"):
                text = data.decode("utf-8-sig", errors="replace")
                rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text, newline=""))]
            else:
                workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
                rows = [[_text(v) for v in values] for values in workbook.worksheets[0].iter_rows(values_only=True)]
                workbook.close()
            return f"{len(rows) - 1:,} rows read, then the row limit said no" if len(rows) > MAX_ROWS + 1 \
                else f"{len(rows) - 1:,} rows"
        return previous
    if reader == "import":
        from app import create_app
        from app.benchmarking.crime.services import PayloadProblem, check_file, pack_preview
        from app.imports.problems import ImportFailed

        app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": database, "RATELIMIT_ENABLED": False})
        context = app.app_context()
        context.push()

        def whole_import(name: str, data: bytes) -> str:
            try:
                preview = check_file(name, data)
            except ImportFailed as failure:
                return f"refused: {len(failure.problems):,} problem(s): {failure.problems[0]}"
            try:
                pack_preview(preview)
            except PayloadProblem as problem:
                return f"{len(preview.figures):,} figures; {problem}"
            return f"{len(preview.figures):,} figures, ready to confirm"
        whole_import("warm.csv", b"partnership,offence,period,rate_per_1000\nPartnership 000,robbery,2001,0.1\n")
        return whole_import
    raise SystemExit(f"unknown reader {reader}")


def child(reader: str, path: str, cap_gb: float, database: str | None) -> None:
    cap = int(cap_gb * 1024 ** 3)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    read = _prepare(reader, database)
    data = Path(path).read_bytes()
    idle = _peak_kb()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        outcome = read(Path(path).name, data)
    except MemoryError:
        outcome = "MemoryError"
    except Exception as error:  # noqa: BLE001 - what an alternative raises on a hostile file is the result
        outcome = f"{type(error).__name__}: {str(error)[:80]}"
    print(json.dumps({"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                      "above_idle_mb": (_peak_kb() - idle) / 1024, "outcome": outcome}))


# --------------------------------------------------------------------------- in the parent


def run_once(reader: str, path: Path, args: argparse.Namespace, database: str | None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", reader, str(path), "--memory-cap-gb", str(args.memory_cap_gb)]
    if database:
        command += ["--database", database]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        return {"seconds": float(args.timeout), "cpu": float("nan"), "above_idle_mb": float("nan"), "over": True,
                "outcome": f"stopped after {args.timeout} s"}
    if done.returncode == 0 and done.stdout.strip():
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["over"] = result["outcome"] == "MemoryError"
        return result
    signal = -done.returncode if done.returncode < 0 else None
    why = f"killed by signal {signal} (the process aborted)" if signal else f"exit {done.returncode}"
    last = (done.stderr.strip().splitlines() or [""])[-1][:80]
    return {"seconds": float("nan"), "cpu": float("nan"), "above_idle_mb": float("nan"), "over": True,
            "outcome": f"{why}: {last}" if last else why}


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def median(key: str) -> float:
        values = [r[key] for r in runs if r[key] == r[key]]  # NaN != NaN
        return statistics.median(values) if values else float("nan")
    timed = [r["seconds"] for r in runs if r["seconds"] == r["seconds"]]
    return {"seconds": median("seconds"), "low": min(timed, default=float("nan")),
            "high": max(timed, default=float("nan")), "cpu": median("cpu"), "mb": max((r["above_idle_mb"] for r in runs
                                                                           if r["above_idle_mb"] == r["above_idle_mb"]),
                                                                          default=float("nan")),
            "over": any(r["over"] for r in runs), "outcome": runs[-1]["outcome"]}


def ratio(value: float, base: float, over: bool) -> str:
    if over:
        return "     >"
    if value != value or base != base:
        return "     -"
    times = value / max(base, 0.001)
    return f"{times:5.1f}x" if times < 100 else f"{times:5.0f}x"


def build_database(work: Path) -> str:
    """A migrated SQLite database whose peer register holds the realistic files' partnerships."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import PeerPartnership

    url = f"sqlite:///{work / 'imports.sqlite'}"
    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.session.add_all([PeerPartnership(name=f"Partnership {n:03d}", family_group="Family group 1")
                            for n in range(400)])
        db.session.commit()
        db.engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--readers", nargs="+", default=list(DEFAULT_READERS), choices=READERS)
    parser.add_argument("--files", nargs="+", default=list(FILES), choices=list(FILES))
    parser.add_argument("--no-import", action="store_true", help="leave out the whole crime import")
    parser.add_argument("--timeout", type=int, default=60, help="seconds a reader may take on one file")
    parser.add_argument("--memory-cap-gb", type=float, default=4.0)
    parser.add_argument("--child", nargs=2, metavar=("READER", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.memory_cap_gb, args.database)
        return
    readers = list(args.readers)
    if "calamine" in readers:
        try:
            import python_calamine  # noqa: F401
        except ImportError:
            print("python-calamine is not installed (pip install python-calamine): leaving it out")
            readers.remove("calamine")
    print_load("before")
    closing: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="s17imports"))
    try:
        database = None if args.no_import else build_database(work)
        columns = [*readers, *([] if args.no_import else ["import"])]
        print(f"{len(args.files)} files x {', '.join(columns)}; {args.repeat} cold runs each, taking turns (median "
              f"time with its lowest-highest, highest peak); cap {args.memory_cap_gb:g} GB, {args.timeout} s\n")
        for name in args.files:
            path = work / name
            path.write_bytes(FILES[name]())
            print(f"{name}: {path.stat().st_size / 1024:,.0f} KB")
            runs: dict[str, list[dict[str, Any]]] = {
                reader: [] for reader in columns if not (reader in XLSX_ONLY and name.endswith(".csv"))}
            for _ in range(args.repeat):
                for reader in runs:
                    runs[reader].append(run_once(reader, path, args, database if reader == "import" else None))
            results = {reader: summarise(r) for reader, r in runs.items()}
            base = results.get("streaming")
            for reader, result in results.items():
                shown = (f"{result['seconds']:6.2f}s ({result['low']:.2f}-{result['high']:.2f}) "
                         f"{result['cpu']:6.2f}s cpu {result['mb']:8.1f} MB")
                if result["over"] and result["mb"] != result["mb"]:
                    shown = f"{'-':>7} {'-':>11} {'-':>10} {'-':>11}"
                ratios = ""
                if base is not None and reader not in ("streaming", "import"):
                    ratios = f"  time {ratio(result['seconds'], base['seconds'], result['over'])}" \
                             f"  memory {ratio(result['mb'], max(base['mb'], 0.1), result['over'])}"
                elif reader in ("streaming", "import"):
                    ratios = " " * 28
                label = "whole import" if reader == "import" else reader
                print(f"  {label:13} {shown}{ratios}  {result['outcome'][:110]}")
            if "import" in results and results["import"]["mb"] == results["import"]["mb"]:
                mb = results["import"]["mb"]
                closing.append(verdict(f"{name}: whole import under {MEMORY_GOAL_MB} MB above idle",
                                       mb < MEMORY_GOAL_MB, f"{mb:.1f} MB, {mb / MEMORY_GOAL_MB:.2f}x the goal"))
            path.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_load("after")
    if closing:
        print("\nGoals:")
        for line in closing:
            print(f"  {line}")


if __name__ == "__main__":
    main()

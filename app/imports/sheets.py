"""read_sheet: the one way every import reads a CSV or XLSX file, as a stream with limits.

Used by the checklist import (app.questionnaires.importing), the crime figures
(app.benchmarking.crime.services) and the peer register (app.benchmarking). Each passes the
SheetLimits of its own import (its row limit); the other limits are the same for
all. A file that passes a limit is refused as soon as it does, with a sentence
saying which, and nothing is written: the importers only see a Sheet.
"""

from __future__ import annotations

from pathlib import Path

from app.imports.csv_file import read_csv
from app.imports.problems import file_problem
from app.imports.sheet import Deadline, Sheet, SheetLimits
from app.imports.xlsx import read_xlsx

DEFAULT_LIMITS = SheetLimits()
CHOOSE_A_FILE = "Choose a CSV or Excel (.xlsx) file"


def read_sheet(filename: str, data: bytes, limits: SheetLimits = DEFAULT_LIMITS) -> Sheet:
    """Read a CSV file, or an XLSX file's first sheet of cells. Raise ImportFailed if it cannot be read."""
    name = filename.lower()
    deadline = Deadline(limits.max_seconds)
    if name.endswith(".xlsx"):
        return read_xlsx(data, limits, deadline)
    if name.endswith(".csv"):
        return read_csv(data, limits, deadline)
    raise file_problem(CHOOSE_A_FILE)


def read_file_within(path: Path, limit: int) -> bytes:
    """A file's bytes for an import from the command line, refused if larger than an upload may be.

    Reads at most `limit` + 1 bytes, so a huge file (or a device that never ends) is
    refused without being read whole, as the web's MAX_CONTENT_LENGTH refuses an upload.
    """
    with path.open("rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise file_problem(f"{path.name} is larger than {limit / 1024 / 1024:.0f} MB, the most that can be imported "
                           "(MAX_CONTENT_LENGTH): split it into smaller files.")
    return data

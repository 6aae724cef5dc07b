"""What an import says is wrong with a file: a problem per row and column, or one for the whole file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One thing wrong, where the spreadsheet shows it: row 0 means the file as a whole.

    Slotted: a file of 20,000 bad rows has well over 100,000 of these, and a dict each would cost 15 MB more.
    """

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        return f"row {self.row}, column {self.column}: {self.message}" if self.column else f"row {self.row}: {self.message}"


class ImportFailed(Exception):
    """Raised with every problem found; an import that raises it has written nothing.

    The message is joined only if asked for: a file of 20,000 bad rows has 140,000
    problems, and one string of them all would cost 15 MB that nobody reads.
    """

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__()
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(map(str, self.problems))


def file_problem(message: str) -> ImportFailed:
    """A problem with the file as a whole, ready to raise."""
    return ImportFailed([RowProblem(0, "", message)])

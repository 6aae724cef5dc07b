"""Writing one worksheet safely and well: typed columns, every text as text, the same finish everywhere.

Every sheet of an export is a table: a header row, frozen, with an autofilter;
columns of a declared kind, so dates are real dates, numbers real numbers and
scores percentages; long text wrapped; RAG colours on scores (with the band also in
words in its own column); drop-down lists on status columns.

Safety (security.md item 13): every text cell, headers and titles included, on every
sheet and in the CSV, goes through one rule: cell_text (or csv_text) makes the text
that is shown, with bidirectional controls made visible, and is_risky says whether it
needs quoting. In a workbook text is only ever written with write_string, through
write_text or a Table, and text that a spreadsheet would read as a formula, or that
starts with a control character, gets a quote prefix, so that it stays text even when
someone edits the cell; the CSV gives it an apostrophe. The workbook is also opened
with strings_to_formulas and strings_to_urls off.

Rows are written strictly in order, as xlsxwriter's constant_memory mode needs:
memory stays flat however many rows a sheet has.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import IO, Any
from zoneinfo import ZoneInfo

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from app.exports.xlsx import REMEMBER_UP_TO, ExportWorkbook, add_table_over_written_rows

# Text starting with one of these is a formula, a DDE payload or a line break to a spreadsheet.
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
TRUNCATED = " [cut to fit one spreadsheet cell]"
DATE_FORMAT = "d mmm yyyy"
DATETIME_FORMAT = "d mmm yyyy hh:mm"
TEXTS_AT_MOST = 2_000  # distinct short texts per column whose shown text and format a Table remembers


# Characters that reorder the text around them without being seen: the embeddings and overrides (LRE, RLE,
# PDF, LRO, RLO), the isolates (LRI, RLI, FSI, PDI) and the marks (LRM, RLM, ALM).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_BIDI_MARKERS = {ord(char): f"[U+{ord(char):04X}]" for char in BIDI_CONTROLS}


def is_risky(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula (or a DDE payload) when the cell is edited."""
    return text.startswith(RISKY_STARTS)


def shown_text(value: Any) -> str:
    """Any value as the text an export shows, with every bidirectional control replaced by a visible marker.

    A right-to-left override in a name ("Housing\u202egnp.exe") makes a cell read differently from what it
    holds, and an auditor reading the workbook cannot tell. Each control becomes "[U+202E]" (and so on)
    rather than being removed: removing it would quietly change what someone typed and hide that it was
    there, while the marker keeps the evidence, keeps the text in the order it is stored, and cannot
    reorder anything. The markers are plain ASCII, so text that did not start with a risky character
    cannot come to start with one.
    """
    text = "" if value is None else value if value.__class__ is str else str(value)
    if not text.isascii() and not BIDI_CONTROLS.isdisjoint(text):
        text = text.translate(_BIDI_MARKERS)
    return text


def cell_text(value: Any) -> str:
    """The text a workbook cell shows (see shown_text); too long for a cell, it is cut and says so."""
    text = shown_text(value)
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - len(TRUNCATED)] + TRUNCATED
    return text


def csv_text(value: Any) -> str:
    """Text for a CSV cell that a spreadsheet will show as typed: the same rule as a workbook's cells, with an
    apostrophe before risky text in place of the quote prefix (a CSV has no formats)."""
    text = shown_text(value)
    return "'" + text if is_risky(text) else text


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"  # wrapped
    INTEGER = "integer"
    NUMBER = "number"  # two decimal places
    PERCENT = "percent"  # a 0..1 score shown as a whole percentage, with RAG colours
    SHARE = "share"  # a 0..1 share (answered of asked) as a whole percentage, never coloured
    VALUE = "value"  # an answer as stored: a number as a number, anything else as text
    CHANGE = "change"  # a % change, e.g. -4.5
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    width: float = 18
    choices: tuple[str, ...] = ()  # a drop-down list of the values this status column takes


@dataclass(frozen=True)
class RagBands:
    green: float
    amber: float


# The workbook's default cell format, which every other format starts from: top-aligned,
# so that a row with wrapped text still reads across. Plain text and whole numbers then
# need no format of their own, and a cell without one is cheaper to write.
DEFAULT_FORMAT = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
WORKBOOK_OPTIONS: dict[str, Any] = {
    "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    "default_date_format": DATE_FORMAT, "default_format_properties": DEFAULT_FORMAT,
}



def new_workbook(output: str | IO[bytes]) -> Workbook:
    """An empty workbook with the options every export uses (xlsxwriter changes the dicts it is given)."""
    return ExportWorkbook(output, {**WORKBOOK_OPTIONS, "default_format_properties": dict(DEFAULT_FORMAT)})


STYLE_SPECS: dict[str, dict[str, Any]] = {
    "header": {"bold": True, "text_wrap": True, "bg_color": "#DEE0E2", "bottom": 1},
    "text": {},
    "long_text": {"text_wrap": True},
    "integer": {"num_format": "0"},
    "number": {"num_format": "0.00"},
    "percent": {"num_format": "0%"},
    "share": {"num_format": "0%"},
    "change": {"num_format": "+0.0;-0.0;0.0"},
    "date": {"num_format": DATE_FORMAT},
    "datetime": {"num_format": DATETIME_FORMAT},
    "title": {"bold": True, "font_size": 14},
    "label": {"bold": True},
    "green": {"bg_color": "#CCE2D8", "font_color": "#005A30"},
    "amber": {"bg_color": "#FFF7BF", "font_color": "#594D00"},
    "red": {"bg_color": "#F6D7D2", "font_color": "#942514"},
    "own": {"bold": True, "bg_color": "#EBEDEF"},
    # A figure that may still change (a return not yet submitted): grey and italic, never a RAG colour.
    "provisional": {"italic": True, "font_color": "#505A5F", "bg_color": "#F3F2F1"},
    "total": {"bold": True, "top": 1},
    "total_percent": {"bold": True, "top": 1, "num_format": "0%"},
}


@dataclass
class Styles:
    """The workbook's formats, each made once (xlsxwriter keeps every format it is given)."""

    workbook: Workbook
    _cache: dict[tuple[str, bool], Any] = field(default_factory=dict)

    def get(self, name: str, *, quoted: bool = False) -> Any:
        key = (name, quoted)
        if key not in self._cache:
            spec = dict(STYLE_SPECS[name])
            if quoted:
                spec["quote_prefix"] = True
            self._cache[key] = self.workbook.add_format(spec)
        return self._cache[key]

    def for_text(self, name: str | None, text: str) -> Any:
        """The format of a text cell in style `name` (None: the default), quote-prefixed if the text is risky."""
        if is_risky(text):
            return self.get(name or "text", quoted=True)
        return self.get(name) if name else None


def write_text(sheet: Worksheet, styles: Styles, row: int, col: int, value: Any, style: str | None = None, *,
               wrap_beyond: float | None = None) -> str:
    """Write one text cell the only safe way: cell_text's text, with write_string, quote-prefixed when risky.

    Every text that is not in a Table's rows (titles, headers, labels, the Matrix, small tables) is written
    here, so that no path can forget the rule. With `wrap_beyond`, text longer than that many characters, or
    with a line break, is wrapped (style long_text). An empty text leaves the cell empty. Returns the text.
    """
    text = cell_text(value)
    if text:
        if wrap_beyond is not None and (len(text) > wrap_beyond or "\n" in text):
            style = "long_text"
        sheet.write_string_at(row, col, text, styles.for_text(style, text))
    return text


class Table:
    """One worksheet written as a table, row by row."""

    def __init__(self, workbook: Workbook, styles: Styles, name: str, columns: Sequence[Column], *,
                 zone: ZoneInfo, bands: RagBands | None = None, sheet: Worksheet | None = None,
                 provisional_where: tuple[int, str] | None = None, key_columns: int = 0) -> None:
        """A new worksheet called `name`, or the top of an existing `sheet`. `provisional_where` (column,
        marker): rows holding the marker there have provisional scores, greyed rather than banded."""
        self.sheet: Worksheet = sheet if sheet is not None else workbook.add_worksheet(name)
        self.styles = styles
        self.columns = list(columns)
        self.zone = zone
        self.bands = bands
        self.provisional_where = provisional_where
        self.next_row = 0
        self._writers = [self._writer(column) for column in self.columns]
        self._wrapping = [(index, column.width) for index, column in enumerate(self.columns)
                          if column.kind == Kind.LONG_TEXT]
        for index, column in enumerate(self.columns):
            self.sheet.set_column(index, index, column.width)
        self.sheet.freeze_panes(1, 0)
        self.sheet.set_row(0, 30)
        print_setup(self.sheet, width=sum(column.width for column in self.columns), key_columns=key_columns)
        self.write_row([column.header for column in self.columns], header=True)

    # ------------------------------------------------------------------ writing

    def _writer(self, column: Column) -> Callable[[int, int, Any], None]:
        """How one cell of this column is written (the inner loop of every large sheet)."""
        styles, kind = self.styles, column.kind
        if kind == Kind.VALUE:
            as_text = self._writer(Column(column.header, Kind.TEXT, column.width))
            write_value_number = self.sheet.write_number_at

            def value(row: int, col: int, value: Any) -> None:
                if value.__class__ in (int, float):  # not bool: True is an int, but a yes is not the number 1
                    if value == value:
                        write_value_number(row, col, value, None)
                else:
                    as_text(row, col, value)
            return value
        if kind in (Kind.TEXT, Kind.LONG_TEXT):
            write_string = self.sheet.write_string_at
            wrap = styles.get(Kind.LONG_TEXT.value)
            quoted, quoted_wrap = styles.get(Kind.TEXT.value, quoted=True), styles.get(Kind.LONG_TEXT.value, quoted=True)
            # Text that fits the column's width on one line needs no wrapping, nor the format that says so.
            wraps, fits = kind == Kind.LONG_TEXT, int(column.width)
            # What each short text becomes in this column (its shown text and format), worked out once:
            # most texts in a large sheet repeat, and the rule below is four calls a cell. Bounded.
            known: dict[str, tuple[str, Any]] = {}

            def text(row: int, col: int, value: Any) -> None:
                if value is None or value == "":
                    return
                found = known.get(value) if value.__class__ is str else None
                if found is None:
                    shown = cell_text(value)
                    wrapped = wraps and (len(shown) > fits or "\n" in shown)
                    if is_risky(shown):
                        found = shown, quoted_wrap if wrapped else quoted
                    else:
                        found = shown, wrap if wrapped else None
                    if value.__class__ is str and len(value) <= REMEMBER_UP_TO:
                        if len(known) >= TEXTS_AT_MOST:
                            known.clear()
                        known[value] = found
                write_string(row, col, found[0], found[1])
            return text
        if kind in (Kind.DATE, Kind.DATETIME):
            write_datetime, style, zone = self.sheet.write_datetime_at, styles.get(kind.value), self.zone
            whole_days = kind == Kind.DATE

            def moment(row: int, col: int, value: Any) -> None:
                if value is None:
                    return
                if isinstance(value, datetime):
                    local = value.astimezone(zone).replace(tzinfo=None) if value.tzinfo else value
                    write_datetime(row, col, local.replace(hour=0, minute=0, second=0, microsecond=0)
                                   if whole_days else local, style)
                elif isinstance(value, date):
                    write_datetime(row, col, datetime(value.year, value.month, value.day), style)
            return moment
        write_number = self.sheet.write_number_at
        number_style = None if kind == Kind.INTEGER else styles.get(kind.value)

        def number(row: int, col: int, value: Any) -> None:
            if value is None or value != value:  # None or NaN: an empty cell
                return
            write_number(row, col, value, number_style)
        return number

    def write_row(self, values: Sequence[Any], *, header: bool = False) -> None:
        row = self.next_row
        if header:
            for col, value in enumerate(values):
                write_text(self.sheet, self.styles, row, col, value, "header")
        else:
            writers = self._writers
            for col, value in enumerate(values):
                writers[col](row, col, value)
            lines = 1
            for col, width in self._wrapping:
                value = values[col]
                if value.__class__ is str and (len(value) > width or "\n" in value):
                    lines = max(lines, wrapped_lines(value, width))
            if lines > 1:  # a spreadsheet that does not measure wrapped text itself (LibreOffice) would overlap it
                self.sheet.set_row(row, min(ROW_HEIGHT * lines, MAX_ROW_HEIGHT))
        self.next_row += 1

    # ------------------------------------------------------------------ finishing

    @property
    def rows_written(self) -> int:
        return self.next_row - 1

    def highlight_rows_where(self, col: int, value: str, style: str = "own") -> None:
        """Shade every row whose column `col` holds `value` (e.g. our own partnership's rows)."""
        letter = xl_col_to_name(col)
        literal = shown_text(value).replace('"', '""')  # a string literal in the formula, never more formula
        self.sheet.conditional_format(1, 0, max(self.next_row - 1, 1), len(self.columns) - 1, {
            "type": "formula", "criteria": f'=${letter}2="{literal}"', "format": self.styles.get(style)})

    def finish(self) -> int:
        """Autofilter over what was written, RAG colours on score columns, lists on status columns.

        Returns the last row written (the header's, 0, when there are none).
        """
        last_row = max(self.next_row - 1, 1)
        last_col = len(self.columns) - 1
        # An Excel Table (with its own filter): pivots and slicers built on it grow with it, and formulas can
        # name its columns (Responses[Score]). Our header formats and colours stay: no table style, no bands.
        add_table_over_written_rows(self.sheet, 0, 0, last_row, last_col, {
            "name": table_name(self.sheet.name), "style": None, "banded_rows": False,
            "columns": [{"header": cell_text(column.header)} for column in self.columns]})
        for col, column in enumerate(self.columns):
            if column.kind == Kind.PERCENT and self.bands is not None:
                self._rag(col, last_row)
            if column.choices:
                self.sheet.data_validation(1, col, last_row, col, {
                    "validate": "list", "source": list(column.choices), "ignore_blank": True,
                    "error_title": "Choose from the list",
                    "error_message": "Use one of the values in the list: " + ", ".join(column.choices)})
        return self.next_row - 1

    def _rag(self, col: int, last_row: int) -> None:
        """Green, amber and red on the cells of a score column that hold a number, and only those.

        A cell rule ("less than 50%") reads an empty cell as 0 and paints it red, so the rules are
        formulas that ask ISNUMBER first. With `provisional_where`, rows whose marker column holds the
        marker (a return not yet submitted) are greyed instead of banded: that rule comes first and stops.
        """
        bands = self.bands
        assert bands is not None
        cell = f"{xl_col_to_name(col)}2"  # relative to the range's first cell: each row tests its own
        rules: list[tuple[str, str]] = []
        if self.provisional_where is not None:
            marker_col, marker = self.provisional_where
            literal = shown_text(marker).replace('"', '""')
            rules.append((f'=${xl_col_to_name(marker_col)}2="{literal}"', "provisional"))
        rules += [(f"=AND(ISNUMBER({cell}),{cell}>={bands.green})", "green"),
                  (f"=AND(ISNUMBER({cell}),{cell}>={bands.amber})", "amber"),
                  (f"=ISNUMBER({cell})", "red")]
        for criteria, style in rules:
            self.sheet.conditional_format(1, col, last_row, col, {
                "type": "formula", "criteria": criteria, "format": self.styles.get(style), "stop_if_true": True})



ROW_HEIGHT = 15  # points: one line of 11-point Calibri
MAX_ROW_HEIGHT = 409  # points: the most a spreadsheet row can be


def wrapped_lines(text: str, width: float) -> int:
    """About how many lines `text` takes wrapped in a column `width` characters wide: a little more than it
    needs rather than less, as words wrap whole and too short a row hides text."""
    usable = max(width * 0.9, 1)
    return sum(max(1, math.ceil(len(part) / usable)) for part in text.split("\n"))


def table_name(sheet_name: str) -> str:
    """The sheet's name as an Excel Table name: letters, digits and underscores ("Audit log" is Audit_log)."""
    name = "".join(char if char.isalnum() else "_" for char in sheet_name)
    return name if name[:1].isalpha() else f"T_{name}"


PRINT_WIDTH = 200  # characters of column width that still read well on one landscape A4 page


def print_setup(sheet: Worksheet, *, title_rows: bool = True, width: float = 0, key_columns: int = 0) -> None:
    """Printed, a sheet is landscape A4 with its header row on every page; one page wide if it is narrow enough.

    A sheet too wide for one page prints across several, and its first `key_columns` columns (which return,
    which department) are repeated on each, so a page of scores still says whose they are.
    """
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    if width <= PRINT_WIDTH:
        sheet.fit_to_pages(1, 0)
    elif key_columns:
        sheet.repeat_columns(0, key_columns - 1)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&L&A&RPage &P of &N")
    if title_rows:
        sheet.repeat_rows(0)

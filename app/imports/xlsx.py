"""The first sheet of an .xlsx workbook, read as a stream: every limit checked as each cell and row arrives.

Why not a library? Measured in benchmarks/imports.py: openpyxl in read-only mode
parses the whole sheet into a tree when the sheet has no <dimension> record, and
builds every cell of a row before handing it over (a row of millions of empty
cells took 25 s and 900 MB); python-calamine is fast but makes the sheet a
rectangle in memory first, so a file with two cells, A1 and XFD1048576, aborts
the whole process, and rows that each touch column XFD took 5 GB. Neither can
stop at a limit before it has read the whole sheet.

So the parts are streamed through expat (app.imports.xml_stream) and only what an
import needs is kept: the shared strings, which styles are dates, and each row's
values as text, the way the readers have always given them (openpyxl's rules,
whose date helpers are used here): numbers without a needless ".0", dates as
"2001-04-01 00:00:00", TRUE and FALSE as "True" and "False", the values formulas
last had. Empty cells cost nothing, wherever they are; a value beyond the last
column allowed refuses the file at once.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from app.imports.package import NOT_A_WORKBOOK, open_package
from app.imports.problems import file_problem
from app.imports.sheet import Deadline, Sheet, SheetCollector, SheetLimits
from app.imports.xml_stream import damaged, local_name, stream_part

ROOT_RELATIONSHIPS = "_rels/.rels"
MAX_SHEETS = 1_000  # sheets looked through for the first sheet of cells
MAX_STYLES = 65_000  # Excel allows 64,000 cell formats
_REFERENCE = re.compile(r"([A-Za-z]{1,3})(\d+)$")
EXCEL_COLUMNS = 16_384
NOWHERE, VALUE, INLINE = 0, 1, 2  # where a worksheet's text goes as it is read
EMPTY_SHEET = "The first sheet is empty"


def _relationships_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _resolve(base: str, target: str) -> str:
    """A relationship's target as a part name: relative to the part it belongs to, or from the root if it says so."""
    if not target.startswith("/"):
        target = posixpath.join(posixpath.dirname(base), target)
    return posixpath.normpath(target).lstrip("/")


def _attribute(attrs: dict[str, str], name: str) -> str | None:
    """An attribute by its local name, whatever prefix the file gives it (r:id, ns1:id...)."""
    if name in attrs:
        return attrs[name]
    for key, value in attrs.items():
        if local_name(key) == name:
            return value
    return None


# --------------------------------------------------------------------------- finding the sheet


@dataclass
class _Relationships:
    """The relationships of one part: those asked for by id, and the first target of each type asked for."""

    ids: set[str]
    types: tuple[str, ...]
    by_id: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (type, target)
    by_type: dict[str, str] = field(default_factory=dict)  # type's last word -> target

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if local_name(name) != "Relationship" or attrs.get("TargetMode") == "External":
            return
        kind = attrs.get("Type", "").rpartition("/")[2]
        target = attrs.get("Target", "")
        if attrs.get("Id") in self.ids:
            self.by_id[attrs["Id"]] = (kind, target)
        if kind in self.types and kind not in self.by_type:
            self.by_type[kind] = target


def _read_relationships(package: zipfile.ZipFile, part: str, deadline: Deadline, *, ids: set[str] = frozenset(),
                        types: tuple[str, ...] = ()) -> _Relationships:
    found = _Relationships(set(ids), types)
    if part in package.NameToInfo:
        stream_part(package, part, deadline, start=found.start)
    return found


@dataclass
class _Workbook:
    sheet_ids: list[str] = field(default_factory=list)  # relationship ids of the sheets, in the workbook's order
    epoch: datetime = CALENDAR_WINDOWS_1900

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = local_name(name)
        if tag == "sheet" and len(self.sheet_ids) < MAX_SHEETS:
            sheet_id = _attribute(attrs, "id")
            if sheet_id:
                self.sheet_ids.append(sheet_id)
        elif tag == "workbookPr" and attrs.get("date1904", "").lower() in {"1", "true"}:
            self.epoch = CALENDAR_MAC_1904


@dataclass(frozen=True)
class _Parts:
    sheet: str
    shared_strings: str | None
    styles: str | None
    epoch: datetime


def _find_parts(package: zipfile.ZipFile, deadline: Deadline) -> _Parts:
    root = _read_relationships(package, ROOT_RELATIONSHIPS, deadline, types=("officeDocument",))
    workbook_part = _resolve("", root.by_type.get("officeDocument", "xl/workbook.xml"))
    if workbook_part not in package.NameToInfo:
        raise file_problem(NOT_A_WORKBOOK)
    workbook = _Workbook()
    stream_part(package, workbook_part, deadline, start=workbook.start)
    relationships = _read_relationships(package, _relationships_part(workbook_part), deadline,
                                        ids=set(workbook.sheet_ids), types=("sharedStrings", "styles"))
    sheet = next((target for kind, target in (relationships.by_id.get(i, ("", "")) for i in workbook.sheet_ids)
                  if kind == "worksheet"), None)
    if sheet is None:
        raise file_problem("The workbook has no sheet of cells to read")
    strings, styles = relationships.by_type.get("sharedStrings"), relationships.by_type.get("styles")
    return _Parts(_resolve(workbook_part, sheet), strings and _resolve(workbook_part, strings),
                  styles and _resolve(workbook_part, styles), workbook.epoch)


# --------------------------------------------------------------------------- shared strings and styles


class _SharedStrings:
    """The workbook's table of text, each item's plain text (runs joined, phonetic guides left out)."""

    def __init__(self, limits: SheetLimits, part: str) -> None:
        self.limits = limits
        self.part = part
        self.strings: list[str] = []
        self.chars = 0
        self.pieces: list[str] | None = None  # inside an item's <t>
        self.item_chars = 0
        self.item: list[str] = []
        self.in_item = False
        self.in_phonetic = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = local_name(name)
        if tag == "si":
            self.in_item, self.item_chars, self.item = True, 0, []
        elif tag == "t" and self.in_item and not self.in_phonetic:
            self.pieces = self.item
        elif tag == "rPh":
            self.in_phonetic = True

    def text(self, data: str) -> None:
        if self.pieces is not None:
            self.item_chars += len(data)
            if self.item_chars > self.limits.max_cell_chars:
                raise file_problem(f"The workbook holds a piece of text longer than {self.limits.max_cell_chars:,} "
                                   "characters, the most a spreadsheet cell can hold")
            self.pieces.append(data)

    def end(self, name: str) -> None:
        tag = local_name(name)
        if tag == "t":
            self.pieces = None
        elif tag == "rPh":
            self.in_phonetic = False
        elif tag == "si" and self.in_item:
            self.in_item = False
            if len(self.strings) >= self.limits.max_cells:
                raise file_problem(f"The workbook's table of text has more than {self.limits.max_cells:,} items: "
                                   "split it into smaller files")
            self.chars += self.item_chars
            if self.chars > self.limits.max_chars:
                raise file_problem(f"The file has more than {self.limits.max_chars:,} characters of text: split it "
                                   "into smaller files")
            self.strings.append("".join(self.item).replace("x005F_", ""))  # as openpyxl reads them


class _Styles:
    """Which cell styles show numbers as dates or durations, as openpyxl decides it."""

    def __init__(self) -> None:
        self.custom: dict[int, str] = {}
        self.format_ids: list[int] = []
        self.in_cell_formats = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = local_name(name)
        if tag == "numFmt" and len(self.custom) < MAX_STYLES:
            try:
                self.custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
            except ValueError:
                pass
        elif tag == "cellXfs":
            self.in_cell_formats = True
        elif tag == "xf" and self.in_cell_formats and len(self.format_ids) < MAX_STYLES:
            try:
                self.format_ids.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                self.format_ids.append(0)

    def end(self, name: str) -> None:
        if local_name(name) == "cellXfs":
            self.in_cell_formats = False

    def kinds(self) -> tuple[frozenset[int], frozenset[int]]:
        dates, durations = set(), set()
        for style, format_id in enumerate(self.format_ids):
            code = self.custom.get(format_id) or BUILTIN_FORMATS.get(format_id, "General")
            if is_date_format(code):
                dates.add(style)
            if is_timedelta_format(code):
                durations.add(style)
        return frozenset(dates), frozenset(durations)


# --------------------------------------------------------------------------- the rows


def _number(raw: str, style: int, dates: frozenset[int], durations: frozenset[int], epoch: datetime) -> str:
    try:
        value: float | int = float(raw) if ("." in raw or "e" in raw or "E" in raw) else int(raw)
    except ValueError:
        return raw  # not a number after all: keep what the cell says
    if style in dates:
        try:
            return str(from_excel(value, epoch, timedelta=style in durations))
        except (OverflowError, ValueError):
            return raw
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Rows:
    """Handlers for a worksheet part: each row's values, as text, handed to the collector when the row ends."""

    def __init__(self, collector: SheetCollector, strings: list[str], dates: frozenset[int],
                 durations: frozenset[int], epoch: datetime, part: str) -> None:
        self.collector = collector
        self.strings = strings
        self.dates, self.durations, self.epoch = dates, durations, epoch
        self.part = part
        self.max_columns = collector.limits.max_columns
        self.max_cell_chars = collector.limits.max_cell_chars
        self.columns: dict[str, int] = {}
        self.in_data = False
        self.row = 0  # the row being read, or the last one read
        self.cells: list[str] | None = None
        self.reference: str | None = None  # the last cell reference given in this row
        self.since = 0  # cells since that reference (or since the row began)
        self.attrs: dict[str, str] = {}  # the cell's attributes
        self.value = ""  # the cell's <v>
        self.inline = ""  # the cell's inline string
        self.capture = NOWHERE  # where text goes now
        self.in_inline = self.in_phonetic = False

    def _column(self, reference: str) -> int:
        letters = reference.rstrip("0123456789")
        number = self.columns.get(letters)
        if number is None:
            if not _REFERENCE.match(reference):
                raise damaged(self.part, f"'{reference[:20]}' is not a cell reference")
            number = 0
            for letter in letters.upper():
                number = number * 26 + ord(letter) - 64
            if number > EXCEL_COLUMNS:
                raise damaged(self.part, f"'{reference[:20]}' is beyond column XFD, the last there is")
            self.columns[letters] = number
        return number

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            if self.cells is None:
                return
            # Only what locates the cell is worked out now: most cells are empty, and cost nothing more.
            reference = attrs.get("r")
            if reference is None:
                self.since += 1
                if self.since > EXCEL_COLUMNS:
                    raise damaged(self.part, f"row {self.row} has more cells than the {EXCEL_COLUMNS:,} columns "
                                             "there are")
            else:
                self.reference, self.since = reference, 0
            self.attrs = attrs
            self.value = self.inline = ""
        elif name == "v":
            if self.cells is not None:
                self.capture = VALUE
        elif name == "row":
            if self.in_data:
                self._start_row(attrs.get("r"))
        elif name == "t":
            if self.in_inline and not self.in_phonetic:
                self.capture = INLINE
        elif name == "is":
            self.in_inline = True
        elif name == "rPh":
            self.in_phonetic = True
        elif name == "sheetData":
            self.in_data = True

    def _start_row(self, number: str | None) -> None:
        if number is None:
            row = self.row + 1
        elif number.isdigit():
            row = int(number)
        else:
            raise damaged(self.part, f"'{number[:20]}' is not a row number")
        if row <= self.row:
            raise damaged(self.part, f"row {row} comes after row {self.row}")
        self.row, self.cells, self.reference, self.since = row, [], None, 0

    def text(self, data: str) -> None:
        if self.capture == VALUE:
            self.value += data
            if len(self.value) > self.max_cell_chars:
                raise self.collector.long_cell(self.row, self._column_now())
        elif self.capture == INLINE:
            self.inline += data
            if len(self.inline) > self.max_cell_chars:
                raise self.collector.long_cell(self.row, self._column_now())

    def end(self, name: str) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "v" or name == "t":
            self.capture = NOWHERE
        elif name == "c":
            if self.cells is not None and (self.value or self.inline):  # an empty cell costs nothing, wherever it is
                self._keep(self._column_now(), self._text().strip())
        elif name == "row":
            if self.cells is not None:
                cells, self.cells = self.cells, None
                self.collector.add(self.row, cells)
        elif name == "is":
            self.in_inline = False
        elif name == "rPh":
            self.in_phonetic = False
        elif name == "sheetData":
            self.in_data = False

    def _column_now(self) -> int:
        return (self._column(self.reference) if self.reference else 0) + self.since

    def _text(self) -> str:
        attrs = self.attrs
        kind, raw = attrs.get("t", "n"), self.value
        style_text = attrs.get("s")
        style = int(style_text) if style_text and style_text.isdigit() else 0
        if kind == "n" and raw.isdigit() and raw[0] != "0" and style not in self.dates:
            return raw  # a whole number: the commonest cell of all, and already as it should be
        if kind == "s":
            if raw.isdigit() and int(raw) < len(self.strings):
                return self.strings[int(raw)]
            raise damaged(self.part, f"a cell refers to text number {raw[:20]}, which the workbook does not have")
        if kind == "inlineStr":
            return self.inline
        if not raw:
            return ""
        if kind == "b":
            return "True" if raw.strip() == "1" else "False" if raw.strip() == "0" else raw
        if kind == "d":
            try:
                return str(from_ISO8601(raw.strip()))
            except (ValueError, TypeError):
                return raw
        if kind in ("str", "e"):
            return raw
        return _number(raw.strip(), style, self.dates, self.durations, self.epoch)

    def _keep(self, column: int, text: str) -> None:
        if not text:
            return
        if column > self.max_columns:
            raise self.collector.column_beyond_limit(self.row, column)
        if len(text) > self.max_cell_chars:
            raise self.collector.long_cell(self.row, column)
        cells = self.cells
        assert cells is not None
        if column > len(cells):
            cells.extend([""] * (column - len(cells)))
        cells[column - 1] = text


def read_xlsx(data: bytes, limits: SheetLimits, deadline: Deadline) -> Sheet:
    """The first sheet of cells of an .xlsx file, or ImportFailed saying what is wrong with it."""
    with open_package(data, limits) as package:
        parts = _find_parts(package, deadline)
        strings: list[str] = []
        if parts.shared_strings and parts.shared_strings in package.NameToInfo:
            table = _SharedStrings(limits, parts.shared_strings)
            stream_part(package, parts.shared_strings, deadline, start=table.start, end=table.end, text=table.text)
            strings = table.strings
        dates: frozenset[int] = frozenset()
        durations: frozenset[int] = frozenset()
        if parts.styles and parts.styles in package.NameToInfo:
            styles = _Styles()
            stream_part(package, parts.styles, deadline, start=styles.start, end=styles.end)
            dates, durations = styles.kinds()
        collector = SheetCollector(limits, deadline)
        rows = _Rows(collector, strings, dates, durations, parts.epoch, parts.sheet)
        stream_part(package, parts.sheet, deadline, start=rows.start, end=rows.end, text=rows.text)
    return collector.sheet(EMPTY_SHEET)

"""Spreadsheets built byte by byte, good and hostile, for the import tests and benchmarks/imports.py.

Each workbook is written with zipfile from sheet XML we generate ourselves: a
library would take far longer to write a million rows than the reader takes to
refuse them, and could not write some of these at all (a part that lies about
its size, a row of cells without references). Every builder returns the file's
bytes, at most a second or so to build, and remembers it (tests share them).
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS}">
<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="{RELS}/styles" Target="styles.xml"/>
</Relationships>"""
# Style 0: general; style 1: a date (built-in format 14), as Excel gives a cell it has turned into a date.
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""
SHEET_START = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}"><sheetData>'
SHEET_END = "</sheetData></worksheet>"
CRIME_HEADER = ["partnership", "offence", "period", "count", "population", "rate_per_1000", "change_pct"]
OFFENCES = ["robbery", "burglary_dwelling", "violence_against_the_person", "criminal_damage", "sexual_offences"]


def column_letters(number: int) -> str:
    """1 -> A, 16384 -> XFD."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def workbook(sheet_xml: Iterable[str | bytes], *, shared_strings: Iterable[str] = (),
             compresslevel: int = 6, extra_parts: dict[str, bytes] | None = None) -> bytes:
    """A minimal .xlsx whose first sheet is sheet_xml, written in pieces (so a huge sheet never sits in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/workbook.xml", WORKBOOK)
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr("xl/styles.xml", STYLES)
        strings = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared_strings)
        package.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}">'
                                                 f"{strings}</sst>")
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for piece in sheet_xml:
                part.write(piece.encode() if isinstance(piece, str) else piece)
        for name, data in (extra_parts or {}).items():
            package.writestr(name, data)
    return buffer.getvalue()


def cell(reference: str, value: str | float | int) -> str:
    if isinstance(value, str):
        return f'<c r="{reference}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{reference}"><v>{value}</v></c>'


def row(number: int, values: Iterable[str | float | int | None]) -> str:
    cells = "".join(cell(f"{column_letters(i)}{number}", v) for i, v in enumerate(values, 1) if v is not None)
    return f'<row r="{number}">{cells}</row>'


def crime_rows(count: int) -> Iterator[list[str | int | float]]:
    """Realistic crime figures, every row a different partnership, offence and year: 400 x 5 a year."""
    for n in range(count):
        population = 60_000 + (n * 7919) % 240_000
        offences = 10 + (n * 104_729) % 3_000
        year = n // 2_000
        yield [f"Partnership {n % 400:03d}", OFFENCES[n // 400 % 5], f"{2000 + year}/{(1 + year) % 100:02d}",
               offences, population, round(offences / population * 1000, 2), round(((n * 37) % 400 - 200) / 10, 1)]


@functools.cache
def realistic_crime_xlsx(rows: int = 5000) -> bytes:
    """A crime-figures workbook as Excel would save it: shared strings for the text, numbers as numbers."""
    strings: dict[str, int] = {}

    def shared(text: str) -> int:
        return strings.setdefault(text, len(strings))

    def sheet() -> Iterator[str]:
        yield SHEET_START
        pieces = []
        for number, values in enumerate([CRIME_HEADER, *crime_rows(rows)], 1):
            cells = []
            for index, value in enumerate(values, 1):
                reference = f"{column_letters(index)}{number}"
                if isinstance(value, str):
                    cells.append(f'<c r="{reference}" t="s"><v>{shared(value)}</v></c>')
                else:
                    cells.append(f'<c r="{reference}"><v>{value}</v></c>')
            pieces.append(f'<row r="{number}" spans="1:7">{"".join(cells)}</row>')
            if len(pieces) == 1000:
                yield "".join(pieces)
                pieces = []
        yield "".join(pieces) + SHEET_END

    body = list(sheet())  # the strings are known once the sheet is written
    return workbook(body, shared_strings=list(strings))


@functools.cache
def realistic_crime_csv(rows: int = 5000) -> bytes:
    lines = [",".join(CRIME_HEADER)] + [",".join(map(str, values)) for values in crime_rows(rows)]
    return ("\n".join(lines) + "\n").encode()


@functools.cache
def xfd_rows_xlsx(rows: int = 10_000, *, value_in_xfd: bool = True) -> bytes:
    """Every row has a figure in column A and a cell in XFD, the last column Excel has (a value, or only a style)."""
    far = '<c r="XFD{n}"><v>1</v></c>' if value_in_xfd else '<c r="XFD{n}" s="0"/>'

    def sheet() -> Iterator[str]:
        yield SHEET_START
        for start in range(1, rows + 1, 1000):
            yield "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c>{far.format(n=n)}</row>'
                          for n in range(start, min(start + 1000, rows + 1)))
        yield SHEET_END

    return workbook(sheet())


@functools.cache
def million_rows_xlsx(rows: int = 1_000_000) -> bytes:
    """A million tiny rows of one number each: 4.9 MB was enough to take 25 s before any limit was said."""
    def sheet() -> Iterator[str]:
        yield SHEET_START
        for start in range(1, rows + 1, 10_000):
            yield "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(start, min(start + 10_000,
                                                                                                 rows + 1)))
        yield SHEET_END

    return workbook(sheet())


@functools.cache
def compact_million_rows_xlsx(rows: int = 1_000_000) -> bytes:
    """A million rows written without references, so that the sheet unpacks to only 26 MB: the row limit must say no."""
    def sheet() -> Iterator[bytes]:
        yield SHEET_START.encode()
        for _ in range(rows // 10_000):
            yield b"<row><c><v>1</v></c></row>" * 10_000
        yield SHEET_END.encode()

    return workbook(sheet())


@functools.cache
def numbered_million_rows_xlsx(rows: int = 1_000_000) -> bytes:
    """A million rows of one number each, written compactly: it unpacks to under 32 MB, packed about 12 times."""
    def sheet() -> Iterator[str]:
        yield SHEET_START
        for start in range(0, rows, 10_000):
            yield "".join(f"<row><c><v>{n * 7919 % 1_000_003}</v></c></row>" for n in range(start, start + 10_000))
        yield SHEET_END

    return workbook(sheet())


@functools.cache
def formatted_crime_xlsx(rows: int = 20_000, columns: int = 30) -> bytes:
    """Realistic figures in a sheet whose first `columns` columns are formatted: every cell written, most empty."""
    def sheet() -> Iterator[str]:
        yield SHEET_START
        for number, values in enumerate([CRIME_HEADER, *crime_rows(rows)], 1):
            cells = [cell(f"{column_letters(i)}{number}", v) for i, v in enumerate(values, 1)]
            cells += [f'<c r="{column_letters(i)}{number}" s="0"/>' for i in range(len(values) + 1, columns + 1)]
            yield f'<row r="{number}">{"".join(cells)}</row>'
        yield SHEET_END

    return workbook(sheet())


@functools.cache
def bomb_xlsx(unpacked_mb: int = 300) -> bytes:
    """A zip bomb: one cell of spaces that unpacks to `unpacked_mb` MB from well under 1 MB."""
    chunk = b" " * (1024 * 1024)

    def sheet() -> Iterator[bytes]:
        yield (SHEET_START + '<row r="1"><c r="A1" t="inlineStr"><is><t>').encode()
        for _ in range(unpacked_mb):
            yield chunk
        yield ("</t></is></c></row>" + SHEET_END).encode()

    return workbook(sheet(), compresslevel=1)


@functools.cache
def one_huge_row_xlsx(cells: int = 3_000_000) -> bytes:
    """One row of millions of empty cells without references: small unpacked, but a tree builder holds them all."""
    def sheet() -> Iterator[bytes]:
        yield (SHEET_START + '<row r="1">').encode()
        for _ in range(cells // 100_000):
            yield b"<c/>" * 100_000
        yield ("</row>" + SHEET_END).encode()

    return workbook(sheet())


@functools.cache
def far_corner_xlsx() -> bytes:
    """Two cells, A1 and XFD1048576: a reader that makes the sheet a rectangle makes 17 billion cells."""
    return workbook([SHEET_START, row(1, ["partnership"]), '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
                     SHEET_END])


@functools.cache
def repeated_string_xlsx(rows: int = 20_000, columns: int = 10, length: int = 30_000) -> bytes:
    """One long shared string in every cell: small on disk and unpacked, huge if each cell gets its own copy."""
    def sheet() -> Iterator[str]:
        yield SHEET_START
        for start in range(1, rows + 1, 1000):
            yield "".join(f'<row r="{n}">' + "".join(f'<c r="{column_letters(c)}{n}" t="s"><v>0</v></c>'
                                                     for c in range(1, columns + 1)) + "</row>"
                          for n in range(start, min(start + 1000, rows + 1)))
        yield SHEET_END

    return workbook(sheet(), shared_strings=[" " + "x" * length])


@functools.cache
def many_parts_xlsx(parts: int = 20_000) -> bytes:
    """A workbook with tens of thousands of empty parts beside its sheet."""
    return workbook([SHEET_START, row(1, ["a"]), SHEET_END],
                    extra_parts={f"xl/media/empty{n}.bin": b"" for n in range(parts)})


@functools.cache
def worst_allowed_xlsx(rows: int = 20_000, columns: int = 10, chars: int = 14) -> bytes:
    """The most the default limits let through: every row out to column AX (the last allowed), 200,000 cells of
    distinct text outside Latin-1 (each character takes 4 bytes in Python), half shared strings and half inline."""
    def text(n: int) -> str:
        return "".join(chr(0x1F600 + (n >> (4 * k) & 0xF) + 16 * k) for k in range(chars))

    strings = [text(n) for n in range(rows * columns // 2)]

    def sheet() -> Iterator[str]:
        yield SHEET_START
        n = 0
        for number in range(1, rows + 1):
            cells = []
            for c in range(1, columns + 1):
                reference = f"{column_letters(50 if c == columns else c)}{number}"
                if c % 2:
                    cells.append(f'<c r="{reference}" t="s"><v>{n // 2}</v></c>')
                else:
                    cells.append(cell(reference, text(10**7 + n)))
                n += 1
            yield f'<row r="{number}">{"".join(cells)}</row>'
        yield SHEET_END

    return workbook(sheet(), shared_strings=strings)


@functools.cache
def every_cell_wrong_csv(rows: int = 20_000) -> bytes:
    """Crime figures of which every cell is wrong: as many problems as the import can find, each with its sentence."""
    lines = [",".join(CRIME_HEADER)] + [f"Nowhere {n},burglry,20{n % 100:02d}-04-01,\"1,{n % 1000:03d}\",0,-{n},{n}%"
                                        for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@functools.cache
def million_rows_csv(rows: int = 1_000_000) -> bytes:
    return b"partnership\n" + b"1\n" * rows


@functools.cache
def huge_line_csv(megabytes: int = 8) -> bytes:
    """A header, then one line of millions of tiny fields."""
    return b"partnership,offence\n" + b"ab," * (megabytes * 1024 * 1024 // 3) + b"\n"

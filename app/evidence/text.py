"""The words inside an evidence file, for search: PDF (pypdf), Word (python-docx), Excel, CSV and text.

Run by a worker after upload, never in the request. A document is hostile until
shown otherwise: a zip-based one whose parts would unpack to more than
UNPACKED_MAX is not opened, at most PAGES_MAX pages are read, and at most TEXT_MAX
characters are kept. A PDF with pages but no text is a scan: it is said so, not
left looking as if it had been searched. Images have no text to find.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.evidence.file_types import EXCEL, WORD
from app.text_input import clean_text

log = logging.getLogger(__name__)

PAGES_MAX = 2000
TEXT_MAX = 2_000_000
UNPACKED_MAX = 300 * 1024 * 1024
ROWS_MAX = 200_000


@dataclass(frozen=True)
class Extracted:
    state: str  # done | none (nothing to read in this kind of file) | scanned | failed
    text: str = ""
    pages: int | None = None


def _cleaned(parts: list[str]) -> str:
    return clean_text("\n".join(parts), multiline=True, strip_controls=True)[:TEXT_MAX]


def _pdf(path: Path) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(path)
    parts: list[str] = []
    size = 0
    for page in reader.pages[:PAGES_MAX]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > TEXT_MAX:
            break
    text = _cleaned(parts)
    pages = len(reader.pages)
    if pages and not text.strip():
        return Extracted("scanned", "", pages)
    return Extracted("done", text, pages)


def _zip_is_safe(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist()) <= UNPACKED_MAX


def _docx(path: Path) -> Extracted:
    import docx

    if not _zip_is_safe(path):
        return Extracted("failed")
    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return Extracted("done", _cleaned(parts))


def _xlsx(path: Path) -> Extracted:
    from openpyxl import load_workbook

    if not _zip_is_safe(path):
        return Extracted("failed")
    workbook = load_workbook(path, read_only=True, data_only=True)
    parts: list[str] = []
    try:
        for sheet in workbook.worksheets:
            for count, row in enumerate(sheet.iter_rows(values_only=True)):
                if count >= ROWS_MAX:
                    break
                parts.append(" ".join(str(value) for value in row if value is not None))
    finally:
        workbook.close()
    return Extracted("done", _cleaned(parts))


def _plain(path: Path) -> Extracted:
    with open(path, "rb") as source:
        raw = source.read(TEXT_MAX * 2)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return Extracted("done", _cleaned([text]))


READERS = {"application/pdf": _pdf, WORD: _docx, EXCEL: _xlsx, "text/plain": _plain, "text/csv": _plain,
           "application/csv": _plain}


def extract_text(path: Path, media_type: str) -> Extracted:
    """The file's words, or why there are none. Never raises for a bad file: it says "failed"."""
    reader = READERS.get(media_type)
    if reader is None:
        return Extracted("none")
    try:
        return reader(path)
    except Exception:  # a damaged or hostile document: say so, keep the file
        log.warning("Could not read the text of %s (%s)", path.name, media_type, exc_info=True)
        return Extracted("failed")

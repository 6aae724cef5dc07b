"""Which files may be attached as evidence, judged by what they contain, not what they are called.

The name's ending says what the person meant to attach; libmagic (the database the
`file` command uses) says what the bytes are. A file is taken only when the two
agree, so an HTML page renamed report.pdf, a program renamed notes.txt or an SVG
with a script in it is refused with a reason, before anything is stored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class FileKind:
    label: str  # how a person names it: "PDF", "Word document"
    media_types: frozenset[str]  # what libmagic may find in a file with this ending
    text: bool = False  # plain text: also checked to read as text


KINDS: dict[str, FileKind] = {
    ".pdf": FileKind("PDF", frozenset({"application/pdf"})),
    ".docx": FileKind("Word document", frozenset({WORD})),
    ".doc": FileKind("Word document", frozenset({"application/msword"})),
    ".xlsx": FileKind("Excel workbook", frozenset({EXCEL})),
    ".xls": FileKind("Excel workbook", frozenset({"application/vnd.ms-excel"})),
    ".odt": FileKind("OpenDocument text", frozenset({"application/vnd.oasis.opendocument.text"})),
    ".ods": FileKind("OpenDocument spreadsheet", frozenset({"application/vnd.oasis.opendocument.spreadsheet"})),
    ".png": FileKind("PNG image", frozenset({"image/png"})),
    ".jpg": FileKind("JPEG image", frozenset({"image/jpeg"})),
    ".jpeg": FileKind("JPEG image", frozenset({"image/jpeg"})),
    ".csv": FileKind("CSV file", frozenset({"text/csv", "text/plain", "application/csv"}), text=True),
    ".txt": FileKind("text file", frozenset({"text/plain"}), text=True),
}
ALLOWED_WORDS = "a PDF, Word, Excel, OpenDocument, PNG, JPEG, CSV or text file"
NAME_MAX = 150
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


@dataclass(frozen=True)
class TypeProblem(Exception):
    message: str


def clean_file_name(raw: str) -> str:
    """The name to show and to download as: no folders, no characters a file system or zip would refuse.

    Browsers on Windows used to send the whole path ("C:\\Users\\...\\plan.pdf"): only the last part is kept.
    """
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._") or "file"
    if len(name) > NAME_MAX:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: NAME_MAX - len(suffix)].rstrip(" .") + suffix
    return name


def kind_for_name(name: str) -> FileKind:
    suffix = PurePosixPath(name.lower()).suffix
    kind = KINDS.get(suffix)
    if kind is None:
        raise TypeProblem(f"{name} is not a type of file that can be attached. Attach {ALLOWED_WORDS}")
    return kind


def _reads_as_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as error:
            if encoding == "utf-8" and error.start >= len(head) - 3:
                return True  # a character cut in two at the end of the sample
            continue
        return True
    return False


def check_content(name: str, detected: str, head: bytes) -> FileKind:
    """The file's kind if its content is what its name says; TypeProblem saying why not otherwise.

    `detected` is libmagic's media type for the whole file; `head` its first bytes.
    """
    kind = kind_for_name(name)
    if detected == "application/x-empty" or not head:
        raise TypeProblem(f"{name} is empty")
    if detected not in kind.media_types or (kind.text and not _reads_as_text(head)):
        article = "an" if kind.label[0].lower() in "aeiou" else "a"
        raise TypeProblem(f"{name} is called a {PurePosixPath(name).suffix.lstrip('.').upper()} file but its content "
                          f"is not {article} {kind.label}. Save it again in that format, or attach the original")
    return kind

"""Streaming one XML part of a workbook through expat, in constant memory, with the deadline checked as it goes.

No tree is built: the handlers see each element as it opens and closes and keep
only what they need, so a row of a million cells or a million unknown elements
costs nothing to skip. The part is inflated and parsed 64 KB at a time, and the
deadline is checked after each piece. A document type declaration is refused (no
workbook part has one, and it is how entity-expansion attacks begin), and so is a
run of more than a megabyte without a '>' (no cell holds that much, and one tag that
long is an attack: expat would hold it whole and hand over all its attributes at once).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from typing import Any
from xml.parsers import expat

from app.imports.problems import ImportFailed, file_problem
from app.imports.sheet import Deadline

CHUNK = 64 * 1024
RUN_MESSAGE = "more than a megabyte goes by without a tag ending"
MAX_RUN_WITHOUT_TAG_END = 1024 * 1024

StartHandler = Callable[[str, dict[str, str]], None]
EndHandler = Callable[[str], None]
TextHandler = Callable[[str], None]


def damaged(part: str, why: str) -> ImportFailed:
    return file_problem(f"The workbook is damaged and cannot be read ({part}: {why}): open it in Excel or "
                        "LibreOffice, save it again and import that")


def local_name(name: str) -> str:
    """'x:row' -> 'row': the prefix a file gives its namespace does not matter here."""
    return name.rpartition(":")[2] if ":" in name else name


def _no_document_type(*_: Any) -> None:
    raise ImportFailed([])  # replaced with a sentence naming the part below


def stream_part(package: zipfile.ZipFile, part: str, deadline: Deadline, *, start: StartHandler | None = None,
                end: EndHandler | None = None, text: TextHandler | None = None) -> None:
    """Parse `part` of the package, calling the handlers for each element and piece of text."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _no_document_type
    parser.EntityDeclHandler = _no_document_type
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    run = 0  # bytes since the last '>'
    try:
        source = package.open(part)
    except KeyError:
        raise damaged(part, "the part is missing") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as error:
        raise damaged(part, str(error) or type(error).__name__) from None
    try:
        with source:
            while chunk := source.read(CHUNK):
                last = chunk.rfind(b">")
                if last < 0:
                    run += len(chunk)
                else:
                    run += chunk.find(b">")
                    if run > MAX_RUN_WITHOUT_TAG_END:
                        raise damaged(part, RUN_MESSAGE)
                    run = len(chunk) - 1 - last
                if run > MAX_RUN_WITHOUT_TAG_END:
                    raise damaged(part, RUN_MESSAGE)
                parser.Parse(chunk, False)
                deadline.check()
            parser.Parse(b"", True)
    except ImportFailed as failure:
        if failure.problems:
            raise
        raise damaged(part, "it declares a document type, which no workbook has") from None
    except expat.ExpatError as error:
        raise damaged(part, f"not well-formed XML at line {error.lineno}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as error:
        raise damaged(part, str(error) or type(error).__name__) from None

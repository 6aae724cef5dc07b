"""Opening an .xlsx file's zip package safely: its central directory is checked before anything is unpacked.

A zip says in its central directory how many parts it has and how large each is
packed and unpacked. A zip bomb is a small file whose parts unpack to gigabytes,
and a zip of a million parts costs a ZipFile object hundreds of megabytes just to
list, so the end-of-central-directory record is read by hand first (how many parts,
how long the directory is), then each part's sizes, its packing ratio and its
method, all before one byte is inflated. zipfile then never gives more than a part's
stated size (and checks its CRC at the end), so what the directory says is also
the most that reading can cost.
"""

from __future__ import annotations

import io
import struct
import zipfile

from app.imports.problems import file_problem
from app.imports.sheet import MB, SheetLimits

END_RECORD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_END_RECORD = b"PK\x06\x06"
END_RECORD_SIZE = 22
MAX_COMMENT = 65_535
DIRECTORY_BYTES_PER_PART = 1024  # a part's entry is 46 bytes and its name; real names are far shorter than this
METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}  # all that spreadsheet programs use

NOT_A_WORKBOOK = "The file is not an Excel workbook (.xlsx)"


def size_text(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size < 10 * MB else f"{size / MB:,.0f} MB"


def _directory_extent(data: bytes) -> tuple[int, int]:
    """(number of parts, bytes of central directory) from the end record, without building a ZipFile."""
    position = data.rfind(END_RECORD, max(0, len(data) - END_RECORD_SIZE - MAX_COMMENT))
    if position < 0 or len(data) < position + END_RECORD_SIZE:
        raise file_problem(NOT_A_WORKBOOK)
    _, _, _, _, parts, directory_size, _, _ = struct.unpack("<4s4H2LH", data[position:position + END_RECORD_SIZE])
    if parts == 0xFFFF or directory_size == 0xFFFFFFFF:  # zip64: the real figures are in another record
        locator = position - 20
        if locator < 0 or data[locator:locator + 4] != ZIP64_LOCATOR:
            raise file_problem(NOT_A_WORKBOOK)
        (offset,) = struct.unpack("<Q", data[locator + 8:locator + 16])
        record = data[offset:offset + 56]
        if len(record) < 56 or record[:4] != ZIP64_END_RECORD:
            raise file_problem(NOT_A_WORKBOOK)
        parts, directory_size = struct.unpack("<2Q", record[32:48])
    return parts, directory_size


def open_package(data: bytes, limits: SheetLimits) -> zipfile.ZipFile:
    """The workbook's zip, once its directory shows it is safe to unpack; otherwise ImportFailed saying why."""
    parts, directory_size = _directory_extent(data)
    if parts > limits.max_parts or directory_size > limits.max_parts * DIRECTORY_BYTES_PER_PART:
        raise file_problem(f"The spreadsheet has {parts:,} parts packed inside it; a workbook to import can have at "
                           f"most {limits.max_parts:,}. Copy the sheet into a new workbook and import that")
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise file_problem(NOT_A_WORKBOOK) from None
    try:
        check_directory(package.infolist(), limits)
    except BaseException:
        package.close()
        raise
    return package


def check_directory(infos: list[zipfile.ZipInfo], limits: SheetLimits) -> None:
    """Refuse a package whose parts are too many, too large unpacked, packed too tightly, or packed strangely."""
    if len(infos) > limits.max_parts:
        raise file_problem(f"The spreadsheet has {len(infos):,} parts packed inside it; a workbook to import can have "
                           f"at most {limits.max_parts:,}. Copy the sheet into a new workbook and import that")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise file_problem("The spreadsheet is protected by a password: remove the password, save it and import "
                               "it again")
        if info.compress_type not in METHODS:
            raise file_problem(f"The spreadsheet is packed in a way spreadsheet programs do not use ({info.filename}): "
                               "open it in Excel or LibreOffice, save it again and import that")
        if info.file_size > limits.max_part_bytes:
            raise file_problem(f"The spreadsheet is too large when unpacked ({info.filename} unpacks to "
                               f"{size_text(info.file_size)}; one part can be at most "
                               f"{size_text(limits.max_part_bytes)}): split it into smaller files")
        if info.file_size > limits.ratio_floor_bytes and \
                info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise file_problem(f"The spreadsheet is packed too tightly to be safe to unpack ({info.filename} unpacks "
                               f"to {ratio:,.0f} times its packed size; real spreadsheets are about 10 times, and at "
                               f"most {limits.max_ratio} times is accepted): save it again from a spreadsheet "
                               "program and import that")
        total += info.file_size
    if total > limits.max_unpacked_bytes:
        raise file_problem(f"The spreadsheet is too large when unpacked (its parts come to {size_text(total)}; at "
                           f"most {size_text(limits.max_unpacked_bytes)} can be read): split it into smaller files")

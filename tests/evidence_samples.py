"""Small real documents for the evidence tests: a PDF with words in it, one with none, a Word file, a PNG."""

from __future__ import annotations

import io
import zlib


def pdf_with_text(*lines: str) -> bytes:
    """A one-page PDF whose text any reader extracts (Helvetica, one of the fonts every reader has)."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({escape(line)}) '" for line in lines) + " ET"
    return _pdf([b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"], stream.encode("latin-1"))


def pdf_without_text() -> bytes:
    """A page with only a drawn box on it, as a scanned page has only a picture: no words to find."""
    return _pdf([], b"0 0 1 rg 72 600 200 100 re f")


def _pdf(fonts: list[bytes], content: bytes) -> bytes:
    font_ref = b" /Resources << /Font << /F1 5 0 R >> >>" if fonts else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R" + font_ref + b" >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        *fonts,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_with_text(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def png() -> bytes:
    """A 1 by 1 pixel PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 6, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00\xff"))
            + chunk(b"IEND", b""))

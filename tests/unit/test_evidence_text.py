"""The words inside evidence files, for search; a bad or hostile file says so instead of failing."""

from __future__ import annotations

import zipfile

from app.evidence import text as extraction
from app.evidence.file_types import WORD
from app.evidence.text import extract_text
from tests.evidence_samples import docx_with_text, pdf_with_text, pdf_without_text, png


def test_pdf_word_and_text_files_give_their_words(tmp_path):
    cases = [(pdf_with_text("Anti-social behaviour", "on the estate"), "application/pdf"),
             (docx_with_text("Anti-social behaviour", "on the estate"), WORD),
             (b"Anti-social behaviour\non the estate\n", "text/plain")]
    for number, (content, media_type) in enumerate(cases):
        path = tmp_path / f"file{number}"
        path.write_bytes(content)
        found = extract_text(path, media_type)
        assert found.state == "done" and "Anti-social behaviour" in found.text and "on the estate" in found.text


def test_a_pdf_without_words_is_a_scan_and_an_image_has_none(tmp_path):
    scan, picture = tmp_path / "scan", tmp_path / "picture"
    scan.write_bytes(pdf_without_text())
    picture.write_bytes(png())
    assert (extract_text(scan, "application/pdf").state, extract_text(scan, "application/pdf").pages) == ("scanned", 1)
    assert extract_text(picture, "image/png").state == "none"


def test_a_damaged_file_fails_without_raising(tmp_path):
    path = tmp_path / "broken"
    path.write_bytes(b"%PDF-1.4\nnot really a pdf")
    assert extract_text(path, "application/pdf").state == "failed"
    path.write_bytes(b"PK\x03\x04 not a zip")
    assert extract_text(path, WORD).state == "failed"


def test_a_document_that_would_unpack_too_large_is_not_opened(tmp_path, monkeypatch):
    path = tmp_path / "bomb.docx"
    path.write_bytes(docx_with_text("x"))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("word/padding.bin", b"\x00" * 200_000, compress_type=zipfile.ZIP_DEFLATED)
    monkeypatch.setattr(extraction, "UNPACKED_MAX", 100_000)  # a small limit, so the test need not make gigabytes
    assert extract_text(path, WORD).state == "failed"


def test_control_characters_are_taken_out_of_extracted_text(tmp_path):
    path = tmp_path / "notes"
    path.write_bytes(b"before\x00after\x07bell")
    found = extract_text(path, "text/plain")
    assert "\x00" not in found.text and "\x07" not in found.text and "before" in found.text

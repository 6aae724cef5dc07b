"""Which files may be evidence: the name's ending and the content must agree; names are made safe."""

from __future__ import annotations

import pytest

from app.evidence.file_types import WORD, TypeProblem, check_content, clean_file_name


@pytest.mark.parametrize(("raw", "clean"), [
    ("C:\\Users\\jo\\Documents\\plan.pdf", "plan.pdf"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("minutes: 3 May?.docx", "minutes_ 3 May_.docx"),
    ("tab\there.pdf", "tab_here.pdf"),
    ("...", "file"),
    ("e\u0301te\u0301.pdf", "\u00e9t\u00e9.pdf"),  # NFC
])
def test_a_name_keeps_only_its_last_part_without_characters_a_file_system_refuses(raw, clean):
    assert clean_file_name(raw) == clean


def test_a_long_name_is_shortened_and_keeps_its_ending():
    name = clean_file_name("a" * 400 + ".xlsx")
    assert len(name) == 150 and name.endswith(".xlsx")


def test_the_content_must_be_what_the_ending_says():
    assert check_content("plan.docx", WORD, b"PK\x03\x04").label == "Word document"
    assert check_content("data.csv", "text/plain", b"a,b\n1,2\n").label == "CSV file"
    with pytest.raises(TypeProblem, match="plan.pdf is called a PDF file but its content is not a PDF"):
        check_content("plan.pdf", "text/html", b"<html>")
    with pytest.raises(TypeProblem, match="is not a type of file that can be attached"):
        check_content("page.html", "text/html", b"<html>")
    with pytest.raises(TypeProblem, match="notes.txt is empty"):
        check_content("notes.txt", "application/x-empty", b"")


def test_text_must_read_as_text():
    assert check_content("notes.txt", "text/plain", "Caf\u00e9 \u2013 minutes".encode())
    assert check_content("notes.txt", "text/plain", "Caf\u00e9".encode("cp1252"))  # an older Windows file
    assert check_content("notes.txt", "text/plain", "ab\u00e9".encode()[:-1])  # a character cut off at the end
    with pytest.raises(TypeProblem):
        check_content("notes.txt", "text/plain", b"abc\x00def")

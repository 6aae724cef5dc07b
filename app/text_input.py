"""The one rule for text people type: every free-text form field, every text answer, the command line.

`clean_text` is a pure function. It

- turns CR LF and CR into LF;
- refuses NUL (PostgreSQL cannot store it in text) and every other control character:
  C0 (U+0001 to U+001F) except tab and LF, DEL (U+007F) and C1 (U+0080 to U+009F),
  raising `ControlCharacterError`; or, with `strip_controls=True`, removes them
  (vertical tab, form feed and NEL become a line break: Word puts a vertical tab
  where someone pressed Shift+Enter);
- normalises to Unicode NFC, so that "Cafe" + combining acute and "Café" are the same
  text (and the same name when duplicates are looked for);
- on one line (`multiline=False`), turns every run of white space (tabs, line breaks
  and non-breaking spaces included) into one space;
- trims white space and zero-width characters from both ends;
- gives "" for a text made only of invisible characters (white space, zero-width
  space, joiners, word joiner, byte order mark, soft hyphen, bidi marks, Hangul
  fillers, variation selectors...), so that "required" fails with the field's usual
  message and an answer of nothing but zero-width spaces is not an answer.

Bidi controls (U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069) are kept: people
who write Arabic, Hebrew or Urdu paste them with their text (Word adds embeddings
around right-to-left runs), refusing them would refuse those people's names, and
they cannot break storage. Where they could mislead (a spreadsheet cell, a CSV
line) the exports neutralise them; pages show them inside the element they are in.
"""

from __future__ import annotations

import re
import unicodedata

CONTROL_CHARACTERS_MESSAGE = "{name} must not contain control characters"

# C0 except tab (U+0009) and LF (U+000A): CR is turned into LF before this is looked for.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What stripping turns into a line break rather than removing: vertical tab, form feed, NEL.
_LINE_BREAK_CONTROL = re.compile(r"[\x0b\x0c\x85]")
_WHITE_SPACE_RUN = re.compile(r"\s+")

# Characters that show nothing and are not white space (str.isspace) or a format
# character (Unicode category Cf, e.g. U+200B to U+200F, U+2060 to U+2064, U+FEFF,
# U+00AD, bidi controls, tag characters): fillers and joiners in other categories.
_BLANK_LOOKING = frozenset(
    "\u034f"  # combining grapheme joiner
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u17b4\u17b5"  # Khmer inherent vowels
    "\u2800"  # braille pattern blank
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))  # variation selectors
    + "".join(chr(c) for c in range(0xE0100, 0xE01F0))  # variation selectors supplement
)
_WHITE_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")  # every character str.isspace() accepts
# Trimmed from both ends with the white space: they mean nothing there. (Not variation
# selectors, which belong to the character before them, nor bidi marks, which may
# set the direction of the text they start.)
_EDGE = _WHITE_SPACE + "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"


class ControlCharacterError(ValueError):
    """The text has a control character: NUL, another C0 control except tab and line breaks, DEL or C1."""

    def __init__(self, character: str, position: int) -> None:
        super().__init__(f"control character U+{ord(character):04X} at position {position}")
        self.character = character
        self.position = position

    def message_for(self, name: str) -> str:
        """The message a person sees, naming the field: "Name must not contain control characters"."""
        return CONTROL_CHARACTERS_MESSAGE.format(name=name)


def is_invisible(character: str) -> bool:
    """Whether a character shows nothing on its own: white space, a format character or a filler."""
    return character.isspace() or unicodedata.category(character) == "Cf" or character in _BLANK_LOOKING


def clean_text(raw: object, *, multiline: bool = False, strip_controls: bool = False) -> str:
    """The text as it is stored; raises ControlCharacterError unless `strip_controls` (see the module)."""
    text = str(raw or "").replace("\r\n", "\n").replace("\r", "\n")
    if strip_controls:
        text = _CONTROL.sub("", _LINE_BREAK_CONTROL.sub("\n", text))
    else:
        found = _CONTROL.search(text)
        if found:
            raise ControlCharacterError(found.group(), found.start())
    text = unicodedata.normalize("NFC", text)
    if not multiline:
        text = _WHITE_SPACE_RUN.sub(" ", text)
    text = text.strip(_EDGE)
    if all(is_invisible(character) for character in text):
        return ""
    return text


# Thousands grouped by commas or spaces, as people copy figures from reports ("92,600", "1 250 000"):
# groups of three after the first, so "3,4" (a decimal comma) or "1,50" is never guessed at.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:([, ])\d{3})(?:\1\d{3})*(?:\.\d+)?")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")


def ungrouped_number(raw: str) -> str | None:
    """A typed number with its thousands separators taken out ("92,600" -> "92600"), the text as it is when it
    has none, or None when it has a comma that cannot be a thousands separator ("3,4", "1,50"). Whether what is
    left is a number is the caller's question; a space left inside ("1 2") makes it none."""
    text = _SPACES.sub(" ", raw).strip()
    if _GROUPED.fullmatch(text):
        return text.replace(",", "").replace(" ", "")
    if "," in text:
        return None
    return text

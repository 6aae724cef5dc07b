"""Password policy and hashing, following NCSC guidance and OWASP ASVS level 2.

Length is what makes a password strong: at least 12 characters, up to 128, any
characters, no composition rules and no forced expiry. We refuse passwords that
are on a list of common ones, that are built from the account's own details or
from the names of the council, the partnership or this service, and those that
zxcvbn (a strength estimator that knows common words, names, keyboard patterns,
sequences, repeats, dates and look-alike substitutions) scores below 3 of 4.
Hashes use scrypt (Werkzeug's default), which is memory-hard.

Why score 3: it means at least 10^8 guesses. Sign-in throttling allows at most
100 guesses an hour for an account, so guessing online would take over a
century, and each guess at a stolen scrypt hash is slow. Three random words,
even run together without spaces, always score 3 or more; score 4 would refuse
about a quarter of those, against NCSC's advice to use three random words.
"""

from __future__ import annotations

import gzip
import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.adjacency_graphs import ADJACENCY_GRAPHS
from zxcvbn.matching import L33T_TABLE

MIN_LENGTH = 12
MAX_LENGTH = 128
HASH_METHOD = "scrypt"
SERVICE_NAME = "Section 17 Audit"
_SERVICE_SUBJECT = "Section 17"  # what everyone using the service talks about: refused with or without "Audit"

# zxcvbn's time grows with the square of the length, and with the number of ways the
# look-alike characters in it (4 @ 8 ( { [ < 3 6 9 1 ! | 7 + 0 $ 5 % 2) can be read as
# letters: 21 of them took 1.3 s, 128 random printable characters up to 22 s. Nothing past
# the first 100 characters is estimated (the rest can only add strength), and text whose
# estimate would cost more than about 0.03 s is estimated in pieces that each cost less,
# their guesses multiplied: at most about 0.15 s for any password.
STRENGTH_CHECKED_LENGTH = 100
_PIECE_WORK = 5_000  # (readings of look-alike characters + 1) x length², ~0.03 s
_SCORE_3_LOG10 = math.log10(1e8 + 5)  # zxcvbn's boundary between scores 2 and 3: the least we accept

# zxcvbn keeps the user inputs of the current call in a module-level dictionary.
_zxcvbn_lock = threading.Lock()

ADVICE = "Try three or four random words"
TOO_COMMON = f"Password is too easy to guess: it is one of the passwords people use most often. {ADVICE}"
PERSONAL = "Password must not contain your name or email address"

# Words in many councils' and partnerships' names: not what makes a name one's own.
_GENERIC_NAME_WORDS = frozenset(
    "the of and for on upon in council district borough city county metropolitan royal unitary authority "
    "corporation community safety safer partnership csp crime disorder reduction".split()
)
_LETTER = r"[^\W\d_]"


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A real hash to check against for unknown emails, so timing does not reveal which accounts exist."""
    return generate_password_hash("timing-equaliser-not-a-real-password", method=HASH_METHOD)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    data = resources.files("app.security").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip() for line in gzip.decompress(data).decode("utf-8").splitlines() if line.strip())


def password_problems(password: str, *, personal: Iterable[str] = (), council: str = "",
                      partnership: str = "") -> list[str]:
    """Everything wrong with a proposed password, as messages for the user (empty if fine).

    `personal` are the account's own details (see personal_words); `council` and
    `partnership` the organisation's names (empty when not set).
    """
    if len(password) < MIN_LENGTH:
        return [f"Password must be {MIN_LENGTH} characters or more"]
    if len(password) > MAX_LENGTH:
        return [f"Password must be {MAX_LENGTH} characters or fewer"]
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        return [TOO_COMMON]
    if len(set(lowered)) < 4:
        return [f"Password is too easy to guess: it repeats the same few characters. {ADVICE}"]
    personal = [value for value in personal if value]
    for value in personal:
        part = value.strip().lower()
        if len(part) >= 4 and part in lowered:
            return [PERSONAL]
    names = [(council, "Password must not contain the council's name"),
             (partnership, "Password must not contain the partnership's name"),
             (_SERVICE_SUBJECT, "Password must not contain the name of this service")]
    for name, message in names:
        if name and (pattern := _name_pattern(name)) and pattern.search(password):
            return [message]
    user_inputs = _user_inputs([*personal, council, partnership, SERVICE_NAME])
    estimate = estimate_strength(password, user_inputs)
    if estimate.guesses_log10 < _SCORE_3_LOG10:
        return [_too_easy(password, estimate.matches)]
    return []


def personal_words(name: str, email: str) -> list[str]:
    """Parts of a user's own details that must not appear in their password."""
    local_part = email.split("@", 1)[0]
    return [w for w in [local_part, *name.split()] if w]


# --- names -------------------------------------------------------------------------------------------------------

def _name_words(name: str) -> list[str]:
    words = re.findall(r"[^\W_]+", name.lower())
    distinctive = [w for w in words if w not in _GENERIC_NAME_WORDS]
    if sum(map(len, distinctive)) >= 4:
        return distinctive
    return words if sum(map(len, words)) >= 4 else []


@lru_cache(maxsize=64)
def _name_pattern(name: str) -> re.Pattern[str] | None:
    """The distinctive part of a name ("South Derbyshire" of "South Derbyshire District Council"),
    in any case, with or without spaces or punctuation between its words, and not inside a longer
    word: "southderbyshire2026" and "South-Derbyshire" contain it, "Derbyshire Dales" does not."""
    words = _name_words(name)
    if not words:
        return None
    body = r"[\W_]*".join(re.escape(w) for w in words)
    before = r"(?<!\d)" if words[0][0].isdigit() else rf"(?<!{_LETTER})"
    after = r"(?!\d)" if words[-1][-1].isdigit() else rf"(?!{_LETTER})"
    return re.compile(before + body + after, re.IGNORECASE)


def _user_inputs(values: Iterable[str]) -> list[str]:
    """Forms of names for zxcvbn to treat as easy guesses: whole, run together and word by word."""
    forms: list[str] = []
    for value in values:
        words = re.findall(r"[^\W_]+", value.lower())
        if not words:
            continue
        distinctive = _name_words(value)
        forms += [value.lower(), " ".join(words), "".join(words), " ".join(distinctive), "".join(distinctive)]
        forms += [w for w in words if len(w) >= 3 and w not in _GENERIC_NAME_WORDS]
    return list(dict.fromkeys(f for f in forms if f))


# --- strength ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Strength:
    guesses_log10: float  # zxcvbn's estimate of the guesses needed (summed over pieces)
    matches: list[dict[str, Any]]  # zxcvbn's reading of the text: words, patterns and guessed ("bruteforce") runs


def _readings(text: str) -> int:
    """How many ways zxcvbn will read the look-alike characters in text (an upper bound)."""
    return math.prod(max(1, sum(c in text for c in chars)) for chars in L33T_TABLE.values())


def _pieces(text: str) -> list[str]:
    pieces, start = [], 0
    while start < len(text):
        end = start + 1
        while end < len(text) and (_readings(text[start:end + 1]) + 1) * (end + 1 - start) ** 2 <= _PIECE_WORK:
            end += 1
        pieces.append(text[start:end])
        start = end
    return pieces


def estimate_strength(text: str, user_inputs: Iterable[str] = ()) -> Strength:
    """zxcvbn's estimate of text's first STRENGTH_CHECKED_LENGTH characters, in bounded time."""
    inputs = list(user_inputs)
    total, matches = 0.0, []
    with _zxcvbn_lock:
        for piece in _pieces(text[:STRENGTH_CHECKED_LENGTH]):
            result = zxcvbn(piece, user_inputs=inputs, max_length=STRENGTH_CHECKED_LENGTH)
            total += result["guesses_log10"]
            matches += result["sequence"]
    return Strength(total, matches)


@lru_cache(maxsize=1)
def _keyboard_neighbours() -> dict[str, frozenset[str]]:
    neighbours: dict[str, set[str]] = {}
    for graph in ADJACENCY_GRAPHS.values():
        for key, adjacent in graph.items():
            near = {c for pair in adjacent if pair for c in pair}
            for c in key:
                neighbours.setdefault(c, set()).update(near, key)
    return {c: frozenset(near) for c, near in neighbours.items()}


def _is_keyboard_walk(token: str) -> bool:
    token = token.lower()
    near = _keyboard_neighbours()
    pairs = list(zip(token, token[1:], strict=False))
    return len(token) >= 4 and sum(b in near.get(a, ()) for a, b in pairs) >= 0.8 * len(pairs)


def _too_easy(password: str, matches: list[dict[str, Any]]) -> str:
    """Say in plain words what makes the password easy to guess, from zxcvbn's reading of it."""
    patterns = [m for m in matches if m["pattern"] != "bruteforce"]
    if not patterns:
        return f"Password is too easy to guess. {ADVICE}"
    main = max(patterns, key=lambda m: len(m["token"]))
    token = main["token"]
    digits = any(c.isdigit() for c in password)
    symbols = any(not c.isalnum() and not c.isspace() for c in password)
    added = "numbers or symbols" if digits and symbols else "numbers" if digits else "symbols" if symbols else ""
    with_added = f" with {added} added" if added and len(token) >= len(password) / 2 else ""
    pattern = main["pattern"]
    if pattern == "dictionary":
        source = main["dictionary_name"]
        if source == "user_inputs":
            reason = "it is mostly your name, or the name of the council, the partnership or this service"
        elif token.isdigit():
            reason = "it is mostly numbers in an order many people use, like 123456"
        elif main.get("l33t"):
            reason = "it is a common word with letters swapped for look-alike numbers or symbols, like @ for a"
        elif main.get("reversed"):
            reason = "it is a common word spelt backwards"
        elif _is_keyboard_walk(token):
            reason = "it is mostly keys that are next to each other on the keyboard, like qwerty"
        elif source in ("surnames", "male_names", "female_names"):
            reason = f"it is mostly a common name{with_added}"
        elif source == "passwords" and not with_added:
            reason = "it is very like a password many people use"
        else:
            reason = f"it is mostly a common word{with_added}"
    elif pattern == "spatial":
        reason = "it is mostly keys that are next to each other on the keyboard, like qwerty"
    elif pattern == "repeat":
        reason = "it repeats the same characters or words"
    elif pattern == "sequence":
        reason = "it is mostly letters or numbers in order, like abcd or 1234"
    elif pattern in ("date", "regex"):
        reason = "it is mostly a date or a year"
    else:
        return f"Password is too easy to guess. {ADVICE}"
    return f"Password is too easy to guess: {reason}. {ADVICE}"


# --- hashing -----------------------------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, still spend the time of a real check."""
    if not password_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)

"""Password policy (security.md item 1): length, deny list, no composition rules, scrypt."""

import pytest

from app.security.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    common_passwords,
    hash_password,
    password_problems,
    personal_words,
    verify_password,
)


def test_eleven_characters_are_too_few_and_twelve_are_enough():
    assert password_problems("x" * 3 + "abcdefgh") == [f"Password must be {MIN_LENGTH} characters or more"]
    assert password_problems("plain words ok") == []


def test_128_characters_are_accepted_and_129_refused():
    long_phrase = ("ten lively otters juggle " * 6)[:MAX_LENGTH]
    assert len(long_phrase) == 128
    assert password_problems(long_phrase) == []
    assert password_problems(long_phrase + "x") == [f"Password must be {MAX_LENGTH} characters or fewer"]


@pytest.mark.parametrize("password", ["alllowercaseletters", "ONLY CAPITALS HERE", "123498765432109"])
def test_no_composition_rules(password):
    """Long passwords are fine whatever characters they use."""
    assert password_problems(password) == []


@pytest.mark.parametrize("password", ["qwerty123456", "QWERTY123456", "1q2w3e4r5t6y", "123456654321"])
def test_common_passwords_are_refused_whatever_their_case(password):
    assert password_problems(password) == ["This password is too common. Choose a password that is harder to guess"]


def test_the_shipped_list_is_substantial():
    assert len(common_passwords()) > 19_000
    assert "password" in common_passwords()


def test_repeated_characters_are_refused():
    assert password_problems("aaaaaaaaaaaaaaaa")
    assert password_problems("abababababababab")


def test_the_users_own_name_or_email_is_refused():
    words = personal_words("Priya Shah", "priya.shah@council.example")
    assert password_problems("my name is priya and i like tea", personal=words) == [
        "Password must not contain your name or email address"
    ]
    assert password_problems("Priya.Shah-2026-spring", personal=words)
    assert password_problems("unrelated words for tea", personal=words) == []


def test_passwords_are_hashed_with_scrypt_and_verified():
    hashed = hash_password("unrelated words for tea")
    assert hashed.startswith("scrypt:")
    assert "unrelated" not in hashed
    assert verify_password(hashed, "unrelated words for tea")
    assert not verify_password(hashed, "unrelated words for coffee")


def test_verifying_without_a_hash_fails_safely():
    assert verify_password(None, "anything at all here") is False

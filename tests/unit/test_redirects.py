"""`next` after sign-in accepts only a relative path (security.md item 5)."""

import pytest

from app.security.redirects import safe_next_path


@pytest.mark.parametrize("value", ["/", "/admin/users", "/departments/3?tab=leads", "/a/b#section"])
def test_relative_paths_are_accepted(value):
    assert safe_next_path(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "https://evil.example",
        "http://evil.example/path",
        "javascript:alert(1)",
        "evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        " //evil.example",
        "/%0d%0aSet-Cookie:x",
    ],
)
def test_anything_else_is_refused(value):
    result = safe_next_path(value)
    # Percent-encoded control characters stay encoded: harmless as a path on this site.
    if value == "/%0d%0aSet-Cookie:x":
        assert result == value
    else:
        assert result is None

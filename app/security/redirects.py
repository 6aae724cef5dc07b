"""Where to send a user after signing in: only ever a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next_path(value: str | None) -> str | None:
    """Return value if it is a relative path on this site, else None.

    Refuses absolute URLs (https://x), scheme-relative ones (//x), the
    backslash trick browsers read as a slash (/\\x), and any control or
    whitespace character that a browser would strip before resolving.
    """
    if not value or not value.startswith("/"):
        return None
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return None
    if "\\" in value or value.startswith("//"):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value

"""Record ids as they arrive in addresses, query strings and forms: whole numbers the database can hold.

A record id is a 32-bit integer in PostgreSQL. An address such as
/returns/99999999999999999999 used to reach the database, which refused the
number with an error the visitor saw as a 500; "²" passes str.isdigit() but not
int(). Here an id is only ever ASCII digits within the column's range, so
anything else is simply "no such record" (a 404 or the page's own message).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's is larger, so this is the limit for both


def parse_id(raw: Any) -> int | None:
    """The id `raw` names, or None when it names no possible record."""
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number outside the database's range matches no route (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - Werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_id_converter(app: Flask) -> None:
    """Before any route is added: every `<int:...>` then uses IdConverter."""
    app.url_map.converters["int"] = IdConverter

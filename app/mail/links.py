"""Addresses in messages: whole URLs of this service's pages, made outside any web request.

Messages are composed by web requests and by workers alike, so links cannot come
from the request. PUBLIC_URL (SECTION17_PUBLIC_URL, e.g.
https://section17.council.gov.uk) is where people reach the service; production
refuses to send mail without it. In development it defaults to the address that
`bash scripts/start` serves.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app

DEVELOPMENT_URL = "http://127.0.0.1:5000"


def public_url() -> str:
    return str(current_app.config.get("PUBLIC_URL") or DEVELOPMENT_URL).rstrip("/")


def page_url(endpoint: str, **values: Any) -> str:
    """The whole address of one of this service's pages, e.g. page_url("respond.task_list", assignment_id=3)."""
    parts = urlsplit(public_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)

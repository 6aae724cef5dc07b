"""Larger request bodies for the few views that take documents, and MAX_CONTENT_LENGTH for the rest.

Flask reads a form's body the first time anything asks for it, and CSRF protection
asks before any view runs, so a view cannot raise its own limit in its body: the
limit has to be known as soon as the URL is matched. A view declares it with
`@accepts_upload_of(...)`; the request class reads the declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Request, current_app

F = TypeVar("F", bound=Callable[..., Any])


def accepts_upload_of(limit: Callable[[], int]) -> Callable[[F], F]:
    """This view's requests may be as large as `limit()` bytes (read from the settings per request)."""

    def decorate(view: F) -> F:
        view._upload_limit = limit  # type: ignore[attr-defined]
        return view

    return decorate


class AppRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        view = current_app.view_functions.get(self.endpoint) if self.endpoint else None
        limit = getattr(view, "_upload_limit", None)
        return limit() if limit is not None else super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

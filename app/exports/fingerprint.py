"""A SHA-256 over the data a workbook is made from, shown on its About sheet.

Two workbooks with the same fingerprint were made from the same data and questionnaires, whoever made
them and whenever; a fingerprint can be worked out again from the database to prove a workbook has
not been edited since. Every part of the data goes in as canonical JSON (sorted keys, ISO dates, frames
as their values), labelled with what it is, in the order the workbook writes it. The parts that are
streamed (returns, audit events) are hashed as they pass, so memory stays flat.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")


def plain(value: Any) -> Any:
    """Any export value as JSON-ready data that is the same for the same content."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, pd.DataFrame):
        return {"columns": [str(c) for c in value.columns], "rows": plain(value.to_numpy(dtype=object).tolist())}
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((plain(item) for item in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return str(value)


class Fingerprint:
    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, label: str, value: Any) -> None:
        text = json.dumps(plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        self._hash.update(f"{label}\x00{text}\n".encode())

    def through(self, label: str, items: Iterable[T]) -> Iterator[T]:
        """The items, unchanged, each added as it passes."""
        for item in items:
            self.add(label, item)
            yield item

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

"""Form pieces shared by several areas."""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField


class GovDateField(DateField):
    """A date as day, month and year boxes, with GOV.UK error messages instead of WTForms' defaults."""

    widget = GovDateInput()

    def __init__(self, label: str = "", validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        # Always three boxes: the widget shows raw_data back as day, month and year, and a form
        # posted without them (or with more) would otherwise fail to render instead of saying why.
        parts = [part.strip() for part in valuelist[:3]] + [""] * (3 - len(valuelist[:3]))
        self.raw_data = parts
        if not any(parts):
            self.data = None
            return
        missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            self.data = None
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        try:
            if len(parts[2]) != 4:
                raise ValueError
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, for example 31 3 2027") from None

"""Keep the garbage collector off the objects that live as long as the process.

After start-up a worker holds about 190,000 long-lived objects (Flask, SQLAlchemy,
pandas, matplotlib and our own definitions and templates). CPython's full
collection walks every one of them: measured here at about 160 ms, and it comes
round every few requests that build large frames, so a heatmap page took 200 ms
one time and 400 ms the next. `gc.freeze()` moves what exists at start-up into a
generation the collector never scans; everything made afterwards is collected as
usual. Objects frozen are never collected, which costs nothing here because they
live for the whole process anyway.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect once, then freeze what survives. Call after the app is built, before serving."""
    gc.collect()
    gc.freeze()

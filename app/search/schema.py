"""What the search index adds to the database, outside the models (migration 0012 creates it).

PostgreSQL: a generated `search_vector` column (tsvector, English stemming) and a GIN
index on each searchable table. SQLite: an FTS5 table per searchable table (Porter
stemming), kept in step by triggers. Neither is an ORM column or table: the database
keeps them up to date on every write, so no code path can forget to. The comparison
of models and migrations leaves them out by these names.

A migration that alters a searched table on SQLite in batch mode rebuilds the table
and so drops its triggers: it must make them again (see migration 0013).
tests/functional/test_search.py checks they are all there after every migration.
"""

from __future__ import annotations

from typing import Any

# (source table, SQLite FTS5 table, PostgreSQL expression and SQLite expression of the text, both over `row.`)
SEARCHED = {
    "answers": "search_answers",
    "evidence_files": "search_files",
    "answer_comments": "search_comments",
    "actions": "search_actions",
    "action_notes": "search_notes",
}
SEARCH_COLUMN = "search_vector"
SEARCH_INDEX_PREFIX = "ix_search_"


def is_search_object(name: str | None, type_: str) -> bool:
    """True for the index's own tables, columns and indexes: the models do not describe them."""
    if not name:
        return False
    if type_ == "table":
        return any(name == fts or name.startswith(fts + "_") for fts in SEARCHED.values())
    if type_ == "column":
        return name == SEARCH_COLUMN
    if type_ == "index":
        return name.startswith(SEARCH_INDEX_PREFIX)
    return False


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """For Alembic: leave the search index out of autogenerate's comparison."""
    return not (reflected and compare_to is None and is_search_object(name, type_))

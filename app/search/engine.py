"""Full-text matching behind one interface: PostgreSQL's text search, or SQLite's FTS5.

A backend gives, for one searchable table, what a query needs: where to start (the
table, joined to its FTS5 table on SQLite), the condition that a row matches, how
well it matches (lower is better), and afterwards the words around the match for the
few rows shown. Everything else (who may see which row, cycles and departments,
grouping by return) is ordinary SQL shared by both (app/search/services.py), applied
before the limit, so a lead officer's results are never crowded out by rows they
cannot see.

A person's words are never SQL or query syntax. PostgreSQL reads them with
websearch_to_tsquery (which also takes "quoted phrases", `or` and `-word`); for
SQLite they are split into words, each quoted, and every word must appear.

Snippets mark matched words with two control characters that stored text cannot
hold (app/text_input.py refuses them); the page escapes the snippet, then turns the
markers into <mark>.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import ColumnElement, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause, TableClause

from app.search.schema import SEARCHED

START, STOP = "\x01", "\x02"
WORD = re.compile(r"\w+", re.UNICODE)
QUERY_MAX = 200
WORDS_MAX = 12
ENGLISH = literal_column("'english'::regconfig")
HEADLINE = (f"StartSel={START}, StopSel={STOP}, MaxWords=28, MinWords=10, MaxFragments=2, "
            "FragmentDelimiter=\u2026")


def words_of(query: str) -> list[str]:
    """The words searched for, at most WORDS_MAX, each at most 60 characters."""
    return [word[:60] for word in WORD.findall(query[:QUERY_MAX])][:WORDS_MAX]


class PostgresSearch:
    name = "postgresql"

    def _tsquery(self, query: str) -> ColumnElement:
        return func.websearch_to_tsquery(ENGLISH, query[:QUERY_MAX])

    def _vector(self, source: TableClause) -> ColumnElement:
        return literal_column(f"{source.name}.search_vector")

    def base(self, source: TableClause) -> FromClause:
        return source

    def condition(self, source: TableClause, query: str) -> ColumnElement:
        return self._vector(source).op("@@")(self._tsquery(query))

    def rank(self, source: TableClause, query: str) -> ColumnElement:
        return -func.ts_rank_cd(self._vector(source), self._tsquery(query))

    def snippets(self, session: Session, source: TableClause, text_expr: ColumnElement, query: str,
                 ids: Iterable[int]) -> dict[int, str]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = session.execute(select(source.c.id, func.ts_headline(ENGLISH, text_expr, self._tsquery(query),
                                                                   HEADLINE))
                               .where(source.c.id.in_(wanted)))
        return {row_id: snippet for row_id, snippet in rows}


class SqliteSearch:
    name = "sqlite"

    def _fts(self, source: TableClause) -> TableClause:
        return table(SEARCHED[source.name], column("rowid"), column("body"))

    def _phrase(self, query: str) -> str:
        return " ".join(f'"{word}"' for word in words_of(query))

    def base(self, source: TableClause) -> FromClause:
        fts = self._fts(source)
        return fts.join(source, source.c.id == fts.c.rowid)

    def condition(self, source: TableClause, query: str) -> ColumnElement:
        name = SEARCHED[source.name]
        return text(f"{name} MATCH :{name}_words").bindparams(**{f"{name}_words": self._phrase(query)})

    def rank(self, source: TableClause, query: str) -> ColumnElement:
        return literal_column(f"bm25({SEARCHED[source.name]})")

    def snippets(self, session: Session, source: TableClause, text_expr: ColumnElement, query: str,
                 ids: Iterable[int]) -> dict[int, str]:
        wanted = list(ids)
        if not wanted:
            return {}
        name = SEARCHED[source.name]
        fts = self._fts(source)
        rows = session.execute(
            select(fts.c.rowid, literal_column(f"snippet({name}, 0, '{START}', '{STOP}', '\u2026', 24)"))
            .select_from(fts).where(self.condition(source, query), fts.c.rowid.in_(wanted)))
        return {row_id: snippet for row_id, snippet in rows}


def backend(dialect: str) -> PostgresSearch | SqliteSearch:
    return PostgresSearch() if dialect == "postgresql" else SqliteSearch()

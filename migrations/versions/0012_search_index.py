"""search index: answers, evidence files' words, comments, actions and progress notes

PostgreSQL: a generated tsvector column (English stemming) with a GIN index on each
table. SQLite: an FTS5 table per table (Porter stemming) filled from what is there now
and kept in step by triggers. The database maintains both on every write. See
app/search/schema.py and docs/decisions/024-search.md.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 01:45:00

"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# table -> (FTS5 table, text in PostgreSQL, text in SQLite); `{row}` is the row's name in a trigger
TEXTS = {
    "answers": ("search_answers",
                "coalesce(evidence, '') || ' ' || coalesce(action, '') || ' ' || coalesce(value::text, '')",
                "coalesce({row}.evidence, '') || ' ' || coalesce({row}.action, '') || ' ' || coalesce({row}.value, '')"),
    "evidence_files": ("search_files", "file_name || ' ' || coalesce(text, '')",
                       "{row}.file_name || ' ' || coalesce({row}.text, '')"),
    "answer_comments": ("search_comments", "body", "{row}.body"),
    "actions": ("search_actions", "title || ' ' || coalesce(done_looks_like, '')",
                "{row}.title || ' ' || coalesce({row}.done_looks_like, '')"),
    "action_notes": ("search_notes", "text", "{row}.text"),
}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, (_, text, _) in TEXTS.items():
            op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
                       f"GENERATED ALWAYS AS (to_tsvector('english'::regconfig, {text})) STORED")
            op.execute(f"CREATE INDEX ix_search_{table} ON {table} USING gin (search_vector)")
        return
    for table, (fts, _, text) in TEXTS.items():
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(body, tokenize = 'porter unicode61 remove_diacritics 2')")
        op.execute(f"INSERT INTO {fts} (rowid, body) SELECT id, {text.format(row=table)} FROM {table}")
        op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {fts} (rowid, body) VALUES (new.id, {text.format(row='new')}); END")
        op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
                   f"DELETE FROM {fts} WHERE rowid = old.id; END")
        op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE ON {table} BEGIN "
                   f"DELETE FROM {fts} WHERE rowid = old.id; "
                   f"INSERT INTO {fts} (rowid, body) VALUES (new.id, {text.format(row='new')}); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TEXTS:
            op.execute(f"DROP INDEX IF EXISTS ix_search_{table}")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
        return
    for table, (fts, _, _) in TEXTS.items():
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")

"""answers carried over from last year

An answer pre-filled from the department's last accepted return names the answer it
came from and says whether the officer has yet to confirm it. On SQLite, altering the
answers table copies it into a new one, which drops its triggers: the search index's
triggers (migration 0012) are made again afterwards.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 02:23:17.534922

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

ANSWER_TEXT = "coalesce({row}.evidence, '') || ' ' || coalesce({row}.action, '') || ' ' || coalesce({row}.value, '')"


def _answer_search_triggers():
    """As migration 0012 made them (SQLite only)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS search_answers_{event}")
    op.execute("CREATE TRIGGER search_answers_insert AFTER INSERT ON answers BEGIN "
               f"INSERT INTO search_answers (rowid, body) VALUES (new.id, {ANSWER_TEXT.format(row='new')}); END")
    op.execute("CREATE TRIGGER search_answers_delete AFTER DELETE ON answers BEGIN "
               "DELETE FROM search_answers WHERE rowid = old.id; END")
    op.execute("CREATE TRIGGER search_answers_update AFTER UPDATE ON answers BEGIN "
               "DELETE FROM search_answers WHERE rowid = old.id; "
               f"INSERT INTO search_answers (rowid, body) VALUES (new.id, {ANSWER_TEXT.format(row='new')}); END")


def upgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('carried_over', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_answers_carried_from_id_answers'), 'answers', ['carried_from_id'],
                                    ['id'], ondelete='SET NULL')
    _answer_search_triggers()


def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_answers_carried_from_id_answers'), type_='foreignkey')
        batch_op.drop_column('carried_over')
        batch_op.drop_column('carried_from_id')
    _answer_search_triggers()

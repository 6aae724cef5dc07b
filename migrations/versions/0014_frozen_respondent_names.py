"""a closed cycle keeps its respondents' names and codes as they were when it closed

A department renamed (or re-coded) after a cycle closed must not change what that cycle's
exports say: each return of a closed cycle keeps the name and code it had at closing.
Cycles already closed keep the names they have now, the nearest record of what they were.
Adding columns to assignments needs no table copy on SQLite (no search triggers are on it).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 19:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("assignments", sa.Column("frozen_name", sa.String(length=200), nullable=True))
    op.add_column("assignments", sa.Column("frozen_code", sa.String(length=20), nullable=True))
    op.execute("""
        UPDATE assignments SET
            frozen_name = COALESCE(
                (SELECT name FROM departments WHERE departments.id = assignments.department_id),
                (SELECT name FROM peer_partnerships WHERE peer_partnerships.id = assignments.peer_partnership_id)),
            frozen_code = (SELECT code FROM departments WHERE departments.id = assignments.department_id)
        WHERE cycle_id IN (SELECT id FROM cycles WHERE status = 'closed')
    """)


def downgrade():
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("frozen_code")
        batch.drop_column("frozen_name")

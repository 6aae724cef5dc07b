"""actions say where they come from: a gap, a scrutiny recommendation, an earlier plan or something else

Actions before this revision came from a gap when they name a question; the others
were raised on their own, and become "something else" with no detail, which the
person who raised them can fill in by changing the action.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('origin_detail', sa.Text(), nullable=True))

    op.execute("UPDATE actions SET origin = CASE WHEN question_id IS NULL THEN 'other' ELSE 'gap' END, "
               "origin_detail = ''")

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.alter_column('origin', existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column('origin_detail', existing_type=sa.Text(), nullable=False)
        batch_op.create_check_constraint(
            op.f('ck_actions_origin_valid'), "origin IN ('gap', 'scrutiny', 'carried_over', 'other')")
        batch_op.create_check_constraint(
            op.f('ck_actions_origin_gap_has_question'),
            "(origin = 'gap' AND question_id IS NOT NULL) OR (origin != 'gap' AND question_id IS NULL)")


def downgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_actions_origin_gap_has_question'), type_='check')
        batch_op.drop_constraint(op.f('ck_actions_origin_valid'), type_='check')
        batch_op.drop_column('origin_detail')
        batch_op.drop_column('origin')

"""kept answers name their respondent and version; secrets shown once wait server-side

Answers kept before this revision name nobody: anyone could have posted them, so
they are deleted rather than shown to whoever signs in next.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:22:50.349277

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('shown_once',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handle', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('viewer_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('extra', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['viewer_id'], ['users.id'], name=op.f('fk_shown_once_viewer_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shown_once')),
    sa.UniqueConstraint('handle', name=op.f('uq_shown_once_handle'))
    )
    with op.batch_alter_table('shown_once', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shown_once_created_at'), ['created_at'], unique=False)

    op.execute("DELETE FROM pending_saves")
    with op.batch_alter_table('pending_saves', schema=None) as batch_op:
        batch_op.add_column(sa.Column('respondent_key', sa.String(length=32), nullable=False))
        batch_op.add_column(sa.Column('base_version', sa.Integer(), nullable=False))



def downgrade():
    with op.batch_alter_table('pending_saves', schema=None) as batch_op:
        batch_op.drop_column('base_version')
        batch_op.drop_column('respondent_key')

    with op.batch_alter_table('shown_once', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shown_once_created_at'))

    op.drop_table('shown_once')

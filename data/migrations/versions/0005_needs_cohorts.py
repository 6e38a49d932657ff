"""needs audit: cohort fits and members

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'cohort_fit',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('data_key', sa.String(length=200), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('fitted_at', sa.DateTime(), nullable=False),
        sa.Column('classes', sa.Integer(), nullable=False),
        sa.Column('seed', sa.Integer(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('is_synthetic', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_fit')),
    )
    with op.batch_alter_table('cohort_fit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_fit_data_key'), ['data_key'], unique=False)
    op.create_table(
        'cohort_member',
        sa.Column('fit_id', sa.Integer(), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('cohort', sa.Integer(), nullable=False),
        sa.Column('probability', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['fit_id'], ['cohort_fit.id'],
                                name=op.f('fk_cohort_member_fit_id_cohort_fit'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('fit_id', 'child_id', name=op.f('pk_cohort_member')),
    )


def downgrade() -> None:
    op.drop_table('cohort_member')
    with op.batch_alter_table('cohort_fit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_fit_data_key'))
    op.drop_table('cohort_fit')

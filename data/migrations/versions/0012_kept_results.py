"""kept results: the slow shared results (needs families, fee frame, fee families) kept
per data version, so every process reads them back instead of making them again

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 17:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kept_result',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('data_key', sa.Text(), nullable=False),
        sa.Column('inputs', sa.String(length=64), nullable=False),
        sa.Column('made_at', sa.DateTime(), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_result')),
        sa.UniqueConstraint('name', name=op.f('uq_kept_result_name')),
    )


def downgrade() -> None:
    op.drop_table('kept_result')

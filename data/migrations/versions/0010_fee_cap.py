"""fee cap: the board's cap on providers' surplus / reinvestment, every cap kept

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 07:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'fee_cap',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('percent', sa.Float(), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('set_by', sa.String(length=120), nullable=False),
        sa.Column('set_at', sa.DateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_cap')),
    )


def downgrade() -> None:
    op.drop_table('fee_cap')

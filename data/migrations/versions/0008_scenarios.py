"""scenarios: saved what-ifs, one name per RCC

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 03:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scenario',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('rcc', sa.String(length=120), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('parameters', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario')),
        sa.UniqueConstraint('rcc', 'name', name=op.f('uq_scenario_rcc')),
    )


def downgrade() -> None:
    op.drop_table('scenario')

"""needs audit: provider offer register

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:40:01
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'provider_offer',
        sa.Column('urn', sa.String(length=10), nullable=False),
        sa.Column('needs', sa.Text(), nullable=False),
        sa.Column('max_intensity', sa.String(length=8), nullable=False),
        sa.Column('age_from', sa.Integer(), nullable=False),
        sa.Column('age_to', sa.Integer(), nullable=False),
        sa.Column('sex', sa.String(length=6), nullable=False),
        sa.Column('places', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=120), nullable=False),
        sa.Column('is_synthetic', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('urn', name=op.f('pk_provider_offer')),
    )


def downgrade() -> None:
    op.drop_table('provider_offer')

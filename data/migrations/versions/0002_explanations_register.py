"""explanations register

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 15:29:51.135915
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('explanation_request',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('la_code', sa.String(length=9), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('meeting', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('asked_by', sa.String(length=120), nullable=False),
    sa.Column('response', sa.Text(), nullable=True),
    sa.Column('response_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('actions', sa.Text(), nullable=True),
    sa.Column('rule_settings', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_explanation_request'))
    )
    op.create_table('explanation_change',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by', sa.String(length=120), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['explanation_request.id'], name=op.f('fk_explanation_change_request_id_explanation_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_explanation_change'))
    )


def downgrade() -> None:
    op.drop_table('explanation_change')
    op.drop_table('explanation_request')

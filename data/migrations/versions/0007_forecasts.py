"""forecasts: stored runs, values, backtests and scores

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:31:59.518427
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecast_run',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('data_key', sa.String(length=200), nullable=False),
    sa.Column('settings', sa.Text(), nullable=False),
    sa.Column('fitted_at', sa.DateTime(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('series', sa.Integer(), nullable=False),
    sa.Column('with_backtest', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_run'))
    )
    op.create_table('forecast_backtest',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=60), nullable=False),
    sa.Column('series', sa.String(length=40), nullable=False),
    sa.Column('breakdown', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=10), nullable=False),
    sa.Column('origin', sa.Integer(), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('horizon', sa.Integer(), nullable=False),
    sa.Column('forecast', sa.Float(), nullable=False),
    sa.Column('lower_80', sa.Float(), nullable=False),
    sa.Column('upper_80', sa.Float(), nullable=False),
    sa.Column('lower_95', sa.Float(), nullable=False),
    sa.Column('upper_95', sa.Float(), nullable=False),
    sa.Column('actual', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], name=op.f('fk_forecast_backtest_run_id_forecast_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'level', 'area_code', 'series', 'breakdown', 'model', 'origin', 'target', name=op.f('pk_forecast_backtest'))
    )
    op.create_table('forecast_score',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=60), nullable=False),
    sa.Column('series', sa.String(length=40), nullable=False),
    sa.Column('breakdown', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=10), nullable=False),
    sa.Column('mase', sa.Float(), nullable=True),
    sa.Column('mape', sa.Float(), nullable=True),
    sa.Column('coverage_80', sa.Float(), nullable=True),
    sa.Column('coverage_95', sa.Float(), nullable=True),
    sa.Column('forecasts', sa.Integer(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], name=op.f('fk_forecast_score_run_id_forecast_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'level', 'area_code', 'series', 'breakdown', 'model', name=op.f('pk_forecast_score'))
    )
    op.create_table('forecast_value',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=60), nullable=False),
    sa.Column('series', sa.String(length=40), nullable=False),
    sa.Column('breakdown', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('area_name', sa.String(length=120), nullable=False),
    sa.Column('forecast', sa.Float(), nullable=False),
    sa.Column('lower_80', sa.Float(), nullable=False),
    sa.Column('upper_80', sa.Float(), nullable=False),
    sa.Column('lower_95', sa.Float(), nullable=False),
    sa.Column('upper_95', sa.Float(), nullable=False),
    sa.Column('reconciled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], name=op.f('fk_forecast_value_run_id_forecast_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'level', 'area_code', 'series', 'breakdown', 'model', 'year', name=op.f('pk_forecast_value'))
    )


def downgrade() -> None:
    op.drop_table('forecast_value')
    op.drop_table('forecast_score')
    op.drop_table('forecast_backtest')
    op.drop_table('forecast_run')

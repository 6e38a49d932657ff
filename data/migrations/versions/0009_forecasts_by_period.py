"""forecasts by period: published annual and case-level monthly series side by side, and
the history each run fitted

Stored forecasts are derived (``python -m forecasting refresh`` makes them again), so the
tables are dropped and made anew rather than converted: the run before this migration is
no longer there and pages ask for a refresh.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

KEY = ('run_id', 'source', 'level', 'area_code', 'series', 'breakdown')
RANGE = ('forecast', 'lower_80', 'upper_80', 'lower_95', 'upper_95')


def key_columns(with_source: bool = True) -> list[sa.Column]:
    """The columns naming a series (and, with ``source``, whether published or case-level)."""
    return [sa.Column('run_id', sa.Integer(), nullable=False),
            *([sa.Column('source', sa.String(length=10), nullable=False)] if with_source else []),
            sa.Column('level', sa.String(length=16), nullable=False),
            sa.Column('area_code', sa.String(length=60), nullable=False),
            sa.Column('series', sa.String(length=40), nullable=False),
            sa.Column('breakdown', sa.String(length=60), nullable=False)]


def range_columns() -> list[sa.Column]:
    return [sa.Column(name, sa.Float(), nullable=False) for name in RANGE]


def run_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'],
                                   name=op.f(f'fk_{table}_run_id_forecast_run'),
                                   ondelete='CASCADE')


def create(table: str, columns: list[sa.Column], key: tuple[str, ...]) -> None:
    op.create_table(table, *columns, run_key(table),
                    sa.PrimaryKeyConstraint(*key, name=op.f(f'pk_{table}')))


def drop_values() -> None:
    for table in ('forecast_value', 'forecast_score', 'forecast_backtest'):
        op.drop_table(table)
    op.execute('DELETE FROM forecast_run')


def create_values(with_source: bool, period: str, period_type) -> None:
    """The value, backtest and score tables, keyed by ``period`` (0009: dates, 0007:
    years) and with or without ``source``."""
    key = (KEY if with_source else tuple(c for c in KEY if c != 'source')) + ('model',)

    def model() -> sa.Column:
        return sa.Column('model', sa.String(length=10), nullable=False)

    create('forecast_value', [*key_columns(with_source), model(),
                              sa.Column(period, period_type, nullable=False),
                              sa.Column('area_name', sa.String(length=120), nullable=False),
                              *range_columns(),
                              sa.Column('reconciled', sa.Boolean(), nullable=False)],
           (*key, period))
    create('forecast_backtest', [*key_columns(with_source), model(),
                                 sa.Column('origin', period_type, nullable=False),
                                 sa.Column('target', period_type, nullable=False),
                                 sa.Column('horizon', sa.Integer(), nullable=False),
                                 *range_columns(),
                                 sa.Column('actual', sa.Float(), nullable=False)],
           (*key, 'origin', 'target'))
    create('forecast_score', [*key_columns(with_source), model(),
                              *(sa.Column(name, sa.Float(), nullable=True)
                                for name in ('mase', 'mape', 'coverage_80', 'coverage_95')),
                              sa.Column('forecasts', sa.Integer(), nullable=False),
                              sa.Column('is_default', sa.Boolean(), nullable=False)],
           (*key,))


def upgrade() -> None:
    drop_values()
    create('forecast_history', [*key_columns(), sa.Column('period', sa.Date(), nullable=False),
                                sa.Column('area_name', sa.String(length=120), nullable=False),
                                sa.Column('value', sa.Float(), nullable=False)],
           (*KEY, 'period'))
    create_values(True, 'period', sa.Date())


def downgrade() -> None:
    """Back to 0007's tables (by year, published series only), empty."""
    op.drop_table('forecast_history')
    drop_values()
    create_values(False, 'year', sa.Integer())

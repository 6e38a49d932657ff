"""published open data tables

Revision ID: 0001
Revises:
Create Date: 2026-11-24 15:04:55.768368
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('boundary',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('geometry', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_boundary'))
    )
    op.create_table('cla_characteristic',
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('cla_group', sa.String(length=100), nullable=False),
    sa.Column('characteristic', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('number_symbol', sa.String(length=4), nullable=True),
    sa.Column('percentage', sa.Float(), nullable=True),
    sa.Column('percentage_symbol', sa.String(length=4), nullable=True),
    sa.PrimaryKeyConstraint('area_code', 'year', 'cla_group', 'characteristic', name=op.f('pk_cla_characteristic'))
    )
    op.create_table('cla_count',
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('children', sa.Integer(), nullable=True),
    sa.Column('children_symbol', sa.String(length=4), nullable=True),
    sa.Column('published_rate', sa.Float(), nullable=True),
    sa.Column('rate_symbol', sa.String(length=4), nullable=True),
    sa.Column('published_population', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('area_code', 'year', 'measure', name=op.f('pk_cla_count'))
    )
    op.create_table('cost_benchmark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=60), nullable=False),
    sa.Column('publisher', sa.String(length=200), nullable=False),
    sa.Column('publication', sa.String(length=300), nullable=False),
    sa.Column('published', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=100), nullable=False),
    sa.Column('metric', sa.String(length=300), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('source_url', sa.String(length=500), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cost_benchmark'))
    )
    op.create_table('data_release',
    sa.Column('dataset', sa.String(length=64), nullable=False),
    sa.Column('publisher', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('period', sa.String(length=100), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('licence', sa.String(length=200), nullable=False),
    sa.Column('file', sa.String(length=300), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('dataset', name=op.f('pk_data_release'))
    )
    op.create_table('la_code_change',
    sa.Column('old_code', sa.String(length=9), nullable=False),
    sa.Column('new_code', sa.String(length=9), nullable=False),
    sa.Column('old_name', sa.String(length=100), nullable=False),
    sa.Column('new_name', sa.String(length=100), nullable=False),
    sa.Column('change', sa.String(length=10), nullable=False),
    sa.Column('effective_year', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('old_code', 'new_code', name=op.f('pk_la_code_change'))
    )
    op.create_table('lait_indicator',
    sa.Column('measure_code', sa.String(length=40), nullable=False),
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('year_label', sa.String(length=16), nullable=False),
    sa.Column('measure', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('symbol', sa.String(length=4), nullable=True),
    sa.PrimaryKeyConstraint('measure_code', 'area_code', 'year', name=op.f('pk_lait_indicator'))
    )
    op.create_table('new_placement',
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('characteristic', sa.String(length=100), nullable=False),
    sa.Column('breakdown', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('children', sa.Integer(), nullable=True),
    sa.Column('children_symbol', sa.String(length=4), nullable=True),
    sa.Column('percent', sa.Float(), nullable=True),
    sa.Column('percent_symbol', sa.String(length=4), nullable=True),
    sa.PrimaryKeyConstraint('area_code', 'year', 'characteristic', 'breakdown', name=op.f('pk_new_placement'))
    )
    op.create_table('population',
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('mid_year', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('population_0_17', sa.Integer(), nullable=True),
    sa.Column('population_symbol', sa.String(length=4), nullable=True),
    sa.PrimaryKeyConstraint('area_code', 'mid_year', name=op.f('pk_population'))
    )
    op.create_table('rcc',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rcc'))
    )
    op.create_table('region',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_region'))
    )
    op.create_table('ro3_expenditure',
    sa.Column('la_code', sa.String(length=9), nullable=False),
    sa.Column('line', sa.String(length=60), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('value_gbp_thousands', sa.Float(), nullable=True),
    sa.Column('symbol', sa.String(length=12), nullable=True),
    sa.PrimaryKeyConstraint('la_code', 'line', 'measure', name=op.f('pk_ro3_expenditure'))
    )
    op.create_table('statistical_neighbour',
    sa.Column('model', sa.String(length=4), nullable=False),
    sa.Column('la_code', sa.String(length=9), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('neighbour_code', sa.String(length=9), nullable=False),
    sa.Column('closeness', sa.String(length=30), nullable=False),
    sa.PrimaryKeyConstraint('model', 'la_code', 'rank', name=op.f('pk_statistical_neighbour'))
    )
    op.create_table('local_authority',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('dfe_number', sa.String(length=3), nullable=True),
    sa.Column('region_code', sa.String(length=9), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_local_authority_region_code_region')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_local_authority'))
    )
    op.create_table('rcc_membership',
    sa.Column('la_code', sa.String(length=9), nullable=False),
    sa.Column('rcc_id', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['rcc_id'], ['rcc.id'], name=op.f('fk_rcc_membership_rcc_id_rcc')),
    sa.PrimaryKeyConstraint('la_code', name=op.f('pk_rcc_membership'))
    )
    op.create_table('childrens_home',
    sa.Column('urn', sa.String(length=10), nullable=False),
    sa.Column('la_code', sa.String(length=9), nullable=False),
    sa.Column('provision_type', sa.String(length=100), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('registration_status', sa.String(length=20), nullable=False),
    sa.Column('short_break_only', sa.Boolean(), nullable=False),
    sa.Column('latest_inspection_date', sa.String(length=10), nullable=True),
    sa.Column('overall_judgement', sa.String(length=40), nullable=True),
    sa.Column('help_and_protection', sa.String(length=40), nullable=True),
    sa.Column('leadership', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['la_code'], ['local_authority.code'], name=op.f('fk_childrens_home_la_code_local_authority')),
    sa.PrimaryKeyConstraint('urn', name=op.f('pk_childrens_home'))
    )


def downgrade() -> None:
    op.drop_table('childrens_home')
    op.drop_table('rcc_membership')
    op.drop_table('local_authority')
    op.drop_table('statistical_neighbour')
    op.drop_table('ro3_expenditure')
    op.drop_table('region')
    op.drop_table('rcc')
    op.drop_table('population')
    op.drop_table('new_placement')
    op.drop_table('lait_indicator')
    op.drop_table('la_code_change')
    op.drop_table('data_release')
    op.drop_table('cost_benchmark')
    op.drop_table('cla_count')
    op.drop_table('cla_characteristic')
    op.drop_table('boundary')

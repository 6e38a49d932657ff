"""case-level layer

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 16:04:39.001378
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_import',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by', sa.String(length=120), nullable=False),
    sa.Column('file_hash', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('la_code', sa.String(length=9), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('rows', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_import'))
    )
    op.create_table('need_category',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('placements_v2_fields', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_need_category'))
    )
    op.create_table('child',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('la_code', sa.String(length=9), nullable=False),
    sa.Column('child_ref', sa.String(length=40), nullable=False),
    sa.Column('birth_year_month', sa.String(length=7), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('ethnicity', sa.String(length=4), nullable=True),
    sa.Column('uasc', sa.Boolean(), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['case_import.id'], name=op.f('fk_child_import_id_case_import'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child'))
    )
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_la_code'), ['la_code'], unique=False)

    op.create_table('provider',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('places', sa.Integer(), nullable=True),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['case_import.id'], name=op.f('fk_provider_import_id_case_import'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider'))
    )
    op.create_table('episode',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('period_of_care', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('reason_new_episode', sa.String(length=2), nullable=False),
    sa.Column('legal_status', sa.String(length=2), nullable=False),
    sa.Column('category_of_need', sa.String(length=2), nullable=False),
    sa.Column('placement_type', sa.String(length=2), nullable=False),
    sa.Column('provider_type', sa.String(length=3), nullable=False),
    sa.Column('reason_episode_ceased', sa.String(length=3), nullable=True),
    sa.Column('reason_place_change', sa.String(length=6), nullable=True),
    sa.Column('home_sector', sa.String(length=8), nullable=True),
    sa.Column('placement_sector', sa.String(length=8), nullable=True),
    sa.Column('placing_la', sa.String(length=9), nullable=False),
    sa.Column('placement_la', sa.String(length=9), nullable=True),
    sa.Column('placement_la_source', sa.String(length=10), nullable=False),
    sa.Column('inside_la', sa.Boolean(), nullable=True),
    sa.Column('distance_miles', sa.Float(), nullable=True),
    sa.Column('distance_band', sa.String(length=12), nullable=False),
    sa.Column('urn', sa.String(length=10), nullable=True),
    sa.Column('provider_id', sa.String(length=40), nullable=True),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_episode_child_id_child'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_episode'))
    )
    with op.batch_alter_table('episode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_episode_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_episode_placement_la'), ['placement_la'], unique=False)
        batch_op.create_index(batch_op.f('ix_episode_placement_type'), ['placement_type'], unique=False)

    op.create_table('needs_assessment',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('need', sa.String(length=30), nullable=False),
    sa.Column('frequency', sa.String(length=8), nullable=False),
    sa.Column('intensity', sa.String(length=6), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_needs_assessment_child_id_child'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs_assessment'))
    )
    with op.batch_alter_table('needs_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_assessment_child_id'), ['child_id'], unique=False)

    op.create_table('placement_fee',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('weekly_fee', sa.Float(), nullable=False),
    sa.Column('core', sa.Float(), nullable=True),
    sa.Column('extra_staffing', sa.Float(), nullable=True),
    sa.Column('education', sa.Float(), nullable=True),
    sa.Column('therapy', sa.Float(), nullable=True),
    sa.Column('surplus_pct', sa.Float(), nullable=True),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episode.id'], name=op.f('fk_placement_fee_episode_id_episode'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_fee'))
    )
    with op.batch_alter_table('placement_fee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_fee_episode_id'), ['episode_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('placement_fee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_fee_episode_id'))

    op.drop_table('placement_fee')
    with op.batch_alter_table('needs_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_needs_assessment_child_id'))

    op.drop_table('needs_assessment')
    with op.batch_alter_table('episode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_episode_placement_type'))
        batch_op.drop_index(batch_op.f('ix_episode_placement_la'))
        batch_op.drop_index(batch_op.f('ix_episode_child_id'))

    op.drop_table('episode')
    op.drop_table('provider')
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_la_code'))
        batch_op.drop_index(batch_op.f('ix_child_import_id'))

    op.drop_table('child')
    op.drop_table('need_category')
    op.drop_table('case_import')

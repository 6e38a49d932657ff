"""users, audit trail and board packs: who may sign in, what everyone did, packs as made

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 11:40:00

The audit trail is append-only in the store itself: triggers refuse UPDATE and DELETE
on ``audit_event`` (SQLite and PostgreSQL), so no code path and no SQL session can edit it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

#: PostgreSQL: one function raising, called by a trigger on UPDATE and DELETE.
PG_FUNCTION = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = """
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
"""
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"""
    for verb in ("UPDATE", "DELETE")]


def upgrade() -> None:
    op.create_table(
        'app_user',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('rccs', sa.Text(), nullable=True),
        sa.Column('provider', sa.String(length=120), nullable=True),
        sa.Column('password_hash', sa.String(length=200), nullable=True),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('failed_sign_ins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
        sa.UniqueConstraint('email', name=op.f('uq_app_user_email')),
    )
    op.create_table(
        'audit_event',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('who', sa.String(length=254), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    )
    op.create_index(op.f('ix_audit_event_at'), 'audit_event', ['at'], unique=False)
    op.create_index(op.f('ix_audit_event_action'), 'audit_event', ['action'], unique=False)
    op.create_table(
        'board_pack',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('rcc_id', sa.String(length=20), nullable=False),
        sa.Column('meeting_date', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=254), nullable=False),
        sa.Column('manifest', sa.Text(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('xlsx', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_board_pack')),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    op.drop_table('board_pack')
    op.drop_index(op.f('ix_audit_event_action'), table_name='audit_event')
    op.drop_index(op.f('ix_audit_event_at'), table_name='audit_event')
    op.drop_table('audit_event')
    op.drop_table('app_user')

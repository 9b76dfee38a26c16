"""interruptions, snapshot removal, order delivery days and policy, gig minimum price, unique deadline reminders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa
import freelancer_desk.storage.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('interruptions',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('starts_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('resolved_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.String(length=8), nullable=True),
    sa.Column('assigned_contract_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IS NULL OR decision IN ('keep', 'discard', 'assign')", name=op.f('ck_interruptions_decision_allowed')),
    sa.CheckConstraint("kind IN ('idle', 'sleep', 'clock_back')", name=op.f('ck_interruptions_kind_allowed')),
    sa.CheckConstraint('ends_at >= starts_at', name=op.f('ck_interruptions_ends_after_start')),
    sa.ForeignKeyConstraint(['assigned_contract_id'], ['contracts.id'], name=op.f('fk_interruptions_assigned_contract_id_contracts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['time_sessions.id'], name=op.f('fk_interruptions_session_id_time_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interruptions'))
    )
    with op.batch_alter_table('interruptions', schema=None) as batch_op:
        batch_op.create_index('ix_interruptions_open', ['device_id', 'resolved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interruptions_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('gigs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_package_price_minor', sa.Integer(), nullable=True))

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.alter_column('number',
               existing_type=sa.VARCHAR(length=40),
               nullable=True)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('snapshot_policy', sa.String(length=8), nullable=False, server_default=sa.text("'off'")))
        batch_op.create_check_constraint('snapshot_policy_allowed', "snapshot_policy IN ('off', 'blurred', 'full')")

    # Autogenerate does not compare CHECK constraints: the new end reason is added by hand.
    with op.batch_alter_table('time_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_time_sessions_end_reason_allowed'), type_='check')
        batch_op.create_check_constraint('end_reason_allowed', "end_reason IS NULL OR end_reason IN ('stopped', 'orphaned', 'switched', 'idle', 'suspended', 'clock_change', 'manual')")

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_reminders_deadline', ['kind', 'source_kind', 'source_id'])

    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('removed_reason', sa.String(length=24), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.drop_column('removed_reason')
        batch_op.drop_column('removed_at')

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reminders_deadline', type_='unique')

    with op.batch_alter_table('time_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_time_sessions_end_reason_allowed'), type_='check')
        batch_op.create_check_constraint('end_reason_allowed', "end_reason IS NULL OR end_reason IN ('stopped', 'orphaned', 'switched', 'idle', 'suspended', 'manual')")

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_orders_snapshot_policy_allowed'), type_='check')
        batch_op.drop_column('snapshot_policy')
        batch_op.drop_column('delivery_days')

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.alter_column('number',
               existing_type=sa.VARCHAR(length=40),
               nullable=False)

    with op.batch_alter_table('gigs', schema=None) as batch_op:
        batch_op.drop_column('min_package_price_minor')

    with op.batch_alter_table('interruptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interruptions_session_id'))
        batch_op.drop_index('ix_interruptions_open')

    op.drop_table('interruptions')

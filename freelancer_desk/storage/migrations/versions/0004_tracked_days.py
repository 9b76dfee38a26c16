"""tracked_days: tracked time per contract (or order) and UTC day, kept by triggers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

A summary the reports, the earnings and catch-up's billing read instead of every
segment (see storage/models/tracked_days.py for the columns). Triggers on `segments`
keep it exact on every write; the table is filled here from the existing segments.
"""

import sqlalchemy as sa
from alembic import op

from freelancer_desk.storage.models.tracked_days import create_triggers, drop_trigger_ddl, rebuild

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'tracked_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('target_id', sa.Uuid(), nullable=False),
        sa.Column('contract_id', sa.Uuid(), nullable=True),
        sa.Column('order_id', sa.Uuid(), nullable=True),
        sa.Column('segments', sa.Integer(), nullable=False),
        sa.Column('tracked_seconds', sa.Integer(), nullable=False),
        sa.Column('manual_seconds', sa.Integer(), nullable=False),
        sa.Column('over_limit_seconds', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'target_id', name=op.f('pk_tracked_days')),
        sqlite_with_rowid=False,
    )
    op.create_index(
        'ix_tracked_days_target_cover',
        'tracked_days',
        ['target_id', 'contract_id', 'order_id', 'tracked_seconds'],
        unique=False,
    )
    bind = op.get_bind()
    rebuild(bind)
    create_triggers(bind)
    if bind.dialect.name == 'sqlite':
        op.execute('ANALYZE tracked_days')


def downgrade() -> None:
    bind = op.get_bind()
    for statement in drop_trigger_ddl(bind.dialect.name):
        op.execute(statement)
    op.drop_index('ix_tracked_days_target_cover', table_name='tracked_days')
    op.drop_table('tracked_days')

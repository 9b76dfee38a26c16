"""ledger_totals and catch_up_marks: what the balances, the earnings, the pending money
and catch-up's billing read instead of every posting and every tracked day

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

`ledger_totals` sums the postings per (account kind, currency, client, scope), kept by
triggers on `ledger_postings` (storage/models/ledger_totals.py); it is filled here from
the existing postings. `catch_up_marks` holds how far catch-up's hourly billing has
settled the weeks, moved back by triggers when a settled week could bill again
(storage/models/catch_up_marks.py); it starts empty (the next catch-up reads every day
once, then sets it).
"""

import sqlalchemy as sa
from alembic import op

from freelancer_desk.storage.models import catch_up_marks, ledger_totals

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ledger_totals',
        sa.Column('account_kind', sa.String(length=16), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('client_key', sa.Uuid(), nullable=False),
        sa.Column('scope_key', sa.Uuid(), nullable=False),
        sa.Column('postings', sa.Integer(), nullable=False),
        sa.Column('amount_minor', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            'account_kind', 'currency', 'client_key', 'scope_key', name=op.f('pk_ledger_totals')
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'catch_up_marks',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('through', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_catch_up_marks')),
    )
    bind = op.get_bind()
    ledger_totals.rebuild(bind)
    ledger_totals.create_triggers(bind)
    catch_up_marks.create_triggers(bind)
    if bind.dialect.name == 'sqlite':
        op.execute('ANALYZE ledger_totals')


def downgrade() -> None:
    bind = op.get_bind()
    for statement in [
        *catch_up_marks.drop_trigger_ddl(bind.dialect.name),
        *ledger_totals.drop_trigger_ddl(bind.dialect.name),
    ]:
        op.execute(statement)
    op.drop_table('catch_up_marks')
    op.drop_table('ledger_totals')

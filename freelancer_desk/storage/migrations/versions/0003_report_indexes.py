"""covering indexes for the reports on a large workspace, and planner statistics

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

- ledger_postings (transaction_id, account_kind, client_id, currency, amount_minor)
  replaces the single-column transaction_id index: a period's transactions join their
  postings without a table lookup per posting (earnings per client).
- ledger_postings (client_id, currency, account_kind, amount_minor) replaces the
  single-column client_id index: earnings per client read the index in order.
- segments (contract_id, slot_start, deleted, tracked_seconds) replaces
  (contract_id, slot_start): per-contract and per-client sums of tracked time read the
  index instead of the wide segment rows (activity, memo).
- SQLite: ANALYZE, so the query planner knows the tables' shapes. Without statistics it
  assumes any equality is selective and, for a year's earnings, walks every fee/pending/
  available posting looking up its transaction (0.8 s on 100,000 postings) instead of
  the year's transactions (0.1 s). See docs/benchmarks.md.
"""

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_postings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_postings_transaction_id'))
        batch_op.create_index('ix_ledger_postings_transaction_kind', ['transaction_id', 'account_kind', 'client_id', 'currency', 'amount_minor'], unique=False)
        batch_op.drop_index(batch_op.f('ix_ledger_postings_client_id'))
        batch_op.create_index('ix_ledger_postings_client_cover', ['client_id', 'currency', 'account_kind', 'amount_minor'], unique=False)
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index('ix_segments_contract_slot')
        batch_op.create_index('ix_segments_contract_slot_cover', ['contract_id', 'slot_start', 'deleted', 'tracked_seconds'], unique=False)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ANALYZE')


def downgrade() -> None:
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index('ix_segments_contract_slot_cover')
        batch_op.create_index('ix_segments_contract_slot', ['contract_id', 'slot_start'], unique=False)
    with op.batch_alter_table('ledger_postings', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_postings_client_cover')
        batch_op.create_index(batch_op.f('ix_ledger_postings_client_id'), ['client_id'], unique=False)
        batch_op.drop_index('ix_ledger_postings_transaction_kind')
        batch_op.create_index(batch_op.f('ix_ledger_postings_transaction_id'), ['transaction_id'], unique=False)

"""tracked_weeks: tracked time per contract (or order) and UTC week, kept by triggers;
the ledger's source index covers the transaction's kind and id

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

The hours report reads a whole UTC week from `tracked_weeks` (see
storage/models/tracked_weeks.py) instead of grouping its days from `tracked_days`;
triggers on `segments` keep it exact on every write; the table is filled here from the
existing segments. The report's billed weeks look their `hourly_week` transactions up
by source id: `ix_ledger_transactions_source` (source_kind, source_id) becomes
`ix_ledger_transactions_source_cover` (… , kind, id), so the lookup reads no table row
(same leading columns: every query that used the old index can use this one).
"""

import sqlalchemy as sa
from alembic import op

from freelancer_desk.storage.models.tracked_weeks import create_triggers, drop_trigger_ddl, rebuild

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracked_weeks",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("tracked_seconds", sa.Integer(), nullable=False),
        sa.Column("manual_seconds", sa.Integer(), nullable=False),
        sa.Column("over_limit_seconds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("week", "target_id", name=op.f("pk_tracked_weeks")),
        sqlite_with_rowid=False,
    )
    op.drop_index("ix_ledger_transactions_source", table_name="ledger_transactions")
    op.create_index(
        "ix_ledger_transactions_source_cover",
        "ledger_transactions",
        ["source_kind", "source_id", "kind", "id"],
        unique=False,
    )
    bind = op.get_bind()
    rebuild(bind)
    create_triggers(bind)
    if bind.dialect.name == "sqlite":
        op.execute("ANALYZE tracked_weeks")
        op.execute("ANALYZE ledger_transactions")


def downgrade() -> None:
    bind = op.get_bind()
    for statement in drop_trigger_ddl(bind.dialect.name):
        op.execute(statement)
    op.drop_index("ix_ledger_transactions_source_cover", table_name="ledger_transactions")
    op.create_index(
        "ix_ledger_transactions_source",
        "ledger_transactions",
        ["source_kind", "source_id"],
        unique=False,
    )
    op.drop_table("tracked_weeks")

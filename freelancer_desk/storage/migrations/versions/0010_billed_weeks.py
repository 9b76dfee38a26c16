"""billed_weeks: the gross booked per billed hourly week (source id) and currency, kept
by triggers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26

The hours report's "billed" column read, for every contract-week of the period, the
`hourly_week` transactions and their earned postings (one index probe into
`ledger_postings` per transaction); it now reads `billed_weeks` (see
storage/models/billed_weeks.py) by a range of source ids per contract. Triggers on
`ledger_postings` and `ledger_transactions` keep it exact on every write; a bulk write
(an import) adds its sums itself. The table is filled here from the existing postings.
"""

import sqlalchemy as sa
from alembic import op

from freelancer_desk.storage.models.billed_weeks import create_triggers, drop_trigger_ddl, rebuild

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billed_weeks",
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source_id", "currency", name=op.f("pk_billed_weeks")),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    rebuild(bind)
    create_triggers(bind)
    if bind.dialect.name == "sqlite":
        op.execute("ANALYZE billed_weeks")


def downgrade() -> None:
    bind = op.get_bind()
    for statement in drop_trigger_ddl(bind.dialect.name):
        op.execute(statement)
    op.drop_table("billed_weeks")

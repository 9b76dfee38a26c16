"""ledger_totals: a bulk write (an import) adds its sums once per account key, not one
upsert per posting

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

PostgreSQL: the trigger function on `ledger_postings` returns at once for an INSERT
while the transaction-local setting `freelancer_desk.bulk` is '1'; the bulk writer then
adds the batch's sums itself, one upsert per key, in the same transaction
(storage/models/ledger_totals.py: `bulk_insert`, `add_sums`). SQLite: nothing changes in the schema (the bulk writer drops
the INSERT trigger inside its transaction and makes it again before leaving). The
summary's rows do not change on either.
"""

from alembic import op

from freelancer_desk.storage.models import ledger_totals

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _triggers(bulk: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for statement in ledger_totals.drop_trigger_ddl(bind.dialect.name):
        op.execute(statement)
    ledger_totals.create_triggers(bind, bulk=bulk)


def upgrade() -> None:
    _triggers(bulk=True)


def downgrade() -> None:
    _triggers(bulk=False)

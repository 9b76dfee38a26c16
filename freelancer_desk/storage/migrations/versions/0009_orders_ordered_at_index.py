"""orders (ordered_at, id): the orders table's default sort walks an index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26

The orders table (services/views.py) is sorted by `ordered_at`, newest first, then id.
Without an index every page read all orders, joined each to its buyer and gig and
sorted them before the LIMIT (46 ms for the first page of 20,007 orders); with it a
page walks the index and stops after its rows, and a next page read by key starts
with a range on it (docs/benchmarks.md, "F: the orders table's default sort").
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_ordered_at", "orders", ["ordered_at", "id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE orders")


def downgrade() -> None:
    op.drop_index("ix_orders_ordered_at", table_name="orders")

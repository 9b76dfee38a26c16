"""order_delivery_files: the files sent with a delivery

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26

A delivery recorded its message only. Each file sent with it gets a row: its name as
sent, size, SHA-256, media type (when known), where the workspace keeps its copy
(relative to the data folder's `deliveries/`, content-addressed by SHA-256) and the
machine whose data folder holds that copy (storage/models/orders.py,
storage/delivered_files.py). A new table: existing deliveries keep no files.
"""

import sqlalchemy as sa
from alembic import op

from freelancer_desk.storage.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_delivery_files",
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=True),
        sa.Column("stored_path", sa.String(length=200), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "size_bytes >= 0", name=op.f("ck_order_delivery_files_size_nonnegative")
        ),
        sa.CheckConstraint(
            "length(sha256) = 64", name=op.f("ck_order_delivery_files_sha256_length")
        ),
        sa.CheckConstraint(
            "position >= 0", name=op.f("ck_order_delivery_files_position_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["order_deliveries.id"],
            name=op.f("fk_order_delivery_files_delivery_id_order_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_delivery_files")),
    )
    op.create_index(
        "ix_order_delivery_files_delivery_id",
        "order_delivery_files",
        ["delivery_id"],
        unique=False,
    )
    op.create_index(
        "ix_order_delivery_files_sha256", "order_delivery_files", ["sha256"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_order_delivery_files_sha256", table_name="order_delivery_files")
    op.drop_index("ix_order_delivery_files_delivery_id", table_name="order_delivery_files")
    op.drop_table("order_delivery_files")
